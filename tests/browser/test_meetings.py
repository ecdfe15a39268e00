"""B2B meetings on phones: one company asks another for a meeting in a common free slot,
the other sees the request arrive and accepts it, the first sees it accepted with its
table, live on both (no reload), and the table on the map; the profile editor and its
refusals; the suggestions (drawn from a canned answer: matching is not always on the
server) and the directory; the organisers' desk and meeting plan; the stand's lead
scanner by typed code (headless Chromium has no camera nor BarcodeDetector), its CSV,
and what the visitor sees in their account.

A fair of its own (the requests write, and a meeting plan is set): its clock is the eve
of the fair (served_fair), so every slot of 3-5 December is ahead.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from asyncpg import connect
from playwright.async_api import Page, Route, expect

from server.services import ServiceUrls
from tests.browser.conftest import BrowserFair, Phone, PhoneMaker, served_fair
from tests.browser.helpers import api, signed_in_phone
from tests.conftest import Mailbox, Person
from tests.fair_data import FAIR_EVE

SET_PLAN = """mutation($input: MeetingPlanInput!) { setMeetingPlan(input: $input) {
  days { day } tables { id number } } }"""
SAVE = """mutation($input: BusinessProfileInput!) { saveBusinessProfile(input: $input) { id } }"""
REQUEST = """mutation($input: MeetingRequestInput!) { requestMeeting(input: $input) { id } }"""
ACCEPT = "mutation($id: ID!) { acceptMeeting(id: $id) { id table { number } } }"
PLAN = {
    "days": [{"day": f"2026-12-0{d}", "opens": "10:00", "closes": "17:30"} for d in (3, 4, 5)],
    "slotMinutes": 30,
    "requestsPerDay": 20,
    "tableCount": 4,
}
#: A stand of the demo fair, for the lead scanner.
STAND = "exh-107"
STAND_NAME = "Forges de l'Atlas Industrie"


@dataclass
class Company:
    person: Person
    profile_id: str
    name: str


@pytest.fixture(scope="module")
async def b2b_fair(service_urls: ServiceUrls, mailbox: Mailbox) -> AsyncIterator[BrowserFair]:
    """A fair of its own with a meeting plan: three days, 10:00-17:30, four tables."""
    async with served_fair(service_urls, mailbox, "salon_browser_b2b") as fair:
        # The demo fair's own meetings would take tables and slots the tests count on.
        conn = await asyncpg.connect(fair.database_url)
        try:
            await conn.execute("DELETE FROM meeting")
        finally:
            await conn.close()
        organiser = await fair.people.make("ORGANISER")
        await api(fair, organiser.token, SET_PLAN, input=PLAN)
        yield fair


async def company(
    fair: BrowserFair,
    name: str,
    *,
    offers: tuple[str, ...] = ("usinage CNC",),
    needs: tuple[str, ...] = ("fonderie",),
    badge: str | None = None,
) -> Company:
    """A new attendee with a business profile (and a badge, when asked)."""
    person = await fair.people.make("ATTENDEE", name=f"Contact {name}")
    if badge:
        conn = await connect(fair.database_url)
        try:
            await conn.execute("UPDATE person SET badge_code = $2 WHERE id = $1", person.id, badge)
        finally:
            await conn.close()
    profile = {
        "company": name,
        "country": "MA",
        "sectors": ["metallurgy"],
        "offers": list(offers),
        "needs": list(needs),
        "summary": f"{name} : sous-traitance industrielle à Casablanca.",
    }
    saved = await api(fair, person.token, SAVE, input=profile)
    return Company(person, saved["saveBusinessProfile"]["id"], name)


async def phone_of(new_phone: PhoneMaker, fair: BrowserFair, person: Person) -> Phone:
    """`person`'s phone on `fair`, its clock at the server's (the eve of the fair): what the
    app offers by the phone's clock (an outcome once a slot began) is then the same
    whatever day the suite runs."""
    phone = await signed_in_phone(new_phone, person.token, base_url=fair.url)
    await phone.page.clock.set_fixed_time(FAIR_EVE)
    return phone


async def live(page: Page) -> None:
    await expect(page.locator("html[data-live='connected']")).to_be_attached()


def unique(name: str) -> str:
    return f"{name} {secrets.token_hex(2).upper()}"


async def test_a_request_sent_from_one_phone_is_accepted_on_the_other_live(
    new_phone: PhoneMaker, b2b_fair: BrowserFair
) -> None:
    asker = await company(b2b_fair, unique("Donneur d'Ordres Auto"))
    asked = await company(b2b_fair, unique("Fonderie du Souss"), offers=("fonderie",))
    asker_phone = await phone_of(new_phone, b2b_fair, asker.person)
    asked_phone = await phone_of(new_phone, b2b_fair, asked.person)

    # B waits on their meetings, nothing asked yet.
    b = await asked_phone.open("/b2b")
    await live(b)
    incoming = b.get_by_role("heading", name="Demandes reçues (0)")
    await expect(incoming).to_be_visible()
    assert await asked_phone.accessibility_violations() == []

    # A opens B's page from the B2B tab of the navigation, through the directory.
    a = await asker_phone.open("/")
    await (
        a.get_by_role("navigation", name="Navigation principale")
        .get_by_role("link", name="Rendez-vous")
        .click()
    )
    await (
        a.get_by_role("navigation", name="Rendez-vous B2B")
        .get_by_role("link", name="Entreprises")
        .click()
    )
    await a.get_by_role("searchbox").fill(asked.name)
    await expect(a.get_by_test_id("directory").locator("li")).to_have_count(1)
    await a.get_by_role("link", name=asked.name).click()
    await expect(a.get_by_role("heading", level=1)).to_have_text(asked.name)

    # A picks the first day, a free slot, writes, sends.
    await a.get_by_role("button", name="jeu. 3 déc.").click()
    await expect(a.get_by_role("button", name="jeu. 3 déc.")).to_have_attribute(
        "aria-pressed", "true"
    )
    slots = a.locator("meeting-request-form input[type='radio']")
    await expect(slots).to_have_count(15)  # 10:00-17:30, every slot free for two newcomers
    await a.get_by_label("11:00–11:30").check()
    await a.get_by_label("Message (facultatif)").fill("Nous cherchons une fonderie pour 2027.")
    await asker_phone.screenshot("b2b-request-form")
    assert await asker_phone.accessibility_violations() == []
    await a.get_by_role("button", name="Envoyer la demande").click()
    await expect(a.locator("meeting-request-form").get_by_role("status")).to_have_text(
        f"Demande envoyée à {asked.name} pour jeudi 3 décembre, 11:00–11:30. "
        "Vous serez averti de sa réponse."
    )
    await a.get_by_role("link", name="Voir mes rendez-vous").click()
    mine = a.locator(f"article:has-text('Avec {asked.name}')")
    await expect(mine.locator(".badge")).to_have_text("En attente")
    await live(a)

    # B sees it arrive without a reload, and accepts.
    await expect(b.get_by_role("heading", name="Demandes reçues (1)")).to_be_visible()
    request = b.get_by_test_id("incoming").locator("article")
    await expect(request.get_by_role("heading")).to_have_text(f"Avec {asker.name}")
    await expect(request).to_contain_text("« Nous cherchons une fonderie pour 2027. »")
    await expect(request).to_contain_text("jeu. 3 déc. · 11:00–11:30")
    await asked_phone.screenshot("b2b-meetings-incoming")
    assert await asked_phone.accessibility_violations() == []
    await request.get_by_role("button", name="Accepter").click()
    await expect(b.get_by_role("heading", name="Demandes reçues (0)")).to_be_visible()
    accepted = b.get_by_test_id("meetings").locator("article")
    await expect(accepted.locator(".badge")).to_have_text("Acceptée")
    await expect(accepted.get_by_test_id("table")).to_have_text("Table 1")

    # A's list turns to accepted, with the table, live.
    await expect(mine.locator(".badge")).to_have_text("Acceptée")
    await expect(mine.get_by_test_id("table")).to_have_text("Table 1")
    await expect(a.locator("h3").first).to_have_text("jeudi 3 décembre")
    await expect(a.get_by_text("Heures de Casablanca (UTC+00:00)")).to_be_visible()
    await asker_phone.screenshot("b2b-meetings-accepted")
    assert await asker_phone.accessibility_violations() == []

    # The table on the map: pinned, named, the route's end at the B2B area.
    await mine.get_by_role("link", name="Voir la table sur le plan").click()
    await expect(a).to_have_url(f"{b2b_fair.url}/map?table=table-01")
    await expect(a.get_by_test_id("table-status")).to_have_text(
        "Table 1 — espace des rendez-vous B2B (Hall B)"
    )
    await expect(a.locator("map-screen g.table.pinned")).to_have_attribute("data-table", "table-01")
    await expect(a.locator("map-screen g.table")).to_have_count(4)
    await asker_phone.screenshot("b2b-map-table")
    assert await asker_phone.accessibility_violations() == []


async def test_declining_with_a_reason_tells_the_asker(
    new_phone: PhoneMaker, b2b_fair: BrowserFair
) -> None:
    asker = await company(b2b_fair, unique("Équipementier Rabat"))
    asked = await company(b2b_fair, unique("Mécanique de Précision"))
    await api(
        b2b_fair,
        asker.person.token,
        REQUEST,
        input={"profileId": asked.profile_id, "startsAt": "2026-12-04T15:00:00+00:00"},
    )
    asker_phone = await phone_of(new_phone, b2b_fair, asker.person)
    a = await asker_phone.open("/b2b")
    await live(a)
    asked_phone = await phone_of(new_phone, b2b_fair, asked.person)
    b = await asked_phone.open("/b2b")
    request = b.get_by_test_id("incoming").locator("article")
    await request.get_by_role("button", name="Refuser").click()
    await request.get_by_label("Motif (facultatif, l'autre entreprise le lira)").fill(
        "Carnet de commandes plein."
    )
    assert await asked_phone.accessibility_violations() == []
    await request.get_by_role("button", name="Confirmer le refus").click()
    await expect(b.get_by_role("heading", name="Demandes reçues (0)")).to_be_visible()

    mine = a.locator(f"article:has-text('Avec {asked.name}')")
    await expect(mine.locator(".badge")).to_have_text("Refusée")
    await expect(mine).to_contain_text("Motif : Carnet de commandes plein.")
    # The banner said so too, and leads to the meetings.
    banner = a.get_by_test_id("notice-banner")
    await expect(banner.get_by_role("link", name="Voir")).to_have_attribute("href", "/b2b")


async def test_a_slot_taken_meanwhile_is_refused_plainly_and_the_slots_read_again(
    new_phone: PhoneMaker, b2b_fair: BrowserFair
) -> None:
    asker = await company(b2b_fair, unique("Chaudronnerie Tanger"))
    asked = await company(b2b_fair, unique("Traitement Thermique"))
    rival = await company(b2b_fair, unique("Concurrent Pressé"))
    phone = await phone_of(new_phone, b2b_fair, asker.person)
    page = await phone.open(f"/b2b/company/{asked.profile_id}")
    await page.get_by_role("button", name="ven. 4 déc.").click()
    await page.get_by_label("14:00–14:30").check()
    # Someone else takes that slot with them first.
    await api(
        b2b_fair,
        rival.person.token,
        REQUEST,
        input={"profileId": asked.profile_id, "startsAt": "2026-12-04T14:00:00+00:00"},
    )
    await page.get_by_role("button", name="Envoyer la demande").click()
    problem = page.locator("meeting-request-form").get_by_role("alert")
    await expect(problem.locator("strong")).to_have_text(
        "Ce créneau n'est plus libre (pris entre-temps, ou plus aucune table) : "
        "choisissez-en un autre."
    )
    await expect(page.get_by_label("14:00–14:30")).to_have_count(0)
    await expect(page.get_by_label("14:30–15:00")).to_have_count(1)
    await phone.screenshot("b2b-request-conflict")
    assert await phone.accessibility_violations() == []


async def test_once_the_slot_has_begun_either_side_says_it_took_place(
    new_phone: PhoneMaker, b2b_fair: BrowserFair
) -> None:
    asker = await company(b2b_fair, unique("Acheteur Ponctuel"))
    asked = await company(b2b_fair, unique("Atelier Ponctuel"))
    asked_at = "2026-12-04T10:00:00+00:00"
    meeting = await api(
        b2b_fair,
        asker.person.token,
        REQUEST,
        input={"profileId": asked.profile_id, "startsAt": asked_at},
    )
    await api(b2b_fair, asked.person.token, ACCEPT, id=meeting["requestMeeting"]["id"])
    phone = await phone_of(new_phone, b2b_fair, asker.person)
    page = await phone.open("/b2b")
    card = page.locator(f"article[data-meeting-id='{meeting['requestMeeting']['id']}']")
    # Before its slot (the phone's clock at the fair's eve too): no outcome to give.
    await expect(card.locator(".badge")).to_have_text("Acceptée")
    await expect(card.get_by_role("button", name="Le rendez-vous a eu lieu")).to_have_count(0)

    # Five minutes into the slot, on the server's clock and the phone's.
    clock = b2b_fair.live.runtime.clock
    begun = datetime.fromisoformat(asked_at) + timedelta(minutes=5)
    clock.set(begun)
    try:
        await phone.page.clock.set_fixed_time(begun)
        await page.reload()
        await card.get_by_role("button", name="Le rendez-vous a eu lieu").click()
        await expect(card.locator(".badge")).to_have_text(["Acceptée", "A eu lieu"])
        await expect(card.get_by_role("button", name="Le rendez-vous a eu lieu")).to_have_count(0)
        assert await phone.accessibility_violations() == []
    finally:
        clock.set(FAIR_EVE)


async def test_my_meetings_and_their_table_open_offline(
    new_phone: PhoneMaker, b2b_fair: BrowserFair
) -> None:
    asker = await company(b2b_fair, unique("Voyageur Hors Ligne"))
    asked = await company(b2b_fair, unique("Hôte Hors Ligne"))
    meeting = await api(
        b2b_fair,
        asker.person.token,
        REQUEST,
        input={"profileId": asked.profile_id, "startsAt": "2026-12-05T11:30:00+00:00"},
    )
    accepted = await api(b2b_fair, asked.person.token, ACCEPT, id=meeting["requestMeeting"]["id"])
    number = accepted["acceptMeeting"]["table"]["number"]
    phone = await phone_of(new_phone, b2b_fair, asker.person)
    page = await phone.open("/b2b")
    card = page.locator(f"article[data-meeting-id='{meeting['requestMeeting']['id']}']")
    await expect(card.get_by_test_id("table")).to_have_text(f"Table {number}")
    # Online once on the map too: the floor plan and the meeting plan are kept.
    await card.get_by_role("link", name="Voir la table sur le plan").click()
    await expect(page.get_by_test_id("table-status")).to_contain_text(f"Table {number}")
    await page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")

    await phone.offline(True)
    await page.goto("/b2b")
    await expect(page.locator("meetings-screen").get_by_role("status")).to_have_text(
        "Hors ligne : voici les rendez-vous tels que ce téléphone les a vus."
    )
    await expect(card.get_by_test_id("table")).to_have_text(f"Table {number}")
    await card.get_by_role("link", name="Voir la table sur le plan").click()
    await expect(page.get_by_test_id("table-status")).to_contain_text(f"Table {number}")
    await expect(page.locator("map-screen g.table.pinned")).to_have_count(1)


async def test_the_profile_editor_refuses_a_bad_country_then_saves(
    new_phone: PhoneMaker, b2b_fair: BrowserFair
) -> None:
    person = await b2b_fair.people.make("ATTENDEE")
    phone = await phone_of(new_phone, b2b_fair, person)
    page = await phone.open("/b2b")
    await expect(page.get_by_text("Créez d'abord votre profil d'entreprise")).to_be_visible()
    await page.get_by_role("link", name="Créer mon profil").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mon profil")
    name = unique("Usinage de l'Oriental")
    await page.get_by_label("Entreprise").fill(name)
    await page.get_by_label("Pays").fill("ZZ")
    await page.get_by_label("Mécanique", exact=True).check()
    offers = page.locator("tag-list[data-list='offers']")
    await offers.get_by_label("Ce que nous proposons").fill("usinage CNC, fraisage 5 axes")
    await offers.get_by_role("button", name="Ajouter").click()
    await expect(offers.locator("li span")).to_have_text(["usinage CNC", "fraisage 5 axes"])
    await offers.get_by_role("button", name="Retirer « fraisage 5 axes »").click()
    needs = page.locator("tag-list[data-list='needs']")
    await needs.get_by_label("Ce que nous cherchons").fill("traitement de surface")
    await needs.get_by_label("Ce que nous cherchons").press("Enter")
    await expect(needs.locator("li span")).to_have_text(["traitement de surface"])
    await page.get_by_role("button", name="Enregistrer le profil").click()

    # The server knows no country ZZ: said in the reader's words, the field marked.
    await expect(page.get_by_role("alert")).to_have_text(
        "« ZZ » n'est pas un code de pays : tapez ses deux lettres (MA pour le Maroc)."
    )
    await expect(page.get_by_label("Pays")).to_have_attribute("aria-invalid", "true")
    await phone.screenshot("b2b-profile-error")
    assert await phone.accessibility_violations() == []

    await page.get_by_label("Pays").fill("ma")
    await expect(page.locator("#country-name")).to_have_text("Maroc")
    await page.get_by_role("button", name="Enregistrer le profil").click()
    await expect(page.get_by_role("status")).to_have_text("Profil enregistré.")
    saved = await api(
        b2b_fair,
        person.token,
        "{ me { businessProfile { company country sectors offers needs openToMeetings } } }",
    )
    assert saved["me"]["businessProfile"] == {
        "company": name,
        "country": "MA",
        "sectors": ["mechanics"],
        "offers": ["usinage CNC"],
        "needs": ["traitement de surface"],
        "openToMeetings": True,
    }
    # A new visit shows what was saved.
    await page.reload()
    await expect(page.get_by_label("Entreprise")).to_have_value(name)
    await expect(page.get_by_label("Mécanique", exact=True)).to_be_checked()
    await phone.screenshot("b2b-profile")
    assert await phone.accessibility_violations() == []


def canned_matches(profile: dict[str, Any]) -> str:
    return json.dumps(
        {
            "data": {
                "me": {
                    "meetingMatches": [
                        {
                            "score": 0.87,
                            "reasons": ["propose fonderie, dont vous avez besoin"],
                            "profile": profile,
                        }
                    ]
                }
            }
        }
    )


async def test_suggestions_show_their_score_and_reasons_and_vanish_when_refused(
    new_phone: PhoneMaker, b2b_fair: BrowserFair
) -> None:
    seeker = await company(b2b_fair, unique("Acheteur Curieux"))
    found = await company(b2b_fair, unique("Fonderie Suggérée"), offers=("fonderie",))
    profile = (
        await api(
            b2b_fair,
            seeker.person.token,
            """query($id: ID!) { businessProfile(id: $id) { id company country sectors offers
              needs summary openToMeetings exhibitor { id name } } }""",
            id=found.profile_id,
        )
    )["businessProfile"]
    refuse = {"on": False}

    async def matches(route: Route) -> None:
        if "meetingMatches" not in (route.request.post_data or ""):
            await route.continue_()
        elif refuse["on"]:
            error = {"errors": [{"message": "Cannot query field 'meetingMatches' on type 'Me'."}]}
            await route.fulfill(status=200, content_type="application/json", body=json.dumps(error))
        else:
            await route.fulfill(
                status=200, content_type="application/json", body=canned_matches(profile)
            )

    phone = await phone_of(new_phone, b2b_fair, seeker.person)
    page = phone.page
    await page.route("**/graphql", matches)
    await phone.open("/b2b/companies")
    suggestions = page.get_by_test_id("suggestions")
    await expect(suggestions.get_by_role("heading", level=2)).to_have_text("Suggestions pour vous")
    await expect(suggestions.locator(".score")).to_have_text("Pertinence 87 %")
    await expect(suggestions.locator(".reasons li")).to_have_text(
        ["propose fonderie, dont vous avez besoin"]
    )
    await expect(suggestions.get_by_role("link", name=found.name)).to_have_attribute(
        "href", f"/b2b/company/{found.profile_id}"
    )
    # The directory beside it, with its search.
    await page.get_by_role("searchbox").fill(found.name)
    await expect(page.get_by_test_id("directory").get_by_role("link")).to_have_text([found.name])
    await phone.screenshot("b2b-companies")
    assert await phone.accessibility_violations() == []

    # A server without matching: no suggestions, the directory still there.
    refuse["on"] = True
    await page.reload()
    await expect(page.get_by_test_id("count")).to_be_visible()
    await expect(page.get_by_test_id("suggestions")).to_have_count(0)


async def test_the_desk_lists_a_days_meetings_and_saves_the_plan(
    new_phone: PhoneMaker, b2b_fair: BrowserFair
) -> None:
    asker = await company(b2b_fair, unique("Client du Bureau"))
    asked = await company(b2b_fair, unique("Fournisseur du Bureau"))
    meeting = await api(
        b2b_fair,
        asker.person.token,
        REQUEST,
        input={"profileId": asked.profile_id, "startsAt": "2026-12-05T16:00:00+00:00"},
    )
    table = await api(b2b_fair, asked.person.token, ACCEPT, id=meeting["requestMeeting"]["id"])
    number = table["acceptMeeting"]["table"]["number"]

    organiser = await b2b_fair.people.make("ORGANISER")
    phone = await phone_of(new_phone, b2b_fair, organiser)
    page = await phone.open("/console")
    await page.get_by_role("button", name="B2B", exact=True).click()
    desk = page.locator("b2b-desk")
    await desk.get_by_role("button", name="sam. 5 déc.").click()
    row = desk.locator(f"li[data-meeting-id='{meeting['requestMeeting']['id']}']")
    await expect(row).to_contain_text("16:00–16:30")
    await expect(row).to_contain_text(f"Table {number}")
    await expect(row).to_contain_text(f"{asker.name} → {asked.name}")
    await expect(row.locator(".badge")).to_have_text("Acceptée")
    # How busy each table is that day, as the API counts it (other tests of this fair
    # book the same day): this meeting's table has at least this meeting.
    occupancy = await api(
        b2b_fair,
        organiser.token,
        "query($d: Date!) { tableOccupancy(day: $d) { table { number } booked happened noShows } }",
        d="2026-12-05",
    )
    used = {t["table"]["number"]: t for t in occupancy["tableOccupancy"]}[number]
    assert used["booked"] >= 1
    tables = desk.get_by_test_id("occupancy").locator("li")
    await expect(tables).to_have_count(4)
    await expect(tables.nth(number - 1)).to_have_text(
        f"Table {number} : {used['booked']}/15 créneaux, {used['happened']} tenus, "
        f"{used['noShows']} absences"
    )

    # The plan as set, saved again from the form (nothing changes).
    form = desk.locator("meeting-plan-form")
    await expect(form.get_by_label("Nombre de tables")).to_have_value("4")
    await expect(form.get_by_label("jeudi 3 décembre")).to_be_checked()
    await expect(form.locator("#plan-2026-12-03-opens")).to_have_value("10:00")
    await phone.screenshot("console-b2b-desk")
    assert await phone.accessibility_violations() == []
    await form.get_by_role("button", name="Enregistrer le plan").click()
    await expect(form.get_by_role("status")).to_have_text(
        "Plan enregistré : 3 jour(s), créneaux de 30 min, 4 table(s)."
    )
    # Taking away the tables of accepted meetings is refused, in words.
    await form.get_by_label("Nombre de tables").fill("0")
    await form.get_by_role("button", name="Enregistrer le plan").click()
    await expect(form.get_by_role("alert").locator("strong")).to_have_text(
        "Des rendez-vous acceptés ou en attente ne tiendraient plus dans ce plan : "
        "gardez-les dedans, ou annulez-les d'abord."
    )


async def test_the_stand_captures_a_typed_badge_lists_it_and_the_visitor_sees_it(
    new_phone: PhoneMaker, b2b_fair: BrowserFair
) -> None:
    code = f"TST-{secrets.token_hex(3).upper()}"
    visitor = await company(b2b_fair, unique("Visiteur Industriel"), badge=code)
    staff = await b2b_fair.people.make("EXHIBITOR", exhibitor_id=STAND)
    phone = await phone_of(new_phone, b2b_fair, staff)
    page = await phone.open("/staff")
    scanner = page.locator("lead-scanner")
    # No BarcodeDetector in headless Chromium: the typed code, said so.
    await expect(scanner).to_contain_text("Ce navigateur ne lit pas les codes")
    await expect(scanner.get_by_role("button", name="Scanner avec la caméra")).to_have_count(0)
    await expect(scanner.get_by_role("heading", name="Nos contacts (0)")).to_be_visible()

    await scanner.get_by_label("Code du badge", exact=True).fill("TST-NOPE00")
    await scanner.get_by_role("button", name="Enregistrer le contact").click()
    await expect(scanner.get_by_role("alert").locator("strong")).to_have_text(
        "Aucun badge ne porte ce code. Vérifiez les lettres et les chiffres."
    )

    await scanner.get_by_label("Code du badge", exact=True).fill(code.lower())
    await scanner.get_by_label("Note (facultative)").fill("Veut un devis de pièces forgées.")
    await scanner.get_by_role("button", name="Enregistrer le contact").click()
    await expect(scanner.get_by_role("status")).to_have_text(
        f"Contact enregistré : Contact {visitor.name} — {visitor.name}."
    )
    await expect(scanner.get_by_role("heading", name="Nos contacts (1)")).to_be_visible()
    lead = scanner.get_by_test_id("leads").locator("li")
    await expect(lead).to_contain_text(f"Contact {visitor.name} — {visitor.name}")
    await expect(lead).to_contain_text("Veut un devis de pièces forgées.")
    await expect(lead.get_by_role("link")).to_have_text(visitor.person.email)
    await phone.screenshot("staff-lead-scanner")
    assert await phone.accessibility_violations() == []

    # The CSV, fetched with the token and saved as a file.
    async with page.expect_download() as downloading:
        await scanner.get_by_role("button", name="Télécharger les contacts (CSV)").click()
    download = await downloading.value
    assert download.suggested_filename == "leads.csv"
    body = (await asyncio.to_thread(Path.read_bytes, Path(await download.path()))).decode(
        "utf-8-sig"
    )
    assert visitor.person.email in body
    assert "Veut un devis de pièces forgées." in body

    # The visitor's account names the stand that scanned them.
    visitor_phone = await phone_of(new_phone, b2b_fair, visitor.person)
    account = await visitor_phone.open("/signin")
    captured = account.get_by_test_id("captured-by")
    await expect(captured.get_by_role("link")).to_have_text([STAND_NAME])
    await expect(
        account.get_by_role("heading", name="Exposants qui ont scanné mon badge")
    ).to_be_visible()
    await visitor_phone.screenshot("account-captured-by")
    assert await visitor_phone.accessibility_violations() == []


#: A camera and a code reader for a browser that has neither: a canvas's stream as the
#: camera, and a BarcodeDetector that reads `window.badgeShown` once it is set.
FAKE_CAMERA = """
window.BarcodeDetector = class {
  constructor(options) { window.detectorFormats = options.formats; }
  async detect() { return window.badgeShown ? [{ rawValue: window.badgeShown }] : []; }
};
navigator.mediaDevices.getUserMedia = async () => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 64;
  canvas.getContext("2d").fillRect(0, 0, 64, 64);
  return canvas.captureStream(5);
};
"""


async def test_the_camera_reads_a_badge_where_the_browser_can(
    new_phone: PhoneMaker, b2b_fair: BrowserFair
) -> None:
    code = f"TST-{secrets.token_hex(3).upper()}"
    visitor = await company(b2b_fair, unique("Visiteur Filmé"), badge=code)
    staff = await b2b_fair.people.make("EXHIBITOR", exhibitor_id=STAND)
    phone = await phone_of(new_phone, b2b_fair, staff)
    await phone.context.add_init_script(FAKE_CAMERA)
    page = await phone.open("/staff")
    scanner = page.locator("lead-scanner")
    await scanner.get_by_role("button", name="Scanner avec la caméra").click()
    await expect(scanner.get_by_role("status")).to_have_text("Visez le QR code du badge.")
    await expect(scanner.locator("video")).to_be_visible()
    assert await page.evaluate("window.detectorFormats") == ["qr_code", "code_128"]
    assert await phone.accessibility_violations() == []

    await page.evaluate(f"window.badgeShown = {json.dumps(code)}")
    await expect(scanner.get_by_label("Code du badge", exact=True)).to_have_value(code)
    await expect(scanner.locator("video")).to_have_count(0)
    await expect(scanner.get_by_label("Note (facultative)")).to_be_focused()
    await scanner.get_by_role("button", name="Enregistrer le contact").click()
    await expect(scanner.get_by_role("status")).to_have_text(
        f"Contact enregistré : Contact {visitor.name} — {visitor.name}."
    )
