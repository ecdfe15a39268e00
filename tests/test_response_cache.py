"""Public agenda responses are cached by agenda version, and never served stale."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx

from schema.response_cache import ResponseCache
from tests.conftest import GraphQLClient, LiveServer

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
