"""The fair's meeting plan: the days and hours meetings run (on the fair's clocks), the
slot length, and the numbered tables, laid out in the B2B area of the floor map.

A meeting lasts one slot; a day's slots start at its opening, one after the other, the
last ending by its closing. Organisers set the whole plan at once; a change that would
leave a live meeting outside the hours or off the slots, or take away a table an
accepted meeting has, is refused (CONFLICT): cancel those meetings first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from server import clock
from server.db.queries import meetings as sql
from server.db.queries import notices as notices_sql
from server.db.queries.common import Executor
from server.db.queries.meetings import DayRow as DayRow
from server.db.queries.meetings import PlanRow
from server.db.queries.meetings import TableRow as TableRow
from server.db.queries.meetings import tables_by_ids as tables_by_ids
from server.domain import instants
from server.domain.errors import DomainError, ErrorCode, bad_input
from server.domain.plans import Pool
from server.domain.viewer import Viewer

MAX_TABLES = 200
MAX_DAYS = 31
#: Tables stand in rows of this many, this far apart (metres), around the B2B area.
TABLES_PER_ROW = 5
TABLE_SPACING = 3.0


@dataclass(frozen=True, slots=True)
class MeetingPlan:
    slot_minutes: int
    requests_per_day: int
    days: list[DayRow]
    tables: list[TableRow]

    @property
    def slot(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes)

    def slots(self, day: DayRow) -> list[tuple[datetime, datetime]]:
        found = []
        start = day.opens_at
        while start + self.slot <= day.closes_at:
            found.append((start, start + self.slot))
            start += self.slot
        return found

    def day_of(self, instant: datetime) -> DayRow | None:
        return next((d for d in self.days if d.opens_at <= instant < d.closes_at), None)

    def slot_at(self, starts_at: datetime) -> tuple[datetime, datetime] | None:
        """The slot that starts at that instant, if any."""
        day = self.day_of(starts_at)
        if day is None:
            return None
        offset = starts_at - day.opens_at
        if offset % self.slot or starts_at + self.slot > day.closes_at:
            return None
        return starts_at, starts_at + self.slot

    def days_on(self, day: date | None) -> list[DayRow]:
        return [d for d in self.days if day is None or d.day == day]


@dataclass(frozen=True, slots=True)
class MeetingDay:
    """A day of meetings as an organiser gives it: its date and its hours, on the
    fair's clocks."""

    day: date
    opens: time
    closes: time


async def meeting_plan(db: Executor, *, lock: str | None = None) -> MeetingPlan:
    row: PlanRow = await sql.plan(db, lock=lock)
    return MeetingPlan(
        row.slot_minutes, row.requests_per_day, await sql.days(db), await sql.tables(db)
    )


async def set_plan(
    db: Pool,
    actor: Viewer,
    *,
    slot_minutes: int,
    requests_per_day: int,
    days: Sequence[MeetingDay],
    table_count: int,
    now: datetime,
) -> MeetingPlan:
    """Organisers only (the caller checks the role)."""
    if not 10 <= slot_minutes <= 120 or slot_minutes % 5:
        raise bad_input("A slot lasts 10 to 120 minutes, in steps of 5.")
    if not 1 <= requests_per_day <= 200:
        raise bad_input("Allow 1 to 200 waiting requests per person and day.")
    if not 0 <= table_count <= MAX_TABLES:
        raise bad_input(f"The B2B area has 0 to {MAX_TABLES} tables.")
    if len(days) > MAX_DAYS or len({d.day for d in days}) != len(days):
        raise bad_input(f"Give each day once, at most {MAX_DAYS} days.")
    rows = sorted((_day_row(d) for d in days), key=lambda d: d.day)
    async with db.acquire() as conn, conn.transaction():
        window = await instants.fair_window(conn)
        for row in rows:
            window.check(row.opens_at, "A day of meetings")
            window.check(row.closes_at, "A day of meetings")
        await sql.plan(conn, lock="UPDATE")
        tables = await _layout(conn, table_count)
        kept = {t.id for t in tables}
        gone = [t.id for t in await sql.tables(conn) if t.id not in kept]
        if taken := await sql.tables_in_use(conn, gone):
            raise DomainError(
                ErrorCode.CONFLICT,
                f"Meetings were booked at table(s) {', '.join(taken)}: keep those tables.",
            )
        new_plan = MeetingPlan(slot_minutes, requests_per_day, rows, tables)
        await _check_live_meetings(conn, new_plan, now)
        await sql.save_plan(conn, slot_minutes, requests_per_day, rows, tables)
        await notices_sql.audit(
            conn,
            at=now,
            actor_id=actor.id,
            action="meetings.plan",
            subject="meeting_plan",
            details={
                "slotMinutes": slot_minutes,
                "requestsPerDay": requests_per_day,
                "days": [d.day.isoformat() for d in rows],
                "tables": table_count,
            },
        )
        return await meeting_plan(conn)


def _day_row(day: MeetingDay) -> DayRow:
    try:
        opens = clock.from_wall_clock(datetime.combine(day.day, day.opens))
        closes = clock.from_wall_clock(datetime.combine(day.day, day.closes))
    except ValueError as skipped:  # a time the clocks skip that day
        raise bad_input(str(skipped)) from None
    if opens >= closes:
        raise bad_input(f"On {day.day.isoformat()} meetings must close after they open.")
    return DayRow(day.day, opens, closes)


async def _layout(db: Executor, count: int) -> list[TableRow]:
    """Tables 1..count in rows around the B2B area (its hall); the map's origin when the
    venue has no B2B area."""
    area = await sql.b2b_area(db)
    hall_id, cx, cy = (area[1], area[2], area[3]) if area else (None, 0.0, 0.0)
    rows = math.ceil(count / TABLES_PER_ROW) if count else 0
    tables = []
    for index in range(count):
        row, column = divmod(index, TABLES_PER_ROW)
        x = (
            cx
            + (column - (min(count - row * TABLES_PER_ROW, TABLES_PER_ROW) - 1) / 2) * TABLE_SPACING
        )
        y = cy + ((rows - 1) / 2 - row) * TABLE_SPACING
        number = index + 1
        tables.append(TableRow(f"table-{number:02d}", number, hall_id, round(x, 2), round(y, 2)))
    return tables


async def _check_live_meetings(db: Executor, plan: MeetingPlan, now: datetime) -> None:
    live = await sql.live_meetings(db, now)
    off = [m for m in live if plan.slot_at(m.starts_at) != (m.starts_at, m.ends_at)]
    if off:
        raise DomainError(
            ErrorCode.CONFLICT,
            f"{len(off)} requested or accepted meeting(s) would fall outside the new hours "
            "or slots: keep them in, or cancel them first.",
        )
