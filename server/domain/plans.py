"""Personal plans: bookmarks, registrations with a fair waitlist, followed exhibitors.

Rows the schema maps, and lookups its DataLoaders batch, are the queries' own (nothing
to decide on the way): re-exported here (`import … as …`), so that nothing above the
domain imports server.db.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias

import asyncpg

from server.db.queries import agenda as agenda_sql
from server.db.queries import exhibitors as directory_sql
from server.db.queries import plans as sql
from server.db.queries.agenda import SessionRow
from server.db.queries.common import Executor
from server.db.queries.exhibitors import ExhibitorRow
from server.db.queries.plans import RegistrationRow as RegistrationRow
from server.db.queries.plans import bookmarked_among as bookmarked_among
from server.db.queries.plans import followed_among as followed_among
from server.db.queries.plans import followed_exhibitor_ids as followed_exhibitor_ids
from server.db.queries.plans import registered_counts as registered_counts
from server.db.queries.plans import registrations_among as registrations_among
from server.domain import notices
from server.domain.errors import DomainError, ErrorCode, not_found

Pool: TypeAlias = "asyncpg.Pool[asyncpg.Record]"


async def check_session(db: Executor, session_id: str) -> SessionRow:
    rows = await agenda_sql.sessions_by_ids(db, [session_id])
    if not rows:
        raise not_found(f"There is no session {session_id!r}.")
    return rows[0]


async def check_exhibitor(db: Executor, exhibitor_id: str) -> ExhibitorRow:
    rows = await directory_sql.exhibitors_by_ids(db, [exhibitor_id])
    if not rows:
        raise not_found(f"There is no exhibitor {exhibitor_id!r}.")
    return rows[0]


async def bookmark(db: Pool, person_id: int, session_id: str) -> SessionRow:
    """Idempotent: bookmarking twice is the same as once. One statement: the check that
    the session exists, the write and the row the answer shows."""
    session = await sql.add_bookmark_to_session(db, person_id, session_id)
    if session is None:
        raise not_found(f"There is no session {session_id!r}.")
    return session


async def bookmark_only(db: Pool, person_id: int, session_id: str) -> None:
    """As `bookmark`, for an answer that shows nothing of the session but its id."""
    if not await sql.add_bookmark_if_session(db, person_id, session_id):
        raise not_found(f"There is no session {session_id!r}.")


async def remove_bookmark(db: Pool, person_id: int, session_id: str) -> SessionRow:
    session = await check_session(db, session_id)
    await sql.remove_bookmark(db, person_id, session_id)
    return session


async def follow(db: Pool, person_id: int, exhibitor_id: str) -> ExhibitorRow:
    exhibitor = await check_exhibitor(db, exhibitor_id)
    await sql.follow(db, person_id, exhibitor_id)
    return exhibitor


async def unfollow(db: Pool, person_id: int, exhibitor_id: str) -> ExhibitorRow:
    exhibitor = await check_exhibitor(db, exhibitor_id)
    await sql.unfollow(db, person_id, exhibitor_id)
    return exhibitor


async def register(db: Pool, person_id: int, session_id: str, now: datetime) -> RegistrationRow:
    """A seat while any is left, else a place on the waitlist. Registering again
    returns the registration one already has."""
    async with db.acquire() as conn, conn.transaction():
        seats = await sql.lock_seats(conn, session_id)
        if seats is None:
            raise not_found(f"There is no session {session_id!r}.")
        existing = await sql.registration_of(conn, person_id, session_id)
        if existing is not None:
            return existing
        if seats.status == "CANCELLED":
            raise DomainError(ErrorCode.CONFLICT, "This session was cancelled.")
        if seats.starts_at <= now:
            raise DomainError(ErrorCode.CONFLICT, "This session has already started.")
        full = seats.capacity is not None and seats.registered >= seats.capacity
        await sql.insert_registration(
            conn, person_id, session_id, "WAITLISTED" if full else "REGISTERED"
        )
        registration = await sql.registration_of(conn, person_id, session_id)
    if registration is None:  # inserted above in the same transaction
        raise LookupError("registration vanished")
    return registration


async def cancel_registration(db: Pool, person_id: int, session_id: str, now: datetime) -> bool:
    """Free the seat (or the waitlist place); False when there was none. A freed seat
    goes to the first in line, who is told in the same transaction (WAITLIST_PROMOTED)."""
    async with db.acquire() as conn, conn.transaction():
        seats = await sql.lock_seats(conn, session_id)
        if seats is None:
            raise not_found(f"There is no session {session_id!r}.")
        status = await sql.delete_registration(conn, person_id, session_id)
        if status == "REGISTERED" and seats.status != "CANCELLED":
            session = await check_session(conn, session_id)
            await notices.seats_freed(conn, session_id, session.title_fr, now, 1)
    return status is not None
