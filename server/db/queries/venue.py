"""SQL of the venue: halls, rooms, booths, points of interest, the walkway graph."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from server.db.queries.common import Executor


@dataclass(frozen=True, slots=True)
class HallRow:
    id: str
    name: str
    level: int
    outline: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RoomRow:
    id: str
    name: str
    hall_id: str | None
    capacity: int | None
    outline: dict[str, Any] | None
    x: float | None
    y: float | None


@dataclass(frozen=True, slots=True)
class BoothRow:
    id: str
    code: str
    hall_id: str
    exhibitor_id: str | None
    outline: dict[str, Any]
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class PoiRow:
    id: str
    kind: str
    name_fr: str
    name_en: str | None
    hall_id: str | None
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class WalkwayNode:
    """A node of the walking graph: a waypoint, booth, room or point of interest."""

    id: str
    x: float
    y: float
    level: int


@dataclass(frozen=True, slots=True)
class WalkwayEdge:
    a: str
    b: str
    length: float | None


_HALL = "SELECT id, name, level, outline FROM hall"
_ROOM = "SELECT id, name, hall_id, capacity, outline, x, y FROM room"
_BOOTH = "SELECT id, code, hall_id, exhibitor_id, outline, x, y FROM booth"
_POI = "SELECT id, kind, name_fr, name_en, hall_id, x, y FROM poi"


async def halls(db: Executor) -> list[HallRow]:
    return [HallRow(**r) for r in await db.fetch(f"{_HALL} ORDER BY level, name, id")]


async def halls_by_ids(db: Executor, ids: Sequence[str]) -> list[HallRow]:
    rows = await db.fetch(f"{_HALL} WHERE id = any($1::text[])", ids)
    return [HallRow(**r) for r in rows]


async def rooms(db: Executor) -> list[RoomRow]:
    return [RoomRow(**r) for r in await db.fetch(f"{_ROOM} ORDER BY name, id")]


async def rooms_by_ids(db: Executor, ids: Sequence[str]) -> list[RoomRow]:
    rows = await db.fetch(f"{_ROOM} WHERE id = any($1::text[])", ids)
    return [RoomRow(**r) for r in rows]


async def rooms_in_halls(db: Executor, hall_ids: Sequence[str]) -> list[RoomRow]:
    rows = await db.fetch(f"{_ROOM} WHERE hall_id = any($1::text[]) ORDER BY name, id", hall_ids)
    return [RoomRow(**r) for r in rows]


async def booths(db: Executor) -> list[BoothRow]:
    return [BoothRow(**r) for r in await db.fetch(f"{_BOOTH} ORDER BY code")]


async def booths_by_ids(db: Executor, ids: Sequence[str]) -> list[BoothRow]:
    rows = await db.fetch(f"{_BOOTH} WHERE id = any($1::text[])", ids)
    return [BoothRow(**r) for r in rows]


async def booths_in_halls(db: Executor, hall_ids: Sequence[str]) -> list[BoothRow]:
    rows = await db.fetch(f"{_BOOTH} WHERE hall_id = any($1::text[]) ORDER BY code", hall_ids)
    return [BoothRow(**r) for r in rows]


async def booths_of_exhibitors(db: Executor, exhibitor_ids: Sequence[str]) -> list[BoothRow]:
    rows = await db.fetch(
        f"{_BOOTH} WHERE exhibitor_id = any($1::text[]) ORDER BY code", exhibitor_ids
    )
    return [BoothRow(**r) for r in rows]


async def points_of_interest(db: Executor, kinds: Sequence[str] | None) -> list[PoiRow]:
    rows = await db.fetch(
        f"{_POI} WHERE $1::text[] IS NULL OR kind = any($1::text[]) ORDER BY kind, name_fr, id",
        kinds,
    )
    return [PoiRow(**r) for r in rows]


async def walkway_nodes(db: Executor) -> list[WalkwayNode]:
    """Every place one can walk to or through, with its position and floor level."""
    rows = await db.fetch(
        """SELECT p.id, p.x, p.y, coalesce(h.level, 0) AS level
             FROM (SELECT id, hall_id, x, y FROM walkway_node
                   UNION ALL SELECT id, hall_id, x, y FROM booth
                   UNION ALL SELECT id, hall_id, x, y FROM room WHERE x IS NOT NULL
                   UNION ALL SELECT id, hall_id, x, y FROM poi) p
             LEFT JOIN hall h ON h.id = p.hall_id"""
    )
    return [WalkwayNode(**r) for r in rows]


async def walkway_edges(db: Executor) -> list[WalkwayEdge]:
    return [WalkwayEdge(**r) for r in await db.fetch("SELECT a, b, length FROM walkway_edge")]


async def place_kind(db: Executor, place_id: str) -> str | None:
    """'booth', 'room' or 'poi' for a place id, None when there is no such place."""
    kind: str | None = await db.fetchval(
        """SELECT 'booth' FROM booth WHERE id = $1
           UNION ALL SELECT 'room' FROM room WHERE id = $1
           UNION ALL SELECT 'poi' FROM poi WHERE id = $1 LIMIT 1""",
        place_id,
    )
    return kind
