"""Lighthouse for bench.web: installed on demand from bench/lighthouse's lock (npm ci),
run with the machine's Node against Debian's Chromium, mobile preset (its default)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from bench.harness import CLIENT_CORE, RESULTS_DIR, BenchError
from server.settings import REPO_ROOT

FOLDER = REPO_ROOT / "bench" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")


def installed() -> Path:
    binary = FOLDER / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=FOLDER, check=True
        )
    return binary


def lighthouse_scores(url: str, chromium: str) -> dict[str, object]:
    binary = installed()
    with tempfile.TemporaryDirectory() as out:
        report = Path(out) / "report.json"
        done = subprocess.run(
            [
                "taskset", "-c", CLIENT_CORE, str(binary), url + "/",
                "--output=json", f"--output-path={report}", "--quiet",
                f"--only-categories={','.join(CATEGORIES)}",
                "--chrome-flags=--headless=new --no-sandbox",
            ],
            env={**os.environ, "CHROME_PATH": chromium},
            capture_output=True,
            text=True,
            timeout=300,
        )  # fmt: skip
        if done.returncode != 0 or not report.exists():
            raise BenchError(f"lighthouse failed:\n{done.stderr[-2000:]}")
        document = json.loads(report.read_text())
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        (RESULTS_DIR / "lighthouse-latest.json").write_text(report.read_text())
    categories = document["categories"]
    scores: dict[str, object] = {
        name: round(categories[name]["score"] * 100) for name in CATEGORIES
    }
    # What cost points, so a figure below the goal says where to look.
    audits = document["audits"]
    scores["failing"] = sorted(
        audit_id
        for name in CATEGORIES
        for ref in categories[name]["auditRefs"]
        if ref["weight"] > 0
        and (audit_id := ref["id"]) in audits
        and audits[audit_id]["score"] is not None
        and audits[audit_id]["score"] < 0.9
    )
    return scores
