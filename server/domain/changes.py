"""Organisers change the fair: a session moves, is retimed, renamed, resized or
cancelled. Each change and its notice are written in one transaction, with an audit row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.db.queries import notices as notices_sql
from server.db.queries import plans as plans_sql
from server.db.queries import session_changes as sql
from server.db.queries import venue as venue_sql
from server.db.queries.agenda import SessionRow, lock_agenda
from server.db.queries.notices import NoticeDraft
from server.db.queries.session_changes import SessionPatch
from server.domain import instants, notices, wording
from server.domain.errors import DomainError, ErrorCode, bad_input, not_found
from server.domain.plans import Pool
from server.domain.viewer import Viewer
from server.domain.wording import Text

MAX_TITLE = 200
MAX_NOTE = 1000


@dataclass(frozen=True, slots=True)
class SessionChange:
    room_id: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    title: str | None = None
    capacity: int | None = None
    note: str | None = None


def check_change(change: SessionChange) -> SessionChange:
    if all(
        v is None
        for v in (change.room_id, change.starts_at, change.ends_at, change.title, change.capacity)
    ):
        raise bad_input("Nothing to change: give a room, times, a title or a capacity.")
    title = change.title.strip() if change.title is not None else None
    if title is not None and not 0 < len(title) <= MAX_TITLE:
        raise bad_input(f"A title has 1 to {MAX_TITLE} characters.")
    if change.capacity is not None and change.capacity <= 0:
        raise bad_input("A capacity is a number of seats above zero.")
    note = (change.note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise bad_input(f"A note has at most {MAX_NOTE} characters.")
    return SessionChange(
        change.room_id, change.starts_at, change.ends_at, title, change.capacity, note
    )


async def update_session(
    db: Pool, actor: Viewer, session_id: str, change: SessionChange, now: datetime
) -> SessionRow:
    change = check_change(change)
    async with db.acquire() as conn, conn.transaction():
        await lock_agenda(conn)  # before the session's row: see lock_agenda
        before = await sql.lock_session(conn, session_id)
        if before is None:
            raise not_found(f"There is no session {session_id!r}.")
        if before.status == "CANCELLED":
            raise DomainError(ErrorCode.CONFLICT, "This session was cancelled; it cannot change.")
        patch = await _patch(conn, before, change)
        after = await sql.apply_patch(conn, session_id, patch, now)
        told = await tell_changed(conn, actor.id, before, after, now, note=change.note)
        if told is None:
            raise bad_input("These are already the session's room, times, title and capacity.")
        await _audit(
            conn,
            actor,
            "session.update",
            session_id,
            now,
            {"changes": [p.en for p in told.parts], "note": change.note},
        )
    return after


async def _patch(conn: Any, before: SessionRow, change: SessionChange) -> SessionPatch:
    """Check the change against the fair as it is; CONFLICT when it cannot fit."""
    starts = change.starts_at or before.starts_at
    # Moving only the start keeps the length of the session.
    try:
        ends = change.ends_at or (
            before.ends_at + (starts - before.starts_at) if change.starts_at else before.ends_at
        )
    except OverflowError:
        raise bad_input("Moved there, the session would end out of any calendar.") from None
    if ends <= starts:
        raise bad_input("A session ends after it starts.")
    if change.starts_at is not None or change.ends_at is not None:
        window = await instants.fair_window(conn)
        window.check(starts, "startsAt")
        window.check(ends, "endsAt")
    room_id = change.room_id or before.room_id
    if change.room_id is not None and not await venue_sql.rooms_by_ids(conn, [change.room_id]):
        raise not_found(f"There is no room {change.room_id!r}.")
    if room_id is not None:
        taken = await sql.busy_in_room(conn, room_id, starts, ends, before.id)
        if taken:
            raise DomainError(
                ErrorCode.CONFLICT, f"The room is taken at that time (session {taken})."
            )
    if change.capacity is not None:
        registered = (await plans_sql.registered_counts(conn, [before.id])).get(before.id, 0)
        if change.capacity < registered:
            raise DomainError(
                ErrorCode.CONFLICT,
                f"{registered} people are already registered; the capacity cannot go below that.",
            )
    return SessionPatch(
        room_id=change.room_id,
        starts_at=change.starts_at,
        ends_at=ends if ends != before.ends_at else None,
        title_fr=change.title,
        capacity=change.capacity,
    )


def describe_change(before: SessionRow, after: SessionRow, room_name: str | None) -> list[Text]:
    """What attendees are told of a change, one part per thing that changed; empty when
    nothing they are told about changed. `room_name`: the name of `after`'s room."""
    parts = []
    if after.room_id != before.room_id and after.room_id is not None:
        room = room_name or after.room_id
        parts.append(Text(fr=f"déplacée en {room}", en=f"moves to {room}"))
    if (after.starts_at, after.ends_at) != (before.starts_at, before.ends_at):
        when = wording.when(after.starts_at)
        end = wording.clock_time(after.ends_at)
        parts.append(Text(fr=f"désormais {when.fr}–{end}", en=f"now {when.en}–{end}"))
    if after.title_fr != before.title_fr:
        parts.append(
            Text(fr=f"nouveau titre « {after.title_fr} »", en=f"renamed “{after.title_fr}”")
        )
    if after.capacity != before.capacity and after.capacity is not None:
        parts.append(Text(fr=f"{after.capacity} places", en=f"now {after.capacity} seats"))
    return parts


@dataclass(frozen=True, slots=True)
class Told:
    """A notice written about a session, and whom it reaches."""

    kind: str
    session_id: str
    #: How many people the notice is for (speakers, bookmarkers, registrants).
    audience: int
    text: Text
    parts: tuple[Text, ...] = ()
    #: Waitlisted people given a seat by a larger capacity (each told apart).
    promoted: int = 0


async def tell_changed(
    conn: Any,
    actor_id: int | None,
    before: SessionRow,
    after: SessionRow,
    now: datetime,
    *,
    note: str | None = None,
) -> Told | None:
    """Inside the caller's transaction, once `after` is written: the SESSION_CHANGED
    notice for the session's audience and the seats a larger capacity frees, as
    `updateSession` sends them. None (and nothing written) when no part of the change
    is one attendees are told about."""
    room_name = None
    if after.room_id is not None and after.room_id != before.room_id:
        rooms = await venue_sql.rooms_by_ids(conn, [after.room_id])
        room_name = rooms[0].name if rooms else None
    parts = describe_change(before, after, room_name)
    if not parts:
        return None
    text = wording.with_note(wording.join(parts), note)
    draft = NoticeDraft(
        kind="SESSION_CHANGED",
        title_fr=f"« {after.title_fr} » : changement",
        title_en=f"“{after.title_en or after.title_fr}”: change",
        body_fr=text.fr,
        body_en=text.en,
        session_id=after.id,
    )
    audience = await _tell_session_audience(conn, draft, actor_id, now)
    promoted: list[int] = []
    if before.capacity is not None and after.capacity is not None:
        promoted = await notices.seats_freed(
            conn, after.id, after.title_fr, now, after.capacity - before.capacity
        )
    return Told(draft.kind, after.id, audience, text, tuple(parts), len(promoted))


async def cancel_session(
    db: Pool, actor: Viewer, session_id: str, reason: str, now: datetime
) -> SessionRow:
    reason = reason.strip()
    if not 0 < len(reason) <= MAX_NOTE:
        raise bad_input("Say why the session is cancelled (attendees will read it).")
    async with db.acquire() as conn, conn.transaction():
        await lock_agenda(conn)  # before the session's row: see lock_agenda
        before = await sql.lock_session(conn, session_id)
        if before is None:
            raise not_found(f"There is no session {session_id!r}.")
        if before.status == "CANCELLED":
            raise DomainError(ErrorCode.CONFLICT, "This session is already cancelled.")
        after = await sql.cancel(conn, session_id, reason, now)
        await tell_cancelled(conn, actor.id, after, Text(fr=reason, en=reason), now)
        await _audit(conn, actor, "session.cancel", session_id, now, {"reason": reason})
    return after


async def tell_cancelled(
    conn: Any, actor_id: int | None, after: SessionRow, reason: Text, now: datetime
) -> Told:
    """Inside the caller's transaction, once the session is cancelled: the URGENT
    SESSION_CANCELLED notice for its audience, as `cancelSession` sends it."""
    when = wording.when(after.starts_at)
    text = Text(fr=f"{when.fr} — {reason.fr}", en=f"{when.en} — {reason.en}")
    draft = NoticeDraft(
        kind="SESSION_CANCELLED",
        priority="URGENT",
        title_fr=f"Annulé : « {after.title_fr} »",
        title_en=f"Cancelled: “{after.title_en or after.title_fr}”",
        body_fr=text.fr,
        body_en=text.en,
        session_id=after.id,
    )
    audience = await _tell_session_audience(conn, draft, actor_id, now)
    return Told(draft.kind, after.id, audience, text)


async def _tell_session_audience(
    conn: Any, draft: NoticeDraft, actor_id: int | None, now: datetime
) -> int:
    """The session's speakers, bookmarkers and registrants, as they are now; how many."""
    audience = await notices_sql.session_audience(conn, [draft.session_id or ""])
    await notices.record(conn, draft, recipients=audience, now=now, actor_id=actor_id)
    return len(audience)


async def _audit(
    conn: Any, actor: Viewer, action: str, subject: str, now: datetime, details: dict[str, Any]
) -> None:
    await notices_sql.audit(
        conn, at=now, actor_id=actor.id, action=action, subject=subject, details=details
    )
