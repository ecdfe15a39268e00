"""Text as an import takes it: stripped, without control characters, bounded."""

from __future__ import annotations

import re
import unicodedata

from server.domain.imports.formats.limits import MAX_LIST_ITEMS
from server.domain.imports.formats.refusals import Fault, french_number

#: Line breaks and tabs: kept in long texts, a plain space in one-line values (a title
#: typed with Alt+Enter in Excel).
_LAYOUT = "\t\n\r"
#: Unicode's control characters (Cc) but the layout ones, and lone surrogates (Cs): one
#: regular expression, not a category lookup per character (a large file's hot spot).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_RUNS_OF_SPACE = re.compile(r"[ \t\n\r]+")
_LIST_SEPARATORS = re.compile(r"[;,|\n]")


def fold(text: str) -> str:
    """Lower case without accents: how headers, kinds, country and row names are compared."""
    if text.isascii():  # most names: no accent to take off
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def clean_text(value: str, limit: int, *, multiline: bool = False) -> str | None:
    """`value` stripped (None when nothing is left). Fault on a control character (NUL
    and the like, and lone surrogates, which no database stores) or past `limit`."""
    # Most values are printable: then they hold no control character, tab or line break
    # (none of them is printable), so there is nothing to refuse and, on one line,
    # nothing to fold but runs of spaces. The scans below are for the others.
    printable = value.isprintable()
    if not printable and (found := _CONTROL.search(value)):
        position, code = found.start() + 1, f"U+{ord(found.group()):04X}"
        raise Fault(
            "CONTROL_CHARACTER",
            f"caractère de contrôle {code} en position {position} : retirez-le",
            f"control character {code} at position {position}: remove it",
        )
    if printable:
        text = value if multiline or "  " not in value else _RUNS_OF_SPACE.sub(" ", value)
        text = text.strip()
    elif multiline:
        text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    else:
        text = _RUNS_OF_SPACE.sub(" ", value).strip()
    if not text:
        return None
    if len(text) > limit:
        raise Fault(
            "TOO_LONG",
            f"trop long : {french_number(len(text))} caractères, au plus {french_number(limit)}",
            f"too long: {len(text):,} characters, at most {limit:,}",
        )
    return text


def split_list(value: str) -> list[str]:
    """The items of a list cell ("A101; A102", "spk-001, spk-002"), empty ones dropped.
    Fault past MAX_LIST_ITEMS."""
    items = [item.strip() for item in _LIST_SEPARATORS.split(value)]
    items = [item for item in items if item]
    if len(items) > MAX_LIST_ITEMS:
        raise Fault(
            "TOO_MANY_ITEMS",
            f"{len(items)} éléments ; au plus {MAX_LIST_ITEMS}",
            f"{len(items)} items; at most {MAX_LIST_ITEMS}",
        )
    return items
