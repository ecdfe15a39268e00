"""Renders once per key and process, however many ask at once (a burst of calendar apps
polling after a change): the first caller starts the work, the others wait for it.

One entry per name, the latest key's: an export never serves an older agenda, and the
cache holds at most one rendering of each export. A failed rendering is forgotten, so
the next request tries again; a caller that goes away does not cancel it for the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class SingleFlight(Generic[V]):
    def __init__(self) -> None:
        self._entries: dict[str, tuple[Hashable, asyncio.Future[V]]] = {}

    async def get(self, name: str, key: Hashable, make: Callable[[], Awaitable[V]]) -> V:
        held = self._entries.get(name)
        if held is not None and held[0] == key:
            return await asyncio.shield(held[1])
        task = asyncio.ensure_future(make())
        self._entries[name] = (key, task)
        task.add_done_callback(lambda done: self._forget_failure(name, done))
        return await asyncio.shield(task)

    def _forget_failure(self, name: str, done: asyncio.Future[V]) -> None:
        # exception() also marks the failure as seen when every caller had gone away.
        failed = done.cancelled() or done.exception() is not None
        held = self._entries.get(name)
        if failed and held is not None and held[1] is done:
            del self._entries[name]
