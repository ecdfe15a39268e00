"""Abusive documents are refused with a clear error, never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import GraphQLClient

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


async def test_malformed_requests_are_400_not_500(http: httpx.AsyncClient) -> None:
    for content, kind in ((b"{not json", "application/json"), (b"query=x", "text/plain")):
        response = await http.post("/graphql", content=content, headers={"content-type": kind})
        assert response.status_code == 400
    response = await http.post("/graphql", json={"query": 42})
    assert response.status_code == 400


async def test_mutations_over_get_are_refused(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", params={"query": "mutation { signOut }"})
    assert response.status_code in (400, 405)
