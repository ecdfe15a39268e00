"""Other sites may read the public API (the embeddable agenda does), never as anyone:
no credentials, and no Authorization header across origins."""

from __future__ import annotations

import httpx

ORIGIN = "https://www.sistep.example"


async def preflight(http: httpx.AsyncClient, request_headers: str) -> httpx.Response:
    """The browser's question before a cross-origin POST that sends `request_headers`."""
    return await http.options(
        "/graphql",
        headers={
            "origin": ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": request_headers,
        },
    )


async def test_a_preflight_for_a_json_post_is_allowed(http: httpx.AsyncClient) -> None:
    response = await preflight(http, "content-type")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


async def test_a_preflight_asking_for_authorization_is_refused(http: httpx.AsyncClient) -> None:
    response = await preflight(http, "authorization, content-type")
    assert response.status_code == 400
    assert "access-control-allow-headers" not in response.headers or (
        "authorization" not in response.headers["access-control-allow-headers"].lower()
    )


async def test_a_cross_origin_query_is_readable(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", json={"query": "{ event { city } }"}, headers={"origin": ORIGIN}
    )
    assert response.json() == {"data": {"event": {"city": "Casablanca"}}}
    assert response.headers["access-control-allow-origin"] == "*"


async def test_same_origin_calls_get_no_cors_headers(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ event { city } }"})
    assert "access-control-allow-origin" not in response.headers
