"""The relay: the only writer of the public cursor (DESIGN.md §2).

It takes committed, due, unsequenced notices under a lock, numbers them in write
order and commits, reading back in the same statement every sequenced-but-unpublished
notice; it publishes those to Redis in cursor order, and marks them published a moment
later (MARK_DELAY). A crash or a Redis outage anywhere between numbering and marking
only delays: the next round publishes what is not marked (at-least-once; receivers
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
#: Seconds from publishing a notice to marking it published, which also wakes the push
#: job. Marking and planning pushes are bookkeeping; done at once, they ran beside every
#: hub's fan-out of the notice, on the same cores, and held back its last sockets
#: (docs/profiles/broadcast-latency.txt). Meanwhile this relay remembers what it
#: published (`_published_through`), so it sends nothing twice; after a crash the
#: next relay sends again what was not marked.
MARK_DELAY = 0.5
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
        #: The last cursor this relay published on its current connection: the next
        #: rounds publish only what follows it (what it published is not marked yet).
        self._published_through = 0
        #: Notices published but not marked yet, and when to mark them (loop time).
        self._unmarked: list[int] = []
        self._mark_at: float | None = None

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
                async with asyncio.timeout(self._until_next_round()):
                    await _first_of(self._wake.wait(), stop.wait())
        with contextlib.suppress(*_RETRIED):  # else the next relay sends them again
            await self._mark(force=True)
        await self._drop_connection()

    def _until_next_round(self) -> float:
        if self._mark_at is None:
            return self.poll_seconds
        left = self._mark_at - asyncio.get_running_loop().time()
        return min(self.poll_seconds, max(left, 0.0))

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
        # Without the lock, another relay may lead: whoever leads next publishes again
        # what is not marked, from the log.
        self._published_through = 0
        self._unmarked = []
        self._mark_at = None

    async def round(self) -> int:
        """Sequence what is due, publish what is unpublished, and mark what was
        published MARK_DELAY ago; return how many notices were published (0 while
        another relay leads)."""
        conn = await self._connection()
        if not self._leading:
            # The lock is kept for the connection's life: one relay leads, the others
            # stand by and take over when its connection goes away.
            self._leading = await notice_log.lead(conn)
            if not self._leading:
                return 0
        # One statement, so committed on its own before anything is published: whoever
        # receives a notice can read it back from PostgreSQL at once.
        batch, more = await notice_log.sequence_and_unpublished(
            conn, self.clock.now(), after=self._published_through, limit=BATCH
        )
        published = await self._send(batch)
        while more:  # a backlog (Redis was away): the rest of it, in cursor order
            batch = await notice_log.unpublished(conn, BATCH, after=self._published_through)
            published += await self._send(batch)
            more = len(batch) == BATCH
        await self._mark()
        return published

    async def _send(self, notices: list[notice_log.Addressed]) -> int:
        for start in range(0, len(notices), BATCH):
            chunk = notices[start : start + BATCH]
            await self.publisher.publish([LiveNotice(n, to) for n, to in chunk])
            last = chunk[-1][0].seq
            assert last is not None  # noqa: S101 - only sequenced notices are read
            self._published_through = last
            self._unmarked.extend(n.id for n, _ in chunk)
            METRICS.notices_published.inc(len(chunk))
        if notices and self._mark_at is None:
            self._mark_at = asyncio.get_running_loop().time() + MARK_DELAY
        return len(notices)

    async def _mark(self, *, force: bool = False) -> None:
        """Mark what was published, once MARK_DELAY has passed (or now, with `force`),
        and wake the push job."""
        if self._mark_at is None or self._conn is None or self._conn.is_closed():
            return
        if not force and asyncio.get_running_loop().time() < self._mark_at:
            return
        await notice_log.mark_published(self._conn, self._unmarked, self.clock.now())
        self._unmarked = []
        self._mark_at = None
        if self.on_published is not None:
            self.on_published()


async def _first_of(*waits: Any) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
