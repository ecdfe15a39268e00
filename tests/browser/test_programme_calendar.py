"""The whole programme as a calendar feed, on the agenda and on My schedule: a webcal://
link to the server's public /schedule.ics and the plain https file beside it."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from playwright.async_api import Page, expect

from tests.browser.conftest import BrowserFair, PhoneMaker
from tests.browser.helpers import signed_in_phone

SUBSCRIBE = {"fr": "S'abonner à tout le programme", "en": "Subscribe to the whole programme"}
DOWNLOAD = {
    "fr": "Télécharger le programme (fichier .ics)",
    "en": "Download the programme (.ics file)",
}


async def links_to_the_feed(page: Page, fair: BrowserFair, lang: str = "fr") -> None:
    https = f"{fair.url}/schedule.ics"
    await expect(page.get_by_role("link", name=SUBSCRIBE[lang])).to_have_attribute(
        "href", "webcal:" + https.split(":", 1)[1]
    )
    await expect(page.get_by_role("link", name=DOWNLOAD[lang])).to_have_attribute("href", https)


async def test_the_agenda_links_the_whole_programme_in_both_languages(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    phone = await new_phone()
    page = await phone.open("/")
    await links_to_the_feed(page, browser_fair)
    # The file itself, not the app's page: the service worker leaves the path alone.
    async with page.expect_download() as started:
        await page.get_by_role("link", name=DOWNLOAD["fr"]).click()
    saved = await (await started.value).path()
    body = await asyncio.to_thread(Path.read_bytes, saved)
    assert body.startswith(b"BEGIN:VCALENDAR\r\n")
    assert await phone.accessibility_violations() == []
    await page.get_by_role("button", name="Switch to English").click()
    await links_to_the_feed(page, browser_fair, "en")


async def test_my_schedule_links_the_whole_programme_signed_in_or_not(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    anonymous = await new_phone()
    await links_to_the_feed(await anonymous.open("/schedule"), browser_fair)
    person = await browser_fair.people.make()
    phone = await signed_in_phone(new_phone, person.token)
    page = await phone.open("/schedule")
    # Beside the personal feed's own webcal link, which stays as it was.
    await expect(page.get_by_test_id("webcal")).to_have_attribute(
        "href", re.compile(r"webcal://127\.0\.0\.1:8000/calendar/[A-Za-z0-9_-]+\.ics")
    )
    await links_to_the_feed(page, browser_fair)
    assert await phone.accessibility_violations() == []
    await phone.screenshot("schedule-programme-feed")
