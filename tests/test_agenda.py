"""The agenda over GraphQL: event, sessions with every filter, pages, languages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import pytest

from tests.conftest import GraphQLClient
from tests.fair_data import demo_file

SESSION_FIELDS = "id kind startsAt endsAt status title room { id } track { id } exhibitor { id }"


async def all_sessions(gql: GraphQLClient, filter_: dict[str, Any] | None = None) -> list[dict]:
    """Every session matching `filter_`, following the pages to the end."""
    nodes: list[dict] = []
    after = None
    while True:
        data = await gql.data(
            f"""query($f: SessionFilter, $after: String) {{
                  sessions(filter: $f, first: 200, after: $after) {{
                    nodes {{ {SESSION_FIELDS} }} pageInfo {{ hasNextPage endCursor }} totalCount
                  }} }}""",
            {"f": filter_, "after": after},
        )
        page = data["sessions"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(nodes)
            return nodes
        after = page["pageInfo"]["endCursor"]


async def db_ids(db: asyncpg.Connection[Any], where: str, *args: object) -> list[str]:
    rows = await db.fetch(f"SELECT id FROM session s WHERE {where} ORDER BY starts_at, id", *args)
    return [r["id"] for r in rows]


async def test_event_is_sistep_2026(gql_http: GraphQLClient) -> None:
    data = await gql_http.data(
        "{ event { id name nameEn: name(lang: EN) edition startsOn endsOn timezone venueName"
        " city days tracks { id } } }"
    )
    written = demo_file("event.json")
    assert data["event"] == {
        "id": written["id"],
        "name": written["name_fr"],
        "nameEn": written["name_en"],
        "edition": 13,
        "startsOn": "2026-12-03",
        "endsOn": "2026-12-06",
        "timezone": "Africa/Casablanca",
        "venueName": written["venue_name"],
        "city": "Casablanca",
        "days": ["2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06"],
        "tracks": [{"id": track["id"]} for track in demo_file("tracks.json")],
    }
    assert written["name_fr"].startswith("SISTEP INDUSTRIEL 2026 — ")


async def test_unfiltered_agenda_equals_the_database_in_time_order(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any]
) -> None:
    sessions = await all_sessions(gql_http)
    assert [s["id"] for s in sessions] == await db_ids(db, "true")
    starts = [datetime.fromisoformat(s["startsAt"]) for s in sessions]
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    ("filter_", "where"),
    [
        (
            {"day": "2026-12-04"},
            # Midnight to midnight on the fair's clocks: UTC+00 since 2026-09-20.
            "starts_at >= '2026-12-04T00:00Z' AND starts_at < '2026-12-05T00:00Z'",
        ),
        ({"kinds": ["DEMO"]}, "kind = 'DEMO'"),
        ({"kinds": ["KEYNOTE", "PANEL"]}, "kind IN ('KEYNOTE', 'PANEL')"),
        (
            {"happeningAt": "2026-12-03T11:15:00+01:00"},  # any offset names an instant
            "starts_at <= '2026-12-03T10:15Z' AND ends_at > '2026-12-03T10:15Z'",
        ),
        ({"startsAfter": "2026-12-06T12:00:00+01:00"}, "starts_at >= '2026-12-06T12:00+01'"),
        (
            {"day": "2026-12-05", "kinds": ["WORKSHOP"]},
            "starts_at >= '2026-12-05T00:00Z' AND starts_at < '2026-12-06T00:00Z'"
            " AND kind = 'WORKSHOP'",
        ),
    ],
)
async def test_filters_match_the_database(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], filter_: dict, where: str
) -> None:
    expected = await db_ids(db, where)
    assert expected, "the demo fair should have sessions for this filter"
    assert [s["id"] for s in await all_sessions(gql_http, filter_)] == expected


async def test_filter_by_track_room_speaker_and_exhibitor(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any]
) -> None:
    track, room = await db.fetchrow(
        "SELECT track_id, room_id FROM session WHERE track_id IS NOT NULL AND room_id IS NOT NULL"
        " ORDER BY id LIMIT 1"
    )
    speaker = await db.fetchval("SELECT speaker_id FROM session_speaker ORDER BY 1 LIMIT 1")
    exhibitor = await db.fetchval(
        "SELECT exhibitor_id FROM session WHERE kind = 'DEMO' ORDER BY id LIMIT 1"
    )
    cases = [
        ({"trackIds": [track]}, await db_ids(db, "track_id = $1", track)),
        ({"roomId": room}, await db_ids(db, "room_id = $1", room)),
        ({"exhibitorId": exhibitor}, await db_ids(db, "exhibitor_id = $1", exhibitor)),
        (
            {"speakerId": speaker},
            await db_ids(
                db, "id IN (SELECT session_id FROM session_speaker WHERE speaker_id = $1)", speaker
            ),
        ),
        (
            {"trackIds": [track], "roomId": room},
            await db_ids(db, "track_id = $1 AND room_id = $2", track, room),
        ),
    ]
    for filter_, expected in cases:
        assert expected
        assert [s["id"] for s in await all_sessions(gql_http, filter_)] == expected, filter_


async def test_search_filter_and_cancelled_sessions(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any]
) -> None:
    found = await all_sessions(gql_http, {"search": "soudage"})
    assert found
    cancelled_id = found[0]["id"]
    await db.execute("UPDATE session SET status = 'CANCELLED' WHERE id = $1", cancelled_id)
    try:
        with_cancelled = await all_sessions(gql_http, {"search": "soudage"})
        without = await all_sessions(gql_http, {"search": "soudage", "includeCancelled": False})
        assert [s["id"] for s in with_cancelled] == [s["id"] for s in found]
        assert [s["id"] for s in without] == [s["id"] for s in found if s["id"] != cancelled_id]
    finally:
        await db.execute("UPDATE session SET status = 'SCHEDULED' WHERE id = $1", cancelled_id)


async def test_pages_walk_the_whole_list_without_gap_or_repeat(
    gql_http: GraphQLClient,
) -> None:
    everything = [s["id"] for s in await all_sessions(gql_http)]
    walked: list[str] = []
    after = None
    while True:
        page = (
            await gql_http.data(
                "query($a: String) { sessions(first: 7, after: $a) { nodes { id } totalCount"
                " pageInfo { hasNextPage endCursor } } }",
                {"a": after},
            )
        )["sessions"]
        assert page["totalCount"] == len(everything)
        walked += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert walked == everything


async def test_page_edges(gql_http: GraphQLClient, db: asyncpg.Connection[Any]) -> None:
    empty = (
        await gql_http.data(
            "{ sessions(first: 0) { nodes { id } totalCount pageInfo { hasNextPage endCursor } } }"
        )
    )["sessions"]
    assert empty["nodes"] == []
    assert empty["totalCount"] == await db.fetchval("SELECT count(*) FROM session")
    assert empty["pageInfo"] == {"hasNextPage": True, "endCursor": None}
    nothing = (
        await gql_http.data(
            '{ sessions(filter: {day: "2027-01-01"}) { nodes { id } totalCount'
            " pageInfo { hasNextPage endCursor } } }"
        )
    )["sessions"]
    assert nothing == {
        "nodes": [],
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }
    full = await gql_http.data("{ sessions(first: 200) { totalCount pageInfo { endCursor } } }")
    last_cursor = full["sessions"]["pageInfo"]["endCursor"]
    after_last = (
        await gql_http.data(
            "query($a: String) { sessions(after: $a) { nodes { id } pageInfo { hasNextPage } } }",
            {"a": last_cursor},
        )
    )["sessions"]
    if full["sessions"]["totalCount"] <= 200:
        assert after_last == {"nodes": [], "pageInfo": {"hasNextPage": False}}


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ sessions(first: 201) { totalCount } }", None),
        ("{ sessions(first: -1) { totalCount } }", None),
        ('{ sessions(after: "not a cursor") { totalCount } }', None),
        ('{ sessions(after: "WyJ4IiwieSJd") { totalCount } }', None),  # ["x","y"]: bad date
        ("{ exhibitors(first: 500) { totalCount } }", None),
        ('{ speakers(after: "%%%") { totalCount } }', None),
        ('{ sessions(filter: {day: "3 décembre"}) { totalCount } }', None),
        ('{ sessions(filter: {happeningAt: "tomorrow"}) { totalCount } }', None),
        ("{ sessions(filter: {kinds: [PARTY]}) { totalCount } }", None),
        (
            "query($f: SessionFilter) { sessions(filter: $f) { totalCount } }",
            {"f": {"startsAfter": "2026-13-45T99:00"}},
        ),
        ('{ exhibitors(filter: {countries: ["Maroc"]}) { totalCount } }', None),
        (f'{{ sessions(filter: {{search: "{"x" * 201}"}}) {{ totalCount }} }}', None),
    ],
)
async def test_bad_input_is_refused_with_bad_user_input(
    gql_http: GraphQLClient, query: str, variables: dict | None
) -> None:
    assert await gql_http.error_codes(query, variables) == ["BAD_USER_INPUT"]


async def test_unknown_ids_are_null(gql_http: GraphQLClient) -> None:
    data = await gql_http.data(
        '{ session(id: "nope") { id } speaker(id: "nope") { id } exhibitor(id: "nope") { id } }'
    )
    assert data == {"session": None, "speaker": None, "exhibitor": None}


async def test_session_details_and_nested_fields(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any]
) -> None:
    row = await db.fetchrow(
        "SELECT s.*, r.name AS room_name, h.name AS hall_name FROM session s"
        " JOIN room r ON r.id = s.room_id JOIN hall h ON h.id = r.hall_id"
        " WHERE s.kind = 'PANEL' ORDER BY s.id LIMIT 1"
    )
    speakers = await db.fetch(
        "SELECT p.name FROM session_speaker ss JOIN speaker p ON p.id = ss.speaker_id"
        " WHERE ss.session_id = $1 ORDER BY ss.position",
        row["id"],
    )
    data = await gql_http.data(
        """query($id: ID!) { session(id: $id) { id kind title abstract status version capacity
             room { name hall { name } } booth { id } speakers { name } } }""",
        {"id": row["id"]},
    )
    assert data["session"] == {
        "id": row["id"],
        "kind": "PANEL",
        "title": row["title_fr"],
        "abstract": row["abstract_fr"],
        "status": "SCHEDULED",
        "version": 1,
        "capacity": row["capacity"],
        "room": {"name": row["room_name"], "hall": {"name": row["hall_name"]}},
        "booth": None,
        "speakers": [{"name": s["name"]} for s in speakers],
    }


async def test_languages_fall_back_to_french(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any]
) -> None:
    translated = await db.fetchrow(
        "SELECT id, title_fr, title_en FROM session WHERE title_en IS NOT NULL ORDER BY id LIMIT 1"
    )
    untranslated = await db.fetchrow(
        "SELECT id, title_fr FROM session WHERE title_en IS NULL ORDER BY id LIMIT 1"
    )
    query = "query($id: ID!) { session(id: $id) { fr: title en: title(lang: EN) plain: title } }"
    got = await gql_http.data(query, {"id": translated["id"]})
    assert got["session"] == {
        "fr": translated["title_fr"],
        "en": translated["title_en"],
        "plain": translated["title_fr"],
    }
    got = await gql_http.data(query, {"id": untranslated["id"]})
    assert got["session"] == {
        "fr": untranslated["title_fr"],
        "en": untranslated["title_fr"],
        "plain": untranslated["title_fr"],
    }


async def test_accept_language_sets_the_default_language(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any]
) -> None:
    row = await db.fetchrow(
        "SELECT id, title_fr, title_en FROM session WHERE title_en IS NOT NULL ORDER BY id LIMIT 1"
    )
    query = "query($id: ID!) { session(id: $id) { title fr: title(lang: FR) } }"
    english = await gql_http(query, {"id": row["id"]}, **{"Accept-Language": "en-GB,en;q=0.9"})
    french = await gql_http(query, {"id": row["id"]}, **{"Accept-Language": "fr-MA,fr;q=0.9"})
    assert english["data"]["session"] == {"title": row["title_en"], "fr": row["title_fr"]}
    assert french["data"]["session"] == {"title": row["title_fr"], "fr": row["title_fr"]}
