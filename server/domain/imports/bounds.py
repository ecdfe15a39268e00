"""What one import may hold: rows per kind, text lengths, ids, and values the database
would refuse with an error instead of a sentence (NUL characters, a bad colour, a
capacity of zero). Parsers check much of this already; applying checks again, since an
ImportedFair may come from anywhere."""

from __future__ import annotations

import re
from collections.abc import Sequence

from server.domain.imports.formats import limits
from server.domain.imports.formats.limits import MAX_ROWS as PARSED_ROWS
from server.domain.imports.model import ImportedFair, Where
from server.domain.imports.refusals import Refusals
from server.domain.source_ids import PLAIN_ID

#: Most rows of each kind in one file: a fair many times SISTEP's size; sessions and
#: exhibitors as many as the parsers read rows (formats.limits.MAX_ROWS).
MAX_ROWS = {
    "tracks": 200,
    "rooms": 500,
    "speakers": 2 * PARSED_ROWS,
    "sessions": PARSED_ROWS,
    "exhibitors": PARSED_ROWS,
}
# The same bounds as the parsers' (formats/limits.py holds them all).
MAX_NAME = limits.MAX_NAME_CHARS
MAX_LONG_TEXT = limits.MAX_LONG_TEXT_CHARS
MAX_WEBSITE = limits.MAX_WEBSITE_CHARS
MAX_CAPACITY = limits.MAX_CAPACITY
MAX_SPEAKERS_PER_SESSION = 50
MAX_SECTORS_PER_EXHIBITOR = 20
MAX_BOOTHS_PER_EXHIBITOR = 50
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_WEBSITE = re.compile(r"https?://[^\s]+", re.IGNORECASE)


def check_counts(fair: ImportedFair, refusals: Refusals) -> bool:
    """Whether every kind is within its count (rows are checked one by one only then)."""
    within = True
    for kind, limit in MAX_ROWS.items():
        count = len(getattr(fair, kind))
        if count > limit:
            within = False
            refusals.add(
                None,
                "TOO_MANY_ROWS",
                f"{count} lignes de type {kind} : au plus {limit} par fichier",
                f"{count} rows of {kind}: at most {limit} per file",
            )
    return within


def check_text(
    refusals: Refusals,
    where: Where,
    what: str,
    value: str | None,
    limit: int,
    *,
    required: bool = False,
) -> None:
    """`what`: the field, as the file's reader knows it ("title_fr", "name")."""
    if value is None or not value.strip():
        if required:
            refusals.add(where, "MISSING", f"`{what}` est vide", f"`{what}` is empty")
        return
    if "\x00" in value:
        refusals.add(
            where,
            "BAD_TEXT",
            f"`{what}` contient un caractère NUL",
            f"`{what}` holds a NUL character",
        )
    if len(value) > limit:
        refusals.add(
            where,
            "TOO_LONG",
            f"`{what}` a {len(value)} caractères : au plus {limit}",
            f"`{what}` has {len(value)} characters: at most {limit}",
        )


def check_id(refusals: Refusals, where: Where, what: str, value: str) -> bool:
    if PLAIN_ID.fullmatch(value):
        return True
    shown = value[:70].replace("\x00", "\\0")
    refusals.add(
        where,
        "BAD_ID",
        f"`{shown}` n'est pas un identifiant ({what}) : 1 à 64 lettres, chiffres, . _ : -",
        f"`{shown}` is not an id ({what}): 1 to 64 letters, digits, . _ : -",
    )
    return False


def check_ids(refusals: Refusals, kind: str, rows: Sequence[tuple[str, Where]]) -> None:
    """Each id well formed and used once in the file."""
    seen: set[str] = set()
    for row_id, where in rows:
        if not check_id(refusals, where, kind, row_id):
            continue
        if row_id in seen:
            refusals.add(
                where,
                "DUPLICATE_ID",
                f"l'identifiant `{row_id}` ({kind}) figure deux fois dans le fichier",
                f"the id `{row_id}` ({kind}) appears twice in the file",
            )
        seen.add(row_id)


def check_capacity(
    refusals: Refusals, where: Where, capacity: int | None, what: str = "capacity"
) -> None:
    if capacity is not None and not 0 < capacity <= MAX_CAPACITY:
        refusals.add(
            where,
            "BAD_CAPACITY",
            f"`{what}` : une capacité est un nombre de places de 1 à {MAX_CAPACITY}, "
            f"pas {capacity}",
            f"`{what}`: a capacity is a number of seats from 1 to {MAX_CAPACITY}, not {capacity}",
        )


def check_color(refusals: Refusals, where: Where, color: str | None, what: str) -> None:
    if color is not None and not _COLOR.fullmatch(color):
        refusals.add(
            where,
            "BAD_COLOR",
            f"`{what}` : `{color[:20]}` n'est pas une couleur #rrvvbb",
            f"`{what}`: `{color[:20]}` is not a #rrggbb colour",
        )


def check_website(refusals: Refusals, where: Where, website: str | None) -> None:
    check_text(refusals, where, "website", website, MAX_WEBSITE)
    if website and website.strip() and not _WEBSITE.fullmatch(website.strip()):
        refusals.add(
            where,
            "BAD_WEBSITE",
            f"`{website[:70]}` n'est pas une adresse http:// ou https://",
            f"`{website[:70]}` is not an http:// or https:// address",
        )


def check_many(
    refusals: Refusals, where: Where, what: str, values: Sequence[str], limit: int
) -> None:
    if len(values) > limit:
        refusals.add(
            where,
            "TOO_MANY",
            f"{len(values)} valeurs dans `{what}` : au plus {limit}",
            f"{len(values)} values in `{what}`: at most {limit}",
        )
    if len(set(values)) != len(values):
        refusals.add(
            where,
            "REPEATED",
            f"`{what}` nomme deux fois la même valeur",
            f"`{what}` names the same value twice",
        )
