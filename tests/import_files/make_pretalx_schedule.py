"""Writes pretalx-berlin.schedule.json: a pretalx /schedule/export/schedule.json of a
four-day conference in Berlin (23–26 October 2026, over the night the clocks go back),
shaped as pretalx's FrabJsonExporter writes it. The same seed writes the same file.

    .venv/bin/python -m tests.import_files.make_pretalx_schedule
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from server import clock

OUTPUT = Path(__file__).with_name("pretalx-berlin.schedule.json")
ZONE = "Europe/Berlin"
FIRST_DAY = date(2026, 10, 23)
DAYS = 4
NAMESPACE = uuid.UUID("0d3f5a3c-8f0e-4f53-9d8e-2a6c1b7e9f10")
ROOMS = [
    ("Saal 1", 800),
    ("Saal 2", 400),
    ("Saal 3", 250),
    ("Saal 4", 120),
    ("Werkstatt", 40),
    ("Bühne", 150),
    ("Forum", None),
]
TRACKS = [
    ("Fertigung", "#8C4A2F"),
    ("Energie", "#2E8B57"),
    ("Digitalisierung", "#6A4C93"),
    ("Sicherheit", "#C0392B"),
]
TYPES = ["Talk", "Talk", "Talk", "Vortrag", "Workshop", "Keynote", "Panel", "Lightning Talk"]
_WORDS = (
    "Lieferkette Gießerei Wasserstoff Robotik Sensorik Wartung Normung Schweißen Leichtbau "
    "Kreislauf Qualität Fräsen Netze Speicher Prüfung Automatisierung Daten Sicherheit"
)
_FIRST_NAMES = "Anna Jonas Leonie Mehmet Sofia Lukas Amina Felix Clara Yusuf Mia Paul"
_LAST_NAMES = "Becker Schulz Yılmaz Wagner Hoffmann Nowak Richter Klein Wolf Haddad"
WORDS, FIRST_NAMES, LAST_NAMES = _WORDS.split(), _FIRST_NAMES.split(), _LAST_NAMES.split()


def local(day: date, hour: int, minute: int, fold: int = 0) -> datetime:
    """A Berlin wall-clock time as pretalx writes it: with that moment's offset."""
    naive = datetime(day.year, day.month, day.day, hour, minute)
    return naive.replace(tzinfo=clock.zone(ZONE), fold=fold)


def person(rng: random.Random, number: int) -> dict[str, object]:
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    code = f"P{number:05d}"
    return {
        "code": code,
        "name": name,
        "avatar": None,
        "biography": f"{name} arbeitet seit {rng.randint(3, 30)} Jahren in der Industrie.",
        "public_name": name,
        "guid": str(uuid.uuid5(NAMESPACE, f"person:{code}")),
        "url": f"https://pretalx.example/ik26/speaker/{code}/",
    }


def talk(
    rng: random.Random,
    number: int,
    starts: datetime,
    minutes: int,
    room: str,
    people: list[dict[str, object]],
) -> dict[str, object]:
    code = f"T{number:04d}"
    title = " ".join(rng.sample(WORDS, 3)).capitalize()
    return {
        "guid": str(uuid.uuid5(NAMESPACE, f"talk:{code}")),
        "code": code,
        "id": 1000 + number,
        "logo": None,
        "date": starts.isoformat(),
        "start": starts.strftime("%H:%M"),
        "duration": f"{minutes // 60:02d}:{minutes % 60:02d}",
        "room": room,
        "slug": f"ik26-{1000 + number}-{title.lower().replace(' ', '-')}",
        "url": f"https://pretalx.example/ik26/talk/{code}/",
        "title": title,
        "subtitle": "",
        "track": rng.choice(TRACKS)[0],
        "type": rng.choice(TYPES),
        "language": rng.choice(["de", "de", "en"]),
        "abstract": f"Über {title.lower()} in der Praxis.",
        "description": "Fallstudien, Zahlen und offene Fragen.",
        "recording_license": "",
        "do_not_record": False,
        "persons": rng.sample(people, rng.choice([1, 1, 1, 2, 3])),
        "links": [],
        "feedback_url": f"https://pretalx.example/ik26/talk/{code}/feedback/",
        "origin_url": f"https://pretalx.example/ik26/talk/{code}/",
        "attachments": [],
    }


def schedule() -> dict[str, object]:
    rng = random.Random(2026)
    people = [person(rng, n) for n in range(1, 121)]
    number = 0
    days = []
    for index in range(DAYS):
        day = FIRST_DAY + timedelta(days=index)
        by_room: dict[str, list[dict[str, object]]] = {}
        for room, _ in ROOMS:
            events = by_room.setdefault(room, [])
            slot = local(day, 9, 0)
            while slot.hour < 19:
                minutes = rng.choice([30, 45, 45, 60, 90])
                number += 1
                events.append(talk(rng, number, slot, minutes, room, people))
                slot = (slot + timedelta(minutes=minutes + 15)).astimezone(slot.tzinfo)
        if day == date(2026, 10, 24):
            # The night the clocks go back: 02:30 happens twice, once at +02:00, once at
            # +01:00; pretalx writes each with its own offset.
            for fold in (0, 1):
                number += 1
                night = local(date(2026, 10, 25), 2, 30, fold)
                by_room["Forum"].append(talk(rng, number, night, 30, "Forum", people))
        start = local(day, 4, 0)
        days.append(
            {
                "index": index + 1,
                "date": day.isoformat(),
                "day_start": start.isoformat(),
                "day_end": (local(day, 3, 59) + timedelta(days=1)).isoformat(),
                "rooms": by_room,
            }
        )
    return {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": "pretalx", "version": "2025.1.0"},
        "schedule": {
            "url": "https://pretalx.example/ik26/schedule/",
            "version": "1.4",
            "base_url": "https://pretalx.example",
            "conference": {
                "acronym": "ik26",
                "title": "Industriekongress 2026",
                "start": FIRST_DAY.isoformat(),
                "end": (FIRST_DAY + timedelta(days=DAYS - 1)).isoformat(),
                "daysCount": DAYS,
                "timeslot_duration": "00:05",
                "time_zone_name": ZONE,
                "colors": {"primary": "#3aa57c"},
                "rooms": [
                    {
                        "name": name,
                        "slug": name.lower().replace(" ", "-"),
                        "guid": str(uuid.uuid5(NAMESPACE, f"room:{name}")),
                        "description": None,
                        "capacity": capacity,
                    }
                    for name, capacity in ROOMS
                ],
                "tracks": [
                    {"name": name, "slug": name.lower(), "color": color} for name, color in TRACKS
                ],
                "days": days,
            },
        },
    }


def text() -> str:
    return json.dumps(schedule(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    OUTPUT.write_text(text(), encoding="utf-8")
