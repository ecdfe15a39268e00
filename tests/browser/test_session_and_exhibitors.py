"""The session screen (details in fair time, the way to the map, bookmark, register or
waitlist, add to calendar) and the exhibitor directory and page (filters, typo-tolerant
search, follow), on a phone in New York, checked against the demo data files and the
server's own answers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from playwright.async_api import expect

from server.settings import REPO_ROOT
from tests.browser.conftest import BrowserFair, PhoneMaker
from tests.browser.helpers import api, signed_in_phone

DEMO = REPO_ROOT / "server" / "demo" / "sistep2026"
JEUDI_3 = "jeudi 3 décembre"


def demo(name: str) -> Any:
    return json.loads((DEMO / f"{name}.json").read_text(encoding="utf-8"))


async def test_a_session_opened_from_the_agenda_shows_its_details_in_fair_time(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    first = demo("sessions")[0]
    venue = demo("venue")
    room = next(r for r in venue["rooms"] if r["id"] == first["room"])
    hall = next(h for h in venue["halls"] if h["id"] == room["hall"])
    speakers = {x["id"]: x for x in demo("speakers")}
    phone = await new_phone()
    page = await phone.open("/")
    await page.locator(f'a[data-session-id="{first["id"]}"]').first.click()

    await expect(page).to_have_url(f"{browser_fair.url}/session/{first['id']}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(first["title_fr"])
    # The file's wall clock ("2026-12-03T09:30"), whatever the phone's own zone says.
    when = f"{JEUDI_3} · {first['starts_at'][11:16]}–{first['ends_at'][11:16]}"
    assert when == f"{JEUDI_3} · 09:30–10:00"
    await expect(page.get_by_test_id("when")).to_have_text(when)
    await expect(page.get_by_test_id("time-zone")).to_have_text("Heures de Casablanca (UTC+00:00)")
    await expect(page.get_by_test_id("place")).to_have_text(f"{room['name']} · {hall['name']}")
    await expect(page.get_by_test_id("map-link")).to_have_attribute("href", "/map?to=room-atlas")
    names = page.locator(".speaker h3")
    await expect(names).to_have_text([speakers[x]["name"] for x in first["speakers"]])
    lead = speakers[first["speakers"][0]]
    details = ", ".join(x for x in (lead["job_title"], lead["organisation"]) if x)
    await expect(page.locator(".speaker").first.locator("p.muted")).to_have_text(details)
    assert await phone.accessibility_violations() == []
    await phone.screenshot("session")

    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Ajouter au calendrier").click()
    download = await downloading.value
    assert download.suggested_filename == f"sistep-2026-{first['id']}.ics"
    lines = (await asyncio.to_thread(Path(await download.path()).read_text, "utf-8")).splitlines()
    assert [x for x in lines if x.startswith(("DTSTART", "DTEND", "UID"))] == [
        f"UID:{first['id']}@sistep2026.salon.example",
        "DTSTART:20261203T093000Z",
        "DTEND:20261203T100000Z",
    ]

    # Anonymous: bookmarking asks to sign in first, and says where to come back to.
    await page.get_by_role("button", name="Ajouter à mon programme").click()
    await expect(page).to_have_url(f"{browser_fair.url}/signin?next=/session/{first['id']}")


async def test_bookmark_and_registration_reach_the_server_and_stay_after_a_reload(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    session_id = "ses-069"  # a talk with a seat limit, on the last day
    person = await browser_fair.people.make()
    phone = await signed_in_phone(new_phone, person.token)
    page = await phone.open(f"/session/{session_id}")

    async with page.expect_response(
        lambda r: "bookmarkSession" in (r.request.post_data or "")
    ) as bookmarked:
        await page.get_by_role("button", name="Ajouter à mon programme").click()
    assert (await bookmarked.value).ok
    await expect(page.get_by_role("button", name="Retirer de mon programme")).to_be_visible()
    mine = "{ me { schedule { sessions { id viewerHasBookmarked viewerRegistration } } } }"
    assert (await api(browser_fair, person.token, mine))["me"]["schedule"]["sessions"] == [
        {"id": session_id, "viewerHasBookmarked": True, "viewerRegistration": None}
    ]

    await page.get_by_role("button", name="S'inscrire", exact=True).click()
    await expect(page.get_by_test_id("registration")).to_have_text("Inscription confirmée")
    assert (await api(browser_fair, person.token, mine))["me"]["schedule"]["sessions"] == [
        {"id": session_id, "viewerHasBookmarked": True, "viewerRegistration": "REGISTERED"}
    ]
    seats = (
        await api(
            browser_fair, None, "query($id: ID!) { session(id: $id) { seatsLeft } }", id=session_id
        )
    )["session"]["seatsLeft"]
    await expect(page.get_by_test_id("seats")).to_have_text(f"{seats} places restantes")

    await page.reload()
    await expect(page.get_by_test_id("registration")).to_have_text("Inscription confirmée")
    await expect(page.get_by_role("button", name="Retirer de mon programme")).to_be_visible()
    await expect(page.get_by_role("button", name="Annuler mon inscription")).to_be_visible()
    assert await phone.accessibility_violations() == []


async def test_a_full_session_puts_the_next_person_on_the_waitlist(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    session_id = "ses-076"
    organiser = await browser_fair.people.make("ORGANISER")
    resize = "mutation($id: ID!, $n: Int!) { updateSession(id: $id, input: {capacity: $n}) { id } }"
    register = (
        "mutation($id: ID!) { registerForSession(sessionId: $id) { status waitlistPosition } }"
    )
    first, second = await browser_fair.people.make(), await browser_fair.people.make()
    await api(browser_fair, organiser.token, resize, id=session_id, n=1)
    try:
        assert (await api(browser_fair, first.token, register, id=session_id))[
            "registerForSession"
        ] == {
            "status": "REGISTERED",
            "waitlistPosition": None,
        }
        phone = await signed_in_phone(new_phone, second.token)
        page = await phone.open(f"/session/{session_id}")
        await expect(page.get_by_test_id("seats")).to_have_text("Complet")
        await page.get_by_role("button", name="S'inscrire sur liste d'attente").click()
        await expect(page.get_by_test_id("registration")).to_have_text(
            "Liste d'attente, position 1"
        )
        await expect(page.get_by_role("button", name="Quitter la liste d'attente")).to_be_visible()
        mine = "{ me { schedule { sessions { id viewerRegistration } } } }"
        assert (await api(browser_fair, second.token, mine))["me"]["schedule"]["sessions"] == [
            {"id": session_id, "viewerRegistration": "WAITLISTED"}
        ]
    finally:
        original = next(x for x in demo("sessions") if x["id"] == session_id)["capacity"]
        await api(browser_fair, organiser.token, resize, id=session_id, n=original)


async def test_the_directory_filters_by_sector_and_country_and_searches_with_a_typo(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    exhibitors = demo("exhibitors")
    phone = await new_phone()
    page = await phone.open("/exhibitors")
    count = page.get_by_test_id("count")
    await expect(count).to_have_text(f"{len(exhibitors)} exposants")
    names = page.locator("li[data-exhibitor-id] h2")

    await page.get_by_text("Filtres", exact=True).click()
    await page.get_by_label("Secteur").select_option("mechanics")
    await page.get_by_label("Pays").select_option("DZ")
    await expect(page.get_by_label("Pays").locator("option:checked")).to_have_text("Algérie")
    expected = sorted(
        x["name"] for x in exhibitors if "mechanics" in x["sectors"] and x["country"] == "DZ"
    )
    assert len(expected) > 1
    await expect(count).to_have_text(f"{len(expected)} exposants")
    assert sorted(await names.all_inner_texts()) == expected
    assert await phone.accessibility_violations() == []
    await phone.screenshot("exhibitors")

    await page.get_by_label("Secteur").select_option("")
    await page.get_by_label("Pays").select_option("")
    typo = "Fondrie Oum"  # Fonderie Oum Er-Rbia, misspelt
    found = await api(
        browser_fair,
        None,
        "query($t: String!) { exhibitors(filter: {search: $t}, first: 200) { nodes { name } } }",
        t=typo,
    )
    expected = sorted(x["name"] for x in found["exhibitors"]["nodes"])
    assert "Fonderie Oum Er-Rbia" in expected
    await page.get_by_label("Rechercher un exposant").fill(typo)
    await expect(names).to_have_count(len(expected))
    assert sorted(await names.all_inner_texts()) == expected

    # Anonymous: following asks to sign in first.
    await page.get_by_role("button", name="Suivre Fonderie Oum Er-Rbia", exact=True).click()
    await expect(page).to_have_url(f"{browser_fair.url}/signin?next=/exhibitors")


async def test_following_an_exhibitor_and_its_page_with_booths_and_demos(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    exhibitor = next(x for x in demo("exhibitors") if x["name"] == "Fonderie Oum Er-Rbia")
    booths = [b["id"] for b in demo("venue")["booths"] if b["exhibitor"] == exhibitor["id"]]
    demos = sorted(
        (x["starts_at"], x["id"]) for x in demo("sessions") if x["exhibitor"] == exhibitor["id"]
    )
    assert demos
    person = await browser_fair.people.make()
    phone = await signed_in_phone(new_phone, person.token)
    page = await phone.open("/exhibitors")
    followed = "{ me { followedExhibitors { id } } }"

    await page.get_by_role("button", name=f"Suivre {exhibitor['name']}", exact=True).click()
    await expect(
        page.get_by_role("button", name=f"Ne plus suivre {exhibitor['name']}", exact=True)
    ).to_be_visible()
    assert (await api(browser_fair, person.token, followed))["me"]["followedExhibitors"] == [
        {"id": exhibitor["id"]}
    ]

    await page.get_by_role("link", name=exhibitor["name"], exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(exhibitor["name"])
    await expect(page.get_by_test_id("country")).to_have_text("Maroc")
    await expect(page.get_by_test_id("map-link")).to_have_count(len(booths))
    hrefs = [await x.get_attribute("href") for x in await page.get_by_test_id("map-link").all()]
    assert hrefs == [f"/map?to={b}" for b in booths]
    cards = page.locator("a[data-session-id]")
    await expect(cards).to_have_count(len(demos))
    assert [await x.get_attribute("data-session-id") for x in await cards.all()] == [
        x[1] for x in demos
    ]
    assert await phone.accessibility_violations() == []
    await phone.screenshot("exhibitor")

    await page.get_by_role("button", name=f"Ne plus suivre {exhibitor['name']}", exact=True).click()
    await expect(
        page.get_by_role("button", name=f"Suivre {exhibitor['name']}", exact=True)
    ).to_be_visible()
    assert (await api(browser_fair, person.token, followed))["me"]["followedExhibitors"] == []
