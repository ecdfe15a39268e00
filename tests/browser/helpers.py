"""What several browser tests do the same way: a phone already signed in, the console's
Import tab, and a GraphQL request to a fair that must succeed."""

from __future__ import annotations

import json
from typing import Any

import httpx
from playwright.async_api import Locator, Page

from tests.browser.conftest import BrowserFair, Phone, PhoneMaker


async def signed_in_phone(new_phone: PhoneMaker, token: str, **overrides: Any) -> Phone:
    """A phone whose app already holds `token` at every page load."""
    phone = await new_phone(**overrides)
    await phone.context.add_init_script(f"localStorage.setItem('salon.token', {json.dumps(token)})")
    return phone


async def import_tab(fair: BrowserFair, new_phone: PhoneMaker) -> tuple[Phone, Page]:
    """A new organiser's phone on `fair`'s console, its Import tab open."""
    organiser = await fair.people.make("ORGANISER")
    phone = await signed_in_phone(new_phone, organiser.token, base_url=fair.url)
    page = await phone.open("/console")
    await page.get_by_role("button", name="Import", exact=True).click()
    return phone, page


def import_file(page: Page) -> Locator:
    """The Import tab's file input, by its label."""
    return page.get_by_label("Fichier (CSV, XLSX, XML frab ou c3voc, JSON c3voc ou pretalx)")


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
