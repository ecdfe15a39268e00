"""The relay: the only writer of the public cursor (DESIGN.md §2).

It takes committed, due, unsequenced notices under a lock, numbers them in write
order and commits, then publishes every sequenced-but-unpublished notice to Redis
in cursor order and marks it published. A crash or a Redis outage between the two steps
only delays: the next round publishes what is left (at-least-once; receivers
drop repeats by cursor). It wakes on NOTIFY and also polls, so scheduled
announcements go out when due and a missed wake-up only delays.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from server.clock import Clock
from server.domain import notice_log
from server.live.metrics import METRICS
from server.live.publisher import PUBLISH_ERRORS, Publisher
from server.live.wire import LiveNotice

log = logging.getLogger(__name__)

BATCH = 500
#: Failures of PostgreSQL or of publishing: logged briefly, and the next round retries.
_RETRIED: tuple[type[Exception], ...] = (
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    *PUBLISH_ERRORS,
)


class Relay:
    def __init__(
        self,
        dsn: str,
        publisher: Publisher,
        clock: Clock,
        *,
        poll_seconds: float = 1.0,
        on_published: Callable[[], None] | None = None,
    ) -> None:
        self.dsn = dsn
        self.publisher = publisher
        self.clock = clock
        self.poll_seconds = poll_seconds
        #: Told after a round published something (wakes the push worker at once).
        self.on_published = on_published
        self._wake = asyncio.Event()
        self._conn: asyncpg.Connection[Any] | None = None
        self._leading = False

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            # Cleared before the round: a NOTIFY arriving during it wakes the next one.
            self._wake.clear()
            try:
                await self.round()
            except _RETRIED as error:
                log.warning("relay round failed (%s); retrying", error)
                await self._drop_connection()
            except Exception:
                log.exception("relay round failed; retrying")
                await self._drop_connection()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await _first_of(self._wake.wait(), stop.wait())
        await self._drop_connection()

    async def _connection(self) -> asyncpg.Connection[Any]:
        """The relay's own connection: it LISTENs, and holds the relay lock (a pooled
        connection would be reset, and could leak the lock)."""
        if self._conn is None or self._conn.is_closed():
            self._leading = False
            self._conn = await notice_log.relay_connection(self.dsn, self._wake.set)
        return self._conn

    async def _drop_connection(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            with contextlib.suppress(Exception):
                await self._conn.close()
        self._conn = None
        self._leading = False

    async def round(self) -> int:
        """Sequence what is due, then publish what is unpublished; return how many
        notices were published (0 while another relay leads)."""
        conn = await self._connection()
        if not self._leading:
            # The lock is kept for the connection's life: one relay leads, the others
            # stand by and take over when its connection goes away.
            self._leading = await notice_log.lead(conn)
            if not self._leading:
                return 0
        # One statement, so committed on its own before anything is published: whoever
        # receives a notice can read it back from PostgreSQL at once.
        await notice_log.sequence_due(conn, self.clock.now())
        published = await self._publish(conn)
        if published and self.on_published is not None:
            self.on_published()
        return published

    async def _publish(self, conn: asyncpg.Connection[Any]) -> int:
        published = 0
        while True:
            batch = await notice_log.unpublished(conn, BATCH)
            if batch:
                await self.publisher.publish([LiveNotice(n, to) for n, to in batch])
                await notice_log.mark_published(conn, [n.id for n, _ in batch], self.clock.now())
                METRICS.notices_published.inc(len(batch))
                published += len(batch)
            if len(batch) < BATCH:
                return published


async def _first_of(*waits: Any) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
