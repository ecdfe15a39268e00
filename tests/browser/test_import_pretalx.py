"""A real-sized pretalx export (tests/import_files/pretalx-berlin.schedule.json: four days
in Europe/Berlin, hundreds of talks) uploaded through the console's Import tab on a phone.

The shared browser fair only simulates it (a real import would replace its programme
under the other browser tests); the real import runs on a fair of its own, a second
server on a copy of the demo fair. Every count the organiser should read is worked out
from the file itself (and, for what the file omits, from the fair as GraphQL tells it).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import Locator, Page, expect

from server.clock import in_fair_time
from server.services import ServiceUrls
from tests.browser.conftest import BrowserFair, PhoneMaker, served_fair
from tests.browser.helpers import api, import_file, import_tab
from tests.conftest import Mailbox
from tests.import_files.make_pretalx_schedule import OUTPUT as PRETALX

#: What the fair holds that the file may change or leave out.
FAIR = """{ event { name(lang: FR) timezone }
  sessions(first: 1) { totalCount }
  live: sessions(first: 1, filter: {includeCancelled: false}) { totalCount }
  speakers(first: 1) { totalCount } }"""
SESSION = "query($id: ID!) { session(id: $id) { id } }"


@dataclass(frozen=True)
class FileRows:
    """The file's rows per kind, counted from its JSON as pretalx wrote it."""

    tracks: int
    rooms: int
    speakers: int
    sessions: int
    first_talk: dict[str, Any]

    @classmethod
    def read(cls) -> FileRows:
        document = json.loads(PRETALX.read_text(encoding="utf-8"))
        conference = document["schedule"]["conference"]
        events = [
            event
            for day in conference["days"]
            for talks in day["rooms"].values()
            for event in talks
        ]
        return cls(
            tracks=len(conference["tracks"]),
            rooms=len(conference["rooms"]),
            speakers=len({person["guid"] for e in events for person in e["persons"]}),
            sessions=len(events),
            first_talk=events[0],
        )


@dataclass(frozen=True)
class FairRows:
    """What the fair holds before the import: none of it is in the file."""

    event: str
    sessions: int
    live_sessions: int
    speakers: int

    @classmethod
    async def read(cls, fair: BrowserFair) -> FairRows:
        data = await api(fair, None, FAIR)
        return cls(
            event=data["event"]["name"],
            sessions=data["sessions"]["totalCount"],
            live_sessions=data["live"]["totalCount"],
            speakers=data["speakers"]["totalCount"],
        )


def first_import(file: FileRows, fair: FairRows) -> dict[str, list[str]]:
    """The report's lines per kind when the file meets a fair that knows none of its rows:
    all of them added, the fair's event renamed, its live sessions cancelled (the file is
    the whole programme) and its own speakers, and sessions cancelled before, kept."""
    cancelled_before = fair.sessions - fair.live_sessions
    return {
        "event": ["1 modifiés"],
        "tracks": [f"{file.tracks} ajoutés"],
        "rooms": [f"{file.rooms} ajoutés"],
        "speakers": [f"{file.speakers} ajoutés", f"{fair.speakers} conservés"],
        "sessions": [f"{file.sessions} ajoutés", f"{fair.live_sessions} annulés"]
        + ([f"{cancelled_before} conservés"] if cancelled_before else []),
    }


def second_import(file: FileRows, fair: FairRows) -> dict[str, list[str]]:
    """The same file once more: nothing differs; what it omits is kept, cancelled already."""
    return {
        "event": ["1 inchangés"],
        "tracks": [f"{file.tracks} inchangés"],
        "rooms": [f"{file.rooms} inchangés"],
        "speakers": [f"{file.speakers} inchangés", f"{fair.speakers} conservés"],
        "sessions": [f"{file.sessions} inchangés", f"{fair.sessions} conservés"],
    }


async def send(page: Page, button: str) -> Locator:
    """Upload the pretalx file from disk, as the organiser picks it; the answer's box."""
    form = page.locator("import-form")
    await import_file(page).set_input_files(PRETALX)
    await form.get_by_role("button", name=button, exact=True).click()
    return form.get_by_role("status")


async def expect_counts(report: Locator, expected: dict[str, list[str]]) -> None:
    kinds = report.locator("li[data-kind]")
    await expect(kinds).to_have_count(len(expected))
    for kind, lines in expected.items():
        await expect(report.locator(f"li[data-kind='{kind}'] span")).to_have_text(lines)


@pytest.fixture(scope="module")
async def own_fair(service_urls: ServiceUrls, mailbox: Mailbox) -> AsyncIterator[BrowserFair]:
    """A second server on a demo fair of its own, for the import that writes."""
    async with served_fair(service_urls, mailbox, "salon_browser_pretalx") as fair:
        yield fair


async def test_a_dry_run_of_a_pretalx_export_counts_every_row_and_writes_nothing(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    file, fair = FileRows.read(), await FairRows.read(browser_fair)
    assert file.sessions >= 200  # real-sized, or this proves little
    phone, page = await import_tab(browser_fair, new_phone)
    report = await send(page, "Simuler")
    await expect(report.locator("p").first).to_have_text(
        "Simulation : voici ce que l'import changerait. Rien n'a été écrit."
    )
    await expect_counts(report, first_import(file, fair))
    # Each live session of the fair would be cancelled, its people told.
    await expect(report.locator("p").nth(1)).to_have_text("Avis qui seraient envoyés")
    await expect(report.locator("ul:not(.counts) > li")).to_have_count(fair.live_sessions)
    await phone.screenshot("console-import-pretalx-dry-run")
    assert await phone.accessibility_violations() == []

    # Nothing was written: the fair is as it was, and the file's talks are not in it.
    assert await FairRows.read(browser_fair) == fair
    talk = await api(browser_fair, None, SESSION, id=file.first_talk["guid"])
    assert talk == {"session": None}


async def test_a_pretalx_export_imported_on_a_fair_of_its_own(
    new_phone: PhoneMaker, own_fair: BrowserFair
) -> None:
    file, fair = FileRows.read(), await FairRows.read(own_fair)
    phone, page = await import_tab(own_fair, new_phone)
    report = await send(page, "Importer")
    await expect(report.locator("p").first).to_have_text(f"Import appliqué : {PRETALX.name}.")
    await expect_counts(report, first_import(file, fair))
    await expect(report.locator("p").nth(1)).to_have_text("Avis envoyés")
    await expect(report.locator("ul:not(.counts) > li")).to_have_count(fair.live_sessions)
    await phone.screenshot("console-import-pretalx-applied")

    after = await api(own_fair, None, FAIR)
    # The fair keeps its zone (the venue's): Berlin only says how the file's times read.
    assert after["event"] == {"name": "Industriekongress 2026", "timezone": "Africa/Casablanca"}
    assert after["live"]["totalCount"] == file.sessions

    # The console caught up: its session picker offers the file's first talk, at the
    # instant the file gives it as the fair's clocks read it (Salon shows every time in
    # the fair's zone, whatever zone the file was written in: 09:00 Berlin is 07:00 there).
    talk = file.first_talk
    starts = datetime.fromisoformat(talk["date"])
    hours, minutes = (int(part) for part in talk["duration"].split(":"))
    ends = starts + timedelta(hours=hours, minutes=minutes)
    shown = f"{in_fair_time(starts):%H:%M}–{in_fair_time(ends):%H:%M} · {talk['title']}"
    await page.get_by_role("button", name="Session", exact=True).click()
    await page.locator("session-form").get_by_placeholder("Rechercher").fill(talk["guid"])
    offered = page.locator("session-form label.check")
    await expect(offered).to_have_count(1)
    await expect(offered).to_contain_text(shown)

    # The same file again finds nothing to change.
    await page.get_by_role("button", name="Import", exact=True).click()
    report = await send(page, "Importer")
    await expect(report.locator("p").first).to_have_text(
        f"Rien à changer : le salon dit déjà ce que dit {PRETALX.name}."
    )
    await expect_counts(report, second_import(file, fair))
