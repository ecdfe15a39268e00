"""Numeric ids and cursors, parsed in one place with their exact grammar and range.

`str.isdigit()` accepts "²" and "٣", which `int()` then rejects or reads; PostgreSQL's
bigint stops at 2**63 - 1. Only ASCII digits that fit a bigint are an id.
"""

from __future__ import annotations

import re

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
BIGINT_MAX = 2**63 - 1


def parse_bigint_id(text: str) -> int | None:
    """The id `text` spells, or None when it is not one (never raises)."""
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= BIGINT_MAX else None
