"""The small parts the fan-out is made of: the shared frame, the direct write and its
fallback, and the light queue and event each socket keeps (no server needed)."""

from __future__ import annotations

import asyncio

import pytest

from server.live.eager import gather_now
from server.live.inbox import Flag, Inbox
from server.live.subscriber import Frame, Subscriber
from server.live.transport import text_frame


@pytest.mark.parametrize("size", [0, 5, 125, 126, 65535, 65536])
def test_a_text_frame_is_a_final_unmasked_text_frame_of_the_utf8_text(size: int) -> None:
    text = ("é" * size)[:size]
    data = text.encode()
    frame = text_frame(text)
    assert frame[0] == 0x81  # FIN, text
    assert frame[1] & 0x80 == 0  # a server never masks
    if len(data) < 126:
        assert frame[1] == len(data)
        assert frame[2:] == data
    elif len(data) < 65536:
        assert frame[1] == 126
        assert int.from_bytes(frame[2:4], "big") == len(data)
        assert frame[4:] == data
    else:
        assert frame[1] == 127
        assert int.from_bytes(frame[2:10], "big") == len(data)
        assert frame[10:] == data


def test_a_frame_is_encoded_once_whatever_the_number_of_sockets() -> None:
    frame = Frame('{"id":"1","type":"next","payload":{}}')
    assert frame.wire is frame.wire
    assert frame.wire == text_frame(frame.text)


def subscriber(sent: list[str], wrote: list[bytes], accept: list[bool]) -> Subscriber:
    async def send(text: str) -> None:
        sent.append(text)

    def send_now(wire: bytes) -> bool:
        if accept and accept[0]:
            wrote.append(wire)
            return True
        return False

    return Subscriber(
        person_id=None,
        roles=frozenset(),
        group="g",
        operation_id="1",
        send=send,
        on_overflow=lambda: None,
        backlog_size=4,
        send_now=send_now,
    )


def test_frames_go_straight_onto_the_socket_when_it_takes_them() -> None:
    sent: list[str] = []
    wrote: list[bytes] = []
    live = subscriber(sent, wrote, [True])
    live.go_live(0)
    assert live.deliver(1, Frame("a"), 0.0) is True
    assert wrote == [text_frame("a")]
    assert sent == []
    assert live.deliver(1, Frame("a"), 0.0) is False  # a repeat


def test_a_socket_that_cannot_take_a_frame_now_gets_it_as_an_ordinary_send() -> None:
    sent: list[str] = []
    wrote: list[bytes] = []
    live = subscriber(sent, wrote, [False])
    live.go_live(0)
    assert live.deliver(1, Frame("a"), 0.0) is True  # the send did not wait
    assert sent == ["a"]
    assert wrote == []


def test_frames_wait_during_the_replay_in_order_and_the_backlog_is_let_go() -> None:
    sent: list[str] = []
    wrote: list[bytes] = []
    live = subscriber(sent, wrote, [True])
    for seq in (1, 2, 3):
        assert live.deliver(seq, Frame(str(seq)), 0.0) is False
    live.go_live(1)  # the replay sent up to 1
    assert wrote == [text_frame("2"), text_frame("3")]
    assert live._backlog is None


def test_a_backlog_over_its_size_cuts_the_subscriber_off() -> None:
    cut: list[bool] = []
    live = subscriber([], [], [True])
    live.on_overflow = lambda: cut.append(True)
    for seq in range(1, 6):
        live.deliver(seq, Frame(str(seq)), 0.0)
    assert cut == [True]
    assert live.overflowed
    assert live._backlog is None


async def test_the_inbox_is_a_fifo_whose_reader_waits_for_the_next_item() -> None:
    inbox: Inbox[int] = Inbox()
    assert inbox.empty()
    assert inbox.qsize() == 0
    inbox.put_nowait(1)
    inbox.put_nowait(2)
    assert inbox.qsize() == 2
    assert [await inbox.get(), await inbox.get()] == [1, 2]
    reader = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    assert not reader.done()
    inbox.put_nowait(3)
    assert await asyncio.wait_for(reader, 5) == 3
    assert inbox.empty()


async def test_a_cancelled_read_loses_nothing() -> None:
    inbox: Inbox[str] = Inbox()
    reader = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    inbox.put_nowait("kept")
    assert await asyncio.wait_for(inbox.get(), 5) == "kept"


async def test_the_flag_waits_while_clear_and_wakes_every_waiter_when_set() -> None:
    flag = Flag(True)
    assert await asyncio.wait_for(flag.wait(), 5) is True
    flag.clear()
    waiters = [asyncio.ensure_future(flag.wait()) for _ in range(2)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    assert not flag.is_set()
    flag.set()
    assert await asyncio.wait_for(asyncio.gather(*waiters), 5) == [True, True]


async def test_gather_now_runs_what_never_waits_at_once_and_keeps_the_order() -> None:
    gate = asyncio.Event()
    ran: list[str] = []

    async def quick(name: str) -> str:
        ran.append(name)
        return name

    async def slow() -> str:
        ran.append("slow")
        await gate.wait()
        return "slow, done"

    async def broken() -> str:
        raise ValueError("a rendering bug")

    gathering = asyncio.ensure_future(gather_now([quick("a"), slow(), broken(), quick("b")]))
    await asyncio.sleep(0)  # gather_now's first step: every coroutine started, in order
    assert ran == ["a", "slow", "b"]
    gate.set()
    outcomes = await asyncio.wait_for(gathering, 5)
    assert outcomes[0] == "a"
    assert outcomes[1] == "slow, done"
    assert isinstance(outcomes[2], ValueError)
    assert outcomes[3] == "b"


async def test_gather_now_makes_no_task_when_nothing_waits() -> None:
    async def where() -> asyncio.Task[object] | None:
        return asyncio.current_task()

    assert await gather_now([where(), where()]) == [asyncio.current_task()] * 2
