"""The demo fair's data files as written: the oracle for what the programme prints."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from server.clock import parse_instant

#: The eve of the fair, the suite's own time whatever day it runs: the fair's data is
#: fixed in December 2026, and registrations, demos and held announcements are taken
#: only before their time.
FAIR_EVE = parse_instant("2026-12-02T10:00:00+00:00")


def demo_sessions() -> list[dict[str, Any]]:
    """sessions.json, whose times are the hours printed in the programme."""
    folder = resources.files("server.demo") / "sistep2026"
    sessions: list[dict[str, Any]] = json.loads((folder / "sessions.json").read_text("utf-8"))
    return sessions


def demo_file(name: str) -> Any:
    """One of the demo fair's data files (event.json, exhibitors.json …), parsed."""
    folder = resources.files("server.demo") / "sistep2026"
    return json.loads((folder / name).read_text("utf-8"))
