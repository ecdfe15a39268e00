"""SQL of the reminder jobs: who is about to start, who planned it, who was told."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from server.db.queries.common import Executor

#: Advisory lock: one reminder round at a time, across workers.
REMINDER_LOCK = 0x5A10_0002


@dataclass(frozen=True, slots=True)
class Starting:
    id: str
    title: str
    starts_at: datetime
    exhibitor_id: str | None
    #: Room name, or booth code for a demo.
    place: str | None


async def lock_reminders(db: Executor) -> None:
    """Wait for the reminder lock, until the end of the current transaction."""
    await db.execute("SELECT pg_advisory_xact_lock($1)", REMINDER_LOCK)


async def sessions_starting(
    db: Executor, after: datetime, until: datetime, *, demos: bool = False
) -> list[Starting]:
    """Live sessions (or demos) starting in (after, until]."""
    rows = await db.fetch(
        """SELECT s.id, s.title_fr AS title, s.starts_at, s.exhibitor_id,
                  coalesce(r.name, b.code) AS place
             FROM session s LEFT JOIN room r ON r.id = s.room_id
             LEFT JOIN booth b ON b.id = s.booth_id
            WHERE s.status <> 'CANCELLED' AND s.starts_at > $1 AND s.starts_at <= $2
              AND (s.kind = 'DEMO') = $3
            ORDER BY s.starts_at, s.id""",
        after,
        until,
        demos,
    )
    return [Starting(**r) for r in rows]


async def session_planners(db: Executor, session_id: str) -> list[int]:
    """Who bookmarked the session or holds a seat in it."""
    rows = await db.fetch(
        """SELECT person_id FROM bookmark WHERE session_id = $1
           UNION SELECT person_id FROM registration
                  WHERE session_id = $1 AND status = 'REGISTERED'""",
        session_id,
    )
    return [r[0] for r in rows]


async def demo_audience(db: Executor, session_id: str) -> list[int]:
    """The exhibitor's followers and the demo's bookmarkers."""
    rows = await db.fetch(
        """SELECT f.person_id FROM session s JOIN follow f ON f.exhibitor_id = s.exhibitor_id
            WHERE s.id = $1
           UNION SELECT person_id FROM bookmark WHERE session_id = $1""",
        session_id,
    )
    return [r[0] for r in rows]


async def not_reminded(
    db: Executor, kind: str, session_id: str, people: Sequence[int]
) -> list[int]:
    rows = await db.fetch(
        """SELECT p FROM unnest($3::bigint[]) AS p
            WHERE NOT EXISTS (SELECT 1 FROM reminder_sent r
                               WHERE r.kind = $1 AND r.session_id = $2 AND r.person_id = p)
            ORDER BY p""",
        kind,
        session_id,
        list(people),
    )
    return [r[0] for r in rows]


async def link(
    db: Executor, kind: str, session_id: str, people: Sequence[int], notice_id: int
) -> None:
    await db.execute(
        """INSERT INTO reminder_sent (kind, session_id, person_id, notice_id)
           SELECT $1, $2, unnest($3::bigint[]), $4""",
        kind,
        session_id,
        list(people),
        notice_id,
    )


async def meetings_starting(db: Executor, after: datetime, until: datetime) -> list[int]:
    """Accepted meetings starting in (after, until]."""
    rows = await db.fetch(
        """SELECT id FROM meeting
            WHERE status = 'ACCEPTED' AND lower(during) > $1 AND lower(during) <= $2
            ORDER BY lower(during), id""",
        after,
        until,
    )
    return [r[0] for r in rows]


async def reminded_of_meeting(db: Executor, meeting_id: int) -> set[int]:
    rows = await db.fetch(
        "SELECT person_id FROM meeting_reminder_sent WHERE meeting_id = $1", meeting_id
    )
    return {r[0] for r in rows}


async def link_meeting(db: Executor, meeting_id: int, person_id: int, notice_id: int) -> None:
    await db.execute(
        """INSERT INTO meeting_reminder_sent (meeting_id, person_id, notice_id)
           VALUES ($1, $2, $3)""",
        meeting_id,
        person_id,
        notice_id,
    )
