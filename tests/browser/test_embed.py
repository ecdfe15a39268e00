"""<salon-agenda>: one script tag on the fair's own website shows the agenda of a day,
read from Salon across origins, times as the fair's clocks read them."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Route, expect

from tests.browser.conftest import BrowserFair, PhoneMaker


def fair_site_url(salon_url: str) -> str:
    """The fair's website, played by another origin on loopback (Chromium lets a public
    site reach loopback only with a permission, which a real deployment never needs:
    both sites are public there)."""
    return salon_url.replace("127.0.0.1", "localhost") + "/programme-du-salon"


async def test_the_fair_site_embeds_a_day_of_the_agenda(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    async with httpx.AsyncClient(base_url=browser_fair.url) as http:
        answer = await http.post(
            "/graphql",
            json={
                "query": '{ sessions(filter: {day: "2026-12-03"}, first: 200) '
                "{ nodes { startsAt title(lang: EN) } } }"
            },
        )
    expected = answer.json()["data"]["sessions"]["nodes"]
    page_html = f"""<!doctype html><html lang="en"><head><title>SISTEP programme</title>
      <script type="module" src="{browser_fair.url}/embed/salon-agenda.js"></script></head>
      <body><main><h1>Programme</h1>
      <salon-agenda day="2026-12-03" lang="en"></salon-agenda></main></body></html>"""

    async def fair_site(route: Route) -> None:
        await route.fulfill(status=200, content_type="text/html", body=page_html)

    site = fair_site_url(browser_fair.url)
    phone = await new_phone()
    await phone.context.grant_permissions(["local-network-access"], origin=site)
    await phone.page.route(site, fair_site)
    await phone.page.goto(site)
    items = phone.page.locator("salon-agenda li")
    await expect(items).to_have_count(len(expected))
    first = items.first
    # The demo fair's first session: 09:30 on the hall's clocks (the phone is in New York).
    assert expected[0]["startsAt"].startswith("2026-12-03T09:30:00+00:00")
    await expect(first.locator(".when")).to_have_text(re.compile(r"^09:30–\d\d:\d\d$"))
    await expect(first.get_by_role("link")).to_have_text(expected[0]["title"])
    await expect(phone.page.locator("salon-agenda .tz")).to_have_text(
        "Thursday 3 December · Casablanca time (UTC+00:00)"
    )
    await phone.screenshot("embed")
