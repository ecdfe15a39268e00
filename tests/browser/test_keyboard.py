"""The app with a keyboard alone: from the agenda to a session and on to its room on the
map, by Tab and Enter, each focused control visible and named."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.conftest import PhoneMaker

#: Enough for any screen's controls before the one wanted; a loop that ends.
MOST_TABS = 60

FOCUSED = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  return el ? { tag: el.tagName, text: (el.innerText || el.value || "").trim(),
                href: el.getAttribute("href") } : null;
}"""


async def tab_to(page: Page, wanted: re.Pattern[str]) -> dict[str, str]:
    """Press Tab until the focused element's text matches; fail after MOST_TABS."""
    seen = []
    for _ in range(MOST_TABS):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(FOCUSED)
        if focused and wanted.search(focused["text"]):
            return focused  # type: ignore[no-any-return]
        seen.append(focused and focused["text"][:30])
    raise AssertionError(f"no control matching {wanted.pattern} within {MOST_TABS} tabs: {seen}")


async def test_agenda_to_session_to_map_by_keyboard(new_phone: PhoneMaker) -> None:
    phone = await new_phone(has_touch=False, is_mobile=False)
    page = await phone.open("/")
    await expect(page.locator("agenda-screen section.day a.card").first).to_be_visible()
    card = await tab_to(page, re.compile(r"^09:30–10:00"))
    assert card["tag"] == "A"
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(rf"{re.escape(card['href'])}$"))
    await expect(page.locator("session-screen h1")).to_be_visible()
    link = await tab_to(page, re.compile(r"^Voir sur le plan\b"))
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(rf"{re.escape(link['href'])}$"))
    place = link["href"].removeprefix("/map?to=")
    await expect(page.locator(f'map-screen [data-place="{place}"]')).to_have_class(
        re.compile(r"\bpinned\b")
    )
