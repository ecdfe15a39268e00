"""The role screens on a phone: the speaker's sessions with what moved highlighted, the
exhibitor staff's demo form, and the organisers' console (broadcast, move, cancel),
each seen from another signed-in phone without a reload.

These tests share the browser fair with the other browser tests, so they change only
sessions no other test uses, on a day whose cards no other test counts (5 December; the
demo they add is on 6 December, at a booth of an exhibitor no other test lists), and
broadcast only to the people of a session their own attendee bookmarked, never to
everyone: a new phone replays the whole log, and an announcement to everyone would greet
every later test's phone.
"""

from __future__ import annotations

import secrets

from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import BrowserFair, Phone, PhoneMaker
from tests.browser.helpers import api, signed_in_phone

#: ses-058 "Galvanisation à chaud…", 5 Dec 14:30–15:15 in Salle Souss, by spk-029 alone;
#: the Atlas room is free from 12:15 to 14:30 that day.
MOVED = "ses-058"
MOVED_TITLE = "Galvanisation à chaud : durabilité des structures en milieu marin"
#: ses-055 "Lean manufacturing…", 5 Dec 14:00–14:45 in Salle Rif.
CANCELLED = "ses-055"
CANCELLED_TITLE = "Lean manufacturing dans les PME de mécanique"
#: Two booths (A101, A102), so the booth picker has a choice.
EXHIBITOR = "exh-107"


async def in_the_public_of(fair: BrowserFair, new_phone: PhoneMaker, session_id: str) -> Phone:
    """The phone of a new attendee who bookmarked `session_id`: in that session's public."""
    attendee = await fair.people.make("ATTENDEE")
    await api(
        fair,
        attendee.token,
        "mutation($id: ID!) { bookmarkSession(sessionId: $id) { id } }",
        id=session_id,
    )
    return await signed_in_phone(new_phone, attendee.token)


async def console(fair: BrowserFair, new_phone: PhoneMaker) -> tuple[Phone, Page]:
    """A new organiser's phone, on the console."""
    organiser = await fair.people.make("ORGANISER")
    phone = await signed_in_phone(new_phone, organiser.token)
    return phone, await phone.open("/console")


async def console_session(page: Page, search: str, session_id: str) -> Locator:
    """Open the console's session panel and pick a session; the panel, for what follows."""
    await page.get_by_role("button", name="Session", exact=True).click()
    form = page.locator("session-form")
    await form.get_by_role("searchbox").fill(search)
    await form.locator(f"input[value='{session_id}']").check()
    return form


async def test_the_console_politely_refuses_a_non_organiser(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    attendee = await browser_fair.people.make("ATTENDEE")
    phone = await signed_in_phone(new_phone, attendee.token)
    page = await phone.open("/console")
    await expect(page.locator("console-screen").get_by_role("status")).to_have_text(
        "Désolé, cette console est réservée aux organisateurs du salon. "
        "Pour toute demande, adressez-vous au bureau d'accueil."
    )
    await expect(page.get_by_role("button", name="Envoyer l'annonce")).to_have_count(0)
    assert await phone.accessibility_violations() == []


async def test_a_broadcast_from_the_console_reaches_another_signed_in_phone(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    listener = await in_the_public_of(browser_fair, new_phone, MOVED)
    await listener.open("/")
    phone, page = await console(browser_fair, new_phone)
    title = f"Navette supplémentaire {secrets.token_hex(3)}"
    await page.get_by_label("Titre", exact=True).fill(title)
    await page.get_by_label("Message", exact=True).fill("Départ toutes les 10 minutes, porte 2.")

    # URGENT to everyone asks first; "do nothing" sends nothing.
    await page.get_by_label("Urgente (s'affiche en rouge sur tout l'écran)").check()
    await page.get_by_role("button", name="Envoyer l'annonce").click()
    dialog = page.get_by_role("dialog", name="Annonce urgente à tout le monde ?")
    await expect(dialog).to_be_visible()
    assert await phone.accessibility_violations() == []
    await dialog.get_by_role("button", name="Ne rien faire").click()
    await expect(dialog).to_be_hidden()
    await expect(page.locator("broadcast-form").get_by_role("status")).to_have_count(0)

    await page.get_by_label("Normale").check()
    await page.get_by_label("Le public de sessions").check()
    await page.locator("pick-list").get_by_role("searchbox").fill("galvanisation")
    await page.locator(f"pick-list input[value='{MOVED}']").check()
    await phone.screenshot("console")
    assert await phone.accessibility_violations() == []
    await page.get_by_role("button", name="Envoyer l'annonce").click()
    await expect(page.locator("broadcast-form").get_by_role("status")).to_have_text(
        f"Annonce envoyée : « {title} »."
    )

    banner = listener.page.get_by_test_id("notice-banner")
    await expect(banner.get_by_role("heading")).to_have_text(title)


async def test_an_announcement_held_for_later_is_withdrawn_from_the_console(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    phone, page = await console(browser_fair, new_phone)
    form = page.locator("broadcast-form")
    title = f"Remise des prix {secrets.token_hex(3)}"
    await form.get_by_label("Titre", exact=True).fill(title)
    await form.get_by_label("Message", exact=True).fill("Rendez-vous en salle Atlas.")
    await form.get_by_label("Le public de sessions").check()
    await form.locator("pick-list").get_by_role("searchbox").fill("lean")
    await form.locator(f"pick-list input[value='{CANCELLED}']").check()
    await form.get_by_label("Envoyer plus tard").check()
    await form.get_by_label("Jour d'envoi").select_option("2026-12-06")
    await form.get_by_label("Heure d'envoi").fill("18:30")
    await form.get_by_role("button", name="Programmer l'annonce").click()
    await expect(form.get_by_role("status")).to_have_text(
        f"Annonce programmée pour dimanche 6 décembre à 18:30 : « {title} »."
    )

    # Kept on the phone: the server offers no list of held announcements.
    await page.reload()
    await page.get_by_role("button", name="Programmées (1)").click()
    held = page.locator("held-list")
    await expect(held.locator("li strong")).to_have_text([title])
    await expect(held.locator("li .muted")).to_have_text(
        ["Envoi prévu dimanche 6 décembre à 18:30"]
    )
    assert await phone.accessibility_violations() == []
    await held.get_by_role("button", name=f"Retirer l'annonce « {title} »").click()
    await expect(held.get_by_role("status")).to_have_text(f"Annonce retirée : « {title} ».")
    await expect(page.get_by_role("button", name="Programmées (0)")).to_be_visible()
    await expect(held.get_by_text("Aucune annonce en attente d'envoi.")).to_be_visible()


async def test_a_speaker_sees_a_move_made_in_the_console_without_reload(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    speaker = await browser_fair.people.make("SPEAKER", speaker_id="spk-029")
    speaker_phone = await signed_in_phone(new_phone, speaker.token)
    mine = await speaker_phone.open("/speaker")
    card = mine.locator(f"li[data-session-id='{MOVED}']")
    await expect(card.locator("a.card")).to_have_attribute("data-status", "SCHEDULED")
    await expect(card.get_by_test_id("moved")).to_have_count(0)

    _, page = await console(browser_fair, new_phone)
    form = await console_session(page, "galvanisation", MOVED)
    await form.get_by_label("Salle", exact=True).select_option("room-atlas")
    await form.get_by_label("Début").fill("13:00")
    await form.get_by_label("Début").dispatch_event("change")
    await expect(form.get_by_label("Fin")).to_have_value("13:45")
    await form.get_by_label("Note pour les personnes prévenues (facultatif)").fill(
        "La salle Souss est en travaux."
    )
    await form.get_by_role("button", name="Enregistrer le changement").click()
    await expect(form.get_by_role("status")).to_have_text(
        f"Session modifiée : « {MOVED_TITLE} ». Ses intervenants et son public sont prévenus."
    )

    moved = card.get_by_test_id("moved")
    await expect(moved.locator("p")).to_have_text(
        [
            "Changé depuis votre dernière visite",
            "Salle : Salle Souss · Centre de conférences"
            " → Salle plénière Atlas · Centre de conférences",
            "Horaire : 14:30 → 13:00",
        ]
    )
    await expect(card.locator("a.card")).to_have_attribute("data-status", "CHANGED")
    banner = speaker_phone.page.get_by_test_id("notice-banner")
    await expect(banner.get_by_role("heading")).to_have_text(f"« {MOVED_TITLE} » : changement")
    await banner.get_by_role("button", name="Fermer").click()
    await moved.scroll_into_view_if_needed()
    await speaker_phone.screenshot("speaker")
    assert await speaker_phone.accessibility_violations() == []

    await moved.get_by_role(
        "button",
        name=f"J'ai pris note du changement de « {MOVED_TITLE} »",
    ).click()
    await expect(moved).to_have_count(0)
    await mine.reload()
    await expect(card.locator("a.card")).to_have_attribute("data-status", "CHANGED")
    await expect(card.get_by_test_id("moved")).to_have_count(0)


async def test_exhibitor_staff_schedule_a_demo_on_the_fair_clock(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    staff = await browser_fair.people.make("EXHIBITOR", exhibitor_id=EXHIBITOR)
    phone = await signed_in_phone(new_phone, staff.token)
    page = await phone.open("/staff")
    title = f"Découpe plasma {secrets.token_hex(3)}"
    await page.get_by_label("Titre de la démo").fill(title)
    await page.get_by_label("Stand").select_option("booth-a102")
    # The last day of the fair: still ahead whenever the suite runs before it ends.
    await page.get_by_label("Jour").select_option("2026-12-06")
    await page.get_by_label("Début").fill("16:00")
    await page.get_by_label("Fin").fill("16:30")
    await phone.screenshot("staff")
    assert await phone.accessibility_violations() == []
    await page.get_by_role("button", name="Programmer la démo").click()
    await expect(page.locator("demo-form").get_by_role("status")).to_have_text(
        f"Démo programmée : « {title} », dimanche 6 décembre, 16:00–16:30."
    )
    await expect(page.locator("a.card", has_text=title)).to_be_visible()

    data = await api(
        browser_fair,
        None,
        "query($id: ID!) { exhibitor(id: $id) { demos { title startsAt booth { code } } } }",
        id=EXHIBITOR,
    )
    ours = [demo for demo in data["exhibitor"]["demos"] if demo["title"] == title]
    assert ours == [
        {"title": title, "startsAt": "2026-12-06T16:00:00+00:00", "booth": {"code": "A102"}}
    ]

    # The same slot again: the booth is busy, and the server's refusal is shown.
    await page.get_by_label("Titre de la démo").fill(f"{title} bis")
    await page.get_by_label("Stand").select_option("booth-a102")
    await page.get_by_label("Jour").select_option("2026-12-06")
    await page.get_by_label("Début").fill("16:15")
    await page.get_by_label("Fin").fill("16:45")
    await page.get_by_role("button", name="Programmer la démo").click()
    alert = page.locator("demo-form").get_by_role("alert")
    await expect(alert.locator("strong")).to_have_text("Impossible en l'état.")
    await expect(alert).to_have_attribute("data-code", "CONFLICT")


async def test_a_session_cancelled_in_the_console_shows_cancelled_on_another_phone(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    other = await in_the_public_of(browser_fair, new_phone, CANCELLED)
    agenda = await other.open("/")
    await agenda.get_by_role("group", name="Jours du salon").get_by_role("button").nth(2).click()
    card = agenda.locator(f"a.card[data-session-id='{CANCELLED}']")
    await expect(card).to_have_attribute("data-status", "SCHEDULED")

    phone, page = await console(browser_fair, new_phone)
    form = await console_session(page, "lean", CANCELLED)
    assert await phone.accessibility_violations() == []
    await form.get_by_label("Raison de l'annulation (lue par le public)").fill(
        "L'intervenant est retenu à l'étranger."
    )
    await form.get_by_role("button", name="Annuler la session…").click()
    dialog = form.get_by_role("dialog")
    await expect(dialog.get_by_role("heading")).to_have_text(f"Annuler « {CANCELLED_TITLE} » ?")
    await dialog.get_by_role("button", name="Oui, annuler la session").click()
    await expect(form.get_by_role("status")).to_have_text(
        f"Session annulée : « {CANCELLED_TITLE} »."
    )
    await expect(
        form.get_by_text("Cette session est annulée : elle ne peut plus changer.")
    ).to_be_visible()

    await expect(card).to_have_attribute("data-status", "CANCELLED")
    await expect(card.locator(".badge.cancelled")).to_have_text("Annulé")
