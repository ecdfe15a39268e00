"""The app shell on a phone: it loads with no script error or CSP violation, its
navigation works with the keyboard, and the language switch is remembered."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import PhoneMaker


async def test_the_app_opens_in_french_and_switches_to_english(new_phone: PhoneMaker) -> None:
    phone = await new_phone()
    page = await phone.open("/")
    await expect(page.get_by_role("heading", name="Programme", exact=True)).to_be_visible()
    assert await page.evaluate("document.documentElement.lang") == "fr"
    await page.get_by_role("button", name="Switch to English").click()
    await expect(page.get_by_role("heading", name="Agenda", exact=True)).to_be_visible()
    await page.reload()
    await expect(page.get_by_role("heading", name="Agenda", exact=True)).to_be_visible()
    assert await page.evaluate("document.documentElement.lang") == "en"
    await page.get_by_role("button", name="Passer en français").click()
    await expect(page.get_by_role("heading", name="Programme", exact=True)).to_be_visible()


async def test_the_navigation_reaches_every_main_screen_by_keyboard(new_phone: PhoneMaker) -> None:
    phone = await new_phone()
    page = await phone.open("/")
    nav = page.get_by_role("navigation", name="Navigation principale")
    await expect(nav.get_by_role("link")).to_have_count(5)
    await nav.get_by_role("link", name="Plan").focus()
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{page.url.rsplit('/', 1)[0]}/map")
    await expect(nav.get_by_role("link", name="Plan")).to_have_attribute("aria-current", "page")
    await page.go_back()
    agenda = nav.get_by_role("link", name="Programme", exact=True)
    await expect(agenda).to_have_attribute("aria-current", "page")


async def test_a_service_worker_takes_control(new_phone: PhoneMaker) -> None:
    phone = await new_phone()
    page = await phone.open("/")
    await page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    state = await page.evaluate(
        "navigator.serviceWorker.ready.then((r) => r.active && r.active.state)"
    )
    assert state in ("activated", "activating")
