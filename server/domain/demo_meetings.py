"""The demo fair's B2B meetings: its meeting plan, business profiles and the meetings
already booked (meetings.json and business_profiles.json, see FORMAT.md).

Written as the domain writes them, and like the rest of the demo only where missing:
the plan by `set_plan` itself (its checks, its layout of the tables, its audit line,
in the demo organiser's name) when the database has none; a profile, built by
`profile_of` as saveBusinessProfile builds it, for each person who has none; a
meeting for each pair of profiles that has none, in a slot of the plan as it stands,
refused when the domain would refuse it (the database's exclusion constraints, a
closed invitee, a busy side, no table left) rather than squeezed in.

No notices are written: a notice is news of a change, told when it happens, and a
seeded fair has no such moment. Loading the demo would otherwise stamp "Rendez-vous
accepté" news with the load's instant into inboxes, and push it to any phone already
subscribed when `salon demo` runs again on a live fair. Each meeting is in
`me.meetings` from the start, and its reminder comes like any other's.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, TypeAlias, cast

import asyncpg
from asyncpg.exceptions import ExclusionViolationError

from server.clock import Zone, parse_instant
from server.db.queries import meetings as sql
from server.db.queries.meetings import ProfileRow
from server.domain.errors import DomainError
from server.domain.meetings.booking import LIVE, MAX_MESSAGE, check_bookable
from server.domain.meetings.plan import MeetingDay, meeting_plan, set_plan
from server.domain.meetings.profiles import ProfileInput, profile_of
from server.domain.people import person_with_email
from server.domain.plans import Pool
from server.domain.routing import WalkwayCache
from server.domain.viewer import Viewer

Connection: TypeAlias = "asyncpg.Connection[Any]"


@dataclass(frozen=True, slots=True)
class _OneConnection:
    """What `set_plan` acquires from a pool: here the loader's connection, so that the
    plan is part of the demo's one transaction (set_plan's own becomes a savepoint)."""

    conn: Connection

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[Connection]:
        yield self.conn


async def load_plan(
    conn: Connection, plan: dict[str, Any], organiser_email: str, now: datetime
) -> dict[str, int]:
    """The plan, when the database has none yet (no days and no tables, as a fresh one
    has); the days and tables written."""
    if await sql.days(conn) or await sql.tables(conn):
        return {"meeting_day": 0, "meeting_table": 0}
    organiser = await person_with_email(conn, organiser_email)
    if organiser is None:
        raise LookupError(f"meetings.json: the demo organiser {organiser_email} is missing")
    written = await set_plan(
        cast(Pool, _OneConnection(conn)),
        Viewer(person=organiser, token_hash=b""),
        slot_minutes=plan["slot_minutes"],
        requests_per_day=plan["requests_per_day"],
        days=[
            MeetingDay(
                date.fromisoformat(d["day"]),
                time.fromisoformat(d["opens"]),
                time.fromisoformat(d["closes"]),
            )
            for d in plan["days"]
        ],
        table_count=plan["table_count"],
        now=now,
    )
    return {"meeting_day": len(written.days), "meeting_table": len(written.tables)}


async def load_profiles(conn: Connection, profiles: Sequence[dict[str, Any]], now: datetime) -> int:
    """A profile for each demo person who has none (one they wrote is theirs); how many
    were written. A profile the domain would refuse stops the load (BAD_USER_INPUT)."""
    known_sectors = await sql.sector_ids(conn)
    written = 0
    for entry in profiles:
        person = await person_with_email(conn, entry["person"])
        if person is None:
            raise LookupError(f"business_profiles.json: nobody has the address {entry['person']}")
        if await sql.profile_of_person(conn, person.id) is not None:
            continue
        given = ProfileInput(
            company=entry["company"],
            country=entry["country"],
            sectors=entry["sectors"],
            offers=entry["offers"],
            needs=entry["needs"],
            summary=entry.get("summary"),
            open_to_meetings=entry["open_to_meetings"],
        )
        await sql.save_profile(conn, profile_of(person, given, known_sectors), now)
        written += 1
    return written


class _Refused(Exception):
    """A demo meeting the domain would not book now: left out."""


async def load_meetings(
    conn: Connection, meetings: Sequence[dict[str, Any]], fair_zone: Zone, now: datetime
) -> int:
    """Each meeting whose two profiles have none together yet (of any status: one they
    cancelled stays cancelled); how many were booked."""
    plan = await meeting_plan(conn)
    walkways = WalkwayCache()
    booked = 0
    for entry in meetings:
        if entry["status"] not in LIVE or len(entry.get("message") or "") > MAX_MESSAGE:
            raise ValueError(f"meetings.json: {entry['requester']} → {entry['invitee']}")
        requester = await _profile(conn, entry["requester"])
        invitee = await _profile(conn, entry["invitee"])
        if (
            requester is None
            or invitee is None
            or await sql.have_met(conn, requester.id, invitee.id)
        ):
            continue
        slot = plan.slot_at(parse_instant(entry["starts_at"], fair_zone))
        day = plan.day_of(slot[0]) if slot else None
        try:
            if slot is None or day is None:
                raise _Refused  # not a slot of the plan as an organiser left it
            if not invitee.open_to_meetings or invitee.company_key == requester.company_key:
                raise _Refused
            async with conn.transaction():  # a savepoint: a refusal undoes this one only
                await check_bookable(conn, walkways, plan, requester, invitee, slot, day, now)
                meeting = await sql.insert_meeting(
                    conn, requester.id, invitee.id, *slot, entry.get("message"), now
                )
                if entry["status"] == "ACCEPTED":
                    # As accept_meeting: the first free table, by number.
                    await sql.lock_slot(conn, meeting.starts_at)
                    free = await sql.free_tables(conn, *slot)
                    if not free:
                        raise _Refused
                    await sql.set_status(conn, meeting.id, "ACCEPTED", now, table_id=free[0])
        except (_Refused, DomainError, ExclusionViolationError):
            continue
        booked += 1
    return booked


async def _profile(conn: Connection, email: str) -> ProfileRow | None:
    person = await person_with_email(conn, email)
    return await sql.profile_of_person(conn, person.id) if person else None
