"""The Map on a phone: the floor plan drawn from /venue.geojson, a tapped booth opens its
exhibitor, routes agree with the server's `route` query, `/map?to=` links highlight a
place, the plan still draws offline, zoom buttons and pinch move the view."""

from __future__ import annotations

import math
import re
from typing import Any

import httpx
from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import BrowserFair, Phone, PhoneMaker
from tests.fair_data import demo_file

ROUTE = """query($from: ID!, $to: ID!) {
  route(fromId: $from, toId: $to) { distanceMeters walkingMinutes path { x y } } }"""

VENUE = demo_file("venue.json")
EXHIBITORS = {e["id"]: e for e in demo_file("exhibitors.json")}
BOOTH = next(b for b in VENUE["booths"] if b["id"] == "booth-a101")
ROOM = next(r for r in VENUE["rooms"] if r["id"] == "room-rif")


async def server_route(fair: BrowserFair, start: str, end: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=fair.url) as http:
        answer = await http.post(
            "/graphql", json={"query": ROUTE, "variables": {"from": start, "to": end}}
        )
    route: dict[str, Any] = answer.json()["data"]["route"]
    return route


def shown_minutes(route: dict[str, Any]) -> int:
    """The app's rounding (JavaScript's Math.round, never "0 min" for a real walk)."""
    if route["distanceMeters"] <= 0:
        return 0
    return max(1, math.floor(float(route["walkingMinutes"]) + 0.5))


def js_number(n: float) -> str:
    """How JavaScript prints a number in an attribute: 23, not 23.0."""
    return str(int(n)) if n == int(n) else repr(n)


def plan(page: Page) -> Locator:
    return page.locator("map-screen svg.plan")


async def view_box(page: Page) -> list[float]:
    return [float(n) for n in (await plan(page).get_attribute("viewBox") or "").split()]


async def wait_for_view(page: Page, check: str) -> list[float]:
    """Wait until the viewBox (x, y, w, h) passes `check`, a JavaScript condition: gestures
    redraw on the next animation frame."""
    await page.wait_for_function(
        f"""() => {{
          const app = document.querySelector("salon-app").shadowRoot;
          const svg = app.querySelector("map-screen").shadowRoot.querySelector("svg.plan");
          const [x, y, w, h] = svg.getAttribute("viewBox").split(" ").map(Number);
          return {check};
        }}"""
    )
    return await view_box(page)


def centre(box: list[float]) -> tuple[float, float]:
    return (round(box[0] + box[2] / 2, 2), round(box[1] + box[3] / 2, 2))


async def open_map(phone: Phone, path: str = "/map") -> Page:
    page = await phone.open(path)
    await expect(plan(page).locator(".booth")).to_have_count(len(VENUE["booths"]))
    return page


async def test_the_map_shows_halls_and_labelled_booths(new_phone: PhoneMaker) -> None:
    phone = await new_phone()
    page = await open_map(phone)
    await expect(page.get_by_role("heading", name="Plan", exact=True)).to_be_visible()
    await expect(plan(page).locator("polygon[data-hall]")).to_have_count(len(VENUE["halls"]))
    await expect(plan(page).locator(".room")).to_have_count(len(VENUE["rooms"]))
    await expect(plan(page).locator(".poi")).to_have_count(len(VENUE["pois"]))
    booth = plan(page).locator('[data-place="booth-a101"]')
    exhibitor = EXHIBITORS[BOOTH["exhibitor"]]["name"]
    await expect(booth).to_have_attribute("aria-label", f"Stand A101, {exhibitor}")
    await expect(booth.locator(".code")).to_have_text("A101")
    halls = page.get_by_role("group", name="Halls").get_by_role("button")
    await expect(halls).to_have_text(
        ["Tout le salon", "Hall A", "Hall B", "Centre de conférences · étage 1"]
    )
    assert await phone.accessibility_violations() == []
    await phone.screenshot("map")


async def test_tapping_a_booth_opens_its_exhibitor(new_phone: PhoneMaker) -> None:
    phone = await new_phone()
    page = await open_map(phone)
    # A phone user zooms to a hall before tapping a 6 m booth.
    await page.get_by_role("button", name="Hall A", exact=True).click()
    await page.get_by_role("button", name="Zoomer", exact=True).click()
    await plan(page).locator('[data-place="booth-a101"]').tap()
    sheet = page.locator("map-screen .sheet")
    await expect(sheet.get_by_role("heading")).to_have_text("Stand A101")
    exhibitor = EXHIBITORS[BOOTH["exhibitor"]]
    await expect(sheet.locator(".occupant")).to_have_text(exhibitor["name"])
    link = sheet.get_by_role("link", name="Voir l'exposant")
    await expect(link).to_have_attribute("href", f"/exhibitor/{exhibitor['id']}")
    assert await phone.accessibility_violations() == []
    await link.click()
    await expect(page).to_have_url(re.compile(f"/exhibitor/{exhibitor['id']}$"))


async def test_a_room_lists_its_sessions_now_and_next(new_phone: PhoneMaker) -> None:
    phone = await new_phone()
    # 11:15 on the hall's clocks on the first day (Casablanca is on UTC+00 in December).
    await phone.page.clock.set_fixed_time("2026-12-03T11:15:00+00:00")
    page = await open_map(phone, "/map?to=room-rif")
    await plan(page).locator('[data-place="room-rif"]').tap()
    sheet = page.locator("map-screen .sheet")
    await expect(sheet.get_by_role("heading", level=2)).to_have_text("Salle Rif")
    in_room = sorted(
        (s for s in demo_file("sessions.json") if s["room"] == "room-rif"),
        key=lambda s: s["starts_at"],
    )
    now = [s for s in in_room if s["starts_at"] <= "2026-12-03T11:15" < s["ends_at"]]
    after = [s for s in in_room if s["starts_at"] > "2026-12-03T11:15"][:3]

    def line(s: dict[str, Any]) -> str:
        return f"{s['starts_at'][11:]}–{s['ends_at'][11:]} {s['title_fr']}"

    await expect(sheet.get_by_role("heading", level=3)).to_have_text(["En ce moment", "À suivre"])
    await expect(sheet.locator("li")).to_have_text([line(s) for s in now + after])
    first = sheet.get_by_role("link").first
    await expect(first).to_have_attribute("href", f"/session/{now[0]['id']}")


async def test_a_booth_opens_with_the_keyboard(new_phone: PhoneMaker) -> None:
    phone = await new_phone()
    page = await open_map(phone)
    await plan(page).locator('[data-place="booth-a102"]').focus()
    await page.keyboard.press("Enter")
    heading = page.locator("map-screen .sheet h2")
    await expect(heading).to_have_text("Stand A102")
    await expect(heading).to_be_focused()
    await page.get_by_role("button", name="Fermer").click()
    await expect(plan(page).locator('[data-place="booth-a102"]')).to_be_focused()


async def test_a_route_draws_the_servers_path_and_walking_minutes(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    route = await server_route(browser_fair, "booth-a101", "room-atlas")
    phone = await new_phone()
    page = await open_map(phone)
    start = page.locator("map-place-picker.from")
    await start.get_by_label("Départ").fill("a101")
    exhibitor = EXHIBITORS[BOOTH["exhibitor"]]["name"]
    await start.get_by_role("button", name=f"A101 · {exhibitor}").click()
    end = page.locator("map-place-picker.to")
    await end.get_by_label("Arrivée").fill("pleniere")
    await end.get_by_role("button", name="Salle plénière Atlas", exact=True).click()
    minutes = shown_minutes(route)
    await expect(page.locator("map-screen .route-status .minutes")).to_have_text(
        f"{minutes} min à pied"
    )
    drawn = " ".join(f"{js_number(p['x'])},{js_number(-p['y'])}" for p in route["path"])
    await expect(plan(page).locator(".route-line")).to_have_attribute("points", drawn)
    await expect(plan(page).locator('[data-place="room-atlas"]')).to_have_class(
        re.compile(r"\bpinned\b")
    )
    assert await phone.accessibility_violations() == []
    await phone.screenshot("map-route")
    await page.get_by_role("button", name="Switch to English").click()
    await expect(page.locator("map-screen .route-status .minutes")).to_have_text(
        f"{minutes} min walk"
    )


async def test_a_link_to_a_room_highlights_and_centres_it(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    phone = await new_phone()
    page = await open_map(phone, "/map?to=room-rif")
    room = plan(page).locator('[data-place="room-rif"]')
    await expect(room).to_have_class(re.compile(r"\bpinned\b"))
    await expect(plan(page).locator(".pin")).to_have_count(1)
    await expect(page.locator("map-place-picker.to").get_by_label("Arrivée")).to_have_value(
        "Salle Rif"
    )
    x, y = ROOM["center"]
    assert centre(await view_box(page)) == (x, -y)
    # A newcomer walks in by the nearest entrance: one tap for the route.
    await page.get_by_role(
        "button", name="Partir de l'entrée la plus proche : Entrée principale — Hall A"
    ).click()
    route = await server_route(browser_fair, "poi-entrance-main", "room-rif")
    minutes = page.locator("map-screen .route-status .minutes")
    await expect(minutes).to_have_text(f"{shown_minutes(route)} min à pied")


async def test_a_link_to_an_unknown_place_says_so(new_phone: PhoneMaker) -> None:
    phone = await new_phone()
    page = await open_map(phone, "/map?to=booth-zz999")
    await expect(page.get_by_role("alert")).to_have_text(
        "Le lieu « booth-zz999 » n'est pas sur le plan."
    )


async def test_the_map_draws_offline_after_one_visit(new_phone: PhoneMaker) -> None:
    phone = await new_phone()
    page = await open_map(phone)
    await page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    await phone.offline(True)
    await page.reload()
    await expect(plan(page).locator(".booth")).to_have_count(len(VENUE["booths"]))
    await expect(plan(page).locator("polygon[data-hall]")).to_have_count(len(VENUE["halls"]))
    # Routes need the server: the map says so and draws the straight line.
    await page.goto("/map?from=booth-a101&to=room-rif")
    (bx, by), (rx, ry) = BOOTH["center"], ROOM["center"]
    straight = round(math.hypot(bx - rx, by - ry))
    await expect(page.locator("map-screen .route-status")).to_have_text(
        f"Hors ligne : l'itinéraire a besoin du réseau. En ligne droite : {straight} m."
    )
    await expect(plan(page).locator(".route.straight .route-line")).to_have_attribute(
        "points", f"{bx},{-by} {rx},{-ry}"
    )
    await phone.offline(False)


SAVED_VENUE = """() => indexedDB.databases().then((known) =>
  known.some((d) => d.name === "salon") && new Promise((resolve) => {
    const opening = indexedDB.open("salon");
    opening.onerror = () => resolve(false);
    opening.onsuccess = () => {
      const read = opening.result.transaction("kv").objectStore("kv").get("venue");
      read.onsuccess = () => { opening.result.close(); resolve(Boolean(read.result)); };
      read.onerror = () => resolve(false);
    };
  }))"""


async def test_the_map_opens_offline_on_a_phone_that_only_saw_the_agenda(
    new_phone: PhoneMaker,
) -> None:
    phone = await new_phone()
    page = await phone.open("/")
    await expect(page.get_by_role("heading", name="Programme", exact=True)).to_be_visible()
    await page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    await page.wait_for_function(SAVED_VENUE)
    await phone.offline(True)
    await page.reload()
    await (
        page.get_by_role("navigation", name="Navigation principale")
        .get_by_role("link", name="Plan")
        .click()
    )
    await expect(plan(page).locator(".booth")).to_have_count(len(VENUE["booths"]))
    await phone.offline(False)


async def test_zoom_buttons_and_a_pinch_change_the_view(new_phone: PhoneMaker) -> None:
    phone = await new_phone()
    page = await open_map(phone)
    whole = await view_box(page)
    await page.get_by_role("button", name="Zoomer", exact=True).click()
    closer = await view_box(page)
    assert (round(whole[2] / closer[2], 2), centre(closer)) == (1.5, centre(whole))
    await page.get_by_role("button", name="Dézoomer").focus()
    await page.keyboard.press("Enter")
    await expect(plan(page)).to_have_attribute("viewBox", " ".join(js_number(n) for n in whole))
    await page.get_by_role("button", name="Zoomer", exact=True).click()
    await page.get_by_role("button", name="Vue d'ensemble").click()
    await expect(plan(page)).to_have_attribute("viewBox", " ".join(js_number(n) for n in whole))

    # Two fingers spreading apart zoom in; one finger dragging pans at the same zoom.
    box = await plan(page).bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = await page.context.new_cdp_session(page)

    async def touch(kind: str, points: list[tuple[float, float]]) -> None:
        touches = [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)]
        await cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": touches})

    await touch("touchStart", [(cx - 30, cy), (cx + 30, cy)])
    for spread in (45, 60, 75, 90):
        await touch("touchMove", [(cx - spread, cy), (cx + spread, cy)])
    await touch("touchEnd", [])
    pinched = await wait_for_view(page, f"Math.abs(w * 3 - {whole[2]}) < 0.01")
    await touch("touchStart", [(cx, cy)])
    for step in (20, 40, 60, 80):
        await touch("touchMove", [(cx + step, cy)])
    await touch("touchEnd", [])
    moved = 80 * pinched[2] / box["width"]
    await wait_for_view(
        page, f"Math.abs(x - ({pinched[0]} - {moved})) < 0.01 && w === {pinched[2]}"
    )


async def changed_on_screen(page: Page, part: str) -> None:
    """Announce that `part` of the offline copy changed (as another tab's sync does) and
    wait until the map screen has read it again and drawn what it read."""
    await page.evaluate(
        """async (part) => {
          const app = document.querySelector("salon-app").shadowRoot;
          const screen = app.querySelector("map-screen");
          const refresh = screen.refresh;
          const read = new Promise((done, fail) => {
            setTimeout(() => fail(new Error(`map screen never re-read ${part}`)), 10000);
            screen.refresh = async (changed) => {
              await refresh.call(screen, changed);
              if (changed === part) done();
            };
          });
          window.dispatchEvent(new CustomEvent("salon-data", { detail: part }));
          await read;
          delete screen.refresh;
          await screen.updateComplete;
        }""",
        part,
    )


async def test_typing_a_place_survives_agenda_and_venue_refreshes(
    new_phone: PhoneMaker,
) -> None:
    phone = await new_phone()
    page = await open_map(phone)
    start = page.locator("map-place-picker.from")
    await start.get_by_label("Départ").fill("a101")
    exhibitor = EXHIBITORS[BOOTH["exhibitor"]]["name"]
    suggestion = start.get_by_role("button", name=f"A101 · {exhibitor}")
    await expect(suggestion).to_be_visible()
    # The agenda sync lands while the attendee types: the plan stays as it is.
    plan_before = await page.evaluate(
        """() => { window.__plan = document.querySelector("salon-app").shadowRoot
             .querySelector("map-screen").plan; return true; }"""
    )
    assert plan_before
    await changed_on_screen(page, "agenda")
    assert await page.evaluate(
        """() => window.__plan === document.querySelector("salon-app").shadowRoot
             .querySelector("map-screen").plan"""
    )
    await expect(start.get_by_label("Départ")).to_have_value("a101")
    await expect(suggestion).to_be_visible()
    # A new floor map arrives while the attendee types: the typing stays too.
    await changed_on_screen(page, "venue")
    await expect(start.get_by_label("Départ")).to_have_value("a101")
    await suggestion.click()
    await expect(start.get_by_label("Départ")).to_have_value(f"A101 · {exhibitor}")
