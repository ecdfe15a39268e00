"""One live subscription's way out: frames go straight onto its socket, in cursor
order, without a task per socket; a short bounded backlog covers the moments the
socket pushes back (or while the subscription is still replaying the log). A
subscriber whose backlog overflows is cut off: it reconnects with its cursor and
loses nothing, and it never holds up the others.

A broadcast hands every subscriber of an operation id the same `Frame`: its text, and
its websocket frame encoded once, written straight onto each socket that can take it
now (server/live/transport.py's `send_now`); a socket that cannot gets the text as an
ordinary send."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine, Hashable
from dataclasses import dataclass
from typing import Any

from server.live.eager import start_now
from server.live.metrics import METRICS
from server.live.transport import SendNow, text_frame

log = logging.getLogger(__name__)

Send = Callable[[str], Coroutine[Any, Any, None]]


class Frame:
    """One `next` message for every subscriber of an operation id in a group; its
    websocket frame is encoded on first use and then shared."""

    __slots__ = ("_wire", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._wire: bytes | None = None

    @property
    def wire(self) -> bytes:
        if self._wire is None:
            self._wire = text_frame(self.text)
        return self._wire


#: Thousands of subscribers live in one process: no __dict__ each, and the backlog
#: made only when something waits (an empty deque alone is ~760 bytes).
@dataclass(eq=False, slots=True)
class Subscriber:
    person_id: int | None
    roles: frozenset[str]
    #: Subscribers with equal groups render a notice identically.
    group: Hashable
    operation_id: str
    send: Send
    #: Called once when the backlog overflows (the socket is then closed).
    on_overflow: Callable[[], None]
    backlog_size: int
    #: Writes an encoded frame now, when the socket can take it (None: never can).
    send_now: SendNow | None = None
    #: The last cursor sent; anything at or below it is a repeat.
    last_seq: int = 0
    #: True until the replay from the log is done: live frames wait in the backlog.
    replaying: bool = True
    overflowed: bool = False
    closed: bool = False
    _backlog: deque[tuple[int, Frame, float]] | None = None
    _sending: asyncio.Task[None] | None = None

    def deliver(self, seq: int, frame: Frame, written_at: float) -> bool:
        """Hand over one `next` frame (never waits); True when it went to the socket
        at once, False when it waits in the backlog (or is dropped)."""
        if self.closed or self.overflowed or seq <= self.last_seq:
            return False
        if (
            self.send_now is not None
            and not self.replaying
            and self._sending is None
            and self.send_now(frame.wire)
        ):  # the common case, first: straight onto the socket
            self.last_seq = seq
            return True
        if self.replaying or self._sending is not None:
            if self._backlog is None:
                self._backlog = deque()
            if len(self._backlog) >= self.backlog_size:
                self._overflow()
                return False
            self._backlog.append((seq, frame, written_at))
            return False
        return self._write(seq, frame, written_at)

    def go_live(self, replayed_up_to: int) -> None:
        """The replay sent everything up to this cursor: send what waited, then live."""
        self.last_seq = max(self.last_seq, replayed_up_to)
        self.replaying = False
        self._drain()

    def close(self) -> None:
        self.closed = True
        self._backlog = None
        if self._sending is not None:
            self._sending.cancel()

    def _write(self, seq: int, frame: Frame, written_at: float) -> bool:
        self.last_seq = seq
        if self.send_now is not None and self.send_now(frame.wire):
            return True
        try:
            self._sending = start_now(self.send(frame.text))
        except Exception:  # the socket is gone; its handler cleans up
            log.debug("send failed", exc_info=True)
            self.closed = True
            return False
        if self._sending is None:
            return True
        self._sending.add_done_callback(lambda task: self._sent(task, written_at))
        return False

    def _sent(self, task: asyncio.Task[None], written_at: float) -> None:
        self._sending = None
        if task.cancelled() or task.exception() is not None:
            self.closed = True
            return
        _count_delivery(written_at)
        self._drain()

    def _drain(self) -> None:
        while self._backlog and self._sending is None and not self.closed:
            seq, frame, written_at = self._backlog.popleft()
            if seq > self.last_seq and self._write(seq, frame, written_at):
                _count_delivery(written_at)
        if not self._backlog:
            self._backlog = None

    def _overflow(self) -> None:
        self.overflowed = True
        self._backlog = None
        METRICS.slow_consumers_dropped.inc()
        self.on_overflow()


def _count_delivery(written_at: float) -> None:
    """Metrics of one frame sent outside a broadcast's own loop (the hub counts those
    once per broadcast)."""
    METRICS.notices_delivered.inc()
    METRICS.delivery_latency.observe(max(time.time() - written_at, 0.0))
