"""start_now: a coroutine that needs no waiting makes no task; one that waits still
finishes, in order, with its exceptions intact."""

from __future__ import annotations

import asyncio

import pytest

from server.live.eager import start_now


async def test_a_coroutine_that_never_waits_runs_at_once_without_a_task() -> None:
    done: list[str] = []

    async def quick() -> None:
        done.append("sent")

    assert start_now(quick()) is None
    assert done == ["sent"]


async def test_a_coroutine_that_waits_is_finished_by_a_task() -> None:
    gate = asyncio.Event()
    done: list[str] = []

    async def blocked() -> None:
        done.append("started")
        await gate.wait()
        done.append("finished")

    task = start_now(blocked())
    assert task is not None
    assert done == ["started"]
    gate.set()
    await asyncio.wait_for(task, 5)
    assert done == ["started", "finished"]


async def test_exceptions_reach_the_coroutine_and_the_task() -> None:
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def failing() -> None:
        try:
            await future
        except ValueError as error:
            raise RuntimeError("seen inside") from error

    task = start_now(failing())
    assert task is not None
    future.set_exception(ValueError("boom"))
    with pytest.raises(RuntimeError, match="seen inside"):
        await asyncio.wait_for(task, 5)


async def test_cancelling_the_task_closes_the_coroutine() -> None:
    closed: list[bool] = []

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            closed.append(True)

    task = start_now(forever())
    assert task is not None
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert closed == [True]
