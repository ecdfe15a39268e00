"""What frab / c3voc XML and c3voc JSON share once read: the checks of each event and
the rooms, tracks and speakers it names, into one ImportedFair.

Sessions are keyed by the event's GUID when it has one, else by its id
(server.domain.source_ids); speakers by their GUID, else pretalx's code, else their
id; rooms by GUID, else name; tracks by name. A time without an offset is read in the
conference's time zone, else the day's offset, else the fair's zone.

A file Salon's own exports wrote (its generator says so: `own`) is read as they write
it (server/domain/exports/frab.py): `subtitle` is the English title and `description`
the English abstract. Elsewhere a subtitle is a subtitle, in the talk's language (frab's
"Eine Einführung"), and a description the long text beside the abstract, so they are
read as before: the one title and abstract are French, and English too for a talk in
English. An event whose `url` ends in `/session/<id>` where <id> is what its GUID was
made from (`guid_of("session", id)`, which no other id gives) is that Salon session:
the import keeps its id, so a fair loaded from Salon's export has Salon's ids again.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from server import clock
from server.domain.imports.formats.keys import content_key, source_key
from server.domain.imports.formats.kinds import kind_of_type
from server.domain.imports.formats.limits import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_CAPACITY,
    MAX_LONG_TEXT_CHARS,
    MAX_NAME_CHARS,
    MAX_ROWS,
    MAX_TITLE_CHARS,
)
from server.domain.imports.formats.refusals import Fault, Refusals, french_number, shown
from server.domain.imports.formats.text import clean_text
from server.domain.imports.formats.times import (
    Zone,
    check_span,
    duration_of_cell,
    instant_of_text,
)
from server.domain.imports.model import (
    ImportedEvent,
    ImportedFair,
    ImportedRoom,
    ImportedSession,
    ImportedSpeaker,
    ImportedTrack,
    Where,
)
from server.domain.source_ids import UNPLACED_KEY, UNPLACED_ROOM, guid_of, id_from_source

#: Where a value stands, or how to make that out: a format may put it off, since only a
#: refusal asks (most values have none) and a Where per value is a large file's cost.
Place = Where | Callable[[], Where]
#: An event's field by name ("title", "date", "duration", …): its value as the file
#: has it (None when absent) and where it stands.
Fields = Callable[[str], tuple[object, Place]]


class Draft(NamedTuple):
    """One event as a format read it: its keys, times and places already made out.
    (A named tuple: as unchangeable as a frozen dataclass, made several times faster.)"""

    where: Where
    guid: object
    number: object
    starts_at: datetime | None
    length: timedelta | None
    room_id: str | None
    speaker_ids: tuple[str, ...]
    field: Fields


class Schedule:
    def __init__(self, file: str, refusals: Refusals, *, own: bool = False) -> None:
        self.file = file
        self.refusals = refusals
        self.own = own  # Salon's own export (module docstring)
        self.zone: str | None = None  # the conference's zone name, once read
        self.event: ImportedEvent | None = None
        self._rooms: dict[str, ImportedRoom] = {}
        self._tracks: dict[str, ImportedTrack] = {}
        self._speakers: dict[str, ImportedSpeaker] = {}
        self._sessions: dict[str, ImportedSession] = {}
        self._seen: dict[str, Where] = {}
        # What many events repeat (their times, lengths, tracks), worked out once: the
        # same text always gives the same value; a fault is never kept, so each value
        # that has one is refused where it stands.
        self._instants: dict[tuple[str, Zone], datetime] = {}
        self._lengths: dict[str, timedelta] = {}
        self._track_keys: dict[str, str] = {}

    # --- values -----------------------------------------------------------------------

    def text(
        self, value: object, where: Place, limit: int, *, multiline: bool = False
    ) -> str | None:
        """A text field; None (and a refusal when it is not text) otherwise."""
        if value is None:
            return None
        if not isinstance(value, str):
            self._refuse(where, _not_text(value))
            return None
        try:
            return clean_text(value, limit, multiline=multiline)
        except Fault as fault:
            self._refuse(where, fault)
            return None

    def required(self, value: object, where: Place, limit: int) -> str | None:
        """A text field that must be there: a refusal when it is absent or blank."""
        if value is None or (isinstance(value, str) and not value.strip()):
            self._refuse(where, Fault("REQUIRED", "valeur absente", "value missing"))
            return None
        return self.text(value, where, limit)

    def zone_named(self, name: str, where: Place) -> str | None:
        """An IANA zone the conference names; it reads the times without offset."""
        try:
            clock.zone(name)
        except clock.UnknownZone:
            self._refuse(
                where,
                Fault(
                    "UNKNOWN_ZONE",
                    f"{shown(name)} n'est pas un fuseau horaire connu (par exemple Europe/Paris)",
                    f"{shown(name)} is not a known time zone (e.g. Europe/Paris)",
                ),
            )
            return None
        self.zone = name
        return name

    def instant(self, value: object, where: Place, day_zone: timezone | None) -> datetime | None:
        text = self.required(value, where, 64)
        if text is None:
            return None
        zone = self.zone or day_zone or clock.FAIR_ZONE_NAME
        known = self._instants.get((text, zone))
        if known is None:
            try:
                known = self._instants[text, zone] = instant_of_text(text, zone)
            except Fault as fault:
                self._refuse(where, fault)
                return None
        return known

    def day(self, value: object, where: Place) -> date | None:
        """A conference's or day's date (a date-time is cut to its date)."""
        text = self.text(value, where, 64)
        if text is None:
            return None
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            self._refuse(where, _not_a_date(text))
            return None
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            self._refuse(where, _not_a_date(text))
            return None
        return day

    def conference(self, field: Fields, days: list[date]) -> None:
        """The fair as the conference element names it; its zone reads the times that
        have no offset. Its days default to the first and last day's dates."""
        name = self.text(*field("title"), MAX_NAME_CHARS)
        acronym = self.text(*field("acronym"), MAX_NAME_CHARS)
        zone_value, zone_where = field("time_zone_name")
        zone_name = self.text(zone_value, zone_where, 64)
        if zone_name is not None:
            zone_name = self.zone_named(zone_name, zone_where)
        starts_on = self.day(*field("start")) or min(days, default=None)
        ends_on = self.day(*field("end")) or max(days, default=None)
        if name is None or starts_on is None or ends_on is None:
            return
        if ends_on < starts_on:
            self._refuse(
                field("end")[1],
                Fault(
                    "END_BEFORE_START",
                    f"la fin ({ends_on}) est avant le début ({starts_on})",
                    f"the end ({ends_on}) is before the start ({starts_on})",
                ),
            )
            return
        self.event = ImportedEvent(
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            timezone=zone_name or clock.FAIR_ZONE_NAME,
            acronym=acronym,
        )

    # --- rows -------------------------------------------------------------------------

    def room(self, guid: object, name: str, capacity: object = None) -> str | None:
        """The room an event sits in; None for the place Salon's own exports give the
        sessions that have none yet (source_ids.UNPLACED_ROOM)."""
        given = guid if isinstance(guid, str) else None
        if self.own and (name == UNPLACED_ROOM or given == guid_of(*UNPLACED_KEY)):
            return None
        # By name like a spreadsheet's room, so that both name a room alike.
        key = id_from_source("room", given, None) or content_key("room", name)
        seats = None
        if isinstance(capacity, int) and not isinstance(capacity, bool):
            seats = capacity if 0 < capacity <= MAX_CAPACITY else None
        self._rooms.setdefault(key, ImportedRoom(id=key, name=name, capacity=seats))
        return key

    def track(self, name: str, color: object = None) -> str:
        key = self._track_keys.get(name)
        if key is None:
            key = self._track_keys[name] = content_key("trk", name)
        known = self._tracks.get(key)
        shade = color if isinstance(color, str) and _is_color(color) else None
        if known is None or (known.color is None and shade):
            self._tracks[key] = ImportedTrack(id=key, name_fr=name, color=shade)
        return key

    def speaker(self, key_parts: tuple[object, object, object], name: str, bio: str | None) -> str:
        """A person by (GUID, code, id), the first that is there; else by name."""
        guid, code, number = map(_key_text, key_parts)
        key = id_from_source("speaker", guid, code or number) or content_key("spk", name)
        if key not in self._speakers:  # the first one wins, as setdefault would
            self._speakers[key] = ImportedSpeaker(id=key, name=name, bio_fr=bio)
        return key

    def session(self, draft: Draft) -> None:
        """One event, checked; refused (with every fault found) or kept."""
        where, field = draft.where, draft.field
        if len(self._sessions) == MAX_ROWS:
            self.refusals.refuse(
                where,
                "TOO_MANY_ROWS",
                f"plus de {french_number(MAX_ROWS)} sessions : découpez le fichier",
                f"more than {MAX_ROWS:,} sessions: split the file",
            )
        key = self._key(draft)
        title = self.required(*field("title"), MAX_TITLE_CHARS)
        kind = kind_of_type(self.text(*field("type"), MAX_NAME_CHARS))
        language = self.text(*field("language"), 16)
        abstract = self.text(*field("abstract"), MAX_LONG_TEXT_CHARS, multiline=True)
        description, subtitle = None, None
        if self.own or abstract is None:
            description = self.text(*field("description"), MAX_LONG_TEXT_CHARS, multiline=True)
        if self.own:
            subtitle = self.text(*field("subtitle"), MAX_TITLE_CHARS)
        track = self.text(*field("track"), MAX_NAME_CHARS)
        starts_at, length = draft.starts_at, draft.length
        if key is None or title is None or starts_at is None or length is None:
            return
        try:
            check_span(starts_at, starts_at + length)
        except Fault as fault:
            self._refuse(field("duration")[1], fault)
            return
        # French first: the one title a source has is the French title, and the English
        # one too when the source says the talk is in English; Salon's own files have
        # both languages (module docstring).
        english = (language or "").lower().startswith("en") and not self.own
        if not self.own and abstract is None:
            abstract, description = description, None
        self._sessions[key] = ImportedSession(
            id=key,
            kind=kind,
            title_fr=title,
            title_en=subtitle if self.own else title if english else None,
            abstract_fr=abstract,
            abstract_en=description if self.own else abstract if english else None,
            starts_at=starts_at,
            ends_at=starts_at + length,
            where=where,
            room_id=draft.room_id,
            track_id=self.track(track) if track else None,
            speaker_ids=tuple(dict.fromkeys(draft.speaker_ids)),
        )

    def _key(self, draft: Draft) -> str | None:
        guid, number = _key_text(draft.guid), _key_text(draft.number)
        if guid is None and number is None:
            self._refuse(draft.where, Fault("NO_ID", "ni guid ni id", "neither guid nor id"))
            return None
        # A guid that is no GUID still names the event, when there is no id.
        key = _salon_id(guid, draft.field("url")[0])
        key = key or source_key("session", guid, number or guid)
        if key in self._seen:
            self._refuse(draft.where, _duplicate(key, self._seen[key]))
            return None
        self._seen[key] = draft.where
        return key

    def length(self, value: object, where: Place) -> timedelta | None:
        text = self.required(value, where, 16)
        if text is None:
            return None
        known = self._lengths.get(text)
        if known is None:
            try:
                known = self._lengths[text] = duration_of_cell(text)
            except Fault as fault:
                self._refuse(where, fault)
                return None
        return known

    def fair(self, source: str) -> ImportedFair:
        """What the schedule says; refused when it has no session at all, since a
        schedule is complete for its sessions: importing none would cancel them all."""
        if not self._sessions and not len(self.refusals):
            self.refusals.refuse(
                Where(self.file),
                "NO_SESSIONS",
                "le programme ne contient aucune session : rien à importer",
                "the schedule holds no session: nothing to import",
            )
        self.refusals.check()
        return ImportedFair(
            source=source,
            prunable=frozenset({"sessions", "speakers"}),
            event=self.event,
            tracks=tuple(self._tracks.values()),
            rooms=tuple(self._rooms.values()),
            speakers=tuple(self._speakers.values()),
            sessions=tuple(self._sessions.values()),
        )

    def _refuse(self, where: Place, fault: Fault) -> None:
        self.refusals.add_fault(where if isinstance(where, Where) else where(), fault)


def _key_text(value: object) -> str | None:
    """A key as the source wrote it (text or a whole number), else None."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(value).strip() or None
    return None


def _salon_id(guid: str | None, url: object) -> str | None:
    """The Salon session an event's url names, when its GUID was made from that id."""
    if guid is None or not isinstance(url, str) or len(url) > 2000:
        return None
    head, _, tail = urlsplit(url.strip()).path.rpartition("/")
    if not head.endswith("/session") or not tail:
        return None
    session_id = unquote(tail)
    if id_from_source("session", None, session_id) != session_id:
        return None  # not an id Salon keeps as written
    return session_id if guid_of("session", session_id) == guid.lower() else None


def _is_color(text: str) -> bool:
    return len(text) == 7 and text[0] == "#" and all(c in string.hexdigits for c in text[1:])


def _not_text(value: object) -> Fault:
    kind = type(value).__name__
    return Fault("NOT_TEXT", f"du texte est attendu, pas {kind}", f"text expected, not {kind}")


def _not_a_date(text: str) -> Fault:
    return Fault(
        "BAD_DATE",
        f"{shown(text)} n'est pas une date (attendu 2026-12-03)",
        f"{shown(text)} is not a date (expected 2026-12-03)",
    )


def _duplicate(key: str, first: Where) -> Fault:
    at_fr = first.describe("fr")
    at_en = first.describe("en")
    return Fault(
        "DUPLICATE_ID",
        f"l'identifiant `{key}` est déjà celui de {at_fr}",
        f"id `{key}` is already that of {at_en}",
    )
