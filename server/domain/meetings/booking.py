"""Requests and their answers: asking for a meeting in one slot, accepting it (a table
is assigned), declining, cancelling, and saying afterwards whether it happened.

Double bookings are the database's to refuse (migration 0009): a request already holds
the slot for both sides, an accepted meeting its table, and any number of racing
requests or accepts leave a consistent plan, the losers CONFLICT. What the database
cannot see is checked here, in the same transaction: the slot is one of the plan's and
still ahead, both are free of the sessions they hold a seat in (walk included), a table
is left, and the requester is under the day's cap of waiting requests (counted under a
lock of their profile, so racing requests of one person count one by one).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asyncpg.exceptions import ExclusionViolationError

from server.db.queries import meetings as sql
from server.db.queries import notices as notices_sql
from server.db.queries.meetings import MeetingRow as MeetingRow
from server.db.queries.meetings import ProfileRow
from server.domain.errors import DomainError, ErrorCode, bad_input, not_found
from server.domain.ids import parse_bigint_id
from server.domain.meetings import meeting_notices
from server.domain.meetings.plan import DayRow, MeetingPlan, meeting_plan
from server.domain.meetings.slots import overlaps, taken_spans
from server.domain.plans import Pool
from server.domain.routing import WalkwayCache
from server.domain.viewer import Viewer, require_viewer

MAX_MESSAGE = 500
#: Requests one may send for a day, whatever became of them, per waiting one allowed.
SENT_PER_WAITING = 3
MAX_REASON = 500
#: A meeting that holds its slot for both sides (a meeting_side row each, 0009).
LIVE = ("REQUESTED", "ACCEPTED")


@dataclass(frozen=True, slots=True)
class MeetingRequest:
    profile_id: str
    starts_at: datetime
    message: str | None


def _text(value: str | None, limit: int, what: str) -> str | None:
    cleaned = (value or "").strip()
    if len(cleaned) > limit:
        raise bad_input(f"A {what} has at most {limit} characters.")
    return cleaned or None


def _taken(what: str) -> DomainError:
    return DomainError(ErrorCode.CONFLICT, what)


async def request_meeting(
    db: Pool, walkways: WalkwayCache, viewer: Viewer | None, asked: MeetingRequest, now: datetime
) -> MeetingRow:
    viewer = require_viewer(viewer)
    message = _text(asked.message, MAX_MESSAGE, "message")
    invitee_id = parse_bigint_id(asked.profile_id)
    try:
        async with db.acquire() as conn, conn.transaction():
            return await _request(conn, walkways, viewer, invitee_id, asked.starts_at, message, now)
    except ExclusionViolationError:
        raise _taken("One of you already has a meeting then; pick another slot.") from None


async def _request(
    conn: Any,
    walkways: WalkwayCache,
    viewer: Viewer,
    invitee_id: int | None,
    starts_at: datetime,
    message: str | None,
    now: datetime,
) -> MeetingRow:
    own = await sql.profile_of_person(conn, viewer.id)
    if own is None:
        raise bad_input("Write your business profile first (saveBusinessProfile).")
    invitees = await sql.profiles_by_ids(conn, [invitee_id]) if invitee_id is not None else []
    if not invitees or not (invitees[0].open_to_meetings or invitees[0].id == own.id):
        raise not_found(f"There is no open business profile {invitee_id}.")
    invitee = invitees[0]
    if invitee.id == own.id or invitee.company_key == own.company_key:
        raise bad_input("Meet another company than your own.")
    plan = await meeting_plan(conn, lock="SHARE")
    slot, day = plan.slot_at(starts_at), plan.day_of(starts_at)
    if slot is None or day is None:
        raise bad_input("Meetings start at the beginning of a slot of the meeting plan.")
    if slot[0] <= now:
        raise bad_input("That slot has begun; pick one ahead.")
    await check_bookable(conn, walkways, plan, own, invitee, slot, day, now)
    meeting = await sql.insert_meeting(conn, own.id, invitee.id, *slot, message, now)
    await meeting_notices.tell(
        conn,
        "MEETING_REQUESTED",
        meeting,
        other=own,
        recipients=[invitee.person_id],
        now=now,
        note=message,
        actor_id=viewer.id,
    )
    return meeting


async def check_bookable(
    conn: Any,
    walkways: WalkwayCache,
    plan: MeetingPlan,
    own: ProfileRow,
    invitee: ProfileRow,
    slot: tuple[datetime, datetime],
    day: DayRow,
    now: datetime,
) -> None:
    """What the database cannot see about a request from `own` to `invitee` in `slot`
    of `day` (RATE_LIMITED or CONFLICT): under the cap of the requester's requests for
    the day (a request whose slot began unanswered no longer waits), a table left,
    neither side at (or walking to) a session they hold a seat in. Locks the requester's
    profile until the transaction ends, so that the cap counts what is committed."""
    await sql.lock_profile(conn, own.id)
    waiting, sent = await sql.requests_sent(conn, own.id, day.opens_at, day.closes_at, now)
    if waiting >= plan.requests_per_day:
        raise DomainError(
            ErrorCode.RATE_LIMITED,
            f"You have {waiting} requests waiting for an answer that day, the most the fair "
            "allows: wait for answers, or cancel some.",
        )
    # Asking, cancelling and asking again would tell the same people again and again.
    if sent >= SENT_PER_WAITING * plan.requests_per_day:
        raise DomainError(
            ErrorCode.RATE_LIMITED,
            f"You have sent {sent} requests for that day, the most the fair allows.",
        )
    if not await sql.free_tables(conn, *slot):
        raise _taken("Every table is taken in that slot; pick another.")
    spans = await taken_spans(conn, walkways, [own.person_id, invitee.person_id], *slot)
    if overlaps(slot, spans):
        raise _taken(
            "One of you is at a session then, or walking to or from it; pick another slot."
        )


async def accept_meeting(
    db: Pool, viewer: Viewer | None, meeting_id: str, now: datetime
) -> MeetingRow:
    """The invitee only: a table is assigned (the first free, by number)."""

    async def accept(conn: Any, meeting: MeetingRow, sides: _Sides) -> MeetingRow:
        if sides.viewer_side != "invitee":
            raise DomainError(ErrorCode.FORBIDDEN, "Only the invitee answers a request.")
        _check_status(meeting, ("REQUESTED",), "answered")
        if meeting.starts_at <= now:
            raise _taken("That slot has begun; the request can no longer be accepted.")
        # Accepts of one slot take turns choosing a table; the constraint stays the guard.
        await sql.lock_slot(conn, meeting.starts_at)
        free = await sql.free_tables(conn, meeting.starts_at, meeting.ends_at)
        if not free:
            raise _taken("Every table is taken in that slot: the request cannot be accepted.")
        number = (await sql.tables_by_ids(conn, free[:1]))[0].number
        await meeting_notices.tell(
            conn,
            "MEETING_ACCEPTED",
            meeting,
            other=sides.invitee,
            recipients=[sides.requester.person_id],
            now=now,
            table_number=number,
            actor_id=sides.viewer.id,
        )
        # Last: its triggers update both people's rows (their plan versions), which
        # every other change of theirs then waits for until this one commits.
        return await sql.set_status(conn, meeting.id, "ACCEPTED", now, table_id=free[0])

    return await _change(db, viewer, meeting_id, accept, conflict="The table was taken meanwhile.")


async def decline_meeting(
    db: Pool, viewer: Viewer | None, meeting_id: str, reason: str | None, now: datetime
) -> MeetingRow:
    why = _text(reason, MAX_REASON, "reason")

    async def decline(conn: Any, meeting: MeetingRow, sides: _Sides) -> MeetingRow:
        if sides.viewer_side != "invitee":
            raise DomainError(ErrorCode.FORBIDDEN, "Only the invitee answers a request.")
        _check_status(meeting, ("REQUESTED",), "answered")
        declined = await sql.set_status(conn, meeting.id, "DECLINED", now, reason=why)
        await meeting_notices.tell(
            conn,
            "MEETING_DECLINED",
            declined,
            other=sides.invitee,
            recipients=[sides.requester.person_id],
            now=now,
            note=why,
            actor_id=sides.viewer.id,
        )
        return declined

    return await _change(db, viewer, meeting_id, decline)


async def cancel_meeting(
    db: Pool, viewer: Viewer | None, meeting_id: str, reason: str | None, now: datetime
) -> MeetingRow:
    """Either side, or an organiser: the slot and the table are free again."""
    why = _text(reason, MAX_REASON, "reason")

    async def cancel(conn: Any, meeting: MeetingRow, sides: _Sides) -> MeetingRow:
        if sides.viewer_side is None and not sides.viewer.has_role("ORGANISER"):
            raise DomainError(ErrorCode.FORBIDDEN, "Only its two sides or an organiser cancel it.")
        _check_status(meeting, LIVE, "cancelled")
        if meeting.ends_at <= now or meeting.outcome is not None:
            raise _taken("That meeting is over; record whether it happened instead.")
        cancelled = await sql.set_status(conn, meeting.id, "CANCELLED", now, reason=why)
        for told, other in (
            (sides.requester, sides.invitee),
            (sides.invitee, sides.requester),
        ):
            if told.person_id != sides.viewer.id:
                await meeting_notices.tell(
                    conn,
                    "MEETING_CANCELLED",
                    cancelled,
                    other=other,
                    recipients=[told.person_id],
                    now=now,
                    note=why,
                    actor_id=sides.viewer.id,
                )
        if sides.viewer_side is None:
            await _audit(conn, sides.viewer, "meeting.cancel", meeting.id, now, why)
        return cancelled

    return await _change(db, viewer, meeting_id, cancel)


async def record_outcome(
    db: Pool, viewer: Viewer | None, meeting_id: str, outcome: str, now: datetime
) -> MeetingRow:
    """Either side or an organiser, once the slot has begun."""
    if outcome not in ("HAPPENED", "NO_SHOW"):
        raise bad_input("An outcome is HAPPENED or NO_SHOW.")

    async def record(conn: Any, meeting: MeetingRow, sides: _Sides) -> MeetingRow:
        if sides.viewer_side is None and not sides.viewer.has_role("ORGANISER"):
            raise DomainError(ErrorCode.FORBIDDEN, "Only its two sides or an organiser say so.")
        _check_status(meeting, ("ACCEPTED",), "given an outcome")
        if meeting.starts_at > now:
            raise _taken("Say whether it happened once its slot has begun.")
        recorded = await sql.set_outcome(conn, meeting.id, outcome, now)
        if sides.viewer_side is None:
            await _audit(conn, sides.viewer, "meeting.outcome", meeting.id, now, outcome)
        return recorded

    return await _change(db, viewer, meeting_id, record)


@dataclass(frozen=True, slots=True)
class _Sides:
    viewer: Viewer
    requester: ProfileRow
    invitee: ProfileRow

    @property
    def viewer_side(self) -> str | None:
        if self.requester.person_id == self.viewer.id:
            return "requester"
        if self.invitee.person_id == self.viewer.id:
            return "invitee"
        return None


def _check_status(meeting: MeetingRow, allowed: tuple[str, ...], verb: str) -> None:
    if meeting.status not in allowed:
        raise _taken(f"This meeting is {meeting.status.lower()}: it cannot be {verb}.")


async def _change(
    db: Pool,
    viewer: Viewer | None,
    meeting_id: str,
    change: Callable[[Any, MeetingRow, _Sides], Awaitable[MeetingRow]],
    *,
    conflict: str = "Someone else changed this meeting meanwhile.",
) -> MeetingRow:
    """Lock the meeting, learn who the viewer is to it, apply `change`. A meeting the
    viewer is no side of is NOT_FOUND to them (organisers see every meeting)."""
    viewer = require_viewer(viewer)
    number = parse_bigint_id(meeting_id)
    try:
        async with db.acquire() as conn, conn.transaction():
            meeting = await sql.lock_meeting(conn, number) if number is not None else None
            if meeting is None:
                raise not_found(f"There is no meeting {meeting_id[:40]!r}.")
            found = {
                p.id: p
                for p in await sql.profiles_by_ids(conn, [meeting.requester_id, meeting.invitee_id])
            }
            sides = _Sides(viewer, found[meeting.requester_id], found[meeting.invitee_id])
            if sides.viewer_side is None and not viewer.has_role("ORGANISER"):
                raise not_found(f"There is no meeting {meeting_id[:40]!r}.")
            return await change(conn, meeting, sides)
    except ExclusionViolationError:
        raise _taken(conflict) from None


async def _audit(
    conn: Any, viewer: Viewer, action: str, meeting_id: int, now: datetime, detail: str | None
) -> None:
    await notices_sql.audit(
        conn,
        at=now,
        actor_id=viewer.id,
        action=action,
        subject=str(meeting_id),
        details={"detail": detail},
    )


async def meetings_of(db: Pool, person_id: int) -> list[MeetingRow]:
    own = await sql.profile_of_person(db, person_id)
    return await sql.meetings_of_profile(db, own.id) if own else []


async def visible_meeting(db: Pool, viewer: Viewer, meeting_id: int) -> MeetingRow | None:
    """The meeting, when the viewer is one of its sides or an organiser."""
    found = await sql.meetings_by_ids(db, [meeting_id])
    if not found:
        return None
    if viewer.has_role("ORGANISER"):
        return found[0]
    people = await sql.people_of_profiles(db, [found[0].requester_id, found[0].invitee_id])
    return found[0] if viewer.id in people.values() else None
