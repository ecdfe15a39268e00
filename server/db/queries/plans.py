"""SQL of personal plans: bookmarks, registrations with waitlists, followed exhibitors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from server.db.queries.agenda import SESSION_COLUMNS, SessionRow, session_row
from server.db.queries.common import Executor


@dataclass(frozen=True, slots=True)
class RegistrationRow:
    session_id: str
    status: str
    #: 1 for the first in line; None when registered.
    waitlist_position: int | None


@dataclass(frozen=True, slots=True)
class SeatState:
    """A session locked for a registration change, with its current seat count."""

    id: str
    status: str
    starts_at: datetime
    capacity: int | None
    registered: int


async def add_bookmark(db: Executor, person_id: int, session_id: str) -> None:
    await db.execute(
        "INSERT INTO bookmark (person_id, session_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        person_id,
        session_id,
    )


async def add_bookmark_to_session(
    db: Executor, person_id: int, session_id: str
) -> SessionRow | None:
    """Bookmark the session and return it, in one statement; None (and nothing
    written) when there is no such session. Bookmarking twice writes nothing."""
    row = await db.fetchrow(
        f"""WITH found AS (SELECT {SESSION_COLUMNS} FROM session s WHERE s.id = $2),
                 added AS (INSERT INTO bookmark (person_id, session_id)
                           SELECT $1, id FROM found ON CONFLICT DO NOTHING)
            SELECT * FROM found""",
        person_id,
        session_id,
    )
    return session_row(row) if row else None


async def add_bookmark_if_session(db: Executor, person_id: int, session_id: str) -> bool:
    """As add_bookmark_to_session, for an answer that needs nothing of the session:
    whether there is such a session (nothing written when there is none)."""
    found = await db.fetchval(
        """WITH found AS (SELECT id FROM session WHERE id = $2),
                added AS (INSERT INTO bookmark (person_id, session_id)
                          SELECT $1, id FROM found ON CONFLICT DO NOTHING)
           SELECT true FROM found""",
        person_id,
        session_id,
    )
    return found is True


async def remove_bookmark(db: Executor, person_id: int, session_id: str) -> None:
    await db.execute(
        "DELETE FROM bookmark WHERE person_id = $1 AND session_id = $2", person_id, session_id
    )


async def bookmarked_among(db: Executor, person_id: int, session_ids: Sequence[str]) -> set[str]:
    rows = await db.fetch(
        "SELECT session_id FROM bookmark WHERE person_id = $1 AND session_id = any($2::text[])",
        person_id,
        session_ids,
    )
    return {r["session_id"] for r in rows}


async def follow(db: Executor, person_id: int, exhibitor_id: str) -> None:
    await db.execute(
        "INSERT INTO follow (person_id, exhibitor_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        person_id,
        exhibitor_id,
    )


async def unfollow(db: Executor, person_id: int, exhibitor_id: str) -> None:
    await db.execute(
        "DELETE FROM follow WHERE person_id = $1 AND exhibitor_id = $2", person_id, exhibitor_id
    )


async def followed_among(db: Executor, person_id: int, exhibitor_ids: Sequence[str]) -> set[str]:
    rows = await db.fetch(
        "SELECT exhibitor_id FROM follow WHERE person_id = $1 AND exhibitor_id = any($2::text[])",
        person_id,
        exhibitor_ids,
    )
    return {r["exhibitor_id"] for r in rows}


async def followed_exhibitor_ids(db: Executor, person_id: int) -> list[str]:
    rows = await db.fetch(
        """SELECT f.exhibitor_id FROM follow f JOIN exhibitor e ON e.id = f.exhibitor_id
            WHERE f.person_id = $1 ORDER BY e.name, e.id""",
        person_id,
    )
    return [r["exhibitor_id"] for r in rows]


async def schedule_sessions(db: Executor, person_id: int) -> list[SessionRow]:
    """What the person bookmarked or registered for (waitlisted included), by start."""
    rows = await db.fetch(
        f"""SELECT {SESSION_COLUMNS} FROM session s
             WHERE s.id IN (SELECT session_id FROM bookmark WHERE person_id = $1
                            UNION SELECT session_id FROM registration WHERE person_id = $1)
             ORDER BY s.starts_at, s.id""",
        person_id,
    )
    return [SessionRow(**r) for r in rows]


_REGISTRATION = """r.session_id, r.status,
    CASE WHEN r.status = 'WAITLISTED' THEN
        (SELECT count(*) FROM registration w
          WHERE w.session_id = r.session_id AND w.status = 'WAITLISTED' AND w.id <= r.id)::int
    END AS waitlist_position"""


async def registrations_among(
    db: Executor, person_id: int, session_ids: Sequence[str]
) -> list[RegistrationRow]:
    rows = await db.fetch(
        f"""SELECT {_REGISTRATION} FROM registration r
             WHERE r.person_id = $1 AND r.session_id = any($2::text[])""",
        person_id,
        session_ids,
    )
    return [RegistrationRow(**r) for r in rows]


async def registered_counts(db: Executor, session_ids: Sequence[str]) -> dict[str, int]:
    rows = await db.fetch(
        """SELECT session_id, count(*)::int AS n FROM registration
            WHERE session_id = any($1::text[]) AND status = 'REGISTERED' GROUP BY session_id""",
        session_ids,
    )
    return {r["session_id"]: r["n"] for r in rows}


async def lock_seats(db: Executor, session_id: str) -> SeatState | None:
    """Lock the session row (serialising every registration change for it), then
    count its registered seats. Must run inside a transaction.

    Two statements on purpose: under READ COMMITTED a statement that waited for the
    lock still sees its own earlier snapshot, so a count taken in the locking
    statement would miss the seats the previous holder just took.
    """
    row = await db.fetchrow(
        "SELECT id, status, starts_at, capacity FROM session WHERE id = $1 FOR UPDATE",
        session_id,
    )
    if row is None:
        return None
    registered: int = await db.fetchval(
        "SELECT count(*) FROM registration WHERE session_id = $1 AND status = 'REGISTERED'",
        session_id,
    )
    return SeatState(**row, registered=registered)


async def registration_of(db: Executor, person_id: int, session_id: str) -> RegistrationRow | None:
    rows = await registrations_among(db, person_id, [session_id])
    return rows[0] if rows else None


async def insert_registration(db: Executor, person_id: int, session_id: str, status: str) -> None:
    await db.execute(
        "INSERT INTO registration (person_id, session_id, status) VALUES ($1, $2, $3)",
        person_id,
        session_id,
        status,
    )


async def delete_registration(db: Executor, person_id: int, session_id: str) -> str | None:
    """Remove it; return the status it had (None when there was none)."""
    status: str | None = await db.fetchval(
        "DELETE FROM registration WHERE person_id = $1 AND session_id = $2 RETURNING status",
        person_id,
        session_id,
    )
    return status


async def promote_first_waitlisted(db: Executor, session_id: str) -> int | None:
    """Give a freed seat to the first in line; return who got it."""
    person_id: int | None = await db.fetchval(
        """UPDATE registration SET status = 'REGISTERED'
            WHERE id = (SELECT id FROM registration
                         WHERE session_id = $1 AND status = 'WAITLISTED' ORDER BY id LIMIT 1)
           RETURNING person_id""",
        session_id,
    )
    return person_id
