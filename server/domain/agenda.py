"""Reading the agenda: the event, its tracks and sessions, with filters and pages.

Rows the schema maps, and lookups its DataLoaders batch, are the queries' own (nothing
to decide on the way): re-exported here (`import … as …`), so that nothing above the
domain imports server.db.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from server import clock
from server.db.queries import agenda as sql
from server.db.queries.agenda import EventRow as EventRow
from server.db.queries.agenda import SessionQuery as SessionQuery
from server.db.queries.agenda import SessionRow as SessionRow
from server.db.queries.agenda import TrackRow as TrackRow
from server.db.queries.agenda import agenda_version as agenda_version
from server.db.queries.agenda import demos_for_exhibitors as demos_for_exhibitors
from server.db.queries.agenda import sessions_by_ids as sessions_by_ids
from server.db.queries.agenda import sessions_for_speakers as sessions_for_speakers
from server.db.queries.agenda import speaker_links_for_sessions as speaker_links_for_sessions
from server.db.queries.agenda import tracks as tracks
from server.db.queries.agenda import tracks_by_ids as tracks_by_ids
from server.db.queries.common import Executor
from server.domain.errors import DomainError, ErrorCode, bad_input
from server.domain.instants import accepted_instant
from server.domain.pagination import (
    Page,
    check_first,
    decode_cursor,
    encode_cursor,
    make_page,
)

SESSION_KINDS = frozenset(
    {"KEYNOTE", "CONFERENCE", "PANEL", "WORKSHOP", "DEMO", "B2B", "CEREMONY", "OTHER"}
)
MAX_SEARCH_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Event:
    row: EventRow

    @property
    def days(self) -> list[date]:
        count = (self.row.ends_on - self.row.starts_on).days + 1
        return [self.row.starts_on + timedelta(days=i) for i in range(count)]


async def get_event(db: Executor) -> Event:
    row = await sql.event(db)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No fair is loaded yet: run `salon demo`.")
    return Event(row)


def day_span(day: date) -> tuple[datetime, datetime]:
    """The instants of one day on the fair's clocks, for the `day` filter."""
    try:
        return clock.day_span(day)
    except (OverflowError, ValueError):
        raise bad_input(f"{day.isoformat()} is too far from the fair to filter by.") from None


def check_search_text(text: str | None) -> str | None:
    """Trimmed search text, None when blank; BAD_USER_INPUT when absurdly long."""
    if text is None:
        return None
    text = text.strip()
    if len(text) > MAX_SEARCH_LENGTH:
        raise bad_input(f"Search text can be at most {MAX_SEARCH_LENGTH} characters.")
    return text or None


def check_session_query(query: SessionQuery) -> SessionQuery:
    if query.kinds is not None and not set(query.kinds) <= SESSION_KINDS:
        raise bad_input(f"Unknown session kind in {sorted(query.kinds)}.")
    return replace(query, search=check_search_text(query.search))


async def session_page(
    db: Executor, query: SessionQuery, *, first: int, after: str | None
) -> Page[SessionRow]:
    check_first(first)
    query = check_session_query(query)
    keyset = decode_cursor(after)
    start: tuple[datetime, str] | None = None
    if keyset is not None:
        try:
            start = (accepted_instant(keyset[0]), keyset[1])
        except ValueError:
            raise bad_input("`after` is not a cursor of the session list.") from None
    rows, total = await sql.session_page(db, query, limit=first + 1, after=start)
    return make_page(rows, total, first, lambda s: encode_cursor(s.starts_at.isoformat(), s.id))
