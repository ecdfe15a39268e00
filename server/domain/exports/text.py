"""Text as the export formats can carry it."""

from __future__ import annotations

import re

# XML 1.0 has no character for these, escaped or not: a title holding one would make the
# whole document unreadable. PostgreSQL text holds no NUL and no lone surrogate.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str | None) -> str:
    """`value` without the characters XML 1.0 cannot hold; "" for None."""
    return _NOT_XML.sub("", value) if value else ""
