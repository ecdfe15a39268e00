"""The console's Import tab on a phone: a dry run's report, a refused file's problems with
their place, and an import that finds nothing to change.

The browser fair is shared with the other browser tests: the dry run writes nothing, the
refused file nothing either, and the file applied is exh-001's row as the fair has it.
"""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import BrowserFair, PhoneMaker
from tests.browser.helpers import import_file, import_tab

EXHIBITOR_ROW = (
    "id,name,country,sectors,booth,website\n"
    "exh-001,Bouskoura Industrie Mécanique,MA,mechanics,A503,https://bouskoura-meca.example\n"
)
CSV = "text/csv"


async def choose(page: Page, name: str, content: str) -> None:
    await import_file(page).set_input_files(
        {"name": name, "mimeType": CSV, "buffer": content.encode()}
    )


async def test_a_dry_run_shows_what_the_file_would_change(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    phone, page = await import_tab(browser_fair, new_phone)
    form = page.locator("import-form")
    await choose(page, "exposants.csv", EXHIBITOR_ROW.replace("bouskoura-meca", "bouskoura"))
    await form.get_by_role("button", name="Simuler").click()
    report = form.get_by_role("status")
    await expect(report.locator("p").first).to_have_text(
        "Simulation : voici ce que l'import changerait. Rien n'a été écrit."
    )
    kinds = report.locator("li[data-kind]")
    await expect(kinds).to_have_count(1)
    await expect(kinds.locator("strong")).to_have_text("Exposants")
    await expect(kinds.locator("span")).to_have_text(["1 modifiés", "129 conservés"])
    await phone.screenshot("console-import")
    assert await phone.accessibility_violations() == []

    # Nothing was written: the real file, as the fair has it, has nothing to change.
    await choose(page, "exposants.csv", EXHIBITOR_ROW)
    await form.get_by_role("button", name="Importer").click()
    await expect(form.get_by_role("status").locator("p").first).to_have_text(
        "Rien à changer : le salon dit déjà ce que dit exposants.csv."
    )


async def test_a_refused_file_lists_every_problem_with_its_place(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    phone, page = await import_tab(browser_fair, new_phone)
    form = page.locator("import-form")
    await choose(
        page,
        "sessions.csv",
        "id,title_fr,kind,room,start,end\n"
        "ses-new,Atelier soudure,WORKSHOP,room-nowhere,2026-12-05 10:00,2026-12-05 11:00\n"
        "ses-new-2,Atelier laser,WORKSHOP,room-ziz,demain,2026-12-05 11:00\n",
    )
    await form.get_by_role("button", name="Importer").click()
    alert = form.get_by_role("alert")
    await expect(alert.locator("strong")).to_have_text(
        "Fichier refusé : 1 problème(s), rien n'a été écrit."
    )
    await expect(alert.locator("li")).to_have_count(1)
    await expect(alert.locator("li").first).to_contain_text("sessions.csv ligne 3, colonne `start`")
    assert await phone.accessibility_violations() == []

    await choose(
        page,
        "sessions.csv",
        "id,title_fr,kind,room,start,end\n"
        "ses-new,Atelier soudure,WORKSHOP,room-nowhere,2026-12-05 10:00,2026-12-05 11:00\n",
    )
    await form.get_by_role("button", name="Importer").click()
    await expect(alert.locator("li")).to_have_text(
        [
            "sessions.csv ligne 2, colonne `room`: la salle `room-nowhere` n'est ni dans le "
            "fichier ni dans le salon UNKNOWN_ROOM"
        ]
    )
