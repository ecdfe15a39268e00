"""The notice log's plumbing (DESIGN.md §2): the relay numbers committed, due notices
and hands them on, and every server process reads back what it missed.

What a notice says and who it is for is `server.domain.notices`; this is how the log
moves. Publishing itself is `server.live`'s: the relay (workers/) calls both.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeAlias

import asyncpg

from server.db.queries import notices as sql
from server.db.queries.common import Executor
from server.db.queries.notices import NoticeRow

#: A sequenced notice and the people it is addressed to besides `everyone` and `roles`.
Addressed: TypeAlias = tuple[NoticeRow, tuple[int, ...]]


async def relay_connection(dsn: str, wake: Callable[[], None]) -> asyncpg.Connection[Any]:
    """The relay's own connection: it calls `wake` whenever a notice is written, and it
    can hold the relay lock (a pooled connection would be reset, and could leak it)."""
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        await sql.listen_for_written(conn, wake)
    except BaseException:
        with contextlib.suppress(Exception):
            await conn.close()
        raise
    return conn


async def lead(conn: asyncpg.Connection[Any]) -> bool:
    """Become the one relay, for the life of this connection; False while another is."""
    return await sql.try_relay_lock(conn)


async def sequence_due(db: Executor, now: datetime) -> int:
    """Give every committed, due, unsequenced notice its cursor, in write order (as the
    leading relay); return how many."""
    return await sql.sequence_due(db, now)


async def sequence_and_unpublished(
    db: Executor, now: datetime, *, after: int, limit: int
) -> tuple[list[Addressed], bool]:
    """`sequence_due`, and what is then to publish after cursor `after`, in one
    statement: the notices numbered now and the older unpublished ones (at most `limit`
    of those), in cursor order, with their recipients. True with them when older ones
    were left out: read those with `unpublished` before anything newer goes out."""
    found = await sql.sequence_and_unpublished(db, now, after=after, limit=limit)
    return [(n, tuple(to)) for n, to in found.notices], found.truncated


async def unpublished(db: Executor, limit: int, *, after: int = 0) -> list[Addressed]:
    """Sequenced notices after cursor `after` not published yet, in cursor order, with
    their recipients."""
    return await _addressed(db, await sql.unpublished(db, limit, after=after))


async def mark_published(db: Executor, notice_ids: Sequence[int], now: datetime) -> None:
    await sql.mark_published(db, notice_ids, now)


async def latest_seq(db: Executor) -> int:
    """The highest cursor handed out so far (0 for an empty log)."""
    return await sql.latest_seq(db)


async def sequenced_after(db: Executor, after: int, limit: int) -> list[Addressed]:
    """Every sequenced notice after cursor `after` (a process catching up), oldest
    first, with its recipients."""
    return await _addressed(db, await sql.notices_after(db, after, limit))


async def _addressed(db: Executor, rows: list[NoticeRow]) -> list[Addressed]:
    # A notice for everyone has no recipient rows: ask only about the others.
    targeted = [n.id for n in rows if not n.everyone]
    recipients = await sql.recipients_of(db, targeted) if targeted else {}
    return [(n, tuple(recipients.get(n.id, ()))) for n in rows]
