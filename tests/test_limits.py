"""Abusive documents are refused with a clear error, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import GraphQLClient, LiveServer
from tests.live_client import live_client

DEEP = (
    "{ sessions { nodes { speakers { sessions { speakers { sessions { speakers { sessions {"
    " speakers { sessions { speakers { id } } } } } } } } } } } }"
)


@pytest.mark.parametrize(
    ("query", "message_part"),
    [
        (DEEP, "exceeds maximum operation depth"),
        ("{ " + " ".join(f"a{i}: event {{ id }}" for i in range(31)) + " }", "aliases"),
        ("{ event { " + "id " * 2100 + "} }", "token"),
    ],
)
async def test_limits_refuse_with_bad_user_input(
    gql_http: GraphQLClient, query: str, message_part: str
) -> None:
    body = await gql_http(query)
    assert body.get("data") is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert message_part in body["errors"][0]["message"].lower()


async def test_mutations_over_get_are_refused(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", params={"query": "mutation { signOut }"})
    assert (response.status_code, response.headers["allow"]) == (405, "POST")


# --- cost: computed before anything runs -----------------------------------------------

NESTED = "{sessions(first:200){nodes{speakers{sessions{speakers{sessions{id}}}}}}}"
AGENDA = """{ sessions(first: 200) { nodes { id title startsAt endsAt kind
  track { id name } room { id name hall { name } } speakers { id name organisation } } } }"""


async def test_a_small_query_nesting_lists_is_refused_with_its_cost(
    gql_http: GraphQLClient, live: LiveServer
) -> None:
    body = await gql_http(NESTED)
    [error] = body["errors"]
    assert (body["data"], error["extensions"]) == (
        None,
        {"code": "BAD_USER_INPUT", "cost": 16_442_400, "maxCost": 100_000},
    )
    # 200 sessions × (the page + 10 speakers × (1 + 20 sessions × (1 + 10 × (1 + 20 × 2))))
    assert 200 * (1 + (1 + 10 * (1 + 20 * (1 + 10 * (1 + 20 * 2))))) == 16_442_400
    assert "could cost 16442400 (at most 100000)" in error["message"]


async def test_a_page_size_given_by_a_variable_is_costed_with_its_value(
    gql_http: GraphQLClient,
) -> None:
    query = """query($n: Int) { sessions(first: $n) {
                 nodes { speakers { sessions { speakers { id } } } } } }"""
    per_session = 1 + (1 + 10 * (1 + 20 * (1 + 10 * 2)))  # a node's share of the page
    await gql_http.data(query, {"n": 1})
    costs = []
    for variables in ({"n": 200}, {}):  # {}: the default page of `sessions`, 50
        body = await gql_http(query, variables)
        costs.append((body["data"], body["errors"][0]["extensions"]["cost"]))
    assert costs == [(None, 200 * per_session), (None, 50 * per_session)]


async def test_the_whole_agenda_is_well_within_the_cost_limit(gql_http: GraphQLClient) -> None:
    data = await gql_http.data(AGENDA)
    assert len(data["sessions"]["nodes"]) > 100


async def test_the_cost_limit_holds_over_websockets_too(live: LiveServer) -> None:
    async with live_client(live.ws_url) as ws:
        operation = await ws.subscribe(NESTED)
        message = await ws.message()
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert (message["id"], [e["extensions"]["code"] for e in errors]) == (
        operation,
        ["BAD_USER_INPUT"],
    )


# --- sizes: bodies, documents, cache keys -----------------------------------------------


async def test_a_body_over_the_limit_is_413_before_it_is_read(http: httpx.AsyncClient) -> None:
    big = b'{"query": "{ event { id } }", "variables": {"x": "' + b"a" * 300_000 + b'"}}'
    declared = await http.post(
        "/graphql", content=big, headers={"content-type": "application/json"}
    )

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
        for start in range(0, len(big), 65_536):
            yield big[start : start + 65_536]

    chunked = await http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    for response in (declared, chunked):
        assert (response.status_code, response.json()["errors"][0]["extensions"]) == (
            413,
            {"code": "BAD_USER_INPUT"},
        )


async def test_a_huge_document_is_refused_before_it_is_parsed(gql_http: GraphQLClient) -> None:
    document = "{ event { id } }" + " " * 40_000
    body = await gql_http(document)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert "at most 32768" in body["errors"][0]["message"]


async def test_large_documents_and_variables_are_never_kept_as_cache_keys(
    gql_http: GraphQLClient, live: LiveServer
) -> None:
    view = live.app.state.graphql_view
    prepared, cache = view.http.runner._prepared, view.cache
    padded = "{ event { id } }" + " " * 20_000  # allowed, but too big to remember
    by_id = "query($x: ID!) { session(id: $x) { id } }"
    await gql_http.data(by_id, {"x": "ses-001"})  # a small document, remembered once
    kept = (prepared.cache_info().currsize, len(cache), cache.size_in_bytes)
    for i in range(40):
        await gql_http.data(padded + "#" + str(i))
        await gql_http.data(
            "query($x: ID!) { session(id: $x) { id } }", {"x": f"{i}" + "v" * 100_000}
        )
    assert (prepared.cache_info().currsize, len(cache), cache.size_in_bytes) == kept
