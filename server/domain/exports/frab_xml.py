"""/schedule.xml: the programme as frab's schedule XML, as the c3voc schedule XSD
(voc/schedule, validator/xsd/schedule.xml.xsd) describes it. The mapping of Salon's
fields is frab.py's."""

from __future__ import annotations

import io
from xml.etree.ElementTree import Element, ElementTree, SubElement

from server.domain.exports.frab import (
    GENERATOR,
    LANGUAGE,
    MAX_FRAB_MINUTES,
    TIMESLOT,
    Item,
    Schedule,
)
from server.domain.exports.text import xml_text


def render(schedule: Schedule) -> bytes:
    event = schedule.programme.event
    root = Element("schedule")
    SubElement(root, "generator", name=GENERATOR[0], version=GENERATOR[1])
    _text(root, "version", schedule.version)
    conference = SubElement(root, "conference")
    _text(conference, "acronym", schedule.acronym)
    _text(conference, "title", event.name_fr)
    _text(conference, "start", event.starts_on.isoformat())
    _text(conference, "end", event.ends_on.isoformat())
    _text(conference, "days", str(len(schedule.days)))
    _text(conference, "timeslot_duration", TIMESLOT)
    _text(conference, "base_url", schedule.base_url + "/")
    _text(conference, "time_zone_name", event.timezone)
    for day in schedule.days:
        day_element = SubElement(
            root,
            "day",
            index=str(day.index),
            date=day.date.isoformat(),
            start=day.starts.isoformat(timespec="seconds"),
            end=day.ends.isoformat(timespec="seconds"),
        )
        for place, items in day.rooms:
            room = SubElement(day_element, "room", name=xml_text(place.name))
            for item in items:
                _event(room, item)
    buffer = io.BytesIO()
    ElementTree(root).write(buffer, encoding="utf-8", xml_declaration=True)
    return buffer.getvalue() + b"\n"


def _event(room: Element, item: Item) -> None:
    session = item.session
    element = SubElement(room, "event", guid=item.guid, id=str(item.number))
    _text(element, "date", item.starts.isoformat(timespec="seconds"))
    _text(element, "start", item.start)
    # Past 99:59 frab has no way to write a length; JSON carries the true one.
    _text(element, "duration", item.duration(cap=MAX_FRAB_MINUTES))
    _text(element, "room", item.place.name)
    _text(element, "slug", item.slug)
    _text(element, "url", item.url)
    _text(element, "title", session.title_fr)
    _text(element, "subtitle", session.title_en)
    _text(element, "track", item.track)
    _text(element, "type", session.kind.lower())
    _text(element, "language", LANGUAGE)
    _text(element, "abstract", session.abstract_fr)
    _text(element, "description", session.abstract_en)
    persons = SubElement(element, "persons")
    for person in item.persons:
        SubElement(persons, "person", id=str(person.number)).text = xml_text(person.name)
    links = SubElement(element, "links")
    for href, title in item.links:
        SubElement(links, "link", href=href).text = xml_text(title)
    SubElement(element, "attachments")


def _text(parent: Element, tag: str, value: str | None) -> None:
    SubElement(parent, tag).text = xml_text(value)
