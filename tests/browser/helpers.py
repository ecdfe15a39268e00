"""What several browser tests do the same way: a phone already signed in, and a GraphQL
request to the browser fair that must succeed."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.browser.conftest import BrowserFair, Phone, PhoneMaker


async def signed_in_phone(new_phone: PhoneMaker, token: str) -> Phone:
    """A phone whose app already holds `token` at every page load."""
    phone = await new_phone()
    await phone.context.add_init_script(f"localStorage.setItem('salon.token', {json.dumps(token)})")
    return phone


async def api(fair: BrowserFair, token: str | None, query: str, /, **variables: Any) -> Any:
    """One GraphQL request that must succeed (as `token`, or anonymous); its `data`."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=fair.url, timeout=15) as http:
        answer = await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]
