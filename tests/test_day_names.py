"""The app writes day names from a table (web/src/lib/fair-time.ts), not Intl, to spare a
phone's first screen the locale data load. The table must write every day of the years
around the fair exactly as Intl's fr-FR and en-GB do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"

# Transpiles fair-time.ts with the app's own TypeScript, then compares for 1999–2101.
CHECK = r"""
const ts = require("typescript");
const fs = require("fs");
const source = fs.readFileSync("src/lib/fair-time.ts", "utf8");
const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 };
const js = ts.transpileModule(source, { compilerOptions: options }).outputText;
const mod = { exports: {} };
new Function("module", "exports", js)(mod, mod.exports);
const { dayName } = mod.exports;
const wrong = [];
for (const lang of ["fr", "en"]) {
  for (const style of ["long", "short"]) {
    const intl = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "fr-FR", {
      timeZone: "UTC", weekday: style, day: "numeric", month: style === "long" ? "long" : "short",
    });
    for (let t = Date.UTC(1999, 0, 1); t < Date.UTC(2102, 0, 1); t += 86400000) {
      const day = new Date(t).toISOString().slice(0, 10);
      const ours = dayName(day, lang, style);
      const theirs = intl.format(new Date(`${day}T12:00:00Z`));
      if (ours !== theirs) wrong.push([day, lang, style, ours, theirs]);
    }
  }
}
console.log(JSON.stringify({ wrong: wrong.slice(0, 20), count: wrong.length }));
"""


def node() -> str:
    bundled = ROOT / ".venv" / "node-bin" / "node"
    found = str(bundled) if bundled.exists() else shutil.which("node")
    assert found, "no node: make install links one at .venv/node-bin"
    return found


def test_day_names_match_intl_for_a_century() -> None:
    assert (WEB / "node_modules" / "typescript").is_dir(), "make web installs the app's packages"
    done = subprocess.run(
        [node(), "-e", CHECK],
        cwd=WEB,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TZ": "America/New_York"},
    )
    answer = json.loads(done.stdout)
    assert answer == {"wrong": [], "count": 0}
