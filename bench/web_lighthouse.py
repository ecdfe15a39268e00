"""Lighthouse for bench.web: installed on demand from bench/lighthouse's lock (npm ci),
run with the machine's Node against Debian's Chromium, mobile preset (its default).

Where each part runs, on this two-core machine:

- Chromium, every one of its processes, on the client core: the phone under test;
- Lighthouse's own Node process (the driver that records the trace and the network
  log as the page loads) on the server core, beside the server. On the browser's core
  it took ~170 ms of total blocking time from the page: the simulated 4× slower phone
  multiplies every main-thread task by what it waited for a shared core;
- without the headless desktop omnibox's WebUI popup, which Chromium 156 preloads at
  start (chrome://omnibox-popup.top-chrome: a Lit page, 0.5–1.3 s of renderer CPU
  during the page load). A phone's Chrome has no such popup.

Lighthouse's score moves from run to run; its authors advise the median of five.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.harness import CLIENT_CORE, RESULTS_DIR, SERVER_CORE, BenchError
from server.settings import REPO_ROOT

FOLDER = REPO_ROOT / "bench" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup",
)


def installed() -> Path:
    binary = FOLDER / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=FOLDER, check=True
        )
    return binary


def lighthouse_scores(url: str, chromium: str, runs: int = 5) -> dict[str, object]:
    """The median run's scores (by performance) of `runs`, and every run's performance."""
    reports = [lighthouse_report(url, chromium) for _ in range(runs)]
    performances = [scores_of(report)["performance"] for report in reports]
    median = sorted(reports, key=lambda report: scores_of(report)["performance"])[runs // 2]
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "lighthouse-latest.json").write_text(json.dumps(median))
    return {
        **scores_of(median),
        "performance_runs": performances,
        "total_blocking_time_ms": round(
            statistics.median(
                report["audits"]["total-blocking-time"]["numericValue"] for report in reports
            )
        ),
        "failing": failing_audits(median),
    }


def lighthouse_report(url: str, chromium: str) -> dict[str, Any]:
    binary = installed()
    with tempfile.TemporaryDirectory() as out:
        report = Path(out) / "report.json"
        # CHROME_PATH names one executable: a two-line script pins Chromium's core.
        browser = Path(out) / "chromium-pinned"
        browser.write_text(f'#!/bin/sh\nexec taskset -c {CLIENT_CORE} "{chromium}" "$@"\n')
        browser.chmod(0o755)
        done = subprocess.run(
            [
                "taskset", "-c", SERVER_CORE, str(binary), url + "/",
                "--output=json", f"--output-path={report}", "--quiet",
                f"--only-categories={','.join(CATEGORIES)}",
                f"--chrome-flags={' '.join(CHROME_FLAGS)}",
            ],
            env={**os.environ, "CHROME_PATH": str(browser)},
            capture_output=True,
            text=True,
            timeout=300,
        )  # fmt: skip
        if done.returncode != 0 or not report.exists():
            raise BenchError(f"lighthouse failed:\n{done.stderr[-2000:]}")
        document: dict[str, Any] = json.loads(report.read_text())
    return document


def scores_of(document: dict[str, Any]) -> dict[str, int]:
    categories = document["categories"]
    return {name: round(categories[name]["score"] * 100) for name in CATEGORIES}


def failing_audits(document: dict[str, Any]) -> list[str]:
    """What cost points, so a figure below the goal says where to look."""
    categories = document["categories"]
    audits = document["audits"]
    return sorted(
        audit_id
        for name in CATEGORIES
        for ref in categories[name]["auditRefs"]
        if ref["weight"] > 0
        and (audit_id := ref["id"]) in audits
        and audits[audit_id]["score"] is not None
        and audits[audit_id]["score"] < 0.9
    )
