"""frab and c3voc schedule XML (validator/xsd/schedule.xml.xsd of voc/schedule; pretalx's
/schedule/export/schedule.xml is this format too).

Parsed with defusedxml: a DOCTYPE, an entity declaration or an external reference
refuses the file before anything is read from disk or network, and no entity is
expanded (no "billion laughs").
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timezone
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from server.domain.imports.formats.limits import MAX_NAME_CHARS
from server.domain.imports.formats.refusals import Refusals
from server.domain.imports.formats.schedule import Draft, Fields, Place, Schedule
from server.domain.imports.formats.times import offset_of
from server.domain.imports.model import ImportedFair, Where
from server.domain.source_ids import GENERATOR_NAME


class _LineKeeper:
    """A TreeBuilder that notes the line each element starts on."""

    def __init__(self) -> None:
        self.builder = ET.TreeBuilder()
        self.lines: dict[ET.Element, int] = {}
        self.parser: Any = None

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = self.builder.start(tag, attrs)
        self.lines[element] = self.parser.parser.CurrentLineNumber
        return element

    def end(self, tag: str) -> ET.Element:
        return self.builder.end(tag)

    def data(self, text: str) -> None:
        self.builder.data(text)

    def close(self) -> ET.Element:
        return self.builder.close()


def read_tree(
    file: str, data: bytes, refusals: Refusals
) -> tuple[ET.Element, dict[ET.Element, int]]:
    keeper = _LineKeeper()
    parser = DefusedXMLParser(
        target=keeper, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    keeper.parser = parser
    try:
        parser.feed(data)
        root: ET.Element = parser.close()
    except DefusedXmlException:
        line = parser.parser.CurrentLineNumber
        refusals.refuse(
            Where(file, line),
            "XML_ENTITIES",
            "DOCTYPE, entités et références externes sont refusées dans un fichier XML",
            "a DOCTYPE, entities and external references are refused in an XML file",
        )
    except (LookupError, UnicodeError):
        # The encoding the XML declaration names is unknown, or its bytes do not fit it.
        refusals.refuse(
            Where(file, 1),
            "BAD_XML",
            "XML illisible : encodage inconnu ou faux (attendu UTF-8)",
            "unreadable XML: unknown or wrong encoding (expected UTF-8)",
        )
    except ET.ParseError as bad:
        line, column = bad.position
        refusals.refuse(
            Where(file, line),
            "BAD_XML",
            f"XML mal formé (colonne {column + 1})",
            f"malformed XML (column {column + 1})",
        )
    return root, keeper.lines


class _Places:
    """Where an element (or one of its children or attributes) stands in the file."""

    def __init__(self, file: str, lines: dict[ET.Element, int]) -> None:
        self.file = file
        self.lines = lines

    def at(self, element: ET.Element, name: str | None = None) -> Where:
        return Where(self.file, self.lines.get(element), name)

    def fields(self, element: ET.Element) -> Fields:
        """An element's children by name: their text and where they stand."""

        def field(name: str) -> tuple[object, Place]:
            child = element.find(name)
            if child is None:
                return None, lambda: self.at(element, name)
            return child.text or "", lambda: self.at(child, name)

        return field


def parse(
    file: str, root: ET.Element, lines: dict[ET.Element, int], refusals: Refusals
) -> ImportedFair:
    generator = root.find("generator")
    own = generator is not None and generator.get("name") == GENERATOR_NAME
    schedule = Schedule(file, refusals, own=own)
    places = _Places(file, lines)
    days = root.findall("day")
    dates = [schedule.day(day.get("date"), places.at(day, "date")) for day in days]
    conference = root.find("conference")
    if conference is not None:
        schedule.conference(places.fields(conference), [d for d in dates if d is not None])
    for day in days:
        day_zone = offset_of(day.get("start"))
        for room in day.findall("room"):
            name = schedule.text(room.get("name"), places.at(room, "name"), MAX_NAME_CHARS)
            room_id = schedule.room(room.get("guid"), name) if name else None
            for event in room.findall("event"):
                _event(schedule, places, event, room_id, day, day_zone)
    return schedule.fair("frab-xml")


def _event(
    schedule: Schedule,
    places: _Places,
    event: ET.Element,
    room_id: str | None,
    day: ET.Element,
    day_zone: timezone | None,
) -> None:
    field = places.fields(event)
    date_value, date_where = field("date")
    if date_value is None and day.get("date") and field("start")[0]:
        # Old frab files: the day's date and the event's start time.
        date_value = f"{day.get('date')} {field('start')[0]}"
    speakers = []
    for person in event.iterfind("persons/person"):
        name = schedule.text(person.text, places.at(person, "person"), MAX_NAME_CHARS)
        if name:
            keys = (person.get("guid"), person.get("code"), person.get("id"))
            speakers.append(schedule.speaker(keys, name, None))
    schedule.session(
        Draft(
            where=places.at(event),
            guid=event.get("guid"),
            number=event.get("id"),
            starts_at=schedule.instant(date_value, date_where, day_zone),
            length=schedule.length(*field("duration")),
            room_id=room_id,
            speaker_ids=tuple(speakers),
            field=field,
        )
    )
