"""The B2B desk (organisers): every meeting of a day, in slot order."""

from __future__ import annotations

from datetime import date, datetime

from server import clock
from server.db.queries import meetings as sql
from server.db.queries.common import Executor
from server.db.queries.meetings import MeetingRow
from server.domain.errors import bad_input
from server.domain.ids import parse_bigint_id
from server.domain.pagination import Page, check_first, decode_cursor, encode_cursor, make_page

MAX_DESK_PAGE = 500


async def meetings_of_day(
    db: Executor, day: date | None, first: int, after: str | None
) -> Page[MeetingRow]:
    """Organisers only (the caller checks the role); every day when `day` is None."""
    check_first(first, MAX_DESK_PAGE)
    span = clock.day_span(day) if day is not None else (None, None)
    cursor = decode_cursor(after)
    keyset: tuple[datetime, int] | None = None
    if cursor is not None:
        number = parse_bigint_id(cursor[1])
        try:
            start = datetime.fromisoformat(cursor[0])
        except ValueError:
            start = None
        if number is None or start is None or start.tzinfo is None:
            raise bad_input("`after` is not a cursor this list gave out; start again without it.")
        keyset = (start, number)
    rows, total = await sql.meeting_page(db, span[0], span[1], keyset, first + 1)
    return make_page(
        rows, total, first, lambda m: encode_cursor(m.starts_at.isoformat(), str(m.id))
    )
