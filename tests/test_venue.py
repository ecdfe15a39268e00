"""The floor map: halls, booths, rooms, points of interest, GeoJSON and wayfinding."""

from __future__ import annotations

import math
from typing import Any

import asyncpg
import httpx
import pytest

from tests.conftest import GraphQLClient
from tests.fair_data import demo_file

POI_KINDS = {
    "ENTRANCE",
    "INFO_DESK",
    "FOOD",
    "TOILETS",
    "PRAYER_ROOM",
    "FIRST_AID",
    "SAFETY_ZONE",
    "STARTUP_ZONE",
    "B2B_AREA",
    "PARKING",
}


async def test_venue_has_halls_with_geometry_and_every_amenity(gql_http: GraphQLClient) -> None:
    venue = (
        await gql_http.data(
            """{ venue { name address halls { id name level outline booths { id code center { x y }
               outline hall { id } } rooms { id name capacity center { x y } hall { id } } }
               pointsOfInterest { id kind name nameEn: name(lang: EN) location { x y } } } }"""
        )
    )["venue"]
    written = demo_file("venue.json")
    assert venue["name"] == demo_file("event.json")["venue_name"]
    assert [h["id"] for h in venue["halls"]] == [h["id"] for h in written["halls"]]
    for hall in venue["halls"]:
        assert hall["outline"]["type"] == "Polygon"
        ring = hall["outline"]["coordinates"][0]
        assert ring[0] == ring[-1]
        assert all(b["hall"]["id"] == hall["id"] for b in hall["booths"])
        assert all(r["hall"]["id"] == hall["id"] for r in hall["rooms"])
        for booth in hall["booths"]:
            assert booth["outline"]["type"] == "Polygon"
    served = (
        sum(len(h["booths"]) for h in venue["halls"]),
        sum(len(h["rooms"]) for h in venue["halls"]),
        len(venue["pointsOfInterest"]),
    )
    assert served == (len(written["booths"]), len(written["rooms"]), len(written["pois"]))
    assert served == (136, 7, 19)
    assert {p["kind"] for p in venue["pointsOfInterest"]} == POI_KINDS | {"OTHER"}


async def test_points_of_interest_filtered_by_kind(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any]
) -> None:
    data = await gql_http.data(
        "{ venue { pointsOfInterest(kinds: [FIRST_AID, PRAYER_ROOM]) { id kind } } }"
    )
    expected = await db.fetch(
        "SELECT id, kind FROM poi WHERE kind IN ('FIRST_AID', 'PRAYER_ROOM')"
        " ORDER BY kind, name_fr, id"
    )
    assert data["venue"]["pointsOfInterest"] == [dict(r) for r in expected]


async def test_venue_geojson_feature_collection(
    http: httpx.AsyncClient, db: asyncpg.Connection[Any]
) -> None:
    response = await http.get("/venue.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    by_type: dict[str, list[dict]] = {}
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        by_type.setdefault(feature["feature_type"], []).append(feature)
    counts = {t: len(f) for t, f in by_type.items()}
    assert counts == {
        "level": await db.fetchval("SELECT count(*) FROM hall"),
        "unit": await db.fetchval(
            "SELECT (SELECT count(*) FROM room) + (SELECT count(*) FROM booth)"
        ),
        "amenity": await db.fetchval("SELECT count(*) FROM poi"),
        "occupant": await db.fetchval("SELECT count(*) FROM booth WHERE exhibitor_id IS NOT NULL"),
    }
    booth = next(f for f in by_type["unit"] if f["properties"]["category"] == "booth")
    assert booth["geometry"]["type"] == "Polygon"
    occupant = by_type["occupant"][0]
    assert occupant["properties"]["anchor_id"] in {f["id"] for f in by_type["unit"]}
    again = await http.get("/venue.geojson", headers={"If-None-Match": response.headers["etag"]})
    assert (again.status_code, again.content, again.headers["etag"]) == (
        304,
        b"",
        response.headers["etag"],
    )


async def places(db: asyncpg.Connection[Any]) -> dict[str, Any]:
    """A few places to walk between, picked from the data."""
    halls = await db.fetch(
        "SELECT id FROM hall WHERE id IN (SELECT hall_id FROM booth) ORDER BY id"
    )
    first_hall, second_hall = halls[0]["id"], halls[1]["id"]
    booth_a = await db.fetchrow(
        "SELECT id, x, y FROM booth WHERE hall_id = $1 ORDER BY code LIMIT 1", first_hall
    )
    booth_a2 = await db.fetchrow(
        "SELECT id, x, y FROM booth WHERE hall_id = $1 ORDER BY code DESC LIMIT 1", first_hall
    )
    booth_b = await db.fetchrow(
        "SELECT id, x, y FROM booth WHERE hall_id = $1 ORDER BY code LIMIT 1", second_hall
    )
    room = await db.fetchrow("SELECT id, x, y FROM room WHERE x IS NOT NULL ORDER BY id LIMIT 1")
    poi = await db.fetchrow("SELECT id, x, y FROM poi WHERE kind = 'FIRST_AID' LIMIT 1")
    return {"a": booth_a, "a2": booth_a2, "b": booth_b, "room": room, "poi": poi}


ROUTE = """query($from: ID!, $to: ID!) {
  route(fromId: $from, toId: $to) { distanceMeters walkingMinutes path { x y } } }"""


@pytest.mark.parametrize(("start", "end"), [("a", "a2"), ("a", "b"), ("room", "b"), ("poi", "a")])
async def test_routes_walk_from_place_to_place(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], start: str, end: str
) -> None:
    spots = await places(db)
    origin, goal = spots[start], spots[end]
    route = (await gql_http.data(ROUTE, {"from": origin["id"], "to": goal["id"]}))["route"]
    assert route is not None
    path = route["path"]
    assert (path[0], path[-1]) == (
        {"x": origin["x"], "y": origin["y"]},
        {"x": goal["x"], "y": goal["y"]},
    )
    # never shorter than the straight line, and minutes follow from metres
    straight = math.hypot(origin["x"] - goal["x"], origin["y"] - goal["y"])
    assert route["distanceMeters"] >= straight - 0.1
    assert route["walkingMinutes"] == pytest.approx(route["distanceMeters"] / 70, abs=0.1)
    back = (await gql_http.data(ROUTE, {"from": goal["id"], "to": origin["id"]}))["route"]
    assert back["distanceMeters"] == route["distanceMeters"]


async def test_route_to_itself_is_empty(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any]
) -> None:
    booth = (await places(db))["a"]
    route = (await gql_http.data(ROUTE, {"from": booth["id"], "to": booth["id"]}))["route"]
    assert route == {
        "distanceMeters": 0,
        "walkingMinutes": 0,
        "path": [{"x": booth["x"], "y": booth["y"]}],
    }


async def test_every_place_is_reachable_from_the_entrance(db: asyncpg.Connection[Any]) -> None:
    from server.domain.routing import load_graph

    pool_like = db
    graph = await load_graph(pool_like)
    entrance = await db.fetchval("SELECT id FROM poi WHERE kind = 'ENTRANCE' ORDER BY id LIMIT 1")
    places_ = [
        r["id"]
        for r in await db.fetch(
            "SELECT id FROM booth UNION ALL SELECT id FROM room UNION ALL SELECT id FROM poi"
        )
    ]
    unreachable = [p for p in places_ if graph.shortest(entrance, p) is None]
    assert unreachable == []


@pytest.mark.parametrize(("start", "end"), [("nowhere", "a"), ("a", "nowhere"), ("sess", "a")])
async def test_unknown_places_are_not_found(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], start: str, end: str
) -> None:
    spots = await places(db)
    session_id = await db.fetchval("SELECT id FROM session LIMIT 1")
    ids = {"nowhere": "booth-zz999", "a": spots["a"]["id"], "sess": session_id}
    assert await gql_http.error_codes(ROUTE, {"from": ids[start], "to": ids[end]}) == ["NOT_FOUND"]
