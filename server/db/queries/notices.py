"""SQL of the notice log: writing notices with their audience, reading them by cursor,
and the relay's sequencing and publishing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from server.db.queries.common import Executor

#: Advisory lock: one relay sequences and publishes at a time.
RELAY_LOCK = 0x5A10_0001
#: What the notice trigger NOTIFYs (migration 0003) once a notice is written.
WRITTEN_CHANNEL = "salon_notice_written"


@dataclass(frozen=True, slots=True)
class NoticeDraft:
    kind: str
    title_fr: str
    body_fr: str
    title_en: str | None = None
    body_en: str | None = None
    priority: str = "NORMAL"
    session_id: str | None = None
    exhibitor_id: str | None = None
    everyone: bool = False
    roles: Sequence[str] = ()
    meeting_id: int | None = None


@dataclass(frozen=True, slots=True)
class NoticeRow:
    id: int
    seq: int | None
    kind: str
    priority: str
    title_fr: str
    title_en: str | None
    body_fr: str
    body_en: str | None
    session_id: str | None
    exhibitor_id: str | None
    everyone: bool
    roles: list[str]
    send_at: datetime
    meeting_id: int | None = None


_NOTICE = """n.id, n.seq, n.kind, n.priority, n.title_fr, n.title_en, n.body_fr, n.body_en,
    n.session_id, n.exhibitor_id, n.everyone, n.roles, n.send_at, n.meeting_id"""


async def insert_notice(
    db: Executor,
    draft: NoticeDraft,
    *,
    recipients: Sequence[int],
    created_at: datetime,
    send_at: datetime,
    created_by: int | None,
) -> int:
    """Write the notice and its recipients; return its (internal) id."""
    # One statement with its recipients: a round trip less inside the writer's
    # transaction, which every notice's way to the sockets waits for.
    notice_id: int = await db.fetchval(
        """WITH written AS (
               INSERT INTO notice (kind, priority, title_fr, title_en, body_fr, body_en,
                                   session_id, exhibitor_id, everyone, roles, created_at,
                                   send_at, created_by, meeting_id)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
               RETURNING id),
           addressed AS (
               INSERT INTO notice_recipient (notice_id, person_id)
               SELECT written.id, person_id FROM written, unnest($15::bigint[]) AS person_id
               ON CONFLICT DO NOTHING)
           SELECT id FROM written""",
        draft.kind,
        draft.priority,
        draft.title_fr,
        draft.title_en,
        draft.body_fr,
        draft.body_en,
        draft.session_id,
        draft.exhibitor_id,
        draft.everyone,
        list(draft.roles),
        created_at,
        send_at,
        created_by,
        draft.meeting_id,
        sorted(set(recipients)),
    )
    return notice_id


async def session_audience(db: Executor, session_ids: Sequence[str]) -> list[int]:
    """People to tell about these sessions: their speakers, bookmarkers and registrants."""
    rows = await db.fetch(
        """SELECT p.id FROM person p JOIN session_speaker ss ON ss.speaker_id = p.speaker_id
            WHERE ss.session_id = any($1::text[])
           UNION SELECT person_id FROM bookmark WHERE session_id = any($1::text[])
           UNION SELECT person_id FROM registration WHERE session_id = any($1::text[])""",
        session_ids,
    )
    return [r[0] for r in rows]


async def exhibitor_audience(db: Executor, exhibitor_ids: Sequence[str]) -> list[int]:
    """Followers and staff of these exhibitors."""
    rows = await db.fetch(
        """SELECT person_id FROM follow WHERE exhibitor_id = any($1::text[])
           UNION SELECT id FROM person WHERE exhibitor_id = any($1::text[])""",
        exhibitor_ids,
    )
    return [r[0] for r in rows]


async def existing_people(db: Executor, person_ids: Sequence[int]) -> set[int]:
    rows = await db.fetch("SELECT id FROM person WHERE id = any($1::bigint[])", person_ids)
    return {r["id"] for r in rows}


async def notices_for_viewer(
    db: Executor, *, after: int, limit: int, person_id: int | None, roles: Sequence[str]
) -> list[NoticeRow]:
    """Sequenced notices after cursor `after` that this viewer may see, oldest first.
    Anonymous viewers (person_id None) see notices for everyone only."""
    rows = await db.fetch(
        f"""SELECT {_NOTICE} FROM notice n
             WHERE n.seq > $1
               AND (n.everyone OR n.roles && $3::text[]
                    OR ($2::bigint IS NOT NULL AND EXISTS (
                        SELECT 1 FROM notice_recipient r
                         WHERE r.notice_id = n.id AND r.person_id = $2)))
             ORDER BY n.seq LIMIT $4""",
        after,
        person_id,
        list(roles),
        limit,
    )
    return [NoticeRow(**r) for r in rows]


async def notices_after(db: Executor, after: int, limit: int) -> list[NoticeRow]:
    """Every sequenced notice after `after` (a hub catching up), oldest first."""
    rows = await db.fetch(
        f"SELECT {_NOTICE} FROM notice n WHERE n.seq > $1 ORDER BY n.seq LIMIT $2", after, limit
    )
    return [NoticeRow(**r) for r in rows]


async def recipients_of(db: Executor, notice_ids: Sequence[int]) -> dict[int, list[int]]:
    rows = await db.fetch(
        """SELECT notice_id, array_agg(person_id ORDER BY person_id) AS people
             FROM notice_recipient WHERE notice_id = any($1::bigint[]) GROUP BY notice_id""",
        notice_ids,
    )
    return {r["notice_id"]: r["people"] for r in rows}


async def notice_by_id(db: Executor, notice_id: int) -> NoticeRow | None:
    row = await db.fetchrow(f"SELECT {_NOTICE} FROM notice n WHERE n.id = $1", notice_id)
    return NoticeRow(**row) if row else None


async def latest_seq(db: Executor) -> int:
    seq: int | None = await db.fetchval("SELECT max(seq) FROM notice")
    return seq or 0


# --- the relay ------------------------------------------------------------------------


async def listen_for_written(conn: asyncpg.Connection[Any], wake: Callable[[], None]) -> None:
    """Call `wake` whenever a notice is written (committed), on this connection."""
    await conn.add_listener(WRITTEN_CHANNEL, lambda *_: wake())


async def try_relay_lock(conn: asyncpg.Connection[Any]) -> bool:
    """Take the relay lock for this connection's life; False while another holds it."""
    taken: bool = await conn.fetchval("SELECT pg_try_advisory_lock($1)", RELAY_LOCK)
    return taken


async def sequence_due(db: Executor, now: datetime) -> int:
    """Give every committed, due, unsequenced notice its cursor, in write order.
    Run under the relay lock; return how many were sequenced."""
    status: str = await db.execute(f"{_NUMBER_DUE} UPDATE notice n {_SET_NUMBERED}", now)
    return int(status.split()[-1])


# nextval runs over the already sorted subquery, so cursors follow write order.
_NUMBER_DUE = """WITH due AS (
        SELECT id FROM notice
         WHERE seq IS NULL AND withdrawn_at IS NULL AND send_at <= $1
         ORDER BY id FOR UPDATE),
    numbered AS (
        SELECT id, nextval('notice_cursor') AS seq
          FROM (SELECT id FROM due ORDER BY id) in_order)"""
_SET_NUMBERED = "SET seq = numbered.seq, sequenced_at = $1 FROM numbered WHERE n.id = numbered.id"
#: The people a sequenced notice is addressed to besides everyone and its roles.
_RECIPIENTS = """CASE WHEN n.everyone THEN '{}'::bigint[] ELSE array(
        SELECT r.person_id FROM notice_recipient r
         WHERE r.notice_id = n.id ORDER BY r.person_id) END AS recipients"""


@dataclass(frozen=True, slots=True)
class Unpublished:
    """What the relay has to publish, in cursor order, each with its recipients."""

    notices: list[tuple[NoticeRow, list[int]]]
    #: Some notices sequenced before this round were left out (past `limit`): read
    #: them with `unpublished` before the ones sequenced now may follow.
    truncated: bool


async def sequence_and_unpublished(
    db: Executor, now: datetime, *, after: int, limit: int
) -> Unpublished:
    """One statement, committed on its own: number what is due (as `sequence_due`) and
    return it with the older sequenced-but-unpublished notices after cursor `after`
    (at most `limit` of those), in cursor order, with their recipients. The relay's
    whole read before it publishes: a notice's way to Redis waits for no second round
    trip. Run under the relay lock."""
    # The outer SELECT sees the table as it was before the UPDATE: the notices numbered
    # now come only from RETURNING, the older ones only from the second branch.
    rows = await db.fetch(
        f"""{_NUMBER_DUE},
            now_numbered AS (UPDATE notice n {_SET_NUMBERED} RETURNING {_NOTICE}, {_RECIPIENTS}),
            older AS (
                SELECT {_NOTICE}, {_RECIPIENTS} FROM notice n
                 WHERE n.seq > $2 AND n.seq IS NOT NULL AND n.published_at IS NULL
                 ORDER BY n.seq LIMIT $3)
            SELECT *, true AS fresh FROM now_numbered
            UNION ALL SELECT *, false FROM older
            ORDER BY seq""",
        now,
        after,
        limit,
    )
    older = sum(1 for r in rows if not r["fresh"])
    if older >= limit:  # what follows the older ones must wait for the rest of them
        rows = [r for r in rows if not r["fresh"]]
    return Unpublished(
        [(_notice_of(r), list(r["recipients"])) for r in rows], truncated=older >= limit
    )


def _notice_of(row: asyncpg.Record) -> NoticeRow:
    return NoticeRow(**{k: v for k, v in row.items() if k not in ("recipients", "fresh")})


async def unpublished(db: Executor, limit: int, *, after: int = 0) -> list[NoticeRow]:
    """Sequenced notices after cursor `after` not published yet, in cursor order."""
    rows = await db.fetch(
        f"""SELECT {_NOTICE} FROM notice n
             WHERE n.seq > $2 AND n.seq IS NOT NULL AND n.published_at IS NULL
             ORDER BY n.seq LIMIT $1""",
        limit,
        after,
    )
    return [NoticeRow(**r) for r in rows]


async def mark_published(db: Executor, notice_ids: Sequence[int], now: datetime) -> None:
    await db.execute(
        "UPDATE notice SET published_at = $2 WHERE id = any($1::bigint[])", notice_ids, now
    )


async def withdraw(db: Executor, notice_id: int, now: datetime) -> bool:
    """Take back a notice not sent yet; False when it was already sent (or unknown)."""
    withdrawn = await db.fetchval(
        """UPDATE notice SET withdrawn_at = $2
            WHERE id = $1 AND seq IS NULL AND withdrawn_at IS NULL RETURNING id""",
        notice_id,
        now,
    )
    return withdrawn is not None


async def audit(
    db: Executor,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    subject: str,
    details: dict[str, Any],
) -> None:
    await db.execute(
        """INSERT INTO audit_log (at, actor_id, action, subject, details)
           VALUES ($1, $2, $3, $4, $5)""",
        at,
        actor_id,
        action,
        subject,
        details,
    )
