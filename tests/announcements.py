"""Announcements sent over HTTP as an organiser, and what the notice log says of them."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from server.db.pool import connect

BROADCAST = """mutation($input: AnnouncementInput!) { broadcastAnnouncement(input: $input) {
  id kind priority title body session { id } exhibitor { id } } }"""


BOOKMARK = "mutation($id: ID!) { bookmarkSession(sessionId: $id) { id } }"


async def post(url: str, query: str, variables: dict[str, Any], token: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(
            url,
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )


def announcement(title: str, audience: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "input": {
            "title": title,
            "body": f"Corps de « {title} ».",
            "audience": audience or {"everyone": True},
        }
    }


async def broadcast(
    graphql_url: str, token: str, title: str, audience: dict[str, Any] | None = None
) -> dict[str, Any]:
    """broadcastAnnouncement, which must succeed; returns the notice it answers with."""
    response = await post(graphql_url, BROADCAST, announcement(title, audience), token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    notice: dict[str, Any] = body["data"]["broadcastAnnouncement"]
    return notice


async def written(dsn: str, title: str) -> tuple[int, dict[str, Any]]:
    """(internal id, the notice as a subscriber renders it) of the notice titled `title`,
    read from the log itself."""
    conn = await connect(dsn)
    try:
        row = await conn.fetchrow("SELECT id, seq FROM notice WHERE title_fr = $1", title)
    finally:
        await conn.close()
    assert row is not None, f"no notice titled {title!r} in the log"
    return row["id"], {
        "id": str(row["seq"]),
        "kind": "ANNOUNCEMENT",
        "priority": "NORMAL",
        "title": title,
        "body": f"Corps de « {title} ».",
        "session": None,
        "exhibitor": None,
    }


async def latest_cursor(dsn: str) -> str:
    conn = await connect(dsn)
    try:
        seq = await conn.fetchval("SELECT coalesce(max(seq), 0) FROM notice")
    finally:
        await conn.close()
    return str(seq)


def title(what: str) -> str:
    return f"{what} {secrets.token_hex(4)}"
