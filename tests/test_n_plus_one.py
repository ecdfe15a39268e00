"""No N+1: the same query over 1 and over 3 items costs the same statements (pretalx)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest

from tests.conftest import GraphQLClient, LiveServer

SESSION_SELECTION = """id title startsAt endsAt
    track { id name }
    room { id name hall { id name } }
    booth { id code hall { id name } exhibitor { id name } }
    speakers { id name sessions { id } }
    exhibitor { id name booths { id code } demos { id } }"""

FULL_AGENDA = f"""query($first: Int) {{
  sessions(first: $first) {{ nodes {{ {SESSION_SELECTION} }} }} }}"""


async def statements_for(live: LiveServer, run: Callable[[], Awaitable[dict[str, Any]]]) -> int:
    # Empty the response cache: a hit would answer without any statement at all.
    live.app.state.graphql_view.cache.clear()
    counter = live.runtime.statements
    assert counter is not None
    before = counter.count
    body = await run()
    assert "errors" not in body, body
    return counter.count - before


def aliased(field: str, selection: str, ids: list[str]) -> str:
    """One document asking for each id under its own alias."""
    parts = [f'n{i}: {field}(id: "{item}") {{ {selection} }}' for i, item in enumerate(ids)]
    return "{ " + " ".join(parts) + " }"


# (field, selection, SQL picking three alike ids: every nested field is populated)
CASES = {
    "talks": (
        "session",
        SESSION_SELECTION,
        "SELECT id FROM session s WHERE track_id IS NOT NULL AND room_id IS NOT NULL"
        " AND EXISTS (SELECT 1 FROM session_speaker ss WHERE ss.session_id = s.id)",
    ),
    "demos": (
        "session",
        SESSION_SELECTION,
        "SELECT id FROM session s WHERE kind = 'DEMO' AND track_id IS NOT NULL"
        " AND EXISTS (SELECT 1 FROM session_speaker ss WHERE ss.session_id = s.id)",
    ),
    "exhibitors": (
        "exhibitor",
        "id booths { id hall { id } } demos { id booth { code } }",
        "SELECT DISTINCT exhibitor_id FROM session WHERE kind = 'DEMO'",
    ),
    "speakers": (
        "speaker",
        "id sessions { id track { id } room { id hall { id } } }",
        "SELECT id FROM speaker p WHERE EXISTS (SELECT 1 FROM session_speaker ss"
        " JOIN session s ON s.id = ss.session_id WHERE ss.speaker_id = p.id"
        " AND s.room_id IS NOT NULL AND s.track_id IS NOT NULL)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_same_statement_count_for_one_and_three_items(
    live: LiveServer, gql_http: GraphQLClient, db: asyncpg.Connection[Any], case: str
) -> None:
    field, selection, pick = CASES[case]
    ids = [r[0] for r in await db.fetch(f"{pick} ORDER BY 1 LIMIT 3")]
    assert len(ids) == 3
    one = await statements_for(live, lambda: gql_http(aliased(field, selection, ids[:1])))
    three = await statements_for(live, lambda: gql_http(aliased(field, selection, ids)))
    assert one == three


async def test_agenda_pages_of_1_and_3_cost_the_same(
    live: LiveServer, gql_http: GraphQLClient
) -> None:
    query = (
        "query($n: Int) { sessions(first: $n, filter: {kinds: [PANEL]}) { nodes {"
        " id track { id } room { id hall { id } } speakers { id } } } }"
    )
    one = await statements_for(live, lambda: gql_http(query, {"n": 1}))
    three = await statements_for(live, lambda: gql_http(query, {"n": 3}))
    # agenda version (for the cache key), page, tracks, rooms, halls, speaker links, speakers
    assert one == three == 7


async def test_full_agenda_costs_a_handful_of_statements(
    live: LiveServer, gql_http: GraphQLClient
) -> None:
    count = await statements_for(live, lambda: gql_http(FULL_AGENDA, {"first": 200}))
    # the agenda version, then one per kind of row: page, tracks, rooms, halls, booths,
    # exhibitors, speaker links, speakers, speakers' sessions, exhibitors' booths, demos
    assert count <= 13


async def test_whole_venue_costs_one_statement_per_kind(
    live: LiveServer, gql_http: GraphQLClient
) -> None:
    query = """{ venue { halls { id booths { id exhibitor { id demos { id } } } rooms { id } }
                 pointsOfInterest { id hall { id } } } }"""
    count = await statements_for(live, lambda: gql_http(query))
    # agenda version, event, halls, booths, rooms, exhibitors, demos, POIs, the POIs' halls
    assert count <= 9
