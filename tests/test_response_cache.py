"""Public agenda responses are cached by agenda version, and never served stale."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx

from schema.app import schema as app_schema
from schema.response_cache import CacheKey, ResponseCache, Scope
from tests.conftest import GraphQLClient, LiveServer, People, Person

AGENDA = "{ sessions(first: 200) { nodes { id title version room { name } } } }"


def cache_of(live: LiveServer) -> ResponseCache:
    cache: ResponseCache = live.app.state.graphql_view.cache
    return cache


async def test_a_repeated_query_is_answered_from_cache(
    live: LiveServer, gql_http: GraphQLClient
) -> None:
    cache_of(live).clear()
    counter = live.runtime.statements
    assert counter is not None
    first = await gql_http(AGENDA)
    before = counter.count
    second = await gql_http(AGENDA)
    assert second == first
    assert counter.count - before == 1  # only the agenda version was read


async def test_an_agenda_write_is_seen_by_the_next_query(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any]
) -> None:
    session_id = await db.fetchval("SELECT id FROM session ORDER BY id LIMIT 1")
    query = "query($id: ID!) { session(id: $id) { title } }"
    original = (await gql_http.data(query, {"id": session_id}))["session"]["title"]
    await gql_http.data(query, {"id": session_id})  # now cached
    await db.execute("UPDATE session SET title_fr = 'Titre changé' WHERE id = $1", session_id)
    try:
        assert (await gql_http.data(query, {"id": session_id}))["session"]["title"] == (
            "Titre changé"
        )
    finally:
        await db.execute("UPDATE session SET title_fr = $2 WHERE id = $1", session_id, original)
    assert (await gql_http.data(query, {"id": session_id}))["session"]["title"] == original


async def test_variables_and_language_are_part_of_the_key(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any]
) -> None:
    rows = await db.fetch(
        "SELECT id, title_fr, title_en FROM session WHERE title_en IS NOT NULL ORDER BY id LIMIT 2"
    )
    query = "query($id: ID!) { session(id: $id) { title } }"
    for row in rows:
        for header, expected in (("fr", row["title_fr"]), ("en", row["title_en"])):
            for _ in range(2):  # second time from cache
                body = await gql_http(query, {"id": row["id"]}, **{"Accept-Language": header})
                assert body["data"]["session"]["title"] == expected


async def test_errors_are_not_cached(live: LiveServer, gql_http: GraphQLClient) -> None:
    cache_of(live).clear()
    for _ in range(2):
        assert await gql_http.error_codes("{ sessions(first: -1) { totalCount } }") == [
            "BAD_USER_INPUT"
        ]
    assert len(cache_of(live)) == 0


def test_only_public_queries_are_cacheable(live: LiveServer) -> None:
    cache = cache_of(live)
    assert cache.is_cacheable("{ sessions { nodes { id } } }", None)
    assert cache.is_cacheable("query A { event { id } } query B { me { id } }", "A")
    assert not cache.is_cacheable("query A { event { id } } query B { me { id } }", "B")
    assert not cache.is_cacheable("{ me { id } }", None)
    assert not cache.is_cacheable("{ sessions { nodes { id seatsLeft } } }", None)
    assert not cache.is_cacheable("{ notices { id } }", None)
    assert not cache.is_cacheable(
        "query { ...F } fragment F on Query { exhibitors { nodes { viewerFollows } } }", None
    )
    assert not cache.is_cacheable("mutation { signOut }", None)
    assert not cache.is_cacheable("subscription { notices { id } }", None)
    assert not cache.is_cacheable("{ broken", None)


async def test_cached_responses_are_gzipped_and_carry_an_etag(http: httpx.AsyncClient) -> None:
    payload = {"query": AGENDA}
    plain = await http.post("/graphql", json=payload, headers={"Accept-Encoding": "identity"})
    zipped = await http.post("/graphql", json=payload, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert zipped.json() == plain.json()
    assert zipped.headers["etag"] == plain.headers["etag"].removesuffix('"') + '-gzip"'


async def test_concurrent_misses_run_the_query_once(
    live: LiveServer, gql_http: GraphQLClient
) -> None:
    cache_of(live).clear()
    counter = live.runtime.statements
    assert counter is not None
    before = counter.count
    bodies = await asyncio.gather(*(gql_http(AGENDA) for _ in range(8)))
    assert all(b == bodies[0] for b in bodies)
    page_queries = [q for q in counter.statements[before:] if q.lstrip().startswith("WITH")]
    assert len(page_queries) == 1


async def test_get_with_matching_etag_is_304(http: httpx.AsyncClient) -> None:
    params = {"query": AGENDA}
    first = await http.get("/graphql", params=params)
    assert first.status_code == 200
    again = await http.get(
        "/graphql", params=params, headers={"If-None-Match": first.headers["etag"]}
    )
    assert (again.status_code, again.content) == (304, b"")


SCHEDULE = "{ me { schedule { sessions { id viewerRegistration } } followedExhibitors { id } } }"


async def test_personal_queries_are_cached_per_viewer_and_follow_every_change(
    live: LiveServer, gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    alice, bob, organiser = await people.make(), await people.make(), await people.make("ORGANISER")
    counter = live.runtime.statements
    assert counter is not None
    talk = await db.fetchval(
        "SELECT id FROM session WHERE capacity IS NULL AND status = 'SCHEDULED' ORDER BY id LIMIT 1"
    )
    workshop = await db.fetchrow(
        """SELECT id, capacity FROM session s WHERE capacity <= 30 AND status = 'SCHEDULED'
             AND NOT EXISTS (SELECT 1 FROM registration r WHERE r.session_id = s.id)
           ORDER BY capacity, id LIMIT 1"""
    )

    async def schedule_of(person: Person) -> dict[str, Any]:
        return await gql_http.data(SCHEDULE, as_=person)

    assert await schedule_of(alice) == {
        "me": {"schedule": {"sessions": []}, "followedExhibitors": []}
    }
    before = counter.count
    await schedule_of(alice)
    assert counter.count - before == 2  # the token and the agenda version: a cache hit

    # her bookmark shows at once, and never in bob's answer
    await gql_http.data(
        "mutation($s: ID!) { bookmarkSession(sessionId: $s) { id } }", {"s": talk}, as_=alice
    )
    assert (await schedule_of(alice))["me"]["schedule"]["sessions"] == [
        {"id": talk, "viewerRegistration": None}
    ]
    assert (await schedule_of(bob))["me"]["schedule"]["sessions"] == []

    # a seat freed by somebody else promotes her: her cached schedule must not survive it
    seated = await people.many(workshop["capacity"])
    register = "mutation($s: ID!) { registerForSession(sessionId: $s) { status } }"
    try:
        for person in seated:
            await gql_http.data(register, {"s": workshop["id"]}, as_=person)
        await gql_http.data(register, {"s": workshop["id"]}, as_=alice)
        mine = {s["id"]: s for s in (await schedule_of(alice))["me"]["schedule"]["sessions"]}
        assert mine[workshop["id"]]["viewerRegistration"] == "WAITLISTED"
        await gql_http.data(
            "mutation($s: ID!) { cancelRegistration(sessionId: $s) }",
            {"s": workshop["id"]},
            as_=seated[0],
        )
        mine = {s["id"]: s for s in (await schedule_of(alice))["me"]["schedule"]["sessions"]}
        assert mine[workshop["id"]]["viewerRegistration"] == "REGISTERED"
    finally:
        await db.execute("DELETE FROM registration WHERE session_id = $1", workshop["id"])

    # an agenda change by an organiser shows too
    query = "query($s: ID!) { session(id: $s) { title viewerHasBookmarked } }"
    assert (await gql_http.data(query, {"s": talk}, as_=alice))["session"][
        "viewerHasBookmarked"
    ] is True
    original = await db.fetchval("SELECT title_fr FROM session WHERE id = $1", talk)
    await gql_http.data(
        'mutation($s: ID!) { updateSession(id: $s, input: {title: "Nouveau titre"}) { id } }',
        {"s": talk},
        as_=organiser,
    )
    try:
        assert await gql_http.data(query, {"s": talk}, as_=alice) == {
            "session": {"title": "Nouveau titre", "viewerHasBookmarked": True}
        }
    finally:
        await db.execute(
            "UPDATE session SET title_fr = $2, status = 'SCHEDULED' WHERE id = $1", talk, original
        )


def test_volatile_fields_are_never_cached(live: LiveServer) -> None:
    cache = cache_of(live)
    assert cache.scope("{ me { id } }", None) is Scope.VIEWER
    assert cache.scope("{ sessions { nodes { viewerHasBookmarked } } }", None) is Scope.VIEWER
    assert cache.scope("{ event { id } }", None) is Scope.EVERYONE
    assert cache.scope("{ me { id } notices { id } }", None) is None
    assert cache.scope("{ sessions { nodes { seatsLeft } } }", None) is None


def test_the_cache_is_bounded_by_bytes_and_keeps_no_outsized_response() -> None:
    cache = ResponseCache(app_schema._schema, max_entries=1_000, max_bytes=20_000)
    keys = [
        CacheKey(version=1, query=f"{{ q{i} }}", operation_name=None, variables=b"{}", lang="fr")
        for i in range(30)
    ]
    for key in keys:
        cache.put(key, b"x" * 1_000)
    assert cache.size_in_bytes <= 20_000
    assert (cache.get(keys[0]), cache.get(keys[-1]) is not None) == (None, True)  # oldest out
    big = CacheKey(version=1, query="{ big }", operation_name=None, variables=b"{}", lang="fr")
    cache.put(big, b"x" * 5_000)  # more than an eighth of the budget: served, not kept
    assert cache.get(big) is None
