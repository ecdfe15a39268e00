"""The tokens this process's sockets were opened with, and the end of each.

A token ends when it is revoked (a signOut in any process: the hub hears it on Redis,
or asks PostgreSQL after a reconnect) or when it expires. Every socket of that token is
told once. Expiry is one sweep a second for the whole process, against the fair's
clock, rather than a timer per socket: a timer is a tenth of what an idle signed-in
socket holds, for an event most sockets never see. A socket then closes up to a second
after its token's end, and a clock moved back simply postpones it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from server.live.index import LoneIndex

log = logging.getLogger(__name__)

TokenEnd = Literal["revoked", "expired"]
#: What a socket does when its token ends.
OnEnd = Callable[[TokenEnd], None]

#: Seconds between two looks at the expiries.
EXPIRY_SWEEP_SECONDS = 1.0


@dataclass(eq=False)
class TokenWatch:
    #: The fair's clock (server/clock.py): expiries are instants on it.
    now: Callable[[], datetime]
    sweep_seconds: float = EXPIRY_SWEEP_SECONDS
    _watchers: LoneIndex[bytes, OnEnd] = field(default_factory=LoneIndex)
    #: When each watched token expires, when it does.
    _expiries: dict[bytes, datetime] = field(default_factory=dict)
    #: No expiry comes before this one (it may be one that has gone: then a sweep
    #: finds nothing, and knows the next).
    _next_expiry: datetime | None = None
    _task: asyncio.Task[None] | None = None

    def watch(self, token_hash: bytes, on_end: OnEnd) -> None:
        """Call `on_end` once, when this token ends."""
        self._watchers.add(token_hash, on_end)

    def unwatch(self, token_hash: bytes, on_end: OnEnd) -> None:
        self._watchers.discard(token_hash, on_end)
        if not self._watchers.count(token_hash):
            self._expiries.pop(token_hash, None)

    def expires(self, token_hash: bytes, at: datetime) -> None:
        """A watched token's expiry, once it is known (after authentication)."""
        if not self._watchers.count(token_hash):
            return
        self._expiries[token_hash] = at
        if self._next_expiry is None or at < self._next_expiry:
            self._next_expiry = at

    def watched(self) -> list[bytes]:
        return list(self._watchers)

    def end(self, token_hashes: Iterable[bytes], how: TokenEnd) -> None:
        """These tokens ended: tell each of their sockets, once."""
        for token_hash in token_hashes:
            self._expiries.pop(token_hash, None)
            for on_end in self._watchers.pop(token_hash):
                try:
                    on_end(how)
                except Exception:
                    log.exception("closing a socket of an ended token failed")

    def expire_due(self) -> None:
        """End the tokens whose expiry has come on the fair's clock."""
        now = self.now()
        if self._next_expiry is None or now < self._next_expiry:
            return
        due = [token for token, at in self._expiries.items() if at <= now]
        self.end(due, "expired")
        self._next_expiry = min(self._expiries.values(), default=None)

    def start(self) -> None:
        self._task = asyncio.create_task(self._sweep(), name="salon-token-expiry")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_seconds)
            try:
                self.expire_due()
            except Exception:  # a bug here must not stop every later expiry
                log.exception("the token expiry sweep failed")
