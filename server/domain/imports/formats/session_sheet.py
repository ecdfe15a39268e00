"""The session spreadsheet (docs/imports.md): one session a row.

Times without an offset are the fair's wall clock (Africa/Casablanca, by the pinned
zone data). A room, a track or a speaker is named by its Salon id or by its name; a
name unknown to Salon becomes a new room (off the map), track or speaker, keyed by the
name itself so that the same name is the same row in every sheet.
"""

from __future__ import annotations

from datetime import UTC, datetime

from server.domain.imports.formats.exhibitor_sheet import booth_code
from server.domain.imports.formats.keys import content_key, is_reference, source_key
from server.domain.imports.formats.kinds import kind_of_cell
from server.domain.imports.formats.limits import (
    MAX_CAPACITY,
    MAX_LONG_TEXT_CHARS,
    MAX_NAME_CHARS,
    MAX_TITLE_CHARS,
)
from server.domain.imports.formats.refusals import Fault, Refusals
from server.domain.imports.formats.table import FirstSeen, RowReader, required_fault
from server.domain.imports.formats.text import clean_text
from server.domain.imports.formats.times import (
    check_span,
    duration_of_cell,
    instant_of_cell,
)
from server.domain.imports.model import (
    ImportedFair,
    ImportedRoom,
    ImportedSession,
    ImportedSpeaker,
    ImportedTrack,
)


class _Named:
    """The rooms, tracks and speakers the sheet names rather than refers to by id."""

    def __init__(self) -> None:
        self.rooms: dict[str, ImportedRoom] = {}
        self.tracks: dict[str, ImportedTrack] = {}
        self.speakers: dict[str, ImportedSpeaker] = {}

    def room(self, text: str) -> str:
        if is_reference(text):
            return source_key("room", text, text)
        key = content_key("room", text)
        self.rooms.setdefault(key, ImportedRoom(id=key, name=text))
        return key

    def track(self, text: str) -> str:
        if is_reference(text):
            return source_key("track", text, text)
        key = content_key("trk", text)
        self.tracks.setdefault(key, ImportedTrack(id=key, name_fr=text))
        return key

    def speaker(self, item: str) -> str:
        name = clean_text(item, MAX_NAME_CHARS)
        if name is None:
            raise ValueError("split_list gives no empty item")
        if is_reference(name):
            return source_key("speaker", name, name)
        key = content_key("spk", name)
        self.speakers.setdefault(key, ImportedSpeaker(id=key, name=name))
        return key


def parse(source: str, rows: list[RowReader], refusals: Refusals) -> ImportedFair:
    named = _Named()
    ids = FirstSeen()
    sessions: list[ImportedSession] = []
    for row in rows:
        session = _session(row, named, ids)
        if session is not None and row.ok:
            sessions.append(session)
    refusals.check()
    return ImportedFair(
        source=source,
        prunable=frozenset({"sessions"}),
        tracks=tuple(named.tracks.values()),
        rooms=tuple(named.rooms.values()),
        speakers=tuple(named.speakers.values()),
        sessions=tuple(sessions),
    )


def _session(row: RowReader, named: _Named, ids: FirstSeen) -> ImportedSession | None:
    given = row.text("id", 64)
    title_fr = row.text("title_fr", MAX_TITLE_CHARS, required=True)
    kind = row.parsed("kind", row.text("kind", 64, required=True), kind_of_cell)
    starts_at, ends_at = _times(row)
    track_id = row.parsed("track", row.text("track", MAX_NAME_CHARS), named.track)
    room_id = row.parsed("room", row.text("room", MAX_NAME_CHARS), named.room)
    speaker_ids = tuple(dict.fromkeys(row.items("speakers", named.speaker)))
    booth = row.parsed("booth", row.text("booth", 64), booth_code)
    exhibitor = row.text("exhibitor", 64)
    title_en = row.text("title_en", MAX_TITLE_CHARS)
    abstract_fr = row.text("abstract_fr", MAX_LONG_TEXT_CHARS, multiline=True)
    abstract_en = row.text("abstract_en", MAX_LONG_TEXT_CHARS, multiline=True)
    capacity = row.integer("capacity", 1, MAX_CAPACITY)
    key: str | None = None
    if given is not None:
        key = source_key("session", given, given)
        ids.check(key, row, "id")
    elif title_fr is not None and starts_at is not None:
        key = content_key("ses", title_fr, starts_at.astimezone(UTC).isoformat())
        ids.check(key, row, "title_fr", _same_title)
    if key is None or kind is None or title_fr is None or starts_at is None or ends_at is None:
        return None
    return ImportedSession(
        id=key,
        kind=kind,
        title_fr=title_fr,
        starts_at=starts_at,
        ends_at=ends_at,
        where=row.where(),
        title_en=title_en,
        abstract_fr=abstract_fr,
        abstract_en=abstract_en,
        room_id=room_id,
        track_id=track_id,
        booth_code=booth,
        exhibitor_id=source_key("exhibitor", exhibitor, exhibitor) if exhibitor else None,
        capacity=capacity,
        speaker_ids=speaker_ids,
    )


def _times(row: RowReader) -> tuple[datetime | None, datetime | None]:
    """Start, and end from `end` or `duration`; None for what is missing or wrong."""
    starts_at = _instant(row, "start")
    if row.raw("start") is None and row.has("start"):
        row.refuse("start", required_fault("start"))
    ends_at = _instant(row, "end")
    length = row.raw("duration")
    if row.raw("end") is None and length is None and (row.has("end") or row.has("duration")):
        column = "end" if row.has("end") or not row.has("duration") else "duration"
        row.refuse(column, required_fault(column))
    if starts_at is None:
        return None, None
    if length is not None:
        try:
            by_length = starts_at + duration_of_cell(length)
        except Fault as fault:
            row.refuse("duration", fault)
            return starts_at, None
        if ends_at is not None and ends_at != by_length:
            row.refuse("duration", _DISAGREE)
            return starts_at, None
        ends_at = by_length
    if ends_at is None:
        return starts_at, None
    try:
        check_span(starts_at, ends_at)
    except Fault as fault:
        row.refuse("end" if row.raw("end") is not None else "duration", fault)
        return starts_at, None
    return starts_at, ends_at


def _instant(row: RowReader, column: str) -> datetime | None:
    cell = row.raw(column)
    if cell is None:
        return None
    try:
        return instant_of_cell(cell)
    except Fault as fault:
        row.refuse(column, fault)
        return None


_DISAGREE = Fault(
    "END_AND_DURATION",
    "`end` et `duration` ne disent pas la même fin : n'en donnez qu'une",
    "`end` and `duration` give different ends: give only one",
)


def _same_title(first: int) -> Fault:
    return Fault(
        "DUPLICATE_ID",
        f"même titre et même début qu'à la ligne {first} : donnez un `id` à chaque ligne",
        f"same title and start as line {first}: give each row an `id`",
    )
