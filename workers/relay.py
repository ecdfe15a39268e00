"""The relay: the only writer of the public cursor (DESIGN.md §2).

It takes committed, due, unsequenced notices under a lock, numbers them in write
order, then publishes every sequenced-but-unpublished notice to Redis in cursor
order and marks it published. A crash or a Redis outage between the two steps
only delays: the next round publishes what is left (at-least-once; receivers
drop repeats by cursor). It wakes on NOTIFY and also polls, so scheduled
announcements go out when due and a missed wake-up only delays.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg
from redis.asyncio import Redis

from server.clock import Clock
from server.db.queries import notices as sql
from server.db.queries.common import Executor
from server.live import wire
from server.live.metrics import METRICS
from server.live.wire import LiveNotice

log = logging.getLogger(__name__)

#: Transaction-level advisory lock: one relay sequences and publishes at a time.
RELAY_LOCK = 0x5A10_0001
BATCH = 500


class Relay:
    def __init__(
        self,
        dsn: str,
        pool: asyncpg.Pool[asyncpg.Record],
        redis: Redis,
        clock: Clock,
        *,
        poll_seconds: float = 1.0,
        channel: str = wire.channel("salon"),
    ) -> None:
        self.dsn = dsn
        self.pool = pool
        self.redis = redis
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.channel = channel
        self._wake = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        listener: asyncpg.Connection[Any] | None = None
        while not stop.is_set():
            try:
                if listener is None or listener.is_closed():
                    listener = await self._listen()
                await self.round()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("relay round failed (%s); retrying", error)
                listener = None
            except Exception:
                log.exception("relay round failed; retrying")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await _first_of(self._wake.wait(), stop.wait())
        if listener is not None and not listener.is_closed():
            await listener.close()

    async def _listen(self) -> asyncpg.Connection[Any]:
        """A connection of its own (pooled ones are reset, which drops listeners)."""
        conn: asyncpg.Connection[Any] = await asyncpg.connect(self.dsn)
        await conn.add_listener("salon_notice_written", lambda *_: self._wake.set())
        return conn

    async def round(self) -> int:
        """Sequence what is due, then publish what is unpublished; return how many
        notices were published (0 when another relay holds the lock)."""
        async with self.pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", RELAY_LOCK):
                return 0
            await sql.sequence_due(conn, self.clock.now())
            # Published and marked in the same transaction: if anything fails, the
            # round is rolled back and done again (receivers drop repeats by cursor).
            return await self._publish(conn)

    async def _publish(self, conn: Executor) -> int:
        published = 0
        while batch := await sql.unpublished(conn, BATCH):
            recipients = await sql.recipients_of(conn, [n.id for n in batch])
            async with self.redis.pipeline(transaction=False) as pipe:
                for notice in batch:
                    live = LiveNotice(notice, tuple(recipients.get(notice.id, ())))
                    pipe.publish(self.channel, wire.encode(live))
                await pipe.execute()
            await sql.mark_published(conn, [n.id for n in batch], self.clock.now())
            METRICS.notices_published.inc(len(batch))
            published += len(batch)
        return published


async def _first_of(*waits: Any) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
