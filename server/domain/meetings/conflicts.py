"""A person's B2B meetings against the sessions of their schedule: a meeting that
overlaps one, or leaves less time than the walk between the B2B area and its room.

A request is refused when it clashes with a session the person holds a seat in
(booking.py); a bookmark, a seat taken later, or a session moved afterwards can still
make one clash, and the schedule says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.db.queries import meetings as sql
from server.db.queries.agenda import SessionRow
from server.db.queries.common import Executor
from server.db.queries.meetings import MeetingRow
from server.domain.meetings.booking import LIVE
from server.domain.routing import WalkwayCache
from server.domain.schedule import ConflictKind


@dataclass(frozen=True, slots=True)
class MeetingConflict:
    meeting: MeetingRow
    session: SessionRow
    kind: ConflictKind
    #: For TOO_FAR_TO_WALK: the walk between the B2B area and the session's place.
    walking_minutes: float | None = None


async def live_meetings(db: Executor, person_id: int) -> list[MeetingRow]:
    own = await sql.profile_of_person(db, person_id)
    if own is None:
        return []
    return [m for m in await sql.meetings_of_profile(db, own.id) if m.status in LIVE]


async def meeting_conflicts(
    db: Executor, walkways: WalkwayCache, meetings: list[MeetingRow], sessions: list[SessionRow]
) -> list[MeetingConflict]:
    live = [s for s in sessions if s.status != "CANCELLED"]
    if not meetings or not live:
        return []
    area = await sql.b2b_area(db)
    graph = await walkways.graph(db)
    found = []
    for meeting in meetings:
        for session in live:
            if session.starts_at < meeting.ends_at and meeting.starts_at < session.ends_at:
                found.append(MeetingConflict(meeting, session, ConflictKind.OVERLAP))
                continue
            place = session.room_id or session.booth_id
            if area is None or place is None:
                continue
            gap = (
                min(
                    abs((session.starts_at - meeting.ends_at).total_seconds()),
                    abs((meeting.starts_at - session.ends_at).total_seconds()),
                )
                / 60
            )
            route = graph.shortest(area[0], place)
            if route is not None and route.walking_minutes > gap:
                found.append(
                    MeetingConflict(
                        meeting,
                        session,
                        ConflictKind.TOO_FAR_TO_WALK,
                        round(route.walking_minutes, 1),
                    )
                )
    return sorted(found, key=lambda c: (c.meeting.starts_at, c.session.starts_at, c.session.id))
