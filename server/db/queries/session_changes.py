"""SQL that changes the agenda: moving, retiming, cancelling sessions, adding demos."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.db.queries.agenda import SESSION_COLUMNS, SessionRow
from server.db.queries.common import Executor


@dataclass(frozen=True, slots=True)
class SessionPatch:
    """New values; None leaves a column as it is."""

    room_id: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    title_fr: str | None = None
    capacity: int | None = None


async def lock_session(db: Executor, session_id: str) -> SessionRow | None:
    """The session, locked until the end of the transaction."""
    row = await db.fetchrow(
        f"SELECT {SESSION_COLUMNS} FROM session s WHERE s.id = $1 FOR UPDATE", session_id
    )
    return SessionRow(**row) if row else None


async def busy_in_room(
    db: Executor, room_id: str, starts_at: datetime, ends_at: datetime, except_id: str
) -> str | None:
    """Another live session holding the room at that time, if any."""
    found: str | None = await db.fetchval(
        """SELECT id FROM session WHERE room_id = $1 AND id <> $4 AND status <> 'CANCELLED'
              AND starts_at < $3 AND ends_at > $2 ORDER BY starts_at LIMIT 1""",
        room_id,
        starts_at,
        ends_at,
        except_id,
    )
    return found


async def busy_at_booth(
    db: Executor, booth_id: str, starts_at: datetime, ends_at: datetime
) -> str | None:
    found: str | None = await db.fetchval(
        """SELECT id FROM session WHERE booth_id = $1 AND status <> 'CANCELLED'
              AND starts_at < $3 AND ends_at > $2 ORDER BY starts_at LIMIT 1""",
        booth_id,
        starts_at,
        ends_at,
    )
    return found


async def apply_patch(
    db: Executor, session_id: str, patch: SessionPatch, now: datetime
) -> SessionRow:
    """Write the patch; the session becomes CHANGED and its version grows by one."""
    row = await db.fetchrow(
        f"""UPDATE session s SET
                room_id = coalesce($2, s.room_id),
                starts_at = coalesce($3, s.starts_at),
                ends_at = coalesce($4, s.ends_at),
                title_fr = coalesce($5, s.title_fr),
                capacity = coalesce($6, s.capacity),
                status = 'CHANGED', version = s.version + 1, updated_at = $7
             WHERE s.id = $1 RETURNING {SESSION_COLUMNS}""",
        session_id,
        patch.room_id,
        patch.starts_at,
        patch.ends_at,
        patch.title_fr,
        patch.capacity,
        now,
    )
    return _returned(row)


async def cancel(db: Executor, session_id: str, reason: str, now: datetime) -> SessionRow:
    row = await db.fetchrow(
        f"""UPDATE session s SET status = 'CANCELLED', cancellation_reason = $2,
                   version = s.version + 1, updated_at = $3
             WHERE s.id = $1 RETURNING {SESSION_COLUMNS}""",
        session_id,
        reason,
        now,
    )
    return _returned(row)


async def insert_demo(
    db: Executor,
    *,
    exhibitor_id: str,
    booth_id: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
) -> SessionRow:
    row = await db.fetchrow(
        f"""INSERT INTO session AS s (id, kind, title_fr, starts_at, ends_at, booth_id,
                                     exhibitor_id, updated_at)
            VALUES ('demo-' || nextval('demo_number'), 'DEMO', $1, $2, $3, $4, $5, $6)
            RETURNING {SESSION_COLUMNS}""",
        title,
        starts_at,
        ends_at,
        booth_id,
        exhibitor_id,
        now,
    )
    return _returned(row)


def _returned(row: object) -> SessionRow:
    """The row a RETURNING clause gave (an UPDATE by primary key the caller locked)."""
    if row is None:
        raise LookupError("the session vanished inside its own transaction")
    return SessionRow(**row)  # type: ignore[arg-type]
