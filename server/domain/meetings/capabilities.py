"""The capabilities a profile's offers and needs name, as matching compares them.

A first version: each phrase folded (no case, no accents, spaces collapsed) is its own
capability. The vocabulary of industrial capabilities (FR/EN terms and what they
include) replaces it.
"""

from __future__ import annotations

from collections.abc import Sequence

from server.domain.imports.formats.text import fold


def terms_of(phrases: Sequence[str]) -> list[str]:
    """The capabilities these phrases name, each once, sorted."""
    return sorted({" ".join(fold(p).split()) for p in phrases if p.strip()})
