"""The personal screens on a phone: sign-in (badge, e-mailed code) and the account, My
schedule (conflicts, registrations, offline changes, the calendar feed) and the notices
inbox with its live banner, through outages and sign-outs."""

from __future__ import annotations

import json
import secrets
from typing import Any

import httpx
from playwright.async_api import Locator, Page, expect

from server.db.pool import connect
from server.domain.people import NewPerson, add_person
from tests.announcements import broadcast, title
from tests.browser.conftest import BrowserFair, PhoneMaker
from tests.browser.helpers import api, signed_in_phone

BOOKMARK = "mutation($id: ID!) { bookmarkSession(sessionId: $id) { id } }"
REGISTER = "mutation($id: ID!) { registerForSession(sessionId: $id) { status } }"
PLAN = "{ me { schedule { sessions { id viewerHasBookmarked viewerRegistration } } } }"
SESSION = """query($id: ID!) { session(id: $id) {
  title(lang: FR) room { name hall { name } } track { name(lang: FR) } } }"""
NOTICES = '{ notices(after: "0", first: 100) { id title(lang: FR) } }'
URGENT = """mutation($input: AnnouncementInput!) { broadcastAnnouncement(input: $input) { id } }"""


async def badge_holder(fair: BrowserFair) -> tuple[str, str]:
    """A new attendee with a badge: (e-mail, badge code)."""
    email = f"{secrets.token_hex(6)}@test.example"
    code = f"TST-{secrets.token_hex(3).upper()}"
    conn = await connect(fair.database_url)
    try:
        async with conn.transaction():
            await add_person(
                conn,
                NewPerson(email=email, roles=["ATTENDEE"], name="Nadia Berrada", badge_code=code),
            )
    finally:
        await conn.close()
    return email, code


def row(page: Page, session_id: str) -> Locator:
    return page.locator(f"li.row[data-session-id='{session_id}']")


def inbox_titles(page: Page) -> Locator:
    return page.get_by_test_id("notice").locator("h2")


async def live(page: Page, state: str = "connected") -> None:
    await expect(page.locator(f"html[data-live='{state}']")).to_be_attached()


async def stored(page: Page) -> dict[str, Any]:
    """What the app keeps in IndexedDB about a person: kv "me", the notices, the outbox."""
    return await page.evaluate(
        """() => new Promise((resolve, reject) => {
          const open = indexedDB.open("salon");
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction(["kv", "notices", "outbox"]);
            const me = tx.objectStore("kv").get("me");
            const notices = tx.objectStore("notices").getAll();
            const outbox = tx.objectStore("outbox").count();
            tx.oncomplete = () => resolve({
              me: me.result ?? null,
              notices: notices.result.map((n) => n.titleFr),
              outbox: outbox.result,
            });
          };
        })"""
    )


async def test_sign_in_with_a_badge_then_the_plan_shows_its_conflict_after_reloads(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    _, code = await badge_holder(browser_fair)
    phone = await new_phone()
    page = await phone.open("/signin")
    await expect(page.get_by_role("heading", name="Connexion", exact=True)).to_be_visible()
    assert await phone.accessibility_violations() == []
    await phone.screenshot("signin")

    await page.get_by_label("Code du badge").fill("TST-WRONG0")
    await page.get_by_role("button", name="Se connecter").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "Aucun badge ne porte ce code. Vérifiez les lettres et les chiffres."
    )
    await page.get_by_label("Code du badge").fill(code.lower())
    await page.get_by_role("button", name="Se connecter").click()
    await expect(page.get_by_role("heading", name="Mon programme", exact=True)).to_be_visible()
    assert page.url == f"{browser_fair.url}/schedule"
    await expect(page.get_by_text("Votre programme est vide", exact=False)).to_be_visible()

    token = await page.evaluate("localStorage.getItem('salon.token')")
    for session_id in ("ses-072", "ses-075"):
        await api(browser_fair, token, BOOKMARK, id=session_id)
    assert await api(browser_fair, token, REGISTER, id="ses-075") == {
        "registerForSession": {"status": "REGISTERED"}
    }
    title_072 = (await api(browser_fair, None, SESSION, id="ses-072"))["session"]["title"]
    title_075 = (await api(browser_fair, None, SESSION, id="ses-075"))["session"]["title"]

    for _ in range(2):  # what the server said, then what the phone kept
        await page.reload()
        await expect(page.get_by_test_id("conflicts")).to_have_text(
            "1 conflit dans votre programme"
        )
        await expect(page.locator("li.row")).to_have_count(2)
        await expect(page.get_by_role("heading", name="dimanche 6 décembre")).to_be_visible()
        await expect(row(page, "ses-072").locator(".when strong")).to_have_text("10:30–11:15")
        notes = (row(page, x).locator(".notes li") for x in ("ses-072", "ses-075"))
        await expect(next(notes)).to_have_text(f"Chevauche « {title_075} »")
        await expect(next(notes)).to_have_text(f"Chevauche « {title_072} »")
        await expect(row(page, "ses-075").locator(".badge.registered")).to_have_text("Inscrit")
        await expect(row(page, "ses-072").locator(".badge.registered")).to_have_count(0)
        for session_id in ("ses-072", "ses-075"):
            button = row(page, session_id).get_by_role("button", name="Favori")
            await expect(button).to_have_attribute("aria-pressed", "true")
    assert await phone.accessibility_violations() == []
    await phone.screenshot("schedule")


async def test_the_calendar_feed_is_a_webcal_link_that_can_be_renewed(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    person = await browser_fair.people.make()
    phone = await signed_in_phone(new_phone, person.token)
    page = await phone.open("/schedule")
    before = (await api(browser_fair, person.token, "{ me { calendarUrl } }"))["me"]["calendarUrl"]
    link = page.get_by_role("link", name="S'abonner au calendrier")
    await expect(link).to_have_attribute("href", "webcal:" + before.split(":", 1)[1])
    await page.get_by_role("button", name="Renouveler le lien").click()
    await expect(page.get_by_role("status").filter(has_text="Nouveau lien")).to_have_text(
        "Nouveau lien créé : l'ancien ne fonctionne plus."
    )
    after = (await api(browser_fair, person.token, "{ me { calendarUrl } }"))["me"]["calendarUrl"]
    assert after != before
    await expect(link).to_have_attribute("href", "webcal:" + after.split(":", 1)[1])


async def test_a_bookmark_removed_on_the_plan_stays_in_view_until_the_next_visit(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    person = await browser_fair.people.make()
    await api(browser_fair, person.token, BOOKMARK, id="ses-078")
    phone = await signed_in_phone(new_phone, person.token)
    page = await phone.open("/schedule")
    bookmark = row(page, "ses-078").get_by_role("button", name="Favori")
    async with page.expect_response(lambda r: "removeBookmark" in (r.request.post_data or "")):
        await bookmark.click()
    await expect(bookmark).to_have_attribute("aria-pressed", "false")
    assert (await api(browser_fair, person.token, PLAN))["me"]["schedule"]["sessions"] == []
    await page.reload()
    await expect(page.get_by_text("Votre programme est vide", exact=False)).to_be_visible()
    await expect(page.locator("li.row")).to_have_count(0)


async def test_the_plan_opens_offline_and_a_bookmark_made_offline_reaches_the_server(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    person = await browser_fair.people.make()
    await api(browser_fair, person.token, BOOKMARK, id="ses-067")
    await api(browser_fair, person.token, REGISTER, id="ses-069")
    phone = await signed_in_phone(new_phone, person.token)
    page = await phone.open("/schedule")
    await expect(row(page, "ses-069").locator(".badge.registered")).to_have_text("Inscrit")
    await page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")

    await phone.offline(True)
    await page.reload()
    await expect(page.locator("li.row")).to_have_count(2)
    bookmark = row(page, "ses-069").get_by_role("button", name="Favori")
    await expect(bookmark).to_have_attribute("aria-pressed", "false")
    await bookmark.click()
    await expect(bookmark).to_have_attribute("aria-pressed", "true")
    await expect(page.get_by_test_id("pending")).to_have_text("1 changement en attente d'envoi")

    await phone.offline(False)
    await expect(page.get_by_test_id("pending")).to_have_text("")
    plan = (await api(browser_fair, person.token, PLAN))["me"]["schedule"]["sessions"]
    assert sorted(plan, key=lambda x: x["id"]) == [
        {"id": "ses-067", "viewerHasBookmarked": True, "viewerRegistration": None},
        {"id": "ses-069", "viewerHasBookmarked": True, "viewerRegistration": "REGISTERED"},
    ]


async def test_notices_missed_offline_arrive_once_each_in_order_from_the_latest_cursor(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    person = await browser_fair.people.make()
    organiser = await browser_fair.people.make("ORGANISER")
    to_person = {"userIds": [str(person.id)]}
    graphql_url = f"{browser_fair.url}/graphql"
    # Announcements to everyone from other tests are this person's too: the app keeps them.
    earlier = (await api(browser_fair, person.token, NOTICES))["notices"]
    phone = await signed_in_phone(new_phone, person.token)
    subscribes: list[dict[str, Any]] = []

    def watch(frame: str | bytes) -> None:
        message = json.loads(frame)
        if message.get("type") == "subscribe":
            subscribes.append(message["payload"]["variables"])

    phone.page.on("websocket", lambda socket: socket.on("framesent", watch))
    page = await phone.open("/notices")
    await live(page)
    before = title("Avant la coupure")
    await broadcast(graphql_url, organiser.token, before, to_person)
    history = [n["title"] for n in reversed(earlier)]
    await expect(inbox_titles(page)).to_have_text([before, *history])
    cursor = await page.get_by_test_id("notice").first.get_attribute("data-notice-id")

    await phone.offline(True)
    await live(page, "disconnected")
    missed = [title(f"Pendant la coupure {n}") for n in (1, 2, 3)]
    for text in missed:
        await broadcast(graphql_url, organiser.token, text, to_person)
    await phone.offline(False)
    await expect(inbox_titles(page)).to_have_text([*reversed(missed), before, *history])
    await live(page)
    start = earlier[-1]["id"] if earlier else "0"
    assert subscribes == [{"after": start}, {"after": cursor}]
    assert (await stored(page))["notices"] == [*reversed(history), before, *missed]


async def test_a_moved_session_shows_the_banner_and_its_new_room_without_a_reload(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    person = await browser_fair.people.make()
    organiser = await browser_fair.people.make("ORGANISER")
    await api(browser_fair, person.token, BOOKMARK, id="ses-080")
    session = (await api(browser_fair, None, SESSION, id="ses-080"))["session"]
    track = session["track"]["name"]
    phone = await signed_in_phone(new_phone, person.token)
    page = await phone.open("/schedule")
    place = row(page, "ses-080").locator("a.card > div.muted")
    await expect(place).to_have_text(
        f"{session['room']['name']} · {session['room']['hall']['name']} · {track}"
    )
    await live(page)

    move = """mutation($id: ID!, $input: SessionChangeInput!) {
      updateSession(id: $id, input: $input) { room { name hall { name } } } }"""
    moved = await api(
        browser_fair,
        organiser.token,
        move,
        id="ses-080",
        input={"roomId": "room-ziz", "note": "Salle Souss en travaux."},
    )
    room = moved["updateSession"]["room"]
    banner = page.get_by_test_id("notice-banner")
    await expect(banner).to_be_visible()
    latest = (await api(browser_fair, person.token, NOTICES))["notices"][-1]
    await expect(banner.locator("h2")).to_have_text(latest["title"])
    assert await banner.get_attribute("data-notice-id") == latest["id"]
    await expect(place).to_have_text(f"{room['name']} · {room['hall']['name']} · {track}")
    await expect(row(page, "ses-080").locator(".badge.changed")).to_have_text("Modifié")
    assert await phone.accessibility_violations() == []


async def test_an_urgent_announcement_cannot_be_missed_and_lands_in_the_inbox(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    person = await browser_fair.people.make()
    organiser = await browser_fair.people.make("ORGANISER")
    phone = await signed_in_phone(new_phone, person.token)
    page = await phone.open("/notices")
    await live(page)
    urgent = title("Évacuation du hall B")
    announcement = {
        "title": urgent,
        "body": "Sortez par les portes nord.",
        "priority": "URGENT",
        "audience": {"userIds": [str(person.id)]},
    }
    await api(browser_fair, organiser.token, URGENT, input=announcement)
    alert = page.get_by_role("alert")
    await expect(alert.locator("h2")).to_have_text(urgent)
    await expect(alert).to_have_class("urgent")
    await expect(alert.get_by_role("button", name="J'ai compris")).to_be_focused()
    assert await phone.accessibility_violations() == []
    await phone.screenshot("banner-urgent")

    item = page.get_by_test_id("notice").filter(has_text=urgent)
    await expect(item.locator(".badge.urgent")).to_have_text("Urgent")
    await alert.get_by_role("button", name="J'ai compris").click()
    await expect(page.get_by_role("alert")).to_have_count(0)
    assert await phone.accessibility_violations() == []
    await phone.screenshot("notices")
    await item.get_by_role("button", name="Marquer comme lu").click()
    await expect(item.locator(".badge.new")).to_have_count(0)


async def test_sign_in_by_e_mail_then_sign_out_forgets_the_person(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    person = await browser_fair.people.make("SPEAKER", "ORGANISER", name="Karim Tazi")
    organiser = await browser_fair.people.make("ORGANISER")
    await api(browser_fair, person.token, BOOKMARK, id="ses-070")
    phone = await new_phone()
    page = await phone.open("/signin?next=/notices")
    await page.get_by_label("Adresse e-mail").fill(person.email)
    await page.get_by_role("button", name="Recevoir un code").click()
    code = await browser_fair.mailbox.sign_in_code(person.email)
    await expect(page.get_by_label("Code reçu par e-mail")).to_be_focused()
    await page.get_by_label("Code reçu par e-mail").fill("000000" if code != "000000" else "111111")
    await page.get_by_role("button", name="Se connecter", exact=True).last.click()
    await expect(page.get_by_role("alert")).to_have_text(
        "Ce code n'est pas le bon, ou il a expiré. Vérifiez-le ou demandez-en un nouveau."
    )
    await page.get_by_label("Code reçu par e-mail").fill(code)
    await page.get_by_role("button", name="Se connecter", exact=True).last.click()
    await expect(page.get_by_role("heading", name="Avis", exact=True)).to_be_visible()
    assert page.url == f"{browser_fair.url}/notices"
    await live(page)
    mine = title("Pour Karim")
    await broadcast(
        f"{browser_fair.url}/graphql", organiser.token, mine, {"userIds": [str(person.id)]}
    )
    await expect(inbox_titles(page).first).to_have_text(mine)

    await page.get_by_role("link", name="Compte").click()
    await expect(page.get_by_test_id("account")).to_have_text(
        f"Nom Karim Tazi E-mail {person.email} Rôles Intervenant, Organisateur"
    )
    spaces = page.locator("ul.spaces a")
    await expect(spaces).to_have_text(
        ["Mon programme", "Mes avis", "Mes interventions", "Console des organisateurs"]
    )
    assert await phone.accessibility_violations() == []
    await page.get_by_role("link", name="Mon programme").first.click()
    await expect(row(page, "ses-070")).to_be_visible()

    await page.get_by_role("link", name="Compte").click()
    phone_token = await page.evaluate("localStorage.getItem('salon.token')")
    await page.get_by_role("button", name="Se déconnecter").click()
    await expect(page.get_by_test_id("signed-out")).to_have_text(
        "Vous êtes déconnecté : ce téléphone a oublié votre programme et vos avis."
    )
    assert await page.evaluate("localStorage.getItem('salon.token')") is None
    await page.get_by_role("navigation").get_by_role("link", name="Mon programme").click()
    await expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    await expect(page.locator("li.row")).to_have_count(0)
    await live(page)
    kept = await stored(page)
    assert (kept["me"], mine in kept["notices"], kept["outbox"]) == (None, False, 0)
    async with httpx.AsyncClient(base_url=browser_fair.url) as http:
        answer = await http.post(
            "/graphql",
            json={"query": "{ me { id } }"},
            headers={"Authorization": f"Bearer {phone_token}"},
        )
    assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_token_revoked_elsewhere_signs_the_phone_out(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    person = await browser_fair.people.make()
    await api(browser_fair, person.token, BOOKMARK, id="ses-068")
    phone = await new_phone()
    await phone.open("/")
    page = phone.page
    await page.evaluate(f"localStorage.setItem('salon.token', {json.dumps(person.token)})")
    await page.goto("/schedule")
    await expect(row(page, "ses-068")).to_be_visible()
    await live(page)
    await api(browser_fair, person.token, "mutation { signOut }")
    await expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    assert await page.evaluate("localStorage.getItem('salon.token')") is None
    assert (await stored(page))["me"] is None
