"""Small stand-ins for the asyncio.Queue and asyncio.Event every uvicorn websocket keeps.

An idle socket holds them for hours, and asyncio makes each with its deques ready:
a Queue has three (getters, putters, items) and an Event of its own, an Event one:
about 3.8 KB per socket before anything is queued. These do what uvicorn's protocol
asks of them (server/live/transport.py) and allocate only when something waits.
"""

from __future__ import annotations

import asyncio
from typing import Generic, TypeVar

T = TypeVar("T")


class Inbox(Generic[T]):
    """An unbounded FIFO for one reader at a time (a websocket's ASGI `receive`):
    `put_nowait`, `get`, `empty`, `qsize`, as asyncio.Queue has them."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        #: A list, not a deque: it holds one message or two (a deque starts at 760 bytes).
        self._items: list[T] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: T) -> None:
        if self._items is None:
            self._items = [item]
        else:
            self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> T:
        while not self._items:
            if self._waiter is not None:
                raise RuntimeError("Inbox.get has one reader at a time")
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        item = self._items.pop(0)
        if not self._items:
            self._items = None
        return item

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items) if self._items else 0


class Flag:
    """asyncio.Event's `set`, `clear`, `is_set` and `wait`, its waiters made only when
    one waits (a socket's writes are almost never paused)."""

    __slots__ = ("_set", "_waiters")

    def __init__(self, value: bool = False) -> None:
        self._set = value
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
            return True
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)
