"""The attendee app in a real browser: Debian's Chromium driven by Playwright, in a
phone-size viewport, against the real server (its own fair database, the worker beside
it, real PostgreSQL and Redis).

The phone's clock zone is New York on purpose: every time shown must still be the
fair's wall clock. Each test's page fails the test on a script error or a blocked
resource (a CSP violation, say), and screenshots of every screen land in
`.artifacts/screenshots/` (git-ignored).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from server.services import ServiceUrls
from server.settings import REPO_ROOT, Settings
from tests.conftest import LiveServer, Mailbox, People, start_server, stop_server
from tests.databases import fair_database
from tests.fair_data import FAIR_EVE

CHROMIUM = os.environ.get("SALON_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FOUND = Path(CHROMIUM).exists()
SCREENSHOTS = REPO_ROOT / ".artifacts" / "screenshots"
PHONE = {
    "viewport": {"width": 412, "height": 915},
    "screen": {"width": 412, "height": 915},
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/156.0.0.0 Mobile Safari/537.36"
    ),
    "locale": "fr-FR",
    "timezone_id": "America/New_York",
}
#: What a page may wait for at most: generous, the machine is shared.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


@dataclass
class BrowserFair:
    """The server the browser talks to, and what the tests need to act beside it."""

    live: LiveServer
    people: People
    mailbox: Mailbox
    database_url: str

    @property
    def url(self) -> str:
        return self.live.url


@contextlib.asynccontextmanager
async def served_fair(
    service_urls: ServiceUrls, mailbox: Mailbox, prefix: str
) -> AsyncIterator[BrowserFair]:
    """A database of its own with the demo fair, the server on it and the worker beside it."""
    if not (REPO_ROOT / "web" / "dist" / "index.html").is_file():
        pytest.fail("the app is not built: run `make web` (make test does)")
    from workers.main import run_worker

    async with fair_database(service_urls, prefix) as dsn:
        settings = Settings(
            # The eve of the fair, whenever the suite runs: registrations, demos and held
            # announcements are only taken before their time (the phone keeps real time).
            now=FAIR_EVE.isoformat(),
            database_url=dsn,
            redis_url=service_urls.redis_url,
            log_level="WARNING",
            smtp_host="127.0.0.1",
            smtp_port=mailbox.port,
            redis_namespace=f"{prefix.replace('_', '-')}-{os.getpid()}-{secrets.token_hex(3)}",
        )
        live, server, task = await start_server(settings)
        stop = asyncio.Event()
        fast = replace(settings, relay_poll_seconds=0.2, reminder_poll_seconds=0.2)
        worker = asyncio.create_task(run_worker(fast, stop, clock=live.runtime.clock))
        try:
            yield BrowserFair(live=live, people=People(dsn), mailbox=mailbox, database_url=dsn)
        finally:
            stop.set()
            await asyncio.wait_for(worker, timeout=10)
            await stop_server(server, task)


@pytest.fixture(scope="package")
async def browser_fair(service_urls: ServiceUrls, mailbox: Mailbox) -> AsyncIterator[BrowserFair]:
    """A fair of the browser tests' own: what they change never reaches other tests."""
    async with served_fair(service_urls, mailbox, "salon_browser") as fair:
        yield fair


@pytest.fixture(scope="package")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM_FOUND:
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        await launched.close()


@dataclass
class Phone:
    """One phone: a fresh browser profile (its own IndexedDB, service worker, storage)."""

    context: BrowserContext
    page: Page
    problems: list[str] = field(default_factory=list)

    async def open(self, path: str = "/") -> Page:
        await self.page.goto(path)
        return self.page

    async def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    async def offline(self, off: bool = True) -> None:
        await self.context.set_offline(off)

    async def accessibility_violations(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations on the page as it is now."""
        results = await Axe().run(self.page)
        violations: list[dict[str, Any]] = results.response["violations"]
        return [v for v in violations if v.get("impact") in ("serious", "critical")]


PhoneMaker = Callable[..., Awaitable[Phone]]


@pytest.fixture
async def new_phone(browser: Browser, browser_fair: BrowserFair) -> AsyncIterator[PhoneMaker]:
    """`phone = await new_phone()`: as many phones as a test needs, each checked at the end
    for script errors and blocked resources."""
    phones: list[Phone] = []

    async def make(**overrides: Any) -> Phone:
        # base_url may be overridden: a phone on a fair of a test's own (served_fair).
        context = await browser.new_context(**{"base_url": browser_fair.url, **PHONE, **overrides})
        context.set_default_timeout(TIMEOUT_MS)
        # The phone's clock runs from the server's (the eve of the fair), so the day the
        # app opens on and what it offers are the same whatever day the suite runs.
        await context.clock.install(time=FAIR_EVE)
        page = await context.new_page()
        phone = Phone(context=context, page=page)
        page.on("pageerror", lambda error: phone.problems.append(f"script error: {error}"))
        page.on(
            "console",
            lambda message: (
                phone.problems.append(f"console: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        phones.append(phone)
        return phone

    yield make
    problems = [problem for phone in phones for problem in phone.problems]
    for phone in phones:
        await phone.context.close()
    assert problems == []
