"""The columns of the two spreadsheets (docs/imports.md) and how a header row names
them: Salon's name or an alias, French ones included, compared without case, accents
or punctuation ("Début", "DEBUT" and "début " are `start`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from server.domain.imports.formats.text import fold

SheetKind = Literal["exhibitors", "sessions"]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


EXHIBITOR_COLUMNS: Final = (
    Column("id", ("identifiant", "ref", "reference")),
    Column("name", ("nom", "raison sociale", "societe", "entreprise", "company"), True),
    Column("country", ("pays", "code pays", "country code"), True),
    Column("sectors", ("sector", "secteurs", "secteur", "secteurs d activite")),
    Column("booth", ("booths", "stand", "stands")),
    Column("description_fr", ("description", "description francais", "descriptif")),
    Column("description_en", ("description anglais", "description english")),
    Column("website", ("site", "site web", "site internet", "url", "web")),
)

SESSION_COLUMNS: Final = (
    Column("id", ("identifiant", "ref", "reference")),
    Column("title_fr", ("title", "titre", "titre fr", "titre francais"), True),
    Column("title_en", ("titre en", "titre anglais", "english title")),
    Column("kind", ("type", "genre", "format"), True),
    Column("track", ("parcours", "thematique", "theme", "filiere")),
    Column("room", ("salle", "lieu")),
    Column("start", ("debut", "starts at", "date debut", "heure debut"), True),
    Column("end", ("fin", "ends at", "date fin", "heure fin")),
    Column("duration", ("duree",)),
    Column("speakers", ("speaker", "intervenants", "intervenant", "orateurs", "conferenciers")),
    Column("capacity", ("capacite", "places", "jauge")),
    Column("abstract_fr", ("abstract", "resume", "resume fr", "description")),
    Column("abstract_en", ("resume en", "resume anglais", "summary")),
    Column("booth", ("stand",)),
    Column("exhibitor", ("exposant", "exhibitor id")),
)

COLUMNS: Final[dict[SheetKind, tuple[Column, ...]]] = {
    "exhibitors": EXHIBITOR_COLUMNS,
    "sessions": SESSION_COLUMNS,
}

_NOT_LETTERS = re.compile(r"[^0-9a-z]+")


def header_key(text: str) -> str:
    """'Début (heure)' → 'debut heure'; 'title_fr' → 'title fr'."""
    return _NOT_LETTERS.sub(" ", fold(text)).strip()


def _lookup(columns: tuple[Column, ...]) -> dict[str, str]:
    return {
        header_key(spelling): column.name
        for column in columns
        for spelling in (column.name, *column.aliases)
    }


LOOKUPS: Final = {kind: _lookup(columns) for kind, columns in COLUMNS.items()}
#: Columns only one of the sheets has: they tell which sheet a header row starts.
_TELLING: Final[dict[SheetKind, frozenset[str]]] = {
    "exhibitors": frozenset({"name", "country", "sectors", "website"}),
    "sessions": frozenset({"title_fr", "start", "end", "kind", "speakers"}),
}


def sheet_kind(headers: list[str]) -> SheetKind | None:
    """Which sheet a header row starts: the one more of its telling columns name."""
    score: dict[SheetKind, int] = {}
    for kind, lookup in LOOKUPS.items():
        named = {lookup.get(header_key(h)) for h in headers}
        score[kind] = len(named & _TELLING[kind])
    best = max(score, key=lambda kind: score[kind])
    if score[best] == 0:
        return None
    return "sessions" if score["sessions"] >= score["exhibitors"] else "exhibitors"
