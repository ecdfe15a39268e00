"""The floor map as one GeoJSON FeatureCollection, feature types after IMDF.

Rows the schema maps, and lookups its DataLoaders batch, are the queries' own (nothing
to decide on the way): re-exported here (`import … as …`), so that nothing above the
domain imports server.db.
"""

from __future__ import annotations

import asyncio
from typing import Any

from server.db.queries import exhibitors as directory_sql
from server.db.queries import venue as sql
from server.db.queries.common import Executor
from server.db.queries.venue import BoothRow as BoothRow
from server.db.queries.venue import HallRow as HallRow
from server.db.queries.venue import PoiRow as PoiRow
from server.db.queries.venue import RoomRow as RoomRow
from server.db.queries.venue import booths_by_ids as booths_by_ids
from server.db.queries.venue import booths_in_halls as booths_in_halls
from server.db.queries.venue import booths_of_exhibitors as booths_of_exhibitors
from server.db.queries.venue import halls as halls
from server.db.queries.venue import halls_by_ids as halls_by_ids
from server.db.queries.venue import points_of_interest as points_of_interest
from server.db.queries.venue import rooms_by_ids as rooms_by_ids
from server.db.queries.venue import rooms_in_halls as rooms_in_halls

# IMDF amenity categories for our kinds of point of interest.
AMENITY_CATEGORY = {
    "ENTRANCE": "entrance",
    "INFO_DESK": "information",
    "FOOD": "foodservice",
    "TOILETS": "restroom",
    "PRAYER_ROOM": "prayerroom",
    "FIRST_AID": "firstaid",
    "SAFETY_ZONE": "emergencyshelter",
    "STARTUP_ZONE": "meetingpoint",
    "B2B_AREA": "meetingpoint",
    "PARKING": "parking",
    "OTHER": "unspecified",
}


def _point(x: float, y: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [x, y]}


def _feature(
    feature_id: str, feature_type: str, geometry: dict[str, Any] | None, **properties: Any
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": feature_id,
        "feature_type": feature_type,
        "geometry": geometry,
        "properties": {"feature_type": feature_type, **properties},
    }


async def venue_feature_collection(db: Executor) -> dict[str, Any]:
    """Halls as levels, rooms and booths as units, POIs as amenities, exhibitors as
    occupants anchored at their booths: what map libraries (MapLibre, Leaflet) draw."""
    halls, rooms, booths, pois = await asyncio.gather(
        sql.halls(db), sql.rooms(db), sql.booths(db), sql.points_of_interest(db, None)
    )
    exhibitor_ids = sorted({b.exhibitor_id for b in booths if b.exhibitor_id})
    exhibitors = {e.id: e for e in await directory_sql.exhibitors_by_ids(db, exhibitor_ids)}
    features = [
        _feature(h.id, "level", h.outline, name=h.name, ordinal=h.level, category="unspecified")
        for h in halls
    ]
    features += [
        _feature(
            r.id,
            "unit",
            r.outline,
            category="conferenceroom",
            name=r.name,
            level_id=r.hall_id,
            capacity=r.capacity,
            display_point=_point(r.x, r.y) if r.x is not None and r.y is not None else None,
        )
        for r in rooms
    ]
    features += [
        _feature(
            b.id,
            "unit",
            b.outline,
            category="booth",
            name=b.code,
            level_id=b.hall_id,
            display_point=_point(b.x, b.y),
        )
        for b in booths
    ]
    features += [
        _feature(
            p.id,
            "amenity",
            _point(p.x, p.y),
            category=AMENITY_CATEGORY[p.kind],
            kind=p.kind,
            name={"fr": p.name_fr, "en": p.name_en or p.name_fr},
            level_id=p.hall_id,
        )
        for p in pois
    ]
    features += [
        _feature(
            f"occupant-{b.id}",
            "occupant",
            None,
            name=exhibitors[b.exhibitor_id].name,
            category="exhibitor",
            exhibitor_id=b.exhibitor_id,
            anchor_id=b.id,
            display_point=_point(b.x, b.y),
        )
        for b in booths
        if b.exhibitor_id in exhibitors
    ]
    return {"type": "FeatureCollection", "features": features}
