"""A person's schedule as an RFC 5545 iCalendar feed (subscribable with webcal://)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from server.db.queries import plans as plans_sql
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
    body = ical.render(sessions, places, now=now, name=name)
    # The content without DTSTAMP identifies a version of the feed.
    unstamped = ical.render(sessions, places, now=None, name=name)
    digest = hashlib.blake2b(unstamped, digest_size=12)
    return Feed(body=body, etag=f'"{digest.hexdigest()}"')
