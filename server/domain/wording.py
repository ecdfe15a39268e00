"""How notices read, in French and English, in fair time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.clock import in_fair_time

_DAYS_FR = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
_MONTHS_FR = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@dataclass(frozen=True, slots=True)
class Text:
    fr: str
    en: str


def clock_time(instant: datetime) -> str:
    return in_fair_time(instant).strftime("%H:%M")


def day(instant: datetime) -> Text:
    local = in_fair_time(instant)
    return Text(
        fr=f"{_DAYS_FR[local.weekday()]} {local.day} {_MONTHS_FR[local.month - 1]}",
        en=local.strftime("%A %-d %B"),
    )


def when(instant: datetime) -> Text:
    d = day(instant)
    return Text(fr=f"{d.fr}, {clock_time(instant)}", en=f"{d.en}, {clock_time(instant)}")


def join(parts: list[Text], fr_sep: str = " ; ", en_sep: str = "; ") -> Text:
    return Text(fr=fr_sep.join(p.fr for p in parts), en=en_sep.join(p.en for p in parts))


def with_note(text: Text, note: str | None) -> Text:
    if not note:
        return text
    return Text(fr=f"{text.fr}\n{note}", en=f"{text.en}\n{note}")
