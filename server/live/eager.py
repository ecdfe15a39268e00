"""Run a coroutine at once, and only make a task of it if it has to wait.

Sending a frame to a socket almost never waits: the transport takes it and the
coroutine returns without suspending. Wrapping each of thousands of sends per
broadcast in a task costs more than the sends themselves (Python 3.12 has
eager task factories for this; 3.11 does not). `start_now` steps the coroutine
like asyncio.Task would, and hands it to a task only if it suspends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


def start_now(coro: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
    """None when `coro` ran to completion right away; else the task finishing it.
    An exception raised before the first suspension propagates to the caller."""
    try:
        waiting = coro.send(None)
    except StopIteration:
        return None
    task = asyncio.ensure_future(_finish(coro, waiting))
    # Cancelled, even before its first step: the coroutine runs its `finally` blocks.
    task.add_done_callback(lambda done: coro.close() if done.cancelled() else None)
    return task


async def _finish(coro: Coroutine[Any, Any, None], waiting: Any) -> None:
    """Drive `coro` on from the future it yielded, as asyncio.Task.__step does."""
    while True:
        # The coroutine yielded a blocking future: wait for it in this task.
        waiting._asyncio_future_blocking = False
        try:
            await waiting
        except asyncio.CancelledError:
            raise
        except BaseException:  # noqa: S110 - the coroutine reads the outcome itself
            pass
        try:
            waiting = coro.send(None)  # its `await` now returns (or raises) the result
        except StopIteration:
            return
