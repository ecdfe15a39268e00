"""A newcomer's first minutes, end to end on one phone: browse a day, filter, search with
a typo, open a session, follow it to the map and walk there from the entrance."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.browser.conftest import BrowserFair, PhoneMaker
from tests.browser.test_map import server_route, shown_minutes
from tests.fair_data import demo_sessions

ENTRANCES = "{ venue { pointsOfInterest(kinds: [ENTRANCE]) { id name(lang: FR) } } }"


async def test_a_newcomer_finds_a_talk_and_the_way_to_it(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    phone = await new_phone()
    page = await phone.open("/")
    cards = page.locator("agenda-screen section.day a.card")
    await expect(cards.first).to_be_visible()

    # Browse the second day, then keep only its workshops.
    await page.get_by_role("button", name=re.compile(r"^ven\. 4 déc\.$")).click()
    await page.get_by_text("Filtres").click()
    await page.get_by_label("Type").select_option(label="Atelier")
    workshops = [
        s
        for s in demo_sessions()
        if s["starts_at"].startswith("2026-12-04") and s["kind"] == "WORKSHOP"
    ]
    await expect(cards).to_have_count(len(workshops))
    await page.get_by_label("Type").select_option(label="Tous")

    # Search with a typo, as typed on a phone in a crowd.
    await page.get_by_label("Rechercher").fill("metalurgie")
    await expect(cards.first).to_be_visible()
    chosen = cards.first
    title = await chosen.locator("h3").inner_text()
    await chosen.click()

    # The session, then its room on the map.
    await expect(page.locator("session-screen h1")).to_have_text(title)
    map_link = page.get_by_test_id("map-link")
    place = (await map_link.get_attribute("href") or "").removeprefix("/map?to=")
    assert place.startswith(("room-", "booth-"))
    await map_link.click()
    await expect(page.locator(f'map-screen [data-place="{place}"]')).to_have_class(
        re.compile(r"\bpinned\b")
    )
    nearest = page.get_by_role("button", name=re.compile(r"^Partir de l'entrée la plus proche : "))
    label = await nearest.inner_text()
    await nearest.click()
    minutes = page.locator("map-screen .route-status .minutes")
    await expect(page.locator("map-screen .route-line")).to_have_count(1)

    # The minutes shown are the server's, from the entrance the app named.
    async with httpx.AsyncClient(base_url=browser_fair.url) as http:
        answer = await http.post("/graphql", json={"query": ENTRANCES})
    entrances = answer.json()["data"]["venue"]["pointsOfInterest"]
    (entrance,) = [e["id"] for e in entrances if label.endswith(f" : {e['name']}")]
    route = await server_route(browser_fair, entrance, place)
    await expect(minutes).to_have_text(f"{shown_minutes(route)} min à pied")
    await phone.screenshot("journey-route")
