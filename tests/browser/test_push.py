"""Web Push on a phone: the service worker shows what the server pushes (Declarative Web
Push JSON), once per notice, and a click opens the app where the notice points; the
toggle on My schedule is there for a signed-in person only and says plainly why it cannot
be turned on (no push service, an iPhone outside the Home Screen).

Pushes reach the real service worker through the DevTools protocol
(ServiceWorker.deliverPushMessage), as a push service's message would. To wait for a
notification without sleeping, the test wraps `registration.showNotification` inside
the service worker and waits on its calls (the production code has no test hooks).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from playwright.async_api import Browser, CDPSession, Page, Worker, expect

from tests.browser.conftest import CHROMIUM, PHONE, TIMEOUT_MS, BrowserFair, Phone, PhoneMaker
from tests.browser.helpers import api, signed_in_phone

TIMEOUT_S = TIMEOUT_MS / 1000
IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
TURN_ON = "Activer les notifications"

# Inside the service worker: every notification shown is recorded (by notice id) and
# `until(n)` resolves once n have been shown.
RECORD_SHOWN = """() => {
  if (self.pushTest) return;
  const real = self.registration.showNotification.bind(self.registration);
  const shown = [];
  let waiting = [];
  self.registration.showNotification = async (title, options) => {
    await real(title, options);
    shown.push(options.data.notice);
    const woken = waiting;
    waiting = [];
    woken.forEach((wake) => wake());
  };
  const until = (n) => new Promise((resolve) => {
    const check = () => (shown.length >= n ? resolve([...shown]) : waiting.push(check));
    check();
  });
  self.pushTest = { until };
}"""

# Inside the service worker: a click on the notification with this tag, dispatched to the
# app's own notificationclick listener (a synthetic event: its waitUntil throws once the
# listener has started the work, which runs all the same).
CLICK = """(tag) => self.registration.getNotifications({ tag }).then((found) => {
  self.dispatchEvent(new NotificationEvent("notificationclick", { notification: found[0] }));
  return found.length;
})"""


def payload(
    notice: str,
    *,
    title: str = "Salle changée",
    tag: str = "session-ses-001",
    navigate: str = "/session/ses-001",
    priority: str = "NORMAL",
    lang: str = "fr",
) -> str:
    return json.dumps(
        {
            "web_push": 8030,
            "mutable": True,
            "notification": {
                "title": title,
                "body": "L'atelier passe en salle B12.",
                "lang": lang,
                "navigate": navigate,
                "tag": tag,
                "silent": False,
                "data": {
                    "notice": notice,
                    "kind": "SESSION_CHANGED",
                    "priority": priority,
                    "sessionId": "ses-001",
                },
            },
        }
    )


class PushChannel:
    """The phone's service worker as a push service reaches it, and what it showed."""

    def __init__(self, page: Page, cdp: CDPSession, registration_id: str, worker: Worker) -> None:
        self.page = page
        self.cdp = cdp
        self.registration_id = registration_id
        self.worker = worker

    @property
    def origin(self) -> str:
        return "/".join(self.page.url.split("/", 3)[:3])

    async def deliver(self, data: str) -> None:
        await self.cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": self.origin, "registrationId": self.registration_id, "data": data},
        )

    async def shown(self, count: int) -> list[str]:
        """The notice ids shown so far, once there are `count` of them."""
        shown: list[str] = await asyncio.wait_for(
            self.worker.evaluate("(n) => self.pushTest.until(n)", count), TIMEOUT_S
        )
        return shown

    async def notifications(self) -> list[dict[str, Any]]:
        """What the phone shows now, as the page sees it."""
        shown: list[dict[str, Any]] = await self.page.evaluate(
            """() => navigator.serviceWorker.ready
              .then((r) => r.getNotifications())
              .then((list) => list.map((n) => ({
                title: n.title, body: n.body, tag: n.tag, lang: n.lang, icon: n.icon,
                badge: n.badge, requireInteraction: n.requireInteraction, data: n.data,
              })))"""
        )
        return shown

    async def close_all(self) -> None:
        await self.worker.evaluate(
            "() => self.registration.getNotifications().then((l) => l.forEach((n) => n.close()))"
        )


async def push_channel(phone: Phone, page: Page) -> PushChannel:
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = await phone.context.new_cdp_session(page)
    found: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def registrations(event: dict[str, Any]) -> None:
        for registration in event["registrations"]:
            if not registration["isDeleted"] and not found.done():
                found.set_result(registration["registrationId"])

    cdp.on("ServiceWorker.workerRegistrationUpdated", registrations)
    await cdp.send("ServiceWorker.enable")
    registration_id = await asyncio.wait_for(found, TIMEOUT_S)
    workers = phone.context.service_workers
    worker = workers[0] if workers else await phone.context.wait_for_event("serviceworker")
    await worker.evaluate(RECORD_SHOWN)
    return PushChannel(page, cdp, registration_id, worker)


async def allowed_phone(new_phone: PhoneMaker, path: str = "/") -> tuple[Phone, PushChannel]:
    phone = await new_phone()
    await phone.context.grant_permissions(["notifications"])
    page = await phone.open(path)
    return phone, await push_channel(phone, page)


async def test_a_push_shows_its_notice_once(new_phone: PhoneMaker) -> None:
    _, channel = await allowed_phone(new_phone)
    await channel.deliver(payload("101"))
    assert await channel.shown(1) == ["101"]
    origin = channel.origin
    assert await channel.notifications() == [
        {
            "title": "Salle changée",
            "body": "L'atelier passe en salle B12.",
            "tag": "session-ses-001",
            "lang": "fr",
            "icon": f"{origin}/icons/icon-192.png",
            "badge": f"{origin}/icons/badge-96.png",
            "requireInteraction": False,
            "data": {"navigate": f"{origin}/session/ses-001", "notice": "101"},
        }
    ]
    # Dismissed, then the server sends notice 101 again (at least once): nothing comes
    # back. Pushes are shown in order, so once 102 shows, 101's repeat was handled.
    await channel.close_all()
    await channel.deliver(payload("101"))
    await channel.deliver(payload("102", title="Démo à 15 h", tag="demo-dem-002"))
    assert await channel.shown(2) == ["101", "102"]
    assert [n["title"] for n in await channel.notifications()] == ["Démo à 15 h"]


async def test_an_urgent_push_stays_until_dismissed(new_phone: PhoneMaker) -> None:
    _, channel = await allowed_phone(new_phone)
    await channel.deliver(payload("201", title="Évacuation hall 2", priority="URGENT", tag="a-201"))
    assert await channel.shown(1) == ["201"]
    [urgent] = await channel.notifications()
    assert urgent["title"] == "Évacuation hall 2"
    assert urgent["requireInteraction"] is True


async def test_what_is_not_a_notice_shows_nothing_and_breaks_nothing(
    new_phone: PhoneMaker,
) -> None:
    _, channel = await allowed_phone(new_phone)
    for junk in (
        "not json",
        "null",
        "[]",
        json.dumps({"web_push": 8030, "notification": "Salle changée"}),
        json.dumps({"web_push": 8030, "notification": {"title": "", "body": "sans titre"}}),
        json.dumps({"web_push": 8030, "notification": {"title": 42}}),
    ):
        await channel.deliver(junk)
    # A link to another site never opens from our notification: the inbox does instead.
    await channel.deliver(payload("301", navigate="https://evil.example/phish", lang="en"))
    assert await channel.shown(1) == ["301"]
    [only] = await channel.notifications()
    assert only["data"]["navigate"] == f"{channel.origin}/notices"
    assert only["lang"] == "en"


async def test_a_click_brings_the_open_app_to_the_session(new_phone: PhoneMaker) -> None:
    phone, channel = await allowed_phone(new_phone, "/map")
    await channel.deliver(payload("401"))
    assert await channel.shown(1) == ["401"]
    assert await channel.worker.evaluate(CLICK, "session-ses-001") == 1
    await expect(phone.page).to_have_url(f"{channel.origin}/session/ses-001")
    assert await channel.notifications() == []


async def test_the_toggle_is_for_a_signed_in_person_only(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    anonymous = await new_phone()
    page = await anonymous.open("/schedule")
    await expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    await expect(page.get_by_role("button", name=TURN_ON)).to_have_count(0)
    await expect(page.locator("push-toggle")).to_have_count(0)

    person = await browser_fair.people.make()
    phone = await signed_in_phone(new_phone, person.token)
    page = await phone.open("/schedule")
    await expect(page.get_by_role("button", name=TURN_ON)).to_be_visible()
    await expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    await expect(page.locator("push-toggle")).to_contain_text("même app fermée")
    await phone.screenshot("push-toggle-off")
    assert await phone.accessibility_violations() == []


async def test_an_iphone_in_safari_is_told_to_add_the_app_to_the_home_screen(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    person = await browser_fair.people.make()
    phone = await new_phone(user_agent=IPHONE_UA)
    await phone.context.add_init_script(
        f"localStorage.setItem('salon.token', {json.dumps(person.token)})"
    )
    page = await phone.open("/schedule")
    explanation = page.get_by_test_id("push-home-screen")
    await expect(explanation).to_contain_text("Partager")
    await expect(explanation).to_contain_text("« Sur l'écran d'accueil »")
    await expect(page.get_by_role("button", name=TURN_ON)).to_have_count(0)
    await page.get_by_role("button", name="Switch to English").click()
    await expect(page.get_by_test_id("push-home-screen")).to_contain_text(
        "tap Share, then “Add to Home Screen”"
    )
    await phone.screenshot("push-toggle-iphone")
    assert await phone.accessibility_violations() == []


async def test_a_refusal_says_how_to_allow_again(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    person = await browser_fair.people.make()
    phone = await signed_in_phone(new_phone, person.token)
    page = await phone.open("/schedule")
    # Headless Chromium answers the browser's question "no" for a site not granted.
    await page.get_by_role("button", name=TURN_ON).click()
    await expect(page.get_by_test_id("push-denied")).to_contain_text("Paramètres des sites")
    await expect(page.get_by_role("button", name=TURN_ON)).to_have_count(0)
    assert await phone.accessibility_violations() == []


async def subscription(page: Page) -> Any:
    return await page.evaluate(
        "navigator.serviceWorker.ready.then((r) => r.pushManager.getSubscription())"
        ".then((s) => s && s.endpoint)"
    )


async def test_turning_on_in_a_private_window_says_so_and_stays_off(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    # Playwright's contexts are off the record, where Chromium gives no push at all.
    person = await browser_fair.people.make()
    phone = await signed_in_phone(new_phone, person.token)
    await phone.context.grant_permissions(["notifications"])
    page = await phone.open("/schedule")
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.get_by_role("button", name=TURN_ON).click()
    status = page.get_by_test_id("push-status")
    await expect(status).to_contain_text("navigation privée")
    await expect(status).to_have_attribute("role", "status")
    await expect(page.get_by_role("button", name=TURN_ON)).to_be_enabled()
    assert await subscription(page) is None


@asynccontextmanager
async def profile_phone(browser: Browser, fair: BrowserFair, token: str) -> AsyncIterator[Phone]:
    """A phone with a real (on-disk) profile, where Chromium does try its push service."""
    phone_options: dict[str, Any] = dict(PHONE)
    with tempfile.TemporaryDirectory() as profile:
        context = await browser.browser_type.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-dev-shm-usage"],
            base_url=fair.url,
            permissions=["notifications"],
            **phone_options,
        )
        try:
            context.set_default_timeout(TIMEOUT_MS)
            await context.add_init_script(
                f"localStorage.setItem('salon.token', {json.dumps(token)})"
            )
            page = context.pages[0] if context.pages else await context.new_page()
            phone = Phone(context=context, page=page)
            page.on("pageerror", lambda error: phone.problems.append(f"script error: {error}"))
            yield phone
            assert phone.problems == []
        finally:
            await context.close()


async def test_turning_on_without_a_reachable_push_service_says_so_and_stays_off(
    browser: Browser, browser_fair: BrowserFair
) -> None:
    person = await browser_fair.people.make()
    async with profile_phone(browser, browser_fair, person.token) as phone:
        page = await phone.open("/schedule")
        await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        await page.get_by_role("button", name=TURN_ON).click()
        status = page.get_by_test_id("push-status")
        await expect(status).to_contain_text("Un instant")
        # Chromium keeps retrying FCM, out of reach here: the app stops waiting (15 s).
        await expect(status).to_contain_text("injoignable", timeout=3 * TIMEOUT_MS)
        await expect(page.get_by_role("button", name=TURN_ON)).to_be_enabled()
        assert await subscription(page) is None
        assert await phone.accessibility_violations() == []


# In the page: a subscription's keys as a browser makes them (a P-256 point, 16 bytes).
NEW_KEYS = """async () => {
  const b64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  const ecdh = { name: "ECDH", namedCurve: "P-256" };
  const pair = await crypto.subtle.generateKey(ecdh, true, ["deriveBits"]);
  return {
    p256dh: b64url(await crypto.subtle.exportKey("raw", pair.publicKey)),
    auth: b64url(crypto.getRandomValues(new Uint8Array(16))),
  };
}"""

# In the service worker: the browser says it replaced `old` by `fresh` (a synthetic
# pushsubscriptionchange, subscriptions as plain objects: headless Chromium neither
# subscribes nor fires the event), and the renewal's answer from the server comes back.
SUBSCRIPTION_CHANGED = """({ old, fresh }) => new Promise((resolve, reject) => {
  const realFetch = self.fetch;
  self.fetch = (...args) => {
    const answer = realFetch(...args);
    answer.then((r) => r.clone().json()).then(resolve, reject);
    self.fetch = realFetch;
    return answer;
  };
  const asSubscription = (s) => ({ endpoint: s.endpoint, options: {}, toJSON: () => s });
  const event = new ExtendableEvent("pushsubscriptionchange");
  Object.defineProperties(event, {
    oldSubscription: { value: asSubscription(old) },
    newSubscription: { value: asSubscription(fresh) },
  });
  self.dispatchEvent(event);
})"""

REGISTER = "mutation($input: PushSubscriptionInput!) { registerPushSubscription(input: $input) }"
UNREGISTER = "mutation($endpoint: String!) { unregisterPushSubscription(endpoint: $endpoint) }"


async def test_a_replaced_subscription_is_renewed_without_a_token(
    new_phone: PhoneMaker, browser_fair: BrowserFair
) -> None:
    person = await browser_fair.people.make()
    _, channel = await allowed_phone(new_phone)
    old = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/old-device",
        "expirationTime": None,
        "keys": await channel.page.evaluate(NEW_KEYS),
    }
    fresh = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/new-device",
        "expirationTime": None,
        "keys": await channel.page.evaluate(NEW_KEYS),
    }
    await api(browser_fair, person.token, REGISTER, input={**old, "lang": "FR"})
    answer = await asyncio.wait_for(
        channel.worker.evaluate(SUBSCRIPTION_CHANGED, {"old": old, "fresh": fresh}), TIMEOUT_S
    )
    assert answer == {"data": {"renewPushSubscription": True}}
    # The new endpoint is the person's now, and the old one is gone.
    gone = await api(browser_fair, person.token, UNREGISTER, endpoint=old["endpoint"])
    assert gone == {"unregisterPushSubscription": False}
    mine = await api(browser_fair, person.token, UNREGISTER, endpoint=fresh["endpoint"])
    assert mine == {"unregisterPushSubscription": True}
