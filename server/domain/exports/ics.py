"""/schedule.ics: the whole programme as one iCalendar feed, drawn with the personal
feed's pieces (server/domain/ical.py): the same UID, SEQUENCE, STATUS and LOCATION for
a session in both, so a calendar holding both sees one session once per calendar."""

from __future__ import annotations

from urllib.parse import quote

from server.domain import ical
from server.domain.exports.programme import Programme

NAME = f"{ical.CALENDAR_NAME} — programme"


def render(programme: Programme, public_url: str) -> bytes:
    base = public_url.rstrip("/")
    urls = {s.id: f"{base}/session/{quote(s.id, safe='')}" for s in programme.sessions}
    # DTSTAMP is each session's last change, not the time of the request: the same
    # agenda gives the same bytes, hence the same ETag, in every process.
    return ical.render(programme.sessions, programme.places, now=None, name=NAME, urls=urls)
