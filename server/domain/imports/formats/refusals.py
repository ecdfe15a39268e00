"""A file's refusals, gathered as its rows are read: all of them up to MAX_REFUSALS,
then a count, so one run tells the organiser everything there is to fix."""

from __future__ import annotations

import unicodedata
from typing import NoReturn

from server.domain.imports.formats.limits import MAX_REFUSALS
from server.domain.imports.model import ImportRefused, Refusal, Where

#: Characters of a value quoted in a message; a longer value is cut.
_SHOWN_CHARS = 60


class Fault(Exception):
    """What is wrong with one value, in both languages; whoever reads the value knows
    where it stands and turns the fault into a Refusal."""

    def __init__(self, code: str, fr: str, en: str) -> None:
        super().__init__(en)
        self.code = code
        self.fr = fr
        self.en = en


class Refusals:
    """The refusals of one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self._kept: list[Refusal] = []
        self._more = 0

    def __len__(self) -> int:
        return len(self._kept) + self._more

    def add(self, where: Where, code: str, fr: str, en: str) -> None:
        if len(self._kept) < MAX_REFUSALS:
            self._kept.append(Refusal(where, code, fr, en))
        else:
            self._more += 1

    def add_fault(self, where: Where, fault: Fault) -> None:
        self.add(where, fault.code, fault.fr, fault.en)

    def refuse(self, where: Where, code: str, fr: str, en: str) -> NoReturn:
        """Add this refusal and stop reading the file."""
        self.add(where, code, fr, en)
        raise ImportRefused(self.all())

    def check(self) -> None:
        """Raise ImportRefused with every refusal so far, if there is any."""
        if len(self):
            raise ImportRefused(self.all())

    def all(self) -> list[Refusal]:
        """The refusals kept, and a last one counting those that were not."""
        # In the file's order: rows are checked in turn, but a file-wide check (a cell
        # outside the columns) may have spoken first.
        kept = sorted(self._kept, key=lambda refusal: refusal.where.line or 0)
        if not self._more:
            return kept
        more = Refusal(
            Where(self.file),
            "MORE_REFUSALS",
            f"… et {french_number(self._more)} autres refus",
            f"… and {self._more:,} more",
        )
        return [*kept, more]


def shown(value: str) -> str:
    """`value` as a message quotes it: in backticks, control characters spelled out,
    cut after a few dozen characters."""
    cut = len(value) > _SHOWN_CHARS
    text = "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cs") else c
        for c in value[:_SHOWN_CHARS]
    )
    return f"`{text}…`" if cut else f"`{text}`"


def french_number(n: int) -> str:
    """10 001, as French writes it (a non-breaking space between thousands)."""
    return f"{n:,}".replace(",", "\u00a0")
