"""/schedule.json: the programme as c3voc's schedule JSON (voc/schedule,
validator/json/schema.json), the same model as /schedule.xml (frab.py).

`start` is the wall clock "HH:MM", as frab, pretalx and c3voc's own tools write it
(the schema's newer text calls it a date-time; `date` is the full one)."""

from __future__ import annotations

from typing import Any

import orjson

from server.domain.exports.frab import (
    GENERATOR,
    LANGUAGE,
    TIMESLOT,
    Item,
    Person,
    Place,
    Schedule,
)

SCHEMA = "https://c3voc.de/schedule/schema.json"


def render(schedule: Schedule) -> bytes:
    event = schedule.programme.event
    tracks = sorted(schedule.programme.tracks.values(), key=lambda t: (t.name_fr, t.id))
    document = {
        "$schema": SCHEMA,
        "generator": {"name": GENERATOR[0], "version": GENERATOR[1]},
        "schedule": {
            "version": schedule.version,
            "base_url": schedule.base_url + "/",
            "conference": {
                "acronym": schedule.acronym,
                "title": event.name_fr,
                "start": event.starts_on.isoformat(),
                "end": event.ends_on.isoformat(),
                "daysCount": len(schedule.days),
                "timeslot_duration": TIMESLOT,
                "time_zone_name": event.timezone,
                "url": schedule.base_url + "/",
                "tracks": [
                    {"name": t.name_fr, **({"color": t.color} if t.color else {})} for t in tracks
                ],
                "rooms": [_room(p) for p in schedule.places],
                "days": [
                    {
                        "index": day.index,
                        "date": day.date.isoformat(),
                        "day_start": day.starts.isoformat(timespec="seconds"),
                        "day_end": day.ends.isoformat(timespec="seconds"),
                        "rooms": {
                            place.name: [_event(i) for i in items] for place, items in day.rooms
                        },
                    }
                    for day in schedule.days
                ],
            },
        },
    }
    return orjson.dumps(document) + b"\n"


def _room(place: Place) -> dict[str, Any]:
    return {"name": place.name, "guid": place.guid, "capacity": place.capacity}


def _event(item: Item) -> dict[str, Any]:
    session = item.session
    return {
        "id": item.number,
        "guid": item.guid,
        "date": item.starts.isoformat(timespec="seconds"),
        "start": item.start,
        "duration": item.duration(),
        "room": item.place.name,
        "slug": item.slug,
        "url": item.url,
        "title": session.title_fr,
        "subtitle": session.title_en or "",
        "track": item.track,
        "type": session.kind.lower(),
        "language": LANGUAGE,
        "abstract": session.abstract_fr or "",
        "description": session.abstract_en or "",
        "persons": [_person(p) for p in item.persons],
        "links": [{"url": url, "title": title} for url, title in item.links],
        "attachments": [],
    }


def _person(person: Person) -> dict[str, Any]:
    # `name`, not frab's deprecated `public_name`: with both, a person would match both
    # of the schema's person shapes, which its `oneOf` refuses.
    found: dict[str, Any] = {"guid": person.guid, "id": person.number, "name": person.name}
    if person.biography:
        found["biography"] = person.biography
    return found
