"""Stable ids across Salon and the schedule formats (frab / c3voc, pretalx).

The formats name an event, a person and a room by a GUID (and frab by an integer id
too); Salon by a short text id ("ses-012"). The two rules below make a round trip
exact: an export writes `guid_of(id)` (the id itself when it is a GUID, else a UUIDv5
of it), an import keeps a GUID as the Salon id, so exporting what was imported writes
the same GUIDs again. frab's integer ids (`number_of`) come from the GUID, or are the
id itself when it is a number: a frab person has only an integer id, which an import
keeps as the speaker's id. An import keys by GUID when the source has one, by its own
id otherwise (`id_from_source`).

Salon's exports write some things frab has no word for, and its imports read them back
(docs/imports.md, "Salon's own exports"): the file's generator is GENERATOR_NAME; a
demo at a stand is in a "room" named `booth_room(code)`, with the GUID of kind "booth";
a session without a place is in UNPLACED_ROOM.
"""

from __future__ import annotations

import hashlib
import re
import uuid

#: UUIDv5 namespace of Salon's ids (fixed forever: changing it changes every export).
NAMESPACE = uuid.UUID("6f1c2a4e-2b7d-5c1e-9a51-5a1017a3d0c8")
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NUMBER = re.compile(r"[1-9][0-9]{0,9}")
#: A Salon id (a GUID is one too), and an id kept as the source wrote it: short,
#: printable, no spaces.
PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
#: The `generator` name of Salon's schedule exports.
GENERATOR_NAME = "Salon"
#: The "room" of the sessions that have no place yet, and its GUID's (kind, id).
UNPLACED_ROOM = "Lieu à préciser"
UNPLACED_KEY = ("place", "unassigned")
_BOOTH_ROOM = "Stand "


def booth_room(code: str) -> str:
    """The "room" a stand is in a schedule export: "Stand A101"."""
    return f"{_BOOTH_ROOM}{code}"


def booth_code_of(room_name: str) -> str | None:
    """The stand code of a "room" named as booth_room names one, else None."""
    if not room_name.startswith(_BOOTH_ROOM):
        return None
    return room_name.removeprefix(_BOOTH_ROOM).strip() or None


def guid_of(kind: str, salon_id: str) -> str:
    """The GUID an export gives this row: its id when that is a GUID, else a UUIDv5 of
    "kind:id" (kind: "session", "speaker", "room", "track", "exhibitor")."""
    if _GUID.fullmatch(salon_id):
        return salon_id
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{salon_id}"))


def number_of(kind: str, salon_id: str) -> int:
    """A positive integer id for formats that want one (frab's event and person ids),
    1 .. 2**31 - 1: the id itself when it is such a number (a row imported from one),
    else derived from the row's GUID, so a row imported by its GUID keeps its number."""
    if _NUMBER.fullmatch(salon_id) and 0 < int(salon_id) < 2**31:
        return int(salon_id)
    guid = guid_of(kind, salon_id)
    digest = hashlib.blake2b(guid.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % (2**31 - 1) + 1


def id_from_source(kind: str, guid: str | None, source_id: str | None) -> str | None:
    """The Salon id of a row a source names by `guid` (preferred) or by its own id; None
    when neither is usable (the parser refuses the row). A GUID is kept lower-cased; a
    plain id is kept as written when short and printable, else hashed."""
    if guid is not None and _GUID.fullmatch(folded := guid.strip().lower()):
        return folded
    if source_id is None or not source_id.strip():
        return None
    text = source_id.strip()
    if PLAIN_ID.fullmatch(text):
        return text
    return f"{kind}-" + hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
