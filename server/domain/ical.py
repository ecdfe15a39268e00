"""Sessions as RFC 5545 iCalendar, shared by the personal feed (calendar.py) and the
whole programme (exports/ics.py): one VEVENT per session, one place for a location."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vDuration

from server.clock import FAIR_TZ
from server.db.queries import venue as venue_sql
from server.db.queries.agenda import SessionRow
from server.db.queries.common import Executor
from server.db.queries.venue import BoothRow, RoomRow

#: Calendar apps poll this often (RFC 7986 REFRESH-INTERVAL).
REFRESH_INTERVAL = timedelta(minutes=15)
#: Part of every UID: changing it would duplicate every event in subscribed calendars.
UID_DOMAIN = "sistep2026.salon.example"
PRODID = "-//Salon//SISTEP INDUSTRIEL 2026//FR"
CALENDAR_NAME = "SISTEP INDUSTRIEL 2026"
# RFC 5545 TEXT has no control characters but HTAB (line breaks are escaped): the
# library writes them as they are, and some calendar apps refuse the whole feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class MeetingEvent:
    """A B2B meeting in someone's calendar: who with, and where."""

    id: int
    other_company: str
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    version: int
    updated_at: datetime
    location: str | None
    message: str | None


@dataclass(frozen=True, slots=True)
class Places:
    """The rooms, stands and halls sessions take place in, by id."""

    rooms: Mapping[str, RoomRow]
    booths: Mapping[str, BoothRow]
    halls: Mapping[str, str]  # id → name

    def location(self, session: SessionRow) -> str | None:
        """The room and its hall, or "Stand A101" and its hall; None for neither."""
        room = self.rooms.get(session.room_id or "")
        if room is not None:
            return ", ".join(p for p in (room.name, self.halls.get(room.hall_id or "")) if p)
        booth = self.booths.get(session.booth_id or "")
        if booth is not None:
            return f"Stand {booth.code}, {self.halls.get(booth.hall_id, '')}".rstrip(", ")
        return None


async def places_of(db: Executor, sessions: Iterable[SessionRow]) -> Places:
    """The places of these sessions only (a personal schedule is a few of them)."""
    listed = list(sessions)
    rooms = await venue_sql.rooms_by_ids(db, [s.room_id for s in listed if s.room_id])
    booths = await venue_sql.booths_by_ids(db, [s.booth_id for s in listed if s.booth_id])
    hall_ids = [r.hall_id for r in rooms if r.hall_id] + [b.hall_id for b in booths]
    halls = await venue_sql.halls_by_ids(db, hall_ids)
    return Places(
        rooms={r.id: r for r in rooms},
        booths={b.id: b for b in booths},
        halls={h.id: h.name for h in halls},
    )


def text(value: str) -> str:
    """`value` as RFC 5545 TEXT may carry it: no control characters, LF line breaks."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def uid(session_id: str) -> str:
    return f"{session_id}@{UID_DOMAIN}"


def render(
    sessions: Iterable[SessionRow],
    places: Places,
    *,
    now: datetime | None,
    name: str,
    urls: Mapping[str, str] | None = None,
    meetings: Iterable[MeetingEvent] = (),
) -> bytes:
    """The calendar `name` of these sessions (and B2B meetings). `now` is every event's
    DTSTAMP (None: the event's last change, so that the same agenda gives the same
    bytes); `urls` gives an event its URL by session id."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", text(name))
    calendar.add("x-wr-calname", CALENDAR_NAME)
    # Names the fair's zone for display only: every time below is UTC (see event()).
    calendar.add("x-wr-timezone", FAIR_TZ.key)
    calendar.add("refresh-interval", vDuration(REFRESH_INTERVAL), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for session in sessions:
        url = urls.get(session.id) if urls else None
        calendar.add_component(event(session, places.location(session), now, url))
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, now))
    return bytes(calendar.to_ical())


def meeting_event(meeting: MeetingEvent, now: datetime | None) -> Event:
    vevent = Event()
    vevent.add("uid", f"meeting-{meeting.id}@{UID_DOMAIN}")
    vevent.add("summary", text(f"Rendez-vous B2B : {meeting.other_company}"))
    vevent.add("dtstart", meeting.starts_at.astimezone(UTC))
    vevent.add("dtend", meeting.ends_at.astimezone(UTC))
    vevent.add("sequence", meeting.version)
    vevent.add("last-modified", meeting.updated_at)
    vevent.add("dtstamp", now or meeting.updated_at)
    vevent.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    if meeting.location:
        vevent.add("location", text(meeting.location))
    if meeting.message:
        vevent.add("description", text(meeting.message))
    vevent.add("categories", ["Meeting"])
    return vevent


def event(
    session: SessionRow, location: str | None, now: datetime | None, url: str | None
) -> Event:
    vevent = Event()
    vevent.add("uid", uid(session.id))
    vevent.add("summary", text(session.title_fr))
    # In UTC, not TZID=Africa/Casablanca: an app that trusts its own (possibly stale)
    # rules for a known TZID over our VTIMEZONE would place the event an hour off;
    # a UTC instant leaves every app nothing to interpret.
    vevent.add("dtstart", session.starts_at.astimezone(UTC))
    vevent.add("dtend", session.ends_at.astimezone(UTC))
    # Calendar apps replace an event when its SEQUENCE grows: the session's version.
    vevent.add("sequence", session.version)
    vevent.add("last-modified", session.updated_at)
    vevent.add("dtstamp", now or session.updated_at)
    vevent.add("status", "CANCELLED" if session.status == "CANCELLED" else "CONFIRMED")
    if location:
        vevent.add("location", text(location))
    description = "\n\n".join(t for t in (session.abstract_fr, session.title_en) if t)
    if description:
        vevent.add("description", text(description))
    if url:
        vevent.add("url", url)
    vevent.add("categories", [session.kind.title()])
    return vevent
