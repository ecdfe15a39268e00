"""The demo fair's data files as written: the oracle for what the programme prints."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def demo_sessions() -> list[dict[str, Any]]:
    """sessions.json, whose times are the hours printed in the programme."""
    folder = resources.files("server.demo") / "sistep2026"
    sessions: list[dict[str, Any]] = json.loads((folder / "sessions.json").read_text("utf-8"))
    return sessions


def demo_file(name: str) -> Any:
    """One of the demo fair's data files (event.json, exhibitors.json …), parsed."""
    folder = resources.files("server.demo") / "sistep2026"
    return json.loads((folder / name).read_text("utf-8"))
