"""c3voc schedule JSON (validator/json/schema.json of voc/schedule): frab's JSON and
pretalx's /schedule/export/schedule.json. A place in the file is its JSON path
(`conference.days[1].rooms[Salle Rif][3].date`): JSON has no lines worth naming."""

from __future__ import annotations

from datetime import timezone
from typing import Any

from server.domain.imports.formats.limits import MAX_LONG_TEXT_CHARS, MAX_NAME_CHARS
from server.domain.imports.formats.refusals import Fault, Refusals, shown
from server.domain.imports.formats.schedule import Draft, Fields, Place, Schedule
from server.domain.imports.formats.times import offset_of
from server.domain.imports.model import ImportedFair, Where
from server.domain.source_ids import GENERATOR_NAME


class _Reader:
    def __init__(self, file: str, schedule: Schedule) -> None:
        self.file = file
        self.schedule = schedule

    def at(self, path: str) -> Where:
        return Where(self.file, None, path)

    def place(self, path: str) -> Place:
        """Where `path` stands, made only if a refusal asks (schedule.Place)."""
        return lambda: self.at(path)

    def fields(self, value: dict[str, Any], path: str) -> Fields:
        def field(name: str) -> tuple[object, Place]:
            return value.get(name), lambda: self.at(f"{path}.{name}")

        return field

    def obj(self, value: object, path: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.schedule.refusals.add_fault(self.at(path), _expected("un objet", "an object"))
        return None

    def items(self, value: object, path: str) -> list[Any]:
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.schedule.refusals.add_fault(self.at(path), _expected("une liste", "a list"))
        return []


def parse(file: str, document: dict[str, Any], refusals: Refusals, source: str) -> ImportedFair:
    generator = document.get("generator")
    own = isinstance(generator, dict) and generator.get("name") == GENERATOR_NAME
    schedule = Schedule(file, refusals, own=own)
    read = _Reader(file, schedule)
    conference = document["schedule"].get("conference")
    if not isinstance(conference, dict):
        fault = _expected("un objet", "an object")
        refusals.refuse(read.at("conference"), fault.code, fault.fr, fault.en)
    rooms = {
        room.get("name"): room
        for room in read.items(conference.get("rooms"), "conference.rooms")
        if isinstance(room, dict) and isinstance(room.get("name"), str)
    }
    for track in read.items(conference.get("tracks"), "conference.tracks"):
        name = track.get("name") if isinstance(track, dict) else None
        if isinstance(name, str) and name.strip() and len(name) <= MAX_NAME_CHARS:
            schedule.track(name.strip(), track.get("color"))
    days = [
        (index, day)
        for index, value in enumerate(read.items(conference.get("days"), "conference.days"))
        if (day := read.obj(value, f"conference.days[{index}]")) is not None
    ]
    dates = [
        schedule.day(day.get("date"), read.at(f"conference.days[{index}].date"))
        for index, day in days
    ]
    schedule.conference(read.fields(conference, "conference"), [d for d in dates if d is not None])
    for index, day in days:
        _day(read, day, f"conference.days[{index}]", rooms)
    return schedule.fair(source)


def _day(read: _Reader, day: dict[str, Any], path: str, rooms: dict[Any, Any]) -> None:
    schedule = read.schedule
    day_zone = offset_of(day.get("day_start"))
    by_room = read.obj(day.get("rooms", {}), f"{path}.rooms") or {}
    for room_name, events in by_room.items():
        room_path = f"{path}.rooms[{shown(room_name)[1:-1]}]"
        name = schedule.text(room_name, read.at(room_path), MAX_NAME_CHARS)
        info = rooms.get(room_name) or {}
        room_id = schedule.room(info.get("guid"), name, info.get("capacity")) if name else None
        for number, value in enumerate(read.items(events, room_path)):
            event_path = f"{room_path}[{number}]"
            event = read.obj(value, event_path)
            if event is not None:
                _event(read, event, event_path, room_id, day, day_zone)


def _event(
    read: _Reader,
    event: dict[str, Any],
    path: str,
    room_id: str | None,
    day: dict[str, Any],
    day_zone: timezone | None,
) -> None:
    schedule = read.schedule
    field = read.fields(event, path)
    date_value, date_where = field("date")
    day_date, start = day.get("date"), event.get("start")
    if date_value is None and isinstance(day_date, str) and isinstance(start, str):
        date_value = f"{day_date} {start}"  # frab's old files: the day and a time
    starts_at = schedule.instant(date_value, date_where, day_zone)
    if event.get("duration") is None and event.get("end") is not None:
        ends_at = schedule.instant(*field("end"), day_zone)
        length = ends_at - starts_at if starts_at and ends_at else None
    else:
        length = schedule.length(*field("duration"))
    speakers = []
    for index, value in enumerate(read.items(event.get("persons"), f"{path}.persons")):
        person_path = f"{path}.persons[{index}]"
        person = read.obj(value, person_path)
        if person is None:
            continue
        raw_name = person.get("name") or person.get("public_name")
        name = schedule.required(raw_name, read.place(f"{person_path}.name"), MAX_NAME_CHARS)
        bio = schedule.text(
            person.get("biography"),
            read.place(f"{person_path}.biography"),
            MAX_LONG_TEXT_CHARS,
            multiline=True,
        )
        if name:
            keys = (person.get("guid"), person.get("code"), person.get("id"))
            speakers.append(schedule.speaker(keys, name, bio))
    schedule.session(
        Draft(
            where=read.at(path),
            guid=event.get("guid"),
            number=event.get("id"),
            starts_at=starts_at,
            length=length,
            room_id=room_id,
            speaker_ids=tuple(speakers),
            field=field,
        )
    )


def _expected(fr: str, en: str) -> Fault:
    return Fault("BAD_JSON", f"{fr} est attendu ici", f"{en} is expected here")
