"""Rows a file names by what they say rather than by the fair's id: the same rows.

A spreadsheet names a room "Salle Rif", a frab schedule gives it a GUID of its own; the
fair calls it `room-rif`. A parser cannot know that (it never reads the database), so
it keys such a row by its name or its GUID. Here, a room, track, speaker or exhibitor
whose id the fair does not know, but whose name exactly one row of the fair has
(compared without case or accents), is that row; a session, when its French title and
its start are those of exactly one session. The file is rewritten to the fair's ids
(and the fair's spelling of the name), so that importing it updates what is there
instead of adding a twin; a name the fair does not know stays a new row.

Before names, ids (exported_ids.py): a row the file names by the id Salon's exports give
a row of the fair is that row, and takes the name the file gives it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TypeVar

from server.domain.imports.current import Current
from server.domain.imports.exported_ids import Matches, by_exported_ids
from server.domain.imports.formats.text import fold as text_fold
from server.domain.imports.model import ImportedFair

T = TypeVar("T")


def fold(text: str | None) -> str:
    """A name as rows are matched by it: folded (formats.text.fold), spaces collapsed."""
    return " ".join(text_fold(text or "").split())


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


def _aliases(
    file_rows: Iterable[T],
    file_id: Callable[[T], str],
    file_key: Callable[[T], str],
    fair_rows: Iterable[tuple[str, Iterable[str]]],
    fair_ids: set[str],
) -> dict[str, str]:
    if not fair_ids:  # an empty fair (a first import): no row to be the same as
        return {}
    rows = list(file_rows)
    unknown = [(file_id(r), file_key(r)) for r in rows if file_id(r) not in fair_ids]
    if not unknown:  # a re-import: every row is known by its id, no name to look up
        return {}
    known, ambiguous = _index(fair_rows)
    return _matches(unknown, known, ambiguous, {file_id(r) for r in rows})


def _unique(rows: Iterable[T], row_id: Callable[[T], str]) -> tuple[T, ...]:
    """The first row of each id (two spellings may now name one row)."""
    kept: dict[str, T] = {}
    for row in rows:
        kept.setdefault(row_id(row), row)
    return tuple(kept.values())


def alias_known_rows(fair: ImportedFair, current: Current) -> ImportedFair:
    by_ids = _rewrite(fair, current, by_exported_ids(fair, current), respell=False)
    return _rewrite(by_ids, current, _by_names(by_ids, current), respell=True)


def _by_names(fair: ImportedFair, current: Current) -> Matches:
    rooms = _aliases(
        fair.rooms,
        lambda r: r.id,
        lambda r: fold(r.name),
        ((r.id, [fold(r.name)]) for r in current.rooms.values()),
        set(current.rooms),
    )
    tracks = _aliases(
        fair.tracks,
        lambda t: t.id,
        lambda t: fold(t.name_fr),
        ((t.id, [fold(t.name_fr), fold(t.name_en)]) for t in current.tracks.values()),
        set(current.tracks),
    )
    speakers = _aliases(
        fair.speakers,
        lambda s: s.id,
        lambda s: fold(s.name),
        ((s.id, [fold(s.name)]) for s in current.speakers.values()),
        set(current.speakers),
    )
    exhibitors = _aliases(
        fair.exhibitors,
        lambda e: e.id,
        lambda e: fold(e.name),
        ((e.id, [fold(e.name)]) for e in current.exhibitors.values()),
        set(current.exhibitors),
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
    )
    return {
        "rooms": rooms,
        "tracks": tracks,
        "speakers": speakers,
        "exhibitors": exhibitors,
        "sessions": sessions,
    }


def _rewrite(
    fair: ImportedFair, current: Current, found: Matches, *, respell: bool
) -> ImportedFair:
    """The file with the fair's ids for the rows `found`; with `respell`, the fair's
    spelling of their names too (they were found by name)."""
    rooms, tracks, speakers, exhibitors, sessions = (
        found.get(kind, {}) for kind in ("rooms", "tracks", "speakers", "exhibitors", "sessions")
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
                replace(
                    r, id=rooms[r.id], name=current.rooms[rooms[r.id]].name if respell else r.name
                )
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
                    name_fr=current.tracks[tracks[t.id]].name_fr if respell else t.name_fr,
                    name_en=current.tracks[tracks[t.id]].name_en if respell else t.name_en,
                )
                if t.id in tracks
                else t
                for t in fair.tracks
            ),
            lambda t: t.id,
        ),
        speakers=_unique(
            (
                replace(
                    s,
                    id=speakers[s.id],
                    name=current.speakers[speakers[s.id]].name if respell else s.name,
                )
                if s.id in speakers
                else s
                for s in fair.speakers
            ),
            lambda s: s.id,
        ),
        exhibitors=tuple(
            replace(
                e,
                id=exhibitors[e.id],
                name=current.exhibitors[exhibitors[e.id]].name if respell else e.name,
            )
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
