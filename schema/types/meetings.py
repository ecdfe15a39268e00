"""B2B meetings in GraphQL: business profiles, the meeting plan and its tables, slots,
meetings. Nothing here is declared PUBLIC or VIEWER (schema/visibility.py): what one
person sees of another's profile and meetings is never served from a shared cache."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import Enum

import strawberry

from schema.context import Info
from schema.loaders import load_one
from schema.types.agenda import PageInfo
from schema.types.directory import Exhibitor
from schema.types.venue import Hall, Point
from schema.visibility import VOLATILE
from server.domain.meetings.booking import MeetingRow
from server.domain.meetings.desk import Occupancy
from server.domain.meetings.plan import DayRow, MeetingPlan, TableRow
from server.domain.meetings.profiles import ProfileRow


@strawberry.enum
class MeetingStatus(Enum):
    REQUESTED = "REQUESTED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    CANCELLED = "CANCELLED"


@strawberry.enum
class MeetingOutcome(Enum):
    HAPPENED = "HAPPENED"
    NO_SHOW = "NO_SHOW"


@strawberry.type
class BusinessProfile:
    id: strawberry.ID = strawberry.field(metadata=VOLATILE)
    company: str = strawberry.field(metadata=VOLATILE)
    country: str = strawberry.field(metadata=VOLATILE, description="ISO 3166-1 alpha-2.")
    sectors: list[str] = strawberry.field(metadata=VOLATILE)
    offers: list[str] = strawberry.field(metadata=VOLATILE)
    needs: list[str] = strawberry.field(metadata=VOLATILE)
    summary: str | None = strawberry.field(metadata=VOLATILE)
    open_to_meetings: bool = strawberry.field(metadata=VOLATILE)
    row: strawberry.Private[ProfileRow]

    @classmethod
    def from_row(cls, row: ProfileRow) -> BusinessProfile:
        return cls(
            id=strawberry.ID(str(row.id)),
            company=row.company,
            country=row.country,
            sectors=row.sectors,
            offers=row.offers,
            needs=row.needs,
            summary=row.summary,
            open_to_meetings=row.open_to_meetings,
            row=row,
        )

    @strawberry.field(
        metadata=VOLATILE, description="Set when the profile is an exhibitor's staff's."
    )
    async def exhibitor(self, info: Info) -> Exhibitor | None:
        return await load_one(
            info.context.loaders.exhibitor, self.row.exhibitor_id, Exhibitor.from_row
        )


@strawberry.type
class BusinessProfileConnection:
    nodes: list[BusinessProfile] = strawberry.field(metadata=VOLATILE)
    page_info: PageInfo = strawberry.field(metadata=VOLATILE)
    total_count: int = strawberry.field(metadata=VOLATILE)


@strawberry.input
class BusinessProfileFilter:
    sectors: list[str] | None = None
    countries: list[str] | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2.")
    offers: list[str] | None = strawberry.field(
        default=None, description="Profiles that offer any of these capabilities."
    )
    needs: list[str] | None = strawberry.field(
        default=None, description="Profiles that need any of these capabilities."
    )
    search: str | None = None


@strawberry.input
class BusinessProfileInput:
    company: str
    country: str = strawberry.field(description="ISO 3166-1 alpha-2.")
    sectors: list[str]
    offers: list[str] = strawberry.field(
        description='What the company can do or supply (e.g. "usinage CNC", "fonderie", '
        '"maintenance").'
    )
    needs: list[str] = strawberry.field(description="What the company is looking for.")
    summary: str | None = None
    open_to_meetings: bool | None = strawberry.field(
        default=True, description="False hides the profile and refuses new requests."
    )


@strawberry.type
class Slot:
    starts_at: datetime = strawberry.field(metadata=VOLATILE)
    ends_at: datetime = strawberry.field(metadata=VOLATILE)


@strawberry.type
class MeetingTable:
    id: strawberry.ID = strawberry.field(metadata=VOLATILE)
    name: str = strawberry.field(metadata=VOLATILE)
    number: int = strawberry.field(metadata=VOLATILE)
    location: Point = strawberry.field(metadata=VOLATILE)
    row: strawberry.Private[TableRow]

    @classmethod
    def from_row(cls, row: TableRow) -> MeetingTable:
        return cls(
            id=strawberry.ID(row.id),
            name=f"Table {row.number}",
            number=row.number,
            location=Point(x=row.x, y=row.y),
            row=row,
        )

    @strawberry.field(metadata=VOLATILE)
    async def hall(self, info: Info) -> Hall | None:
        return await load_one(info.context.loaders.hall, self.row.hall_id, Hall.from_row)


@strawberry.type
class Meeting:
    id: strawberry.ID = strawberry.field(metadata=VOLATILE)
    status: MeetingStatus = strawberry.field(metadata=VOLATILE)
    outcome: MeetingOutcome | None = strawberry.field(metadata=VOLATILE)
    starts_at: datetime = strawberry.field(metadata=VOLATILE)
    ends_at: datetime = strawberry.field(metadata=VOLATILE)
    message: str | None = strawberry.field(metadata=VOLATILE)
    reason: str | None = strawberry.field(
        metadata=VOLATILE, description="Why it was declined or cancelled."
    )
    row: strawberry.Private[MeetingRow]

    @classmethod
    def from_row(cls, row: MeetingRow) -> Meeting:
        return cls(
            id=strawberry.ID(str(row.id)),
            status=MeetingStatus(row.status),
            outcome=MeetingOutcome(row.outcome) if row.outcome else None,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            message=row.message,
            reason=row.reason,
            row=row,
        )

    @strawberry.field(metadata=VOLATILE)
    async def requester(self, info: Info) -> BusinessProfile:
        return await _profile(info, self.row.requester_id)

    @strawberry.field(metadata=VOLATILE)
    async def invitee(self, info: Info) -> BusinessProfile:
        return await _profile(info, self.row.invitee_id)

    @strawberry.field(metadata=VOLATILE, description="Set once accepted.")
    async def table(self, info: Info) -> MeetingTable | None:
        if self.row.status != "ACCEPTED":
            return None
        return await load_one(
            info.context.loaders.meeting_table, self.row.table_id, MeetingTable.from_row
        )


async def _profile(info: Info, profile_id: int) -> BusinessProfile:
    row = await info.context.loaders.business_profile.load(profile_id)
    if row is None:  # a meeting's profiles go only with the meeting (ON DELETE CASCADE)
        raise LookupError(f"meeting profile {profile_id} vanished")
    return BusinessProfile.from_row(row)


@strawberry.type(description="How busy one table is on one day (the B2B desk).")
class TableOccupancy:
    table: MeetingTable = strawberry.field(metadata=VOLATILE)
    slots: int = strawberry.field(
        metadata=VOLATILE, description="The slots the day has: one meeting each at most."
    )
    booked: int = strawberry.field(metadata=VOLATILE, description="Accepted meetings.")
    happened: int = strawberry.field(metadata=VOLATILE)
    no_shows: int = strawberry.field(metadata=VOLATILE)

    @classmethod
    def from_model(cls, found: Occupancy) -> TableOccupancy:
        return cls(
            table=MeetingTable.from_row(found.table),
            slots=found.slots,
            booked=found.booked,
            happened=found.happened,
            no_shows=found.no_shows,
        )


@strawberry.type
class MeetingConnection:
    nodes: list[Meeting] = strawberry.field(metadata=VOLATILE)
    page_info: PageInfo = strawberry.field(metadata=VOLATILE)
    total_count: int = strawberry.field(metadata=VOLATILE)


@strawberry.type
class MeetingDay:
    day: date = strawberry.field(metadata=VOLATILE)
    opens_at: datetime = strawberry.field(metadata=VOLATILE)
    closes_at: datetime = strawberry.field(metadata=VOLATILE)

    @classmethod
    def from_row(cls, row: DayRow) -> MeetingDay:
        return cls(day=row.day, opens_at=row.opens_at, closes_at=row.closes_at)


@strawberry.type(name="MeetingPlan", description="When and where B2B meetings run.")
class MeetingPlanType:
    slot_minutes: int = strawberry.field(metadata=VOLATILE)
    requests_per_day: int = strawberry.field(
        metadata=VOLATILE,
        description="Requests one person may have waiting for an answer, per day.",
    )
    days: list[MeetingDay] = strawberry.field(metadata=VOLATILE)
    tables: list[MeetingTable] = strawberry.field(metadata=VOLATILE)

    @classmethod
    def from_plan(cls, plan: MeetingPlan) -> MeetingPlanType:
        return cls(
            slot_minutes=plan.slot_minutes,
            requests_per_day=plan.requests_per_day,
            days=[MeetingDay.from_row(d) for d in plan.days],
            tables=[MeetingTable.from_row(t) for t in plan.tables],
        )


@strawberry.input
class MeetingDayInput:
    day: date
    opens: str = strawberry.field(description='On the fair\'s clocks, "HH:MM".')
    closes: str = strawberry.field(description='On the fair\'s clocks, "HH:MM".')


@strawberry.input
class MeetingPlanInput:
    days: list[MeetingDayInput]
    slot_minutes: int = 30
    requests_per_day: int = 20
    table_count: int = strawberry.field(
        description="Tables numbered from 1, laid out in the B2B area of the floor map."
    )


@strawberry.input
class MeetingRequestInput:
    profile_id: strawberry.ID
    starts_at: datetime
    message: str | None = None


def clock_time(text: str, what: str) -> time:
    """'HH:MM' as a time; ValueError otherwise (the caller says BAD_USER_INPUT)."""
    hours, colon, minutes = text.partition(":")
    if (
        colon
        and len(hours) == len(minutes) == 2
        and hours.isdigit()
        and minutes.isdigit()
        and int(hours) < 24
        and int(minutes) < 60
    ):
        return time(int(hours), int(minutes))
    raise ValueError(f"{what} is a time such as 09:30 (got {text[:10]!r}).")
