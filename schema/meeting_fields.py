"""The B2B meetings' root fields, as bases of Query, Mutation and Me: each resolver
states who may call it, then calls one domain function."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.context import Info
from schema.types.agenda import connection_fields
from schema.types.meetings import (
    BusinessProfile,
    BusinessProfileConnection,
    BusinessProfileFilter,
    BusinessProfileInput,
    Meeting,
    MeetingConnection,
    MeetingOutcome,
    MeetingPlanInput,
    MeetingPlanType,
    MeetingRequestInput,
    Slot,
    TableOccupancy,
    clock_time,
)
from schema.visibility import VIEWER, VOLATILE
from server.domain.errors import bad_input
from server.domain.meetings import booking, desk, plan, profiles, slots
from server.domain.meetings.booking import MeetingRequest
from server.domain.meetings.plan import MeetingDay
from server.domain.meetings.profiles import ProfileFilter, ProfileInput
from server.domain.people import PersonRow


@strawberry.type
class MeetingQueries:
    @strawberry.field(
        metadata=VOLATILE, description="When and where B2B meetings run: days, slots, tables."
    )
    async def meeting_plan(self, info: Info) -> MeetingPlanType:
        return MeetingPlanType.from_plan(await plan.meeting_plan(info.context.db))

    @strawberry.field(
        metadata=VOLATILE, description="Published business profiles (signed-in people only)."
    )
    async def business_profiles(
        self,
        info: Info,
        filter: BusinessProfileFilter | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> BusinessProfileConnection:
        given = ProfileFilter()
        if filter is not None:
            given = ProfileFilter(
                sectors=filter.sectors,
                countries=filter.countries,
                offers=filter.offers,
                needs=filter.needs,
                search=filter.search,
            )
        page = await profiles.profile_directory(
            info.context.db, info.context.viewer, given, 50 if first is None else first, after
        )
        return BusinessProfileConnection(**connection_fields(page, BusinessProfile.from_row))

    @strawberry.field(metadata=VOLATILE)
    async def business_profile(self, info: Info, id: strawberry.ID) -> BusinessProfile | None:
        row = await profiles.visible_profile(info.context.db, info.context.viewer, id)
        return BusinessProfile.from_row(row) if row else None

    @strawberry.field(
        metadata=VOLATILE, description="Organisers only: every meeting of a day, for the B2B desk."
    )
    async def meetings(
        self,
        info: Info,
        day: date | None = None,
        first: int | None = 100,
        after: str | None = None,
    ) -> MeetingConnection:
        info.context.with_role("ORGANISER")
        page = await desk.meetings_of_day(
            info.context.db, day, 100 if first is None else first, after
        )
        return MeetingConnection(**connection_fields(page, Meeting.from_row))

    @strawberry.field(
        metadata=VOLATILE,
        description="Organisers only: how busy each table is on a day (the B2B desk).",
    )
    async def table_occupancy(self, info: Info, day: date) -> list[TableOccupancy]:
        info.context.with_role("ORGANISER")
        found = await desk.table_occupancy(info.context.db, day)
        return [TableOccupancy.from_model(o) for o in found]


@strawberry.type
class MeMeetings:
    #: Me's own (a Me is made for one person, signed in or just signing in).
    person: strawberry.Private[PersonRow]

    @strawberry.field(metadata=VIEWER)
    async def business_profile(self, info: Info) -> BusinessProfile | None:
        row = await profiles.own_profile(info.context.db, self.person.id)
        return BusinessProfile.from_row(row) if row else None

    @strawberry.field(
        metadata=VIEWER, description="The viewer's meetings, earliest first (every status)."
    )
    async def meetings(self, info: Info) -> list[Meeting]:
        rows = await booking.meetings_of(info.context.db, self.person.id)
        return [Meeting.from_row(r) for r in rows]

    @strawberry.field(
        metadata=VIEWER,
        description="Slots in which both the viewer and that profile are free (no meeting, "
        "no registered session, walking time kept).",
    )
    async def common_free_slots(
        self, info: Info, profile_id: strawberry.ID, day: date | None = None
    ) -> list[Slot]:
        found = await slots.free_slots_with(
            info.context.db,
            info.context.runtime.walkways,
            self.person.id,
            profile_id,
            day,
            info.context.clock.now(),
        )
        return [Slot(starts_at=s, ends_at=e) for s, e in found]


@strawberry.type
class MeetingMutations:
    @strawberry.mutation(description="Organisers only. Replaces the whole meeting plan.")
    async def set_meeting_plan(self, info: Info, input: MeetingPlanInput) -> MeetingPlanType:
        actor = info.context.with_role("ORGANISER")
        try:
            days = [
                MeetingDay(d.day, clock_time(d.opens, "opens"), clock_time(d.closes, "closes"))
                for d in input.days
            ]
        except ValueError as wrong:
            raise bad_input(str(wrong)) from None
        return MeetingPlanType.from_plan(
            await plan.set_plan(
                info.context.db,
                actor,
                slot_minutes=input.slot_minutes,
                requests_per_day=input.requests_per_day,
                days=days,
                table_count=input.table_count,
                now=info.context.clock.now(),
            )
        )

    @strawberry.mutation(
        description="Creates or replaces the viewer's business profile (signed-in people only).",
    )
    async def save_business_profile(
        self, info: Info, input: BusinessProfileInput
    ) -> BusinessProfile:
        row = await profiles.save_profile(
            info.context.db,
            info.context.viewer,
            ProfileInput(
                company=input.company,
                country=input.country,
                sectors=input.sectors,
                offers=input.offers,
                needs=input.needs,
                summary=input.summary,
                open_to_meetings=input.open_to_meetings is not False,
            ),
            info.context.clock.now(),
        )
        return BusinessProfile.from_row(row)

    @strawberry.mutation(
        description="Asks for a meeting in one slot. Refused with CONFLICT when either side "
        "or every table is taken in that slot; never two meetings of one person, or on one "
        "table, at the same time, however many requests race.",
    )
    async def request_meeting(self, info: Info, input: MeetingRequestInput) -> Meeting:
        row = await booking.request_meeting(
            info.context.db,
            info.context.runtime.walkways,
            info.context.viewer,
            MeetingRequest(input.profile_id, input.starts_at, input.message),
            info.context.clock.now(),
        )
        return Meeting.from_row(row)

    @strawberry.mutation(
        description="The invitee only. Assigns a table; CONFLICT when the slot was taken "
        "meanwhile.",
    )
    async def accept_meeting(self, info: Info, id: strawberry.ID) -> Meeting:
        row = await booking.accept_meeting(
            info.context.db, info.context.viewer, id, info.context.clock.now()
        )
        return Meeting.from_row(row)

    @strawberry.mutation
    async def decline_meeting(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> Meeting:
        row = await booking.decline_meeting(
            info.context.db, info.context.viewer, id, reason, info.context.clock.now()
        )
        return Meeting.from_row(row)

    @strawberry.mutation(description="Either side, or an organiser. Frees the slot and the table.")
    async def cancel_meeting(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> Meeting:
        row = await booking.cancel_meeting(
            info.context.db, info.context.viewer, id, reason, info.context.clock.now()
        )
        return Meeting.from_row(row)

    @strawberry.mutation(description="Either side or an organiser, once the slot has begun.")
    async def record_meeting_outcome(
        self, info: Info, id: strawberry.ID, outcome: MeetingOutcome
    ) -> Meeting:
        row = await booking.record_outcome(
            info.context.db, info.context.viewer, id, outcome.value, info.context.clock.now()
        )
        return Meeting.from_row(row)
