"""The agenda on a phone: a day of the fair as its clocks read it (whatever the phone's
zone), day tabs, filters, typo-tolerant search, and CHANGED / CANCELLED at a glance."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from playwright.async_api import Page, Route, expect

from tests.browser.conftest import BrowserFair, PhoneMaker
from tests.fair_data import demo_sessions

DEMO_SESSIONS = demo_sessions()


def sessions_on(day: str, kinds: set[str] | None = None) -> list[dict[str, Any]]:
    """The demo data file as the oracle: that day's sessions in time order."""
    found = [
        s
        for s in DEMO_SESSIONS
        if s["starts_at"].startswith(day) and (kinds is None or s["kind"] in kinds)
    ]
    return sorted(found, key=lambda s: (s["starts_at"], s["id"]))


async def open_agenda(page: Page) -> None:
    await page.goto("/")
    await expect(page.locator("agenda-screen .card").first).to_be_visible()


async def test_a_day_shows_the_fair_wall_clock_in_a_new_york_phone(new_phone: PhoneMaker) -> None:
    phone = await new_phone()
    await open_agenda(phone.page)
    day_one = sessions_on("2026-12-03")
    cards = phone.page.locator("agenda-screen section.day a.card")
    await expect(cards).to_have_count(len(day_one))
    first = day_one[0]
    assert first["starts_at"] == "2026-12-03T09:30"
    await expect(cards.first.locator(".when strong")).to_have_text(
        f"{first['starts_at'][11:]}–{first['ends_at'][11:]}"
    )
    await expect(cards.first.locator("h3")).to_have_text(first["title_fr"])
    await expect(phone.page.get_by_test_id("time-zone")).to_have_text(
        "Heures de Casablanca (UTC+00:00)"
    )
    assert await phone.page.evaluate("new Date().getTimezoneOffset()") in (240, 300)
    assert await phone.accessibility_violations() == []
    await phone.screenshot("agenda")


async def test_the_app_prints_the_offset_the_server_wrote_not_the_phones(
    new_phone: PhoneMaker,
) -> None:
    """The server's answer rewritten to another offset: the same wall clock shows, so the
    app never converts through the phone's (possibly stale) zone data."""

    async def rewrite(route: Route) -> None:
        if "agendaChanges" not in (route.request.post_data or ""):
            await route.continue_()
            return
        response = await route.fetch()
        body = await response.json()
        for session in body["data"]["agendaChanges"]["sessions"]:
            session["startsAt"] = session["startsAt"].replace("+00:00", "+05:00")
            session["endsAt"] = session["endsAt"].replace("+00:00", "+05:00")
        await route.fulfill(response=response, body=json.dumps(body))

    phone = await new_phone()
    await phone.page.route("**/graphql", rewrite)
    await open_agenda(phone.page)
    first = phone.page.locator("agenda-screen section.day a.card").first
    await expect(first.locator(".when strong")).to_have_text("09:30–10:00")
    await expect(phone.page.get_by_test_id("time-zone")).to_have_text(
        "Heures de Casablanca (UTC+05:00)"
    )


async def test_day_tabs_and_kind_filter_narrow_to_the_data(new_phone: PhoneMaker) -> None:
    phone = await new_phone()
    page = phone.page
    await open_agenda(page)
    await page.get_by_role("button", name=re.compile(r"^ven\. 4 déc\.$")).click()
    cards = page.locator("agenda-screen section.day a.card")
    await expect(cards).to_have_count(len(sessions_on("2026-12-04")))
    await page.get_by_text("Filtres").click()
    await page.get_by_label("Type").select_option(label="Atelier")
    workshops = sessions_on("2026-12-04", {"WORKSHOP"})
    assert workshops
    await expect(cards).to_have_count(len(workshops))
    await expect(cards.locator("h3")).to_have_text([s["title_fr"] for s in workshops])


async def test_search_forgives_a_typo(new_phone: PhoneMaker, browser_fair: BrowserFair) -> None:
    async with httpx.AsyncClient(base_url=browser_fair.url) as http:
        answer = await http.post(
            "/graphql",
            json={
                "query": '{ search(text: "electromecaniqe", first: 20) { exhibitors { name } } }'
            },
        )
    expected = [e["name"] for e in answer.json()["data"]["search"]["exhibitors"]]
    assert expected
    phone = await new_phone()
    await open_agenda(phone.page)
    await phone.page.get_by_label("Rechercher").fill("electromecaniqe")
    found = phone.page.locator("agenda-screen ul li a")
    await expect(found).to_have_text(expected)


async def test_a_cancelled_session_is_marked_after_the_next_sync(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    organiser = await browser_fair.people.make("ORGANISER")
    target = sessions_on("2026-12-05")[-1]
    async with httpx.AsyncClient(base_url=browser_fair.url, headers=organiser.headers) as http:
        found = await http.post(
            "/graphql",
            json={
                "query": "query($t: String!) { search(text: $t, first: 1) { sessions { id } } }",
                "variables": {"t": target["title_fr"]},
            },
        )
        (session,) = found.json()["data"]["search"]["sessions"]
        phone = await new_phone()
        await open_agenda(phone.page)
        cancelled = await http.post(
            "/graphql",
            json={
                "query": "mutation($id: ID!) { cancelSession(id: $id, "
                'reason: "Intervenant absent") { status } }',
                "variables": {"id": session["id"]},
            },
        )
    assert cancelled.json() == {"data": {"cancelSession": {"status": "CANCELLED"}}}
    await phone.page.reload()
    await phone.page.get_by_role("button", name=re.compile(r"^sam\. 5 déc\.$")).click()
    card = phone.page.locator(f'agenda-screen section.day a[data-session-id="{session["id"]}"]')
    await expect(card.locator(".badge.cancelled")).to_have_text("Annulé")
