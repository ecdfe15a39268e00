"""The exhibitor spreadsheet (docs/imports.md): one exhibitor a row."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from server.domain.imports.formats.countries import country_code
from server.domain.imports.formats.keys import content_key, source_key
from server.domain.imports.formats.limits import (
    MAX_LONG_TEXT_CHARS,
    MAX_NAME_CHARS,
    MAX_WEBSITE_CHARS,
)
from server.domain.imports.formats.refusals import Fault, Refusals, shown
from server.domain.imports.formats.table import FirstSeen, RowReader
from server.domain.imports.model import ImportedExhibitor, ImportedFair

_SECTOR = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_BOOTH = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,15}")
#: The addresses most sheets give (https://www.example.ma/contact): printable ASCII
#: without spaces, a dotted host without user, port or brackets. urlsplit reads each as
#: an http(s) address with that host, so _checked_website would take it as it is (the
#: tests compare the two); a pattern is one scan instead of urlsplit's work.
_PLAIN_WEBSITE = re.compile(r"https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:[/?#][!-~]*)?")


def parse(source: str, rows: list[RowReader], refusals: Refusals) -> ImportedFair:
    exhibitors: list[ImportedExhibitor] = []
    ids = FirstSeen()
    booths = FirstSeen()
    for row in rows:
        exhibitor = _exhibitor(row, ids, booths)
        if exhibitor is not None and row.ok:
            exhibitors.append(exhibitor)
    refusals.check()
    return ImportedFair(
        source=source, prunable=frozenset({"exhibitors"}), exhibitors=tuple(exhibitors)
    )


def _exhibitor(row: RowReader, ids: FirstSeen, booths: FirstSeen) -> ImportedExhibitor | None:
    given = row.text("id", 64)
    name = row.text("name", MAX_NAME_CHARS, required=True)
    country = row.parsed("country", row.text("country", 64, required=True), country_code)
    sectors = row.items("sectors", _sector)
    booth_codes = row.items("booth", booth_code)
    description_fr = row.text("description_fr", MAX_LONG_TEXT_CHARS, multiline=True)
    description_en = row.text("description_en", MAX_LONG_TEXT_CHARS, multiline=True)
    website = row.parsed("website", row.text("website", MAX_WEBSITE_CHARS), _website)
    if given is not None:
        key = source_key("exhibitor", given, given)
        ids.check(key, row, "id")
    elif name is not None:
        key = content_key("exh", name)
        ids.check(key, row, "name", _same_name(name))
    else:
        return None
    for code in booth_codes:
        booths.check(code, row, "booth", _booth_taken(code))
    if name is None or country is None:
        return None
    return ImportedExhibitor(
        id=key,
        name=name,
        country=country,
        where=row.where(),
        sectors=tuple(sectors),
        booth_codes=tuple(booth_codes),
        description_fr=description_fr,
        description_en=description_en,
        website=website,
    )


def _same_name(name: str) -> Callable[[int], Fault]:
    return lambda first: Fault(
        "DUPLICATE_ID",
        f"le nom {shown(name)} est déjà à la ligne {first} : donnez un `id` à chaque ligne",
        f"name {shown(name)} is already on line {first}: give each row an `id`",
    )


def _booth_taken(code: str) -> Callable[[int], Fault]:
    return lambda first: Fault(
        "BOOTH_TAKEN",
        f"le stand `{code}` est déjà celui de la ligne {first}",
        f"stand `{code}` is already given on line {first}",
    )


def _sector(text: str) -> str:
    sector = text.strip().lower()
    if not _SECTOR.fullmatch(sector):
        raise Fault(
            "BAD_SECTOR",
            f"{shown(text)} n'est pas un identifiant de secteur (par exemple metallurgy)",
            f"{shown(text)} is not a sector id (e.g. metallurgy)",
        )
    return sector


def booth_code(text: str) -> str:
    code = text.strip().upper()
    if not _BOOTH.fullmatch(code):
        raise Fault(
            "BAD_BOOTH",
            f"{shown(text)} n'est pas un code de stand (par exemple A101)",
            f"{shown(text)} is not a stand code (e.g. A101)",
        )
    return code


def _website(text: str) -> str:
    """An http(s) address; `www.example.ma` is taken as https://www.example.ma."""
    url = text if "://" in text else f"https://{text}"
    if _PLAIN_WEBSITE.fullmatch(url):
        return url
    return _checked_website(text, url)


def _checked_website(text: str, url: str) -> str:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:  # an unclosed [IPv6] address, a port past 65535
        parts = urlsplit("")
    host = parts.hostname or ""
    # The plain space is the only printable whitespace (tests prove it over Unicode):
    # one scan for most addresses rather than a test per character.
    spaced = " " in url if url.isprintable() else any(c.isspace() for c in url)
    if parts.scheme not in ("http", "https") or "." not in host or spaced:
        raise Fault(
            "BAD_URL",
            f"{shown(text)} n'est pas une adresse web (attendu https://exemple.ma)",
            f"{shown(text)} is not a web address (expected https://example.ma)",
        )
    return url
