"""A person's schedule and its conflicts: overlaps, and rooms too far apart to walk."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from server.db.queries import plans as sql
from server.db.queries import venue as venue_sql
from server.db.queries.agenda import SessionRow
from server.db.queries.common import Executor
from server.domain.routing import WalkwayCache

#: Two sessions further apart than this in time never conflict by walking.
_LONGEST_WALK_MINUTES = 60


class ConflictKind(StrEnum):
    OVERLAP = "OVERLAP"
    TOO_FAR_TO_WALK = "TOO_FAR_TO_WALK"


@dataclass(frozen=True, slots=True)
class Conflict:
    first: SessionRow
    second: SessionRow
    kind: ConflictKind
    #: For TOO_FAR_TO_WALK: the walk between the two places.
    walking_minutes: float | None = None


@dataclass(frozen=True, slots=True)
class Schedule:
    sessions: list[SessionRow]
    conflicts: list[Conflict]


async def schedule(db: Executor, walkways: WalkwayCache, person_id: int) -> Schedule:
    sessions = await sql.schedule_sessions(db, person_id)
    return Schedule(sessions=sessions, conflicts=await conflicts(db, walkways, sessions))


def _place(session: SessionRow) -> str | None:
    return session.room_id or session.booth_id


async def conflicts(
    db: Executor, walkways: WalkwayCache, sessions: list[SessionRow]
) -> list[Conflict]:
    """Every pair that overlaps, or leaves less time than the walk between two halls.
    `sessions` is sorted by start; cancelled sessions conflict with nothing."""
    live = [s for s in sessions if s.status != "CANCELLED"]
    found: list[Conflict] = []
    needs_walk: list[tuple[SessionRow, SessionRow]] = []
    for i, first in enumerate(live):
        for second in live[i + 1 :]:
            gap = (second.starts_at - first.ends_at).total_seconds() / 60
            if gap >= _LONGEST_WALK_MINUTES:
                break  # sorted by start: every later one starts later still
            if gap < 0:
                found.append(Conflict(first, second, ConflictKind.OVERLAP))
            elif _place(first) and _place(second) and _place(first) != _place(second):
                needs_walk.append((first, second))
    if needs_walk:
        found += await _too_far(db, walkways, needs_walk)
    return sorted(
        found, key=lambda c: (c.first.starts_at, c.first.id, c.second.starts_at, c.second.id)
    )


async def _too_far(
    db: Executor, walkways: WalkwayCache, pairs: list[tuple[SessionRow, SessionRow]]
) -> list[Conflict]:
    halls = await _halls_of_places(db, {p for pair in pairs for s in pair if (p := _place(s))})
    graph = await walkways.graph(db)
    found = []
    for first, second in pairs:
        a, b = _place(first), _place(second)
        if a is None or b is None or halls.get(a) == halls.get(b):
            continue  # same hall: a short walk, never a conflict
        route = graph.shortest(a, b)
        gap = (second.starts_at - first.ends_at).total_seconds() / 60
        if route is not None and route.walking_minutes > gap:
            found.append(
                Conflict(
                    first, second, ConflictKind.TOO_FAR_TO_WALK, round(route.walking_minutes, 1)
                )
            )
    return found


async def _halls_of_places(db: Executor, place_ids: set[str]) -> dict[str, str | None]:
    ids = sorted(place_ids)
    rooms = await venue_sql.rooms_by_ids(db, ids)
    booths = await venue_sql.booths_by_ids(db, ids)
    return {r.id: r.hall_id for r in rooms} | {b.id: b.hall_id for b in booths}
