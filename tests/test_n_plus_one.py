"""No N+1: a nested list costs the same statements for 1 item as for 3 (pretalx's guard)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import GraphQLClient, LiveServer

FULL_AGENDA = """query($first: Int, $f: SessionFilter) {
  sessions(first: $first, filter: $f) { nodes {
    id title startsAt endsAt
    track { id name }
    room { id name hall { id name } }
    booth { id code hall { id name } exhibitor { id name } }
    speakers { id name sessions { id } }
    exhibitor { id name booths { id code } demos { id } }
  } }
}"""


async def statements_for(live: LiveServer, run: Callable[[], Awaitable[dict[str, Any]]]) -> int:
    # Bypass the response cache: it would answer without any statement at all.
    live.app.state.graphql_view.cache.clear()
    counter = live.runtime.statements
    assert counter is not None
    before = counter.count
    body = await run()
    assert "errors" not in body, body
    return counter.count - before


@pytest.mark.parametrize(
    ("query", "variables_for"),
    [
        (FULL_AGENDA, lambda n: {"first": n}),
        (FULL_AGENDA, lambda n: {"first": n, "f": {"kinds": ["DEMO"]}}),
        (
            "query($n: Int) { exhibitors(first: $n) { nodes { id booths { id hall { id } }"
            " demos { id room { id } speakers { id } } } } }",
            lambda n: {"n": n},
        ),
        (
            "query($n: Int) { speakers(first: $n) { nodes { id sessions { id track { id }"
            " room { id hall { id } } } } } }",
            lambda n: {"n": n},
        ),
    ],
)
async def test_same_statement_count_for_one_and_three_items(
    live: LiveServer, gql_http: GraphQLClient, query: str, variables_for: Any
) -> None:
    one = await statements_for(live, lambda: gql_http(query, variables_for(1)))
    three = await statements_for(live, lambda: gql_http(query, variables_for(3)))
    assert one == three


async def test_whole_venue_costs_the_same_as_one_hall(
    live: LiveServer, gql_http: GraphQLClient
) -> None:
    query = """{ venue { halls { id booths { id exhibitor { id demos { id } } } rooms { id } }
                 pointsOfInterest { id hall { id } } } }"""
    count = await statements_for(live, lambda: gql_http(query))
    # event, halls, booths, rooms, exhibitors, demos, POIs, their halls
    assert count <= 8


async def test_full_agenda_costs_a_handful_of_statements(
    live: LiveServer, gql_http: GraphQLClient
) -> None:
    count = await statements_for(live, lambda: gql_http(FULL_AGENDA, {"first": 200}))
    # page, tracks, rooms, halls, booths, exhibitors, speaker links, speakers,
    # speakers' sessions, exhibitors' booths, demos: whatever the number of sessions
    assert count <= 12
