"""What an import file says, in Salon's terms, before anything is written.

Every parser (frab / c3voc XML, c3voc JSON, pretalx JSON, CSV and XLSX spreadsheets)
produces an ImportedFair, or raises ImportRefused with every refusal of the file (not
the first only). Ids are already Salon's: a parser derives them from the source's
stable ids with server.domain.source_ids, so a second import of the same file finds
the same rows, and applying needs no knowledge of any format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Where:
    """A place in a file, for the person who fixes it."""

    file: str  # the file's name as uploaded: "sessions.csv", "schedule.xml"
    line: int | None = None  # 1-based line (CSV, XML) or sheet row (XLSX); None: the file
    column: str | None = None  # a column's header, an XML element/attribute, a JSON path

    def describe(self, lang: str) -> str:
        """'sessions.csv line 14, column `start`' / '… ligne 14, colonne `start`'."""
        english = lang == "en"
        text = self.file
        if self.line is not None:
            text += f" {'line' if english else 'ligne'} {self.line}"
        if self.column is not None:
            text += f", {'column' if english else 'colonne'} `{self.column}`"
        return text


@dataclass(frozen=True, slots=True)
class Refusal:
    """One reason a file cannot be loaded, in both of the fair's languages."""

    where: Where
    code: str  # stable, for programs: "BAD_DATETIME", "BAD_COUNTRY", "UNKNOWN_ROOM", …
    fr: str  # "`3/12 9h` n'est pas une date et heure (attendu 2026-12-03 09:30)"
    en: str  # "`3/12 9h` is not a date and time (expected 2026-12-03 09:30)"

    def text(self, lang: str) -> str:
        return f"{self.where.describe(lang)}: {self.en if lang == 'en' else self.fr}"


class ImportRefused(Exception):
    """The file is refused: nothing is written. Carries every refusal found."""

    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__(f"{len(refusals)} refusal(s)")
        self.refusals = refusals


@dataclass(frozen=True, slots=True)
class ImportedEvent:
    """The fair itself, when the file says it (frab's <conference>, pretalx's event)."""

    name: str
    starts_on: date
    ends_on: date
    timezone: str  # an IANA zone name, checked against server.clock's tzdata
    venue_name: str | None = None
    city: str | None = None
    #: A short name (frab's `acronym`): a new fair's id, as source_ids keeps an id.
    acronym: str | None = None


@dataclass(frozen=True, slots=True)
class ImportedTrack:
    id: str
    name_fr: str
    name_en: str | None = None
    color: str | None = None  # "#rrggbb"


@dataclass(frozen=True, slots=True)
class ImportedRoom:
    """A room by id; a room unknown to the venue is created without a place on the map."""

    id: str
    name: str
    capacity: int | None = None


@dataclass(frozen=True, slots=True)
class ImportedSpeaker:
    id: str
    name: str
    organisation: str | None = None
    job_title: str | None = None
    bio_fr: str | None = None
    bio_en: str | None = None


@dataclass(frozen=True, slots=True)
class ImportedSession:
    id: str
    kind: str  # one of the session kinds (KEYNOTE, CONFERENCE, PANEL, WORKSHOP, DEMO, …)
    title_fr: str
    starts_at: datetime  # aware: the source's zone or offset already applied
    ends_at: datetime
    where: Where  # the row it came from, for refusals found while applying
    title_en: str | None = None
    abstract_fr: str | None = None
    abstract_en: str | None = None
    room_id: str | None = None
    track_id: str | None = None
    booth_code: str | None = None  # a demo at a stand
    exhibitor_id: str | None = None
    capacity: int | None = None
    speaker_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportedExhibitor:
    id: str
    name: str
    country: str  # ISO 3166-1 alpha-2, upper case
    where: Where
    sectors: tuple[str, ...] = ()  # sector ids
    booth_codes: tuple[str, ...] = ()  # stands on the floor plan
    description_fr: str | None = None
    description_en: str | None = None
    website: str | None = None


@dataclass(frozen=True, slots=True)
class ImportedFair:
    """One file's content. A spreadsheet of exhibitors carries exhibitors only; a
    schedule carries sessions, their rooms, tracks and speakers. `prunable` says which
    kinds the file is complete for: rows of those kinds that it omits are cancelled
    (sessions) or, with --prune, deleted."""

    source: str  # the format: "frab-xml", "c3voc-json", "pretalx-json", "csv", "xlsx"
    prunable: frozenset[str]  # of "sessions", "exhibitors", "speakers"
    event: ImportedEvent | None = None
    tracks: tuple[ImportedTrack, ...] = ()
    rooms: tuple[ImportedRoom, ...] = ()
    speakers: tuple[ImportedSpeaker, ...] = ()
    sessions: tuple[ImportedSession, ...] = ()
    exhibitors: tuple[ImportedExhibitor, ...] = field(default=())
