"""GraphQL type of `agendaChanges`: the patch (or the whole agenda) for an offline copy."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.types.agenda import Session
from schema.types.directory import Exhibitor, Speaker
from schema.visibility import PUBLIC
from server.domain import agenda_changes
from server.domain.agenda_changes import AgendaDelta

DESCRIPTION = (
    "What changed in the public agenda since `since`. Apply a patch to the offline copy "
    "(replace each listed item whole, drop the removed ids), or replace the copy when "
    "`complete`. A patch lists a session, exhibitor or speaker when its own fields, or "
    "those of what it links to directly, changed: a session's track, room and its hall, "
    "booth and its hall, exhibitor and speakers; an exhibitor's booths and demos; a "
    "speaker's sessions."
)


async def _sessions(root: AgendaChanges, info: Info) -> list[Session]:
    rows = await agenda_changes.sessions(info.context.db, root.delta)
    return [Session.from_row(r) for r in rows]


async def _exhibitors(root: AgendaChanges, info: Info) -> list[Exhibitor]:
    rows = await agenda_changes.exhibitors(info.context.db, root.delta)
    return [Exhibitor.from_row(r) for r in rows]


async def _speakers(root: AgendaChanges, info: Info) -> list[Speaker]:
    rows = await agenda_changes.speakers(info.context.db, root.delta)
    return [Speaker.from_row(r) for r in rows]


@strawberry.type(description=DESCRIPTION)
class AgendaChanges:
    version: str = strawberry.field(
        description="Opaque; pass it back as `since` next time.", metadata=PUBLIC
    )
    complete: bool = strawberry.field(
        description="True when this answer replaces the whole offline copy rather than "
        "patching it.",
        metadata=PUBLIC,
    )
    sessions: list[Session] = strawberry.field(
        resolver=_sessions,
        description="Changed sessions, or all of them when `complete`, in the agenda's "
        "order. Cancelled ones are sessions still (status CANCELLED), not removed.",
        metadata=PUBLIC,
    )
    removed_session_ids: list[strawberry.ID] = strawberry.field(metadata=PUBLIC)
    exhibitors: list[Exhibitor] = strawberry.field(
        resolver=_exhibitors,
        description="Changed exhibitors, or all of them when `complete`, by name.",
        metadata=PUBLIC,
    )
    removed_exhibitor_ids: list[strawberry.ID] = strawberry.field(metadata=PUBLIC)
    speakers: list[Speaker] = strawberry.field(
        resolver=_speakers,
        description="Changed speakers, or all of them when `complete`, by name.",
        metadata=PUBLIC,
    )
    removed_speaker_ids: list[strawberry.ID] = strawberry.field(metadata=PUBLIC)
    venue_changed: bool = strawberry.field(
        description="The floor map (halls, rooms, booths, points of interest, walkways) "
        "changed: fetch /venue.geojson again (with If-None-Match). Always true when "
        "`complete`.",
        metadata=PUBLIC,
    )
    event_changed: bool = strawberry.field(
        description="The event or its tracks changed: query `event` again. Always true "
        "when `complete`.",
        metadata=PUBLIC,
    )
    delta: strawberry.Private[AgendaDelta]

    @classmethod
    def from_delta(cls, delta: AgendaDelta) -> AgendaChanges:
        return cls(
            version=delta.version,
            complete=delta.complete,
            removed_session_ids=[strawberry.ID(i) for i in delta.removed_session_ids],
            removed_exhibitor_ids=[strawberry.ID(i) for i in delta.removed_exhibitor_ids],
            removed_speaker_ids=[strawberry.ID(i) for i in delta.removed_speaker_ids],
            venue_changed=delta.venue_changed,
            event_changed=delta.event_changed,
            delta=delta,
        )
