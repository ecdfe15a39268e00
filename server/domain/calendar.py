"""A person's schedule as an RFC 5545 iCalendar feed (subscribable with webcal://)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from server.db.queries import meetings as meetings_sql
from server.db.queries import plans as plans_sql
from server.db.queries import venue as venue_sql
from server.db.queries.accounts import person_by_calendar_token
from server.db.queries.common import Executor
from server.domain import ical
from server.domain.errors import not_found

_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,128}")


@dataclass(frozen=True, slots=True)
class Feed:
    body: bytes
    etag: str


async def feed_for_token(db: Executor, token: str, now: datetime) -> Feed:
    """The schedule of the person whose calendar token this is; NOT_FOUND otherwise
    (an unknown or revoked token looks the same as one that never existed)."""
    # Anything but a token's own alphabet (a NUL byte, say) is not a token.
    person = await person_by_calendar_token(db, token) if _TOKEN.fullmatch(token) else None
    if person is None:
        raise not_found("This calendar link is not valid (any more).")
    sessions = await plans_sql.schedule_sessions(db, person.id)
    places = await ical.places_of(db, sessions)
    name = ical.CALENDAR_NAME + (f" — {person.name}" if person.name else "")
    meetings = await meeting_events(db, person.id)
    body = ical.render(sessions, places, now=now, name=name, meetings=meetings)
    # The content without DTSTAMP identifies a version of the feed.
    unstamped = ical.render(sessions, places, now=None, name=name, meetings=meetings)
    digest = hashlib.blake2b(unstamped, digest_size=12)
    return Feed(body=body, etag=f'"{digest.hexdigest()}"')


async def meeting_events(db: Executor, person_id: int) -> list[ical.MeetingEvent]:
    """The person's accepted meetings, and those cancelled after being accepted (a
    calendar that has one must learn it is cancelled); requests are not in it yet."""
    own = await meetings_sql.profile_of_person(db, person_id)
    if own is None:
        return []
    held = [
        m
        for m in await meetings_sql.meetings_of_profile(db, own.id)
        if m.table_id is not None and m.status in ("ACCEPTED", "CANCELLED")
    ]
    others = {
        p.id: p.company
        for p in await meetings_sql.profiles_by_ids(
            db, [m.invitee_id if m.requester_id == own.id else m.requester_id for m in held]
        )
    }
    tables = {
        t.id: t
        for t in await meetings_sql.tables_by_ids(db, [m.table_id for m in held if m.table_id])
    }
    halls = {
        h.id: h.name
        for h in await venue_sql.halls_by_ids(db, [t.hall_id for t in tables.values() if t.hall_id])
    }
    events = []
    for m in held:
        table = tables.get(m.table_id or "")
        where = None
        if table is not None:
            hall = halls.get(table.hall_id or "")
            where = f"Table {table.number}, espace B2B" + (f", {hall}" if hall else "")
        events.append(
            ical.MeetingEvent(
                id=m.id,
                other_company=others[m.invitee_id if m.requester_id == own.id else m.requester_id],
                starts_at=m.starts_at,
                ends_at=m.ends_at,
                cancelled=m.status == "CANCELLED",
                version=m.version,
                updated_at=m.updated_at,
                location=where,
                message=m.message,
            )
        )
    return events
