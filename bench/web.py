"""bench.web — what a phone downloads for the attendee app, and how fast it opens offline.

    make bench-web                   # = .venv/bin/python -m bench.web
    .venv/bin/python -m bench.web --reloads 10 --no-lighthouse

Against one `salon serve`-like uvicorn (core 0) with the demo fair, Debian's Chromium
(core 1) in a phone viewport:

- bytes of the first visit as served (gzip on the wire): what the page itself loads
  before the agenda shows (HTML, JS, CSS, manifest, icons), and the same plus the
  service worker's precache of every screen;
- (the offline copy's own bytes, complete and as a patch, are `make bench-offline`'s);
- reload until the agenda shows, offline against online, interleaved (ratio per pair);
- Chromium's installability check (CDP `Page.getInstallabilityErrors`);
- Lighthouse (mobile preset) on `/`, installed on demand from bench/lighthouse's lock.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import time
from typing import Any

import httpx
from playwright.async_api import BrowserContext, Page, async_playwright

from bench.harness import (
    CLIENT_CORE,
    SERVER_CORE,
    BenchError,
    Workspace,
    bounded,
    describe_server,
    prepare_database,
    run,
    running_server,
    save_results,
)
from bench.web_lighthouse import lighthouse_scores
from server.settings import REPO_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DIST = REPO_ROOT / "web" / "dist"
PHONE: dict[str, Any] = {
    "viewport": {"width": 412, "height": 915},
    "is_mobile": True,
    "has_touch": True,
    "locale": "fr-FR",
    "timezone_id": "America/New_York",
}
AGENDA_SHOWN = "agenda-screen .card"
GOAL_FIRST_VISIT = 80 * 1024
GOAL_LIGHTHOUSE = 95
CONTROLLED = """navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller !== null
  || new Promise((done) => {
    navigator.serviceWorker.addEventListener("controllerchange", () => done(true), { once: true });
    setTimeout(() => done(navigator.serviceWorker.controller !== null), 30000);
  }))"""


def check() -> None:
    if not (DIST / "index.html").is_file():
        raise BenchError("the app is not built: run `make web` first")
    if not os.path.exists(CHROMIUM):
        raise BenchError("Chromium is missing: apt-get install chromium")
    if {int(SERVER_CORE), int(CLIENT_CORE)} - os.sched_getaffinity(0):
        raise BenchError(f"cores {SERVER_CORE} and {CLIENT_CORE} are needed")


async def nothing_more(conn: Any) -> None:
    """The demo fair as it is."""


class Wire:
    """Bytes on the wire per request of one page, from the DevTools protocol."""

    def __init__(self) -> None:
        self.kinds: dict[str, str] = {}
        self.urls: dict[str, str] = {}
        self.sizes: dict[str, int] = {}

    async def attach(self, context: BrowserContext, page: Page) -> None:
        cdp = await context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)
        await cdp.send("Network.enable")

    def _sent(self, event: dict[str, Any]) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _received(self, event: dict[str, Any]) -> None:
        self.kinds[event["requestId"]] = event["type"]

    def _finished(self, event: dict[str, Any]) -> None:
        self.sizes[event["requestId"]] = int(event["encodedDataLength"])

    def app_bytes(self) -> dict[str, int]:
        """Bytes per resource type, the API's answers left out."""
        totals: dict[str, int] = {}
        for request, size in self.sizes.items():
            url = self.urls.get(request, "")
            if "/graphql" in url or "venue.geojson" in url:
                continue
            kind = self.kinds.get(request, "Other")
            totals[kind] = totals.get(kind, 0) + size
        return totals


def precache_bytes(base_url: str) -> int:
    """Every file the service worker precaches (all screens), gzip as served."""
    total = 0
    with httpx.Client(base_url=base_url, headers={"accept-encoding": "gzip"}) as http:
        for path in sorted(DIST.rglob("*")):
            relative = path.relative_to(DIST).as_posix()
            if not path.is_file() or relative.startswith(("embed/", ".")):
                continue
            with http.stream("GET", "/" + relative) as response:
                total += sum(len(chunk) for chunk in response.iter_raw())
    return total


#: Resolves with the stored agenda version (undefined until the first copy is written).
STORED_VERSION = """() => new Promise((resolve) => {
  const open = indexedDB.open("salon");
  open.onsuccess = () => {
    const read = open.result.transaction("kv").objectStore("kv").get("agendaVersion");
    read.onsuccess = () => resolve(read.result ?? null);
  };
  open.onerror = () => resolve(null);
})"""


async def wait_until_stored(page: Page, timeout_s: float = 30.0) -> None:
    """The agenda shows from memory before IndexedDB holds it: wait for the copy itself."""
    deadline = time.monotonic() + timeout_s
    while await page.evaluate(STORED_VERSION) is None:
        if time.monotonic() > deadline:
            raise BenchError("the offline copy was never stored")
        await asyncio.sleep(0.05)


async def reload_until_agenda(page: Page) -> float:
    started = time.perf_counter()
    await page.reload(wait_until="commit")
    await page.wait_for_selector(AGENDA_SHOWN, timeout=30_000)
    return time.perf_counter() - started


async def browse(context: BrowserContext, base_url: str, reloads: int) -> dict[str, Any]:
    page = context.pages[0] if context.pages else await context.new_page()
    wire = Wire()
    await wire.attach(context, page)
    await page.goto("/")
    await page.wait_for_selector(AGENDA_SHOWN, timeout=30_000)
    # evaluate, not wait_for_function: the page's CSP forbids eval, and rightly so.
    # `ready` (a worker is active) may come a moment before its claim makes it the
    # page's controller: wait for `controllerchange` too, at most 30 s.
    if not await page.evaluate(CONTROLLED):
        raise BenchError("the service worker did not take control of the first visit")
    await wait_until_stored(page)
    cdp = await context.new_cdp_session(page)
    installability = (await cdp.send("Page.getInstallabilityErrors"))["installabilityErrors"]
    first_visit = wire.app_bytes()

    pairs = []
    for _ in range(reloads):
        online = await reload_until_agenda(page)
        await context.set_offline(True)
        offline = await reload_until_agenda(page)
        await context.set_offline(False)
        pairs.append({"online_s": online, "offline_s": offline, "ratio": offline / online})
    return {
        "first_visit_page_bytes": first_visit,
        "first_visit_page_total": sum(first_visit.values()),
        "first_visit_with_precache_total": precache_bytes(base_url),
        "installability_errors": installability,
        "reload_pairs": pairs,
        "reload_offline_over_online_median": statistics.median(p["ratio"] for p in pairs),
    }


def kib(size: int) -> str:
    return f"{size / 1024:.1f} KiB"


def report(figures: dict[str, Any], lighthouse: dict[str, Any] | None) -> None:
    page_total = figures["first_visit_page_total"]
    verdict = "met" if page_total <= GOAL_FIRST_VISIT else "MISSED"
    errors = figures["installability_errors"]
    by_kind = figures["first_visit_page_bytes"]
    lines = [
        describe_server() + f"; Chromium pinned to core {CLIENT_CORE}, phone 412×915",
        "",
        f"first visit, the page (HTML, JS, CSS, manifest, icons): {kib(page_total)} "
        f"(goal ≤ {kib(GOAL_FIRST_VISIT)}: {verdict})",
        *(f"  {kind:<12} {kib(size)}" for kind, size in sorted(by_kind.items())),
        "first visit with the service worker's precache of every screen: "
        + kib(figures["first_visit_with_precache_total"]),
        "(the offline copy's bytes, complete and as a patch: make bench-offline)",
        f"installability (Chromium): {errors or 'installable'}",
        "",
        "reload until the agenda shows      online    offline  offline/online",
        *(
            f"{p['online_s'] * 1000:>36.0f} ms {p['offline_s'] * 1000:>7.0f} ms {p['ratio']:>15.2f}"
            for p in figures["reload_pairs"]
        ),
        f"median offline/online: {figures['reload_offline_over_online_median']:.2f}",
    ]
    if lighthouse:
        runs = lighthouse["performance_runs"]
        verdict = "met" if lighthouse["performance"] >= GOAL_LIGHTHOUSE else "MISSED"
        lines += [
            "",
            f"Lighthouse (mobile), median of {len(runs)} runs, Chromium alone on core "
            f"{CLIENT_CORE}, Lighthouse's driver on core {SERVER_CORE}:",
            f"  performance {lighthouse['performance']} (goal ≥ {GOAL_LIGHTHOUSE}: {verdict}; "
            f"runs {', '.join(map(str, runs))}), total blocking time "
            f"{lighthouse['total_blocking_time_ms']} ms",
            f"  accessibility {lighthouse['accessibility']}, "
            f"best practices {lighthouse['best-practices']}",
            f"  audits below 0.9: {', '.join(lighthouse['failing']) or 'none'}",
        ]
    print("\n".join(lines))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.web", description=__doc__.split("\n")[0])
    parser.add_argument("--reloads", type=bounded(1, 30), default=5, help="online/offline pairs")
    parser.add_argument("--lighthouse", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--lighthouse-runs", type=bounded(1, 15), default=5, help="runs; the median is reported"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def body(space: Workspace) -> int:
        dsn, _ = asyncio.run(prepare_database(space, nothing_more))
        with running_server(space, dsn, "server.app:create_app") as server:
            os.sched_setaffinity(0, {int(CLIENT_CORE)})  # Chromium inherits it

            async def drive() -> dict[str, Any]:
                # A persistent profile, as a phone's: Chromium's installability check
                # refuses incognito profiles.
                async with async_playwright() as playwright:
                    context = await playwright.chromium.launch_persistent_context(
                        str(space.workdir / "profile"),
                        executable_path=CHROMIUM,
                        args=["--no-sandbox"],
                        base_url=server.base_url,
                        **PHONE,
                    )
                    try:
                        return await browse(context, server.base_url, args.reloads)
                    finally:
                        await context.close()

            figures = asyncio.run(drive())
            scores = (
                lighthouse_scores(server.base_url, CHROMIUM, args.lighthouse_runs)
                if args.lighthouse
                else None
            )
        report(figures, scores)
        save_results("web", {"figures": figures, "lighthouse": scores})
        return 0

    return run("bench.web", body, check)


if __name__ == "__main__":
    sys.exit(main())
