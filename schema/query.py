"""Root query: thin resolvers that parse input, call the domain and map the result."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.context import Info
from schema.loaders import load_one
from schema.meeting_fields import MeetingQueries
from schema.types.accounts import Me
from schema.types.agenda import (
    Event,
    Session,
    SessionConnection,
    SessionFilter,
    connection_fields,
    session_query,
)
from schema.types.agenda_changes import AgendaChanges
from schema.types.directory import (
    Exhibitor,
    ExhibitorConnection,
    ExhibitorFilter,
    SearchResult,
    Speaker,
    SpeakerConnection,
)
from schema.types.notices import Notice
from schema.types.venue import Route, Venue
from schema.visibility import PUBLIC, VIEWER, VOLATILE
from server.domain import agenda, agenda_changes, directory, push_devices, routing
from server.domain import notices as notices_domain
from server.domain import search as search_domain
from server.domain.agenda_changes import MAX_VERSION_LENGTH
from server.domain.directory import ExhibitorQuery

AGENDA_CHANGES = (
    "What changed in the public agenda (sessions, exhibitors, speakers, venue) since an "
    "earlier `AgendaChanges.version`. Without `since`, or when `since` is too old or "
    "unknown, `complete` is true and the lists hold everything. The offline copy's one "
    "request: on start, on reconnect, and at a SESSION_CHANGED or SESSION_CANCELLED notice."
)
SINCE = (
    "A `version` this server gave out. Unknown ones (another database, a reset one, an "
    "older format, older than the removals it remembers) give a complete answer; what "
    f"cannot be a version at all (empty, over {MAX_VERSION_LENGTH} characters, anything "
    "but printable ASCII such as spaces or NUL) is BAD_USER_INPUT."
)


async def _route(info: Info, from_id: strawberry.ID, to_id: strawberry.ID) -> Route | None:
    found = await routing.route(info.context.db, info.context.runtime.walkways, from_id, to_id)
    return Route.from_model(found) if found else None


async def _search(info: Info, text: str, first: int | None = 10) -> SearchResult:
    hits = await search_domain.search(info.context.db, text, 10 if first is None else first)
    return SearchResult(
        sessions=[Session.from_row(r) for r in hits.sessions],
        exhibitors=[Exhibitor.from_row(r) for r in hits.exhibitors],
        speakers=[Speaker.from_row(r) for r in hits.speakers],
    )


@strawberry.type
class Query(MeetingQueries):
    @strawberry.field(metadata=PUBLIC)
    async def event(self, info: Info) -> Event:
        return Event.from_model(await agenda.get_event(info.context.db))

    @strawberry.field(metadata=PUBLIC)
    async def sessions(
        self,
        info: Info,
        filter: SessionFilter | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> SessionConnection:
        page = await agenda.session_page(
            info.context.db,
            session_query(filter),
            first=50 if first is None else first,
            after=after,
        )
        return SessionConnection(**connection_fields(page, Session.from_row))

    @strawberry.field(metadata=PUBLIC)
    async def session(self, info: Info, id: strawberry.ID) -> Session | None:
        return await load_one(info.context.loaders.session, id, Session.from_row)

    @strawberry.field(metadata=PUBLIC)
    async def speakers(
        self,
        info: Info,
        search: str | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> SpeakerConnection:
        page = await directory.speaker_page(
            info.context.db, search, first=50 if first is None else first, after=after
        )
        return SpeakerConnection(**connection_fields(page, Speaker.from_row))

    @strawberry.field(metadata=PUBLIC)
    async def speaker(self, info: Info, id: strawberry.ID) -> Speaker | None:
        return await load_one(info.context.loaders.speaker, id, Speaker.from_row)

    @strawberry.field(metadata=PUBLIC)
    async def exhibitors(
        self,
        info: Info,
        filter: ExhibitorFilter | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> ExhibitorConnection:
        query = ExhibitorQuery()
        if filter is not None:
            query = ExhibitorQuery(
                sectors=filter.sectors,
                countries=filter.countries,
                hall_id=filter.hall_id,
                search=filter.search,
            )
        page = await directory.exhibitor_page(
            info.context.db, query, first=50 if first is None else first, after=after
        )
        return ExhibitorConnection(**connection_fields(page, Exhibitor.from_row))

    @strawberry.field(metadata=PUBLIC)
    async def exhibitor(self, info: Info, id: strawberry.ID) -> Exhibitor | None:
        return await load_one(info.context.loaders.exhibitor, id, Exhibitor.from_row)

    @strawberry.field(description=AGENDA_CHANGES, metadata=PUBLIC)
    async def agenda_changes(
        self,
        info: Info,
        since: Annotated[str | None, strawberry.argument(description=SINCE)] = None,
    ) -> AgendaChanges:
        delta = await agenda_changes.changes_since(info.context.db, since)
        return AgendaChanges.from_delta(delta)

    @strawberry.field(
        description="The VAPID application server key, base64url (uncompressed P-256 "
        "point), for PushManager.subscribe.",
        metadata=PUBLIC,
    )
    async def push_public_key(self, info: Info) -> str:
        return await push_devices.public_key(info.context.db, info.context.clock.now())

    @strawberry.field(metadata=PUBLIC)
    async def venue(self, info: Info) -> Venue:
        event = await agenda.get_event(info.context.db)
        return Venue(name=event.row.venue_name, address=event.row.address)

    @strawberry.field(description="The signed-in person; null when anonymous.", metadata=VIEWER)
    async def me(self, info: Info) -> Me | None:
        viewer = info.context.viewer
        return None if viewer is None else Me.from_row(viewer.person)

    @strawberry.field(
        description="The viewer's notices after a cursor, oldest first (anonymous: public "
        "notices only).",
        metadata=VOLATILE,
    )
    async def notices(
        self, info: Info, after: strawberry.ID | None = None, first: int | None = 50
    ) -> list[Notice]:
        rows = await notices_domain.notices_for(
            info.context.db, info.context.viewer, after, 50 if first is None else first
        )
        return [Notice.from_row(r) for r in rows]

    route: Route | None = strawberry.field(
        resolver=_route,
        description="Walking route between two places of the map (booth, room or point of "
        "interest).",
        metadata=PUBLIC,
    )
    search: SearchResult = strawberry.field(
        resolver=_search,
        description="Sessions, exhibitors and speakers matching free text, accents and small "
        "typos forgiven.",
        metadata=PUBLIC,
    )
