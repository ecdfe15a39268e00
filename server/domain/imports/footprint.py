"""Which agenda tables an import of a file reads: while none of them changes, importing
the same file again would find what the last import left and change nothing, so a file
already applied is recognised instead of read again (files.py)."""

from __future__ import annotations

from server.domain.imports.model import ImportedFair

#: What any file is checked against (the fair's dates and zone).
FAIR = ("event",)
#: What a schedule's sessions, rooms, tracks and speakers are compared with.
SCHEDULE = ("track", "room", "speaker", "session", "session_speaker")
#: What exhibitors, and sessions at stands, are compared with.
STANDS = ("exhibitor", "booth", "sector")


def footprint(read: ImportedFair, placed: ImportedFair) -> tuple[str, ...]:
    """`read`: the file as parsed; `placed`: after place_at_stands, which compares with
    the booths only the rooms the fair does not have, and takes the rooms that are
    stands out (their sessions then name the stand): once an import has written the
    other rooms, the booths count only for the rooms it took out."""
    tables: tuple[str, ...] = FAIR
    if (
        read.sessions
        or read.tracks
        or read.rooms
        or read.speakers
        or {"sessions", "speakers"} & read.prunable
    ):
        tables += SCHEDULE
    if (
        read.exhibitors
        or "exhibitors" in read.prunable
        or len(placed.rooms) < len(read.rooms)
        or any(s.booth_code or s.exhibitor_id for s in placed.sessions)
    ):
        tables += STANDS
    return tables
