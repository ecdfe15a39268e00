"""GraphQL types of the agenda: event, tracks, sessions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from schema.context import Info
from schema.loaders import load_one
from schema.types.enums import (
    Lang,
    RegistrationStatus,
    SessionKind,
    SessionStatus,
    pick,
    pick_optional,
)
from schema.visibility import PUBLIC, VIEWER, VOLATILE
from server.domain import agenda as agenda_domain
from server.domain.agenda import Event as EventModel
from server.domain.agenda import SessionRow, TrackRow
from server.domain.pagination import Page

if TYPE_CHECKING:
    from schema.types.directory import Exhibitor, Speaker
    from schema.types.venue import Booth, Room


@strawberry.type
class Track:
    id: strawberry.ID = strawberry.field(metadata=PUBLIC)
    color: str | None = strawberry.field(metadata=PUBLIC)
    row: strawberry.Private[TrackRow]

    @classmethod
    def from_row(cls, row: TrackRow) -> Track:
        return cls(id=strawberry.ID(row.id), color=row.color, row=row)

    @strawberry.field(metadata=PUBLIC)
    def name(self, info: Info, lang: Lang | None = None) -> str:
        return pick(info.context.text_lang(lang), self.row.name_fr, self.row.name_en)


@strawberry.type
class Event:
    id: strawberry.ID = strawberry.field(metadata=PUBLIC)
    edition: int | None = strawberry.field(metadata=PUBLIC)
    starts_on: date = strawberry.field(metadata=PUBLIC)
    ends_on: date = strawberry.field(metadata=PUBLIC)
    timezone: str = strawberry.field(metadata=PUBLIC)
    venue_name: str = strawberry.field(metadata=PUBLIC)
    city: str = strawberry.field(metadata=PUBLIC)
    days: list[date] = strawberry.field(metadata=PUBLIC)
    model: strawberry.Private[EventModel]

    @classmethod
    def from_model(cls, model: EventModel) -> Event:
        row = model.row
        return cls(
            id=strawberry.ID(row.id),
            edition=row.edition,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            timezone=row.timezone,
            venue_name=row.venue_name,
            city=row.city,
            days=model.days,
            model=model,
        )

    @strawberry.field(metadata=PUBLIC)
    def name(self, info: Info, lang: Lang | None = None) -> str:
        return pick(info.context.text_lang(lang), self.model.row.name_fr, self.model.row.name_en)

    @strawberry.field(metadata=PUBLIC)
    async def tracks(self, info: Info) -> list[Track]:
        return [Track.from_row(t) for t in await agenda_domain.tracks(info.context.db)]


@strawberry.type
class Session:
    id: strawberry.ID = strawberry.field(metadata=PUBLIC)
    kind: SessionKind = strawberry.field(metadata=PUBLIC)
    starts_at: datetime = strawberry.field(metadata=PUBLIC)
    ends_at: datetime = strawberry.field(metadata=PUBLIC)
    status: SessionStatus = strawberry.field(metadata=PUBLIC)
    capacity: int | None = strawberry.field(metadata=PUBLIC)
    version: int = strawberry.field(
        description="Increases by one at every change an attendee would care about.",
        metadata=PUBLIC,
    )
    updated_at: datetime = strawberry.field(metadata=PUBLIC)
    row: strawberry.Private[SessionRow]

    @classmethod
    def from_row(cls, row: SessionRow) -> Session:
        return cls(
            id=strawberry.ID(row.id),
            kind=SessionKind(row.kind),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            status=SessionStatus(row.status),
            capacity=row.capacity,
            version=row.version,
            updated_at=row.updated_at,
            row=row,
        )

    @strawberry.field(metadata=PUBLIC)
    def title(self, info: Info, lang: Lang | None = None) -> str:
        return pick(info.context.text_lang(lang), self.row.title_fr, self.row.title_en)

    @strawberry.field(metadata=PUBLIC)
    def abstract(self, info: Info, lang: Lang | None = None) -> str | None:
        return pick_optional(
            info.context.text_lang(lang), self.row.abstract_fr, self.row.abstract_en
        )

    @strawberry.field(metadata=PUBLIC)
    async def track(self, info: Info) -> Track | None:
        return await load_one(info.context.loaders.track, self.row.track_id, Track.from_row)

    @strawberry.field(metadata=PUBLIC)
    async def room(
        self, info: Info
    ) -> Annotated[Room, strawberry.lazy("schema.types.venue")] | None:
        from schema.types.venue import Room

        return await load_one(info.context.loaders.room, self.row.room_id, Room.from_row)

    @strawberry.field(metadata=PUBLIC)
    async def booth(
        self, info: Info
    ) -> Annotated[Booth, strawberry.lazy("schema.types.venue")] | None:
        from schema.types.venue import Booth

        return await load_one(info.context.loaders.booth, self.row.booth_id, Booth.from_row)

    @strawberry.field(metadata=PUBLIC)
    async def speakers(
        self, info: Info
    ) -> list[Annotated[Speaker, strawberry.lazy("schema.types.directory")]]:
        from schema.types.directory import Speaker

        loaders = info.context.loaders
        ids = await loaders.speaker_ids_of_session.load(self.row.id)
        rows = await loaders.speaker.load_many(ids)
        return [Speaker.from_row(r) for r in rows if r is not None]

    @strawberry.field(metadata=PUBLIC)
    async def exhibitor(
        self, info: Info
    ) -> Annotated[Exhibitor, strawberry.lazy("schema.types.directory")] | None:
        from schema.types.directory import Exhibitor

        return await load_one(
            info.context.loaders.exhibitor, self.row.exhibitor_id, Exhibitor.from_row
        )

    @strawberry.field(metadata=VOLATILE)
    async def seats_left(self, info: Info) -> int | None:
        if self.row.capacity is None:
            return None
        registered = await info.context.loaders.registered_count.load(self.row.id)
        return max(self.row.capacity - registered, 0)

    @strawberry.field(metadata=VIEWER)
    async def viewer_has_bookmarked(self, info: Info) -> bool:
        loader = info.context.loaders.viewer_bookmarked
        return False if loader is None else await loader.load(self.row.id)

    @strawberry.field(metadata=VIEWER)
    async def viewer_registration(self, info: Info) -> RegistrationStatus | None:
        loader = info.context.loaders.viewer_registration
        found = None if loader is None else await loader.load(self.row.id)
        return None if found is None else RegistrationStatus(found.status)


@strawberry.type
class PageInfo:
    has_next_page: bool = strawberry.field(metadata=PUBLIC)
    end_cursor: str | None = strawberry.field(metadata=PUBLIC)


def connection_fields(page: Page[Any], wrap: Callable[[Any], Any]) -> dict[str, Any]:
    """The fields every connection type shares, from a domain page."""
    return {
        "nodes": [wrap(row) for row in page.items],
        "page_info": PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
        "total_count": page.total,
    }


@strawberry.type
class SessionConnection:
    nodes: list[Session] = strawberry.field(metadata=PUBLIC)
    page_info: PageInfo = strawberry.field(metadata=PUBLIC)
    total_count: int = strawberry.field(metadata=PUBLIC)


@strawberry.input
class SessionFilter:
    day: date | None = None
    track_ids: list[strawberry.ID] | None = None
    kinds: list[SessionKind] | None = None
    room_id: strawberry.ID | None = None
    speaker_id: strawberry.ID | None = None
    exhibitor_id: strawberry.ID | None = None
    search: str | None = None
    happening_at: datetime | None = strawberry.field(
        default=None, description="Sessions running at that instant."
    )
    starts_after: datetime | None = strawberry.field(
        default=None, description="Sessions starting at or after that instant."
    )
    include_cancelled: bool | None = True


def session_filter_of(given: Mapping[str, Any]) -> SessionFilter:
    """The filter as Strawberry hands it to the resolver, from graphql-core's coerced
    argument (GraphQL names, values already parsed: dates, instants, enum members), for
    the fast path, which reads arguments without Strawberry."""
    return SessionFilter(
        day=given.get("day"),
        track_ids=given.get("trackIds"),
        kinds=given.get("kinds"),
        room_id=given.get("roomId"),
        speaker_id=given.get("speakerId"),
        exhibitor_id=given.get("exhibitorId"),
        search=given.get("search"),
        happening_at=given.get("happeningAt"),
        starts_after=given.get("startsAfter"),
        include_cancelled=given.get("includeCancelled", True),
    )


def session_query(f: SessionFilter | None) -> agenda_domain.SessionQuery:
    """What `Query.sessions(filter:)` asks the agenda for (its resolver and the fast
    path, schema/projection.py, both read the page this way)."""
    if f is None:
        return agenda_domain.SessionQuery()
    return agenda_domain.SessionQuery(
        starts_within=agenda_domain.day_span(f.day) if f.day is not None else None,
        track_ids=f.track_ids,
        kinds=[k.value for k in f.kinds] if f.kinds is not None else None,
        room_id=f.room_id,
        speaker_id=f.speaker_id,
        exhibitor_id=f.exhibitor_id,
        search=f.search,
        happening_at=f.happening_at,
        starts_after=f.starts_after,
        include_cancelled=f.include_cancelled is not False,
    )
