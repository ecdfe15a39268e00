"""Collecting refusals: every check adds what it finds, so that a file comes back with all
of its problems at once rather than one per upload."""

from __future__ import annotations

from server.domain.imports.model import ImportedFair, Refusal, Where


class Refusals:
    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[Refusal] = []

    def add(self, where: Where | None, code: str, fr: str, en: str) -> None:
        """A refusal at `where` (None: the file as a whole)."""
        self.found.append(Refusal(where or Where(self.file), code, fr, en))

    def __bool__(self) -> bool:
        return bool(self.found)


def file_of(fair: ImportedFair) -> str:
    """The name of the file a fair came from, as its rows say it (else its format)."""
    places = [s.where for s in fair.sessions[:1]] + [e.where for e in fair.exhibitors[:1]]
    return places[0].file if places else fair.source
