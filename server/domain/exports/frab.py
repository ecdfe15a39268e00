"""The programme as frab and c3voc see it: days, the places of each day, and events.

Both schedule formats (frab_xml.py, c3voc_json.py) are drawn from this one model, so
they agree on every id, slug and time. Salon's fields map to the formats so that an
import of the file gives the same schedule back, into this fair or into an empty
database (tests/test_import_roundtrip.py; the reading side is docs/imports.md, "Salon's
own exports"):

- `guid` is `source_ids.guid_of("session", id)` and frab's integer `id` is
  `number_of("session", id)` (rooms, stands and speakers likewise); the event's `url`
  ends in the session's id, from which an import takes it back;
- `title` is the French title, `subtitle` the English one, `abstract` the French
  abstract, `description` the English one, `language` "fr"; an import reads subtitle
  and description so only from a file whose generator is Salon;
- `type` is the session's kind in lower case ("conference", "demo", …), `track` the
  track's French name; the conference's `acronym` is the event's id as c3voc wants it,
  and a new fair's id when imported;
- a demo at a stand is in a "room" named "Stand A101" (guid of kind "booth"), a session
  without a place in "Lieu à préciser" (source_ids);
- the places of a day come in the order of their names, rooms and stands alike (the
  unplaced last): a file keeps nothing else of a room, so it is the one order an
  import into a database without the floor plan (where a stand becomes a room) gives
  back;
- times are the fair's wall clock with the offset of that instant (server/clock.py);
- cancelled sessions are left out: frab has no status, and an import that is complete
  for sessions cancels the ones its file omits.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from server import clock
from server.db.queries.agenda import SessionRow
from server.domain.exports.programme import Programme
from server.domain.source_ids import (
    GENERATOR_NAME,
    UNPLACED_KEY,
    UNPLACED_ROOM,
    booth_room,
    guid_of,
    number_of,
)

LANGUAGE = "fr"
#: Who wrote the file (name, version), as both formats record it.
GENERATOR = (GENERATOR_NAME, "0.1.0")
#: Salon places sessions at any minute; frab wants a grid step, and five minutes is the
#: finest any c3voc tool draws.
TIMESLOT = "00:05"
UNPLACED = (*UNPLACED_KEY, UNPLACED_ROOM)
#: Characters of a slug's words (after the acronym and number).
MAX_SLUG_WORDS = 60
#: frab writes hours with two digits at most.
MAX_FRAB_MINUTES = 99 * 60 + 59


@dataclass(frozen=True, slots=True)
class Place:
    key: tuple[str, str]  # ("room", id), ("booth", id) or UNPLACED's
    name: str
    guid: str
    capacity: int | None


@dataclass(frozen=True, slots=True)
class Person:
    number: int
    guid: str
    name: str
    biography: str | None


@dataclass(frozen=True, slots=True)
class Item:
    """One session as an event of the formats."""

    session: SessionRow
    guid: str
    number: int
    slug: str
    url: str
    place: Place
    starts: datetime  # in fair time
    minutes: int
    track: str | None
    persons: list[Person]
    links: list[tuple[str, str]]  # (url, title)

    @property
    def start(self) -> str:
        return self.starts.strftime("%H:%M")

    def duration(self, cap: int | None = None) -> str:
        minutes = min(self.minutes, cap) if cap is not None else self.minutes
        return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True)
class Day:
    index: int
    date: date
    starts: datetime  # in fair time
    ends: datetime
    rooms: list[tuple[Place, list[Item]]]


@dataclass(frozen=True, slots=True)
class Schedule:
    programme: Programme
    acronym: str
    base_url: str
    places: list[Place]
    days: list[Day]

    @property
    def version(self) -> str:
        return str(self.programme.stamp.version)


def acronym_of(event_id: str) -> str:
    """The event's id as c3voc wants an acronym: lower-case letters, digits, `_`."""
    squeezed = re.sub(r"[^a-z0-9_]", "", event_id.lower())
    return squeezed if len(squeezed) >= 4 else "salon"


def slug_words(title: str) -> str:
    """The title as a slug's words: ASCII lower case, accents dropped, `-` between."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(words) <= MAX_SLUG_WORDS:
        return words
    cut = words[: MAX_SLUG_WORDS + 1]
    # At the last whole word, unless one word alone is longer than the slug may be.
    return cut.rsplit("-", 1)[0] if "-" in cut else cut[:MAX_SLUG_WORDS]


def schedule_of(programme: Programme, public_url: str) -> Schedule:
    base_url = public_url.rstrip("/")
    acronym = acronym_of(programme.event.id)
    live = [s for s in programme.sessions if s.status != "CANCELLED"]
    places = _places(programme, live)
    items = [_item(programme, s, places[_place_key(s, programme)], acronym, base_url) for s in live]
    by_date: dict[date, dict[tuple[str, str], list[Item]]] = {}
    for item in items:
        by_date.setdefault(item.starts.date(), {}).setdefault(item.place.key, []).append(item)
    first, last = programme.event.starts_on.toordinal(), programme.event.ends_on.toordinal()
    fair_days = {date.fromordinal(d) for d in range(first, last + 1)}
    order = list(places.values())
    days = []
    for index, day in enumerate(sorted(fair_days | set(by_date)), start=1):
        starts, ends = clock.day_span(day)
        todays = by_date.get(day, {})
        days.append(
            Day(
                index=index,
                date=day,
                starts=clock.in_fair_time(starts),
                ends=clock.in_fair_time(ends),
                rooms=[(p, todays[p.key]) for p in order if p.key in todays],
            )
        )
    return Schedule(programme, acronym, base_url, order, days)


def _place_key(session: SessionRow, programme: Programme) -> tuple[str, str]:
    if session.room_id in programme.places.rooms:
        return ("room", session.room_id or "")
    if session.booth_id in programme.places.booths:
        return ("booth", session.booth_id or "")
    return UNPLACED[:2]


def _places(programme: Programme, sessions: list[SessionRow]) -> dict[tuple[str, str], Place]:
    """The places these sessions use, in the order of their names, each with a name no
    other place has (formats key rooms by name): the hall is added to a repeated name,
    then the id."""
    keys = sorted({_place_key(s, programme) for s in sessions})
    rooms, booths, halls = programme.places.rooms, programme.places.booths, programme.places.halls
    named: dict[tuple[str, str], tuple[str, str]] = {}  # key → (name, hall)
    for kind, place_id in keys:
        if kind == "room":
            named[(kind, place_id)] = (
                rooms[place_id].name,
                halls.get(rooms[place_id].hall_id or "", ""),
            )
        elif kind == "booth":
            named[(kind, place_id)] = (booth_room(booths[place_id].code), "")
        else:
            named[(kind, place_id)] = (UNPLACED[2], "")
    counts = Counter(name for name, _ in named.values())
    plain = {k: (f"{n}, {h}" if counts[n] > 1 and h else n) for k, (n, h) in named.items()}
    counts = Counter(plain.values())
    unique = {k: (f"{n} ({k[1]})" if counts[n] > 1 else n) for k, n in plain.items()}
    # By name (module docstring); names are unique by now.
    keys.sort(key=lambda k: (k == UNPLACED[:2], unique[k]))
    return {
        key: Place(
            key=key,
            name=unique[key],
            guid=guid_of(key[0], key[1]),
            capacity=rooms[key[1]].capacity if key[0] == "room" else None,
        )
        for key in keys
    }


def _item(
    programme: Programme, session: SessionRow, place: Place, acronym: str, base_url: str
) -> Item:
    number = number_of("session", session.id)
    words = slug_words(session.title_fr)
    persons = [
        Person(
            number=number_of("speaker", p.id),
            guid=guid_of("speaker", p.id),
            name=p.name,
            biography=p.bio_fr,
        )
        for p in (programme.speakers[i] for i in programme.speakers_of.get(session.id, []))
    ]
    links = []
    if session.exhibitor_id in programme.exhibitor_names:
        exhibitor = session.exhibitor_id or ""
        links.append(
            (
                f"{base_url}/exhibitor/{quote(exhibitor, safe='')}",
                programme.exhibitor_names[exhibitor],
            )
        )
    track = programme.tracks.get(session.track_id or "")
    return Item(
        session=session,
        guid=guid_of("session", session.id),
        number=number,
        slug=f"{acronym}-{number}" + (f"-{words}" if words else ""),
        url=f"{base_url}/session/{quote(session.id, safe='')}",
        place=place,
        starts=clock.in_fair_time(session.starts_at),
        minutes=int((session.ends_at - session.starts_at).total_seconds() // 60),
        track=track.name_fr if track else None,
        persons=persons,
        links=links,
    )
