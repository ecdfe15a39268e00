"""Rows a file names by what they say rather than by the fair's id: the same rows.

A spreadsheet names a room "Salle Rif", a frab schedule gives it a GUID of its own; the
fair calls it `room-rif`. A parser cannot know that (it never reads the database), so
it keys such a row by its name or its GUID. Here, a room, track, speaker or exhibitor
whose id the fair does not know, but whose name exactly one row of the fair has
(compared without case or accents), is that row; a session, when its French title and
its start are those of exactly one session. The file is rewritten to the fair's ids
(and the fair's spelling of the name), so that importing it updates what is there
instead of adding a twin; a name the fair does not know stays a new row.

Before names, ids: a row the file names by the GUID Salon's exports give a row of the
fair (`source_ids.guid_of`), or a person by the frab number they give a speaker
(`number_of`), is that row, whatever its name says (a room's exported name may carry
its hall).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TypeVar

from server.domain.imports.current import Current
from server.domain.imports.model import ImportedFair
from server.domain.source_ids import guid_of, number_of

T = TypeVar("T")


def fold(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _matches(
    file_ids: Iterable[tuple[str, str]],
    known: dict[str, str],
    ambiguous: set[str],
    taken: set[str],
) -> dict[str, str]:
    """file id → fair id, for (file id, folded key) pairs the fair knows by key alone;
    never onto an id `taken` (by another row of the file)."""
    found: dict[str, str] = {}
    for file_id, key in file_ids:
        target = known.get(key)
        if target is None or key in ambiguous or target in taken:
            continue
        found[file_id] = target
        taken.add(target)
    return found


def _index(rows: Iterable[tuple[str, Iterable[str]]]) -> tuple[dict[str, str], set[str]]:
    """Folded key → id, and the keys more than one row has."""
    seen: Counter[str] = Counter()
    known: dict[str, str] = {}
    for row_id, keys in rows:
        for key in set(keys):
            if key:
                seen[key] += 1
                known[key] = row_id
    return known, {key for key, n in seen.items() if n > 1}


def _exported_ids(kind: str, fair_ids: set[str], *, numbered: bool = False) -> dict[str, str]:
    """The ids Salon's exports give the fair's rows of `kind` → the row's id; a number
    two rows would share (frab's 31 bits) names neither."""
    found: dict[str, str] = {}
    numbers: Counter[str] = Counter()
    for row_id in sorted(fair_ids):
        found[guid_of(kind, row_id)] = row_id
        if numbered:
            number = str(number_of(kind, row_id))
            numbers[number] += 1
            found[number] = row_id
    for number, count in numbers.items():
        if count > 1:
            del found[number]
    return found


def _aliases(
    file_rows: Iterable[T],
    file_id: Callable[[T], str],
    file_key: Callable[[T], str],
    fair_rows: Iterable[tuple[str, Iterable[str]]],
    fair_ids: set[str],
    exported: dict[str, str],
) -> dict[str, str]:
    unknown = {file_id(r): file_key(r) for r in file_rows}
    taken = set(unknown)
    unknown = {i: key for i, key in unknown.items() if i not in fair_ids}
    by_id = _matches(((i, i) for i in unknown), exported, set(), taken)
    known, ambiguous = _index(fair_rows)
    by_name = [(i, key) for i, key in unknown.items() if i not in by_id]
    return by_id | _matches(by_name, known, ambiguous, taken)


def _unique(rows: Iterable[T], row_id: Callable[[T], str]) -> tuple[T, ...]:
    """The first row of each id (two spellings may now name one row)."""
    kept: dict[str, T] = {}
    for row in rows:
        kept.setdefault(row_id(row), row)
    return tuple(kept.values())


def alias_known_rows(fair: ImportedFair, current: Current) -> ImportedFair:
    rooms = _aliases(
        fair.rooms,
        lambda r: r.id,
        lambda r: fold(r.name),
        ((r.id, [fold(r.name)]) for r in current.rooms.values()),
        set(current.rooms),
        _exported_ids("room", set(current.rooms)),
    )
    tracks = _aliases(
        fair.tracks,
        lambda t: t.id,
        lambda t: fold(t.name_fr),
        ((t.id, [fold(t.name_fr), fold(t.name_en)]) for t in current.tracks.values()),
        set(current.tracks),
        {},
    )
    speakers = _aliases(
        fair.speakers,
        lambda s: s.id,
        lambda s: fold(s.name),
        ((s.id, [fold(s.name)]) for s in current.speakers.values()),
        set(current.speakers),
        _exported_ids("speaker", set(current.speakers), numbered=True),
    )
    exhibitors = _aliases(
        fair.exhibitors,
        lambda e: e.id,
        lambda e: fold(e.name),
        ((e.id, [fold(e.name)]) for e in current.exhibitors.values()),
        set(current.exhibitors),
        {},
    )
    sessions = _aliases(
        fair.sessions,
        lambda s: s.id,
        lambda s: f"{fold(s.title_fr)}\x1f{s.starts_at.timestamp()}",
        (
            (s.id, [f"{fold(s.title_fr)}\x1f{s.starts_at.timestamp()}"])
            for s in current.sessions.values()
        ),
        set(current.sessions),
        _exported_ids("session", set(current.sessions)),
    )
    if not (rooms or tracks or speakers or exhibitors or sessions):
        return fair

    def room(room_id: str | None) -> str | None:
        return rooms.get(room_id, room_id) if room_id else room_id

    def track(track_id: str | None) -> str | None:
        return tracks.get(track_id, track_id) if track_id else track_id

    def exhibitor(exhibitor_id: str | None) -> str | None:
        return exhibitors.get(exhibitor_id, exhibitor_id) if exhibitor_id else exhibitor_id

    return replace(
        fair,
        rooms=_unique(
            (
                replace(r, id=rooms[r.id], name=current.rooms[rooms[r.id]].name)
                if r.id in rooms
                else r
                for r in fair.rooms
            ),
            lambda r: r.id,
        ),
        tracks=_unique(
            (
                replace(
                    t,
                    id=tracks[t.id],
                    name_fr=current.tracks[tracks[t.id]].name_fr,
                    name_en=current.tracks[tracks[t.id]].name_en,
                )
                if t.id in tracks
                else t
                for t in fair.tracks
            ),
            lambda t: t.id,
        ),
        speakers=_unique(
            (
                replace(s, id=speakers[s.id], name=current.speakers[speakers[s.id]].name)
                if s.id in speakers
                else s
                for s in fair.speakers
            ),
            lambda s: s.id,
        ),
        exhibitors=tuple(
            replace(e, id=exhibitors[e.id], name=current.exhibitors[exhibitors[e.id]].name)
            if e.id in exhibitors
            else e
            for e in fair.exhibitors
        ),
        sessions=tuple(
            replace(
                s,
                id=sessions.get(s.id, s.id),
                room_id=room(s.room_id),
                track_id=track(s.track_id),
                exhibitor_id=exhibitor(s.exhibitor_id),
                speaker_ids=tuple(dict.fromkeys(speakers.get(p, p) for p in s.speaker_ids)),
            )
            for s in fair.sessions
        ),
    )
