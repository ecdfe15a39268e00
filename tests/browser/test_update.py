"""After a deploy the phone is not left on a stale build, nor reloaded under the user's
thumb: the new service worker waits, the app says so, and reloads when asked."""

from __future__ import annotations

import asyncio
import dataclasses

from playwright.async_api import expect

from server.web import WebApp
from tests.browser.conftest import BrowserFair, PhoneMaker


def web_app_of(fair: BrowserFair) -> WebApp:
    for route in fair.live.app.routes:
        owner = getattr(getattr(route, "endpoint", None), "__self__", None)
        if isinstance(owner, WebApp):
            return owner
    raise AssertionError("no WebApp route")


async def test_a_new_deploy_offers_a_reload(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    phone = await new_phone()
    page = await phone.open("/")
    # The worker claims the page once it is active, a moment after `ready` resolves.
    controlled = page.evaluate(
        "navigator.serviceWorker.controller !== null || new Promise((resolve) =>"
        " navigator.serviceWorker.addEventListener('controllerchange',"
        " () => resolve(navigator.serviceWorker.controller !== null), { once: true }))"
    )
    assert await asyncio.wait_for(controlled, 10)
    web = web_app_of(browser_fair)
    deployed = web.files["/sw.js"]
    # A new build: another service worker script (byte-different), as a deploy makes.
    web.files["/sw.js"] = dataclasses.replace(
        deployed, body=deployed.body + b"\n// build 2\n", gzipped=None, etag='"build-2"'
    )
    try:
        await page.evaluate("navigator.serviceWorker.ready.then((r) => r.update())")
        prompt = page.locator("update-prompt [role=status]")
        await expect(prompt).to_contain_text("Nouvelle version disponible.")
        await phone.screenshot("update-prompt")
        async with page.expect_event("load"):
            await prompt.get_by_role("button", name="Recharger").click()
        await expect(page.locator("update-prompt [role=status]")).to_have_count(0)
        script = await page.evaluate(
            "navigator.serviceWorker.ready.then((r) => fetch(r.active.scriptURL))"
            ".then((r) => r.text())"
        )
        assert script.endswith("// build 2\n")
    finally:
        web.files["/sw.js"] = deployed
