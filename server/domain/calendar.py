"""A person's schedule as an RFC 5545 iCalendar feed (subscribable with webcal://)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vDuration

from server.clock import FAIR_TZ
from server.db.queries import plans as plans_sql
from server.db.queries import venue as venue_sql
from server.db.queries.accounts import person_by_calendar_token
from server.db.queries.agenda import SessionRow
from server.db.queries.common import Executor
from server.domain.errors import not_found

#: Calendar apps poll this often (RFC 7986 REFRESH-INTERVAL).
REFRESH_INTERVAL = timedelta(minutes=15)
UID_DOMAIN = "sistep2026.salon.example"
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
    locations = await _locations(db, sessions)
    body = render(sessions, locations, now, person.name)
    # The content without DTSTAMP identifies a version of the feed.
    digest = hashlib.blake2b(render(sessions, locations, None, person.name), digest_size=12)
    return Feed(body=body, etag=f'"{digest.hexdigest()}"')


async def _locations(db: Executor, sessions: list[SessionRow]) -> dict[str, str]:
    """Session id → "Room, Hall" or "Stand A101, Hall"."""
    rooms = {
        r.id: r
        for r in await venue_sql.rooms_by_ids(db, [s.room_id for s in sessions if s.room_id])
    }
    booths = {
        b.id: b
        for b in await venue_sql.booths_by_ids(db, [s.booth_id for s in sessions if s.booth_id])
    }
    hall_ids = [r.hall_id for r in rooms.values() if r.hall_id] + [
        b.hall_id for b in booths.values()
    ]
    halls = {h.id: h.name for h in await venue_sql.halls_by_ids(db, hall_ids)}
    located = {}
    for s in sessions:
        if s.room_id in rooms:
            room = rooms[s.room_id]
            located[s.id] = ", ".join(p for p in (room.name, halls.get(room.hall_id or "")) if p)
        elif s.booth_id in booths:
            booth = booths[s.booth_id]
            located[s.id] = f"Stand {booth.code}, {halls.get(booth.hall_id, '')}".rstrip(", ")
    return located


def render(
    sessions: list[SessionRow],
    locations: dict[str, str],
    now: datetime | None,
    owner: str | None,
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Salon//SISTEP INDUSTRIEL 2026//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", "SISTEP INDUSTRIEL 2026" + (f" — {owner}" if owner else ""))
    calendar.add("x-wr-calname", "SISTEP INDUSTRIEL 2026")
    # Names the fair's zone for display only: every time below is UTC (see _event).
    calendar.add("x-wr-timezone", FAIR_TZ.key)
    calendar.add("refresh-interval", vDuration(REFRESH_INTERVAL), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for session in sessions:
        calendar.add_component(_event(session, locations.get(session.id), now))
    return bytes(calendar.to_ical())


def _event(session: SessionRow, location: str | None, now: datetime | None) -> Event:
    event = Event()
    event.add("uid", f"{session.id}@{UID_DOMAIN}")
    event.add("summary", session.title_fr)
    # In UTC, not TZID=Africa/Casablanca: an app that trusts its own (possibly stale)
    # rules for a known TZID over our VTIMEZONE would place the event an hour off;
    # a UTC instant leaves every app nothing to interpret.
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    # Calendar apps replace an event when its SEQUENCE grows: the session's version.
    event.add("sequence", session.version)
    event.add("last-modified", session.updated_at)
    event.add("dtstamp", now or session.updated_at)
    event.add("status", "CANCELLED" if session.status == "CANCELLED" else "CONFIRMED")
    if location:
        event.add("location", location)
    description = "\n\n".join(t for t in (session.abstract_fr, session.title_en) if t)
    if description:
        event.add("description", description)
    event.add("categories", [session.kind.title()])
    return event
