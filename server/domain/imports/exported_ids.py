"""Rows a file names by the ids Salon's own exports give the fair's rows: the same rows.

/schedule.xml and /schedule.json name a session, a speaker and a room by
`source_ids.guid_of` of its id, and a person in XML by frab's number (`number_of`) only.
Imported back into the fair, such a row is the fair's row, and takes the name the file
gives it (it was renamed; a room's exported name may also carry its hall), where names
alone (aliases.py) would make a twin of a renamed row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from server.domain.imports.current import Current
from server.domain.imports.model import ImportedFair
from server.domain.source_ids import guid_of, number_of

#: Of each kind ("rooms", "tracks", "speakers", "exhibitors", "sessions"): file id → fair id.
Matches = dict[str, dict[str, str]]


def by_exported_ids(fair: ImportedFair, current: Current) -> Matches:
    return {
        "rooms": _found([r.id for r in fair.rooms], _exported("room", current.rooms)),
        "speakers": _found(
            [s.id for s in fair.speakers],
            _exported("speaker", current.speakers, numbered=True),
        ),
        "sessions": _found([s.id for s in fair.sessions], _exported("session", current.sessions)),
    }


def _exported(kind: str, fair_ids: Iterable[str], *, numbered: bool = False) -> dict[str, str]:
    """Every id the exports give a row of the fair (its GUID; with `numbered`, its frab
    number too) → the row's id. A number two rows share (frab's 31 bits) names neither;
    a row's own id is never another's."""
    own = set(fair_ids)
    found: dict[str, str] = {}
    numbers: Counter[str] = Counter()
    for row_id in sorted(own):
        found[guid_of(kind, row_id)] = row_id
        if numbered:
            number = str(number_of(kind, row_id))
            numbers[number] += 1
            found[number] = row_id
    return {
        given: row_id
        for given, row_id in found.items()
        if given not in own and numbers[given] <= 1 and given != row_id
    }


def _found(file_ids: list[str], exported: dict[str, str]) -> dict[str, str]:
    """File id → fair id, never two file rows onto one fair row, nor onto a fair row
    the file also names by its own id."""
    taken = set(file_ids)
    found: dict[str, str] = {}
    for file_id in file_ids:
        target = exported.get(file_id)
        if target is not None and target not in taken:
            found[file_id] = target
            taken.add(target)
    return found
