"""Which Salon id a row of an import gets.

A row that names itself (a GUID, an id column, frab's integer id) keeps that name by
server.domain.source_ids' rules. A spreadsheet row without an id is known by what it
says (an exhibitor by its name, a session by its title and start), so that importing
the same sheet again finds the same rows. A cell that refers to another row (a room,
a track, a speaker) holds either that row's id or a name: ids are what Salon writes
(lower case, no space, with a hyphen or a digit: `room-atlas`, `spk-001`, a GUID).
"""

from __future__ import annotations

import hashlib
import re

from server.domain.imports.formats.text import fold
from server.domain.source_ids import id_from_source

_REFERENCE = re.compile(r"(?=[a-z0-9._:-]*[-0-9])[a-z0-9][a-z0-9._:-]{0,63}")
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def source_key(kind: str, guid: str | None, source_id: str | None) -> str:
    """The Salon id of a row the source names: id_from_source, and a hash of the source's
    name for it when even that is unusable (never None: the callers have a name)."""
    key = id_from_source(kind, guid, source_id)
    if key is None:
        raise ValueError("source_key needs a guid or a source id")
    return key


def content_key(kind: str, *parts: str) -> str:
    """A stable id for a row known only by what it says (compared folded)."""
    text = "\x1f".join(" ".join(fold(part).split()) for part in parts)
    return f"{kind}-" + hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def is_reference(text: str) -> bool:
    """Whether a cell naming another row gives its id (`room-atlas`) or its name."""
    return bool(_GUID.fullmatch(text.lower()) or _REFERENCE.fullmatch(text))
