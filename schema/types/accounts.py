"""GraphQL types of people and their plans: Me, schedules, registrations, sign-in."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.loaders import load_one
from schema.meeting_fields import MeMeetings
from schema.types.agenda import Session
from schema.types.directory import Exhibitor, Speaker
from schema.types.enums import ConflictKind, RegistrationStatus, Role
from schema.types.leads import Lead, LeadCapture, captures_of, leads_of
from schema.types.matches import MeetingMatch, meeting_matches_of
from schema.types.meetings import Meeting
from schema.visibility import VIEWER
from server.domain import plans as plans_domain
from server.domain import schedule as schedule_domain
from server.domain.meetings import conflicts as meeting_conflicts_domain
from server.domain.people import PersonRow
from server.domain.plans import RegistrationRow, check_session


@strawberry.type
class ScheduleConflict:
    first: Session = strawberry.field(metadata=VIEWER)
    second: Session = strawberry.field(metadata=VIEWER)
    kind: ConflictKind = strawberry.field(metadata=VIEWER)
    walking_minutes: float | None = strawberry.field(
        description="For TOO_FAR_TO_WALK: minutes of walking between the two places.",
        metadata=VIEWER,
    )


@strawberry.type
class MeetingConflict:
    meeting: Meeting = strawberry.field(metadata=VIEWER)
    session: Session = strawberry.field(metadata=VIEWER)
    kind: ConflictKind = strawberry.field(metadata=VIEWER)
    walking_minutes: float | None = strawberry.field(
        description="For TOO_FAR_TO_WALK: minutes of walking between the B2B area and the "
        "session's place.",
        metadata=VIEWER,
    )


@strawberry.type
class Schedule:
    sessions: list[Session] = strawberry.field(metadata=VIEWER)
    conflicts: list[ScheduleConflict] = strawberry.field(metadata=VIEWER)
    person_id: strawberry.Private[int]

    @strawberry.field(
        metadata=VIEWER, description="The person's requested and accepted B2B meetings."
    )
    async def meetings(self, info: Info) -> list[Meeting]:
        rows = await meeting_conflicts_domain.live_meetings(info.context.db, self.person_id)
        return [Meeting.from_row(r) for r in rows]

    @strawberry.field(
        metadata=VIEWER,
        description="Meetings that overlap a session of the schedule, or leave less time "
        "than the walk between the B2B area and its room.",
    )
    async def meeting_conflicts(self, info: Info) -> list[MeetingConflict]:
        db = info.context.db
        meetings = await meeting_conflicts_domain.live_meetings(db, self.person_id)
        found = await meeting_conflicts_domain.meeting_conflicts(
            db,
            info.context.runtime.walkways,
            meetings,
            [s.row for s in self.sessions],
        )
        return [
            MeetingConflict(
                meeting=Meeting.from_row(c.meeting),
                session=Session.from_row(c.session),
                kind=ConflictKind(c.kind.value),
                walking_minutes=c.walking_minutes,
            )
            for c in found
        ]


@strawberry.type
class Registration:
    session: Session = strawberry.field(metadata=VIEWER)
    status: RegistrationStatus = strawberry.field(metadata=VIEWER)
    waitlist_position: int | None = strawberry.field(metadata=VIEWER)

    @classmethod
    def from_row(cls, session: Session, row: RegistrationRow) -> Registration:
        return cls(
            session=session,
            status=RegistrationStatus(row.status),
            waitlist_position=row.waitlist_position,
        )


@strawberry.type
class Me(MeMeetings):
    id: strawberry.ID = strawberry.field(metadata=VIEWER)
    name: str | None = strawberry.field(metadata=VIEWER)
    email: str | None = strawberry.field(metadata=VIEWER)
    roles: list[Role] = strawberry.field(metadata=VIEWER)
    person: strawberry.Private[PersonRow]

    @classmethod
    def from_row(cls, row: PersonRow) -> Me:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            email=row.email,
            roles=[Role(r) for r in row.roles],
            person=row,
        )

    @strawberry.field(metadata=VIEWER)
    async def schedule(self, info: Info) -> Schedule:
        found = await schedule_domain.schedule(
            info.context.db, info.context.runtime.walkways, self.person.id
        )
        return Schedule(
            person_id=self.person.id,
            sessions=[Session.from_row(s) for s in found.sessions],
            conflicts=[
                ScheduleConflict(
                    first=Session.from_row(c.first),
                    second=Session.from_row(c.second),
                    kind=ConflictKind(c.kind.value),
                    walking_minutes=c.walking_minutes,
                )
                for c in found.conflicts
            ],
        )

    @strawberry.field(
        description="A secret iCalendar feed URL of the personal schedule (webcal-subscribable).",
        metadata=VIEWER,
    )
    def calendar_url(self, info: Info) -> str:
        return calendar_url(info.context.settings.public_url, self.person.calendar_token)

    @strawberry.field(metadata=VIEWER)
    async def followed_exhibitors(self, info: Info) -> list[Exhibitor]:
        ids = await plans_domain.followed_exhibitor_ids(info.context.db, self.person.id)
        rows = await info.context.loaders.exhibitor.load_many(ids)
        return [Exhibitor.from_row(r) for r in rows if r is not None]

    @strawberry.field(description="Set when the person is a speaker: their talks.", metadata=VIEWER)
    async def speaker(self, info: Info) -> Speaker | None:
        return await load_one(
            info.context.loaders.speaker, self.person.speaker_id, Speaker.from_row
        )

    @strawberry.field(description="Set when the person is exhibitor staff.", metadata=VIEWER)
    async def exhibitor(self, info: Info) -> Exhibitor | None:
        return await load_one(
            info.context.loaders.exhibitor, self.person.exhibitor_id, Exhibitor.from_row
        )

    @strawberry.field(
        description="Exhibitor staff only: the leads their stand captured, newest first.",
        metadata=VIEWER,
    )
    async def leads(self, info: Info) -> list[Lead]:
        return await leads_of(info, self.person)

    @strawberry.field(
        description="The stands that scanned the viewer's badge, newest first.",
        metadata=VIEWER,
    )
    async def captured_by(self, info: Info) -> list[LeadCapture]:
        return await captures_of(info, self.person)

    @strawberry.field(
        description="Best counterparts for the viewer's profile, best first, with why.",
        # Other people's profiles move what it lists (MeetingMatch is VOLATILE): never
        # cached, even per viewer.
        metadata=VIEWER,
    )
    async def meeting_matches(self, info: Info, first: int | None = 20) -> list[MeetingMatch]:
        return await meeting_matches_of(info, self.person.id, 20 if first is None else first)


@strawberry.type
class AuthPayload:
    token: str = strawberry.field(metadata=VIEWER)
    me: Me = strawberry.field(metadata=VIEWER)


def calendar_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/calendar/{token}.ics"


async def session_of(info: Info, session_id: str) -> Session:
    """The session as a GraphQL object; NOT_FOUND when there is none."""
    return Session.from_row(await check_session(info.context.db, session_id))
