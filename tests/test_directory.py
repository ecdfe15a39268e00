"""Exhibitors and speakers: filters, pages, nested booths and demos, languages."""

from __future__ import annotations

from collections import Counter
from typing import Any

import asyncpg

from tests.conftest import GraphQLClient
from tests.fair_data import demo_file, demo_sessions

EXHIBITORS = """query($f: ExhibitorFilter, $after: String) {
  exhibitors(filter: $f, first: 200, after: $after) {
    totalCount nodes { id name country sectors } pageInfo { hasNextPage endCursor } } }"""


async def exhibitor_ids(gql: GraphQLClient, filter_: dict[str, Any] | None) -> list[str]:
    page = (await gql.data(EXHIBITORS, {"f": filter_}))["exhibitors"]
    assert not page["pageInfo"]["hasNextPage"]
    assert page["totalCount"] == len(page["nodes"])
    return [n["id"] for n in page["nodes"]]


async def test_exhibitor_filters_match_the_database(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any]
) -> None:
    hall = await db.fetchval("SELECT hall_id FROM booth ORDER BY code LIMIT 1")

    async def ids(where: str, *args: object) -> list[str]:
        rows = await db.fetch(f"SELECT id FROM exhibitor e WHERE {where} ORDER BY name, id", *args)
        return [r["id"] for r in rows]

    cases = [
        (None, await ids("true")),
        ({"countries": ["SN", "ci"]}, await ids("country IN ('SN', 'CI')")),
        ({"sectors": ["metallurgy"]}, await ids("'metallurgy' = ANY(sectors)")),
        (
            {"sectors": ["startup", "industrial-safety"]},
            await ids("sectors && ARRAY['startup', 'industrial-safety']"),
        ),
        (
            {"hallId": hall},
            await ids(
                "EXISTS (SELECT 1 FROM booth b WHERE b.exhibitor_id = e.id AND b.hall_id = $1)",
                hall,
            ),
        ),
        (
            {"countries": ["MA"], "sectors": ["mechanics"]},
            await ids("country = 'MA' AND 'mechanics' = ANY(sectors)"),
        ),
    ]
    for filter_, expected in cases:
        assert expected, filter_
        assert await exhibitor_ids(gql_http, filter_) == expected, filter_


async def test_demo_fair_is_big_enough(gql_http: GraphQLClient) -> None:
    page = (await gql_http.data(EXHIBITORS, {"f": None}))["exhibitors"]
    written = demo_file("exhibitors.json")
    countries = {e["country"] for e in written}
    assert (page["totalCount"], len(written)) == (130, 130)
    assert ({n["country"] for n in page["nodes"]}, len(countries)) == (countries, 15)
    agenda = await gql_http.data(
        "{ talks: sessions(filter: {kinds: [KEYNOTE, CONFERENCE, PANEL, WORKSHOP]}) { totalCount }"
        "  demos: sessions(filter: {kinds: [DEMO]}) { totalCount } }"
    )
    kinds = Counter(s["kind"] for s in demo_sessions())
    talks = sum(kinds[k] for k in ("KEYNOTE", "CONFERENCE", "PANEL", "WORKSHOP"))
    assert (agenda["talks"]["totalCount"], talks) == (76, 76)
    assert (agenda["demos"]["totalCount"], kinds["DEMO"]) == (48, 48)


async def test_exhibitor_details(gql_http: GraphQLClient, db: asyncpg.Connection[Any]) -> None:
    exhibitor_id = await db.fetchval(
        "SELECT exhibitor_id FROM session WHERE kind = 'DEMO' ORDER BY id LIMIT 1"
    )
    row = await db.fetchrow("SELECT * FROM exhibitor WHERE id = $1", exhibitor_id)
    booths = await db.fetch(
        "SELECT code FROM booth WHERE exhibitor_id = $1 ORDER BY code", exhibitor_id
    )
    demos = await db.fetch(
        "SELECT id FROM session WHERE exhibitor_id = $1 AND kind = 'DEMO' ORDER BY starts_at, id",
        exhibitor_id,
    )
    data = await gql_http.data(
        """query($id: ID!) { exhibitor(id: $id) { id name country sectors website
             description en: description(lang: EN) booths { code } demos { id kind } } }""",
        {"id": exhibitor_id},
    )
    assert data["exhibitor"] == {
        "id": exhibitor_id,
        "name": row["name"],
        "country": row["country"],
        "sectors": row["sectors"],
        "website": row["website"],
        "description": row["description_fr"],
        "en": row["description_en"] or row["description_fr"],
        "booths": [{"code": b["code"]} for b in booths],
        "demos": [{"id": d["id"], "kind": "DEMO"} for d in demos],
    }


async def test_speakers_pages_search_and_sessions(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any]
) -> None:
    everyone = [r["id"] for r in await db.fetch("SELECT id FROM speaker ORDER BY name, id")]
    walked: list[str] = []
    after = None
    while True:
        page = (
            await gql_http.data(
                "query($a: String) { speakers(first: 10, after: $a) { totalCount nodes { id }"
                " pageInfo { hasNextPage endCursor } } }",
                {"a": after},
            )
        )["speakers"]
        assert page["totalCount"] == len(everyone)
        walked += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert walked == everyone

    speaker = await db.fetchrow(
        "SELECT p.* FROM speaker p WHERE EXISTS (SELECT 1 FROM session_speaker ss"
        " WHERE ss.speaker_id = p.id) ORDER BY id LIMIT 1"
    )
    found = (
        await gql_http.data(
            "query($s: String) { speakers(search: $s) { nodes { id } } }", {"s": speaker["name"]}
        )
    )["speakers"]["nodes"]
    assert [n["id"] for n in found] == [speaker["id"]]
    sessions = await db.fetch(
        "SELECT s.id FROM session s JOIN session_speaker ss ON ss.session_id = s.id"
        " WHERE ss.speaker_id = $1 ORDER BY s.starts_at, s.id",
        speaker["id"],
    )
    data = await gql_http.data(
        "query($id: ID!) { speaker(id: $id) { name organisation jobTitle bio"
        " bioEn: bio(lang: EN) sessions { id } } }",
        {"id": speaker["id"]},
    )
    assert data["speaker"] == {
        "name": speaker["name"],
        "organisation": speaker["organisation"],
        "jobTitle": speaker["job_title"],
        "bio": speaker["bio_fr"],
        "bioEn": speaker["bio_en"] or speaker["bio_fr"],
        "sessions": [{"id": s["id"]} for s in sessions],
    }
