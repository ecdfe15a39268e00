"""Other sites may read the public API (the embeddable agenda does) and nothing more:
cross-origin pages get GET queries only, with no credentials and no Authorization
header. A JSON POST from another site (a mutation: a sign-in code, a badge guess made
from a visitor's browser) is refused at the preflight, as before the app existed."""

from __future__ import annotations

import httpx

ORIGIN = "https://www.sistep.example"


async def preflight(http: httpx.AsyncClient, method: str, request_headers: str) -> httpx.Response:
    """The browser's question before a cross-origin request that sends `request_headers`."""
    return await http.options(
        "/graphql",
        headers={
            "origin": ORIGIN,
            "access-control-request-method": method,
            "access-control-request-headers": request_headers,
        },
    )


async def test_a_preflight_for_a_json_post_is_refused(http: httpx.AsyncClient) -> None:
    response = await preflight(http, "POST", "content-type")
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers or (
        "POST" not in response.headers.get("access-control-allow-methods", "")
    )


async def test_a_preflight_asking_for_authorization_is_refused(http: httpx.AsyncClient) -> None:
    response = await preflight(http, "GET", "authorization")
    assert response.status_code == 400
    assert "authorization" not in response.headers.get("access-control-allow-headers", "").lower()


async def test_a_cross_origin_get_query_is_readable(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/graphql", params={"query": "{ event { city } }"}, headers={"origin": ORIGIN}
    )
    assert response.json() == {"data": {"event": {"city": "Casablanca"}}}
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


async def test_a_mutation_over_get_changes_nothing(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/graphql",
        params={"query": 'mutation { requestSignInCode(email: "a@b.example") }'},
        headers={"origin": ORIGIN},
    )
    assert (response.status_code, response.text) == (405, "Mutations are sent with POST.")


async def test_same_origin_calls_get_no_cors_headers(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ event { city } }"})
    assert "access-control-allow-origin" not in response.headers
