"""The B2B desk (organisers): every meeting of a day, in slot order; how busy each table
is that day; and the meetings as a spreadsheet with the outcomes (who came), for the
fair's report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from server import clock
from server.db.queries import meetings as sql
from server.db.queries.common import Executor
from server.db.queries.meetings import MeetingRow, TableRow
from server.domain import agenda
from server.domain.errors import bad_input
from server.domain.exports.directory_csv import spreadsheet
from server.domain.ids import parse_bigint_id
from server.domain.meetings.plan import meeting_plan
from server.domain.pagination import Page, check_first, decode_cursor, encode_cursor, make_page

MAX_DESK_PAGE = 500
#: A fair's meetings fit: 3 days of 15 slots at 200 tables.
MAX_CSV_MEETINGS = 20_000
CSV_COLUMNS = (
    "id", "status", "outcome", "starts_at", "ends_at", "table", "requester", "requester_country",
    "invitee", "invitee_country", "message", "reason",
)  # fmt: skip


async def meetings_of_day(
    db: Executor, day: date | None, first: int, after: str | None
) -> Page[MeetingRow]:
    """Organisers only (the caller checks the role); every day when `day` is None."""
    check_first(first, MAX_DESK_PAGE)
    span = agenda.day_span(day) if day is not None else (None, None)
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


async def meetings_csv(db: Executor, day: date | None) -> bytes:
    """Organisers only (the caller checks the role); every day when `day` is None.
    Times on the fair's clocks, with their offset."""
    span = agenda.day_span(day) if day is not None else (None, None)
    rows, _ = await sql.meeting_page(db, span[0], span[1], None, MAX_CSV_MEETINGS)
    profiles = {
        p.id: p
        for p in await sql.profiles_by_ids(
            db, sorted({i for m in rows for i in (m.requester_id, m.invitee_id)})
        )
    }
    tables = {
        t.id: t.number
        for t in await sql.tables_by_ids(db, sorted({m.table_id for m in rows if m.table_id}))
    }

    def when(instant: datetime) -> str:
        return clock.in_fair_time(instant).isoformat(timespec="minutes")

    return spreadsheet(
        CSV_COLUMNS,
        (
            (
                str(m.id),
                m.status,
                m.outcome or "",
                when(m.starts_at),
                when(m.ends_at),
                str(tables[m.table_id]) if m.table_id in tables else "",
                profiles[m.requester_id].company,
                profiles[m.requester_id].country,
                profiles[m.invitee_id].company,
                profiles[m.invitee_id].country,
                m.message or "",
                m.reason or "",
            )
            for m in rows
        ),
    )


@dataclass(frozen=True, slots=True)
class Occupancy:
    table: TableRow
    #: The slots the day has (a table holds one meeting per slot).
    slots: int
    booked: int
    happened: int
    no_shows: int


async def table_occupancy(db: Executor, day: date) -> list[Occupancy]:
    """Organisers only (the caller checks the role): each table on that day."""
    plan = await meeting_plan(db)
    slots = sum(len(plan.slots(d)) for d in plan.days_on(day))
    uses = {u.table_id: u for u in await sql.table_uses(db, *agenda.day_span(day))}
    return [
        Occupancy(t, slots, uses[t.id].booked, uses[t.id].happened, uses[t.id].no_shows)
        for t in plan.tables
        if t.id in uses
    ]
