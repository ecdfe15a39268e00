"""Session kinds (migration 0001's list) from what spreadsheets and schedules call them.

A spreadsheet names a kind on purpose: Salon's name or its French word, anything else
is refused. A schedule's type is free text chosen for another event (frab's
"lecture", "podium"; pretalx's "Talk", "Vortrag", "Lightning talk"): it is matched by
the words it contains, and what matches nothing is OTHER.
"""

from __future__ import annotations

import functools
import re
from typing import Final

from server.domain.imports.formats.refusals import Fault, shown
from server.domain.imports.formats.text import fold

KINDS: Final = ("KEYNOTE", "CONFERENCE", "PANEL", "WORKSHOP", "DEMO", "B2B", "CEREMONY", "OTHER")

#: The French words a spreadsheet may use instead of the kind's name (compared folded).
_FRENCH: Final = {
    "pleniere": "KEYNOTE",
    "conference pleniere": "KEYNOTE",
    "conference": "CONFERENCE",
    "table ronde": "PANEL",
    "atelier": "WORKSHOP",
    "demo": "DEMO",
    "demonstration": "DEMO",
    "rendez vous d affaires": "B2B",
    "rendez vous b2b": "B2B",
    "ceremonie": "CEREMONY",
    "autre": "OTHER",
}

#: Words of a schedule's type, first match wins (so "keynote talk" is a KEYNOTE).
_TYPE_WORDS: Final = (
    ("KEYNOTE", ("keynote", "pleniere", "plenary")),
    ("CEREMONY", ("ceremony", "ceremonie", "opening", "ouverture", "closing", "cloture")),
    ("PANEL", ("panel", "podium", "table ronde", "roundtable", "round table", "debat")),
    ("WORKSHOP", ("workshop", "atelier", "hands on", "tutorial", "tutoriel", "masterclass")),
    ("DEMO", ("demo", "demonstration")),
    ("B2B", ("b2b", "rendez vous d affaires", "business meeting", "matchmaking")),
    (
        "CONFERENCE",
        ("talk", "lecture", "conference", "vortrag", "presentation", "expose", "session"),
    ),
)

_WORD_BREAKS = re.compile(r"[^0-9a-z]+")


def _words(text: str) -> str:
    """'Rendez-vous d’affaires' → ' rendez vous d affaires ', for whole-word matching."""
    return f" {_WORD_BREAKS.sub(' ', fold(text)).strip()} "


def kind_of_cell(text: str) -> str:
    """A spreadsheet's kind: one of KINDS (any case) or its French word."""
    words = _words(text).strip()
    kind = words.upper() if words.upper() in KINDS else _FRENCH.get(words)
    if kind is None:
        raise Fault(
            "UNKNOWN_KIND",
            f"{shown(text)} n'est pas un type de session (attendu {', '.join(KINDS)})",
            f"{shown(text)} is not a session kind (expected {', '.join(KINDS)})",
        )
    return kind


@functools.lru_cache(maxsize=256)  # a schedule repeats a handful of types thousands of times
def kind_of_type(text: str | None) -> str:
    """A schedule's event type as a kind; OTHER when no word of it is known."""
    if not text:
        return "OTHER"
    words = _words(text)
    for kind, names in _TYPE_WORDS:
        if any(f" {name} " in words for name in names):
            return kind
    return "OTHER"
