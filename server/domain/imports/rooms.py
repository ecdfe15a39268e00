"""No two live sessions in one room at once, once the file is applied (what
`updateSession` refuses one session at a time, checked over the whole result, so a file
may swap two sessions' rooms)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from server.db.queries.agenda import SessionRow
from server.domain.imports.current import Current
from server.domain.imports.model import ImportedFair
from server.domain.imports.plan import Plan
from server.domain.imports.refusals import Refusals


def check_rooms(fair: ImportedFair, current: Current, plan: Plan, refusals: Refusals) -> None:
    after: dict[str, SessionRow] = dict(current.sessions)
    for omitted in plan.omitted_sessions:
        after.pop(omitted)
    for _, written in plan.sessions:
        after[written.id] = written
    by_room: dict[str, list[SessionRow]] = defaultdict(list)
    for session in after.values():
        if session.status != "CANCELLED" and session.room_id is not None:
            by_room[session.room_id].append(session)
    places = {s.id: s.where for s in fair.sessions}
    for sessions in by_room.values():
        sessions.sort(key=lambda s: (s.starts_at, s.id))
        running = sessions[0]
        for session in sessions[1:]:
            if session.starts_at < running.ends_at and (
                session.id in places or running.id in places
            ):
                blamed, other = (session, running) if session.id in places else (running, session)
                place = places[blamed.id]
                refusals.add(
                    place if place.column else replace(place, column="room"),
                    "ROOM_TAKEN",
                    f"la salle `{session.room_id}` est déjà prise à cette heure par la "
                    f"session `{other.id}`",
                    f"the room `{session.room_id}` is already taken at that time by the "
                    f"session `{other.id}`",
                )
            if session.ends_at > running.ends_at:
                running = session
