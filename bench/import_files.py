"""The files `bench.imports` loads, written for the run: a c3voc schedule JSON of the
fair's four days (as pretalx exports it) and an exhibitor sheet. Same arguments, same
bytes."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from server.clock import FAIR_TZ

NAMESPACE = uuid.UUID("4b0e4f0a-3f7e-4d8c-9a0b-5e1c2d3f4a5b")
FIRST_DAY = date(2026, 12, 3)
DAYS = 4
ROOMS = 100
SLOTS_PER_DAY = 13  # 45-minute sessions from 09:00, back to back
TRACKS = ["Métallurgie", "Mécanique", "Électromécanique", "Sécurité", "Énergie", "Start-up"]
KINDS = ["Talk", "Talk", "Workshop", "Panel", "Keynote"]


def _guid(kind: str, number: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{number}"))


def _person(number: int) -> dict[str, object]:
    return {
        "guid": _guid("person", number),
        "code": f"P{number:05d}",
        "public_name": f"Intervenant {number}",
        "biography": f"Ingénieur·e, {number % 30 + 3} ans dans l'industrie.",
    }


def schedule_json(path: Path, sessions: int) -> Path:
    speakers = max(1, sessions // 2)
    if sessions > ROOMS * DAYS * SLOTS_PER_DAY:
        raise ValueError(f"at most {ROOMS * DAYS * SLOTS_PER_DAY} sessions fit")
    days = []
    number = 0
    for index in range(DAYS):
        day = FIRST_DAY + timedelta(days=index)
        rooms: dict[str, list[dict[str, object]]] = {}
        for room in range(1, ROOMS + 1):
            events = rooms.setdefault(f"Salle {room:03d}", [])
            for slot in range(SLOTS_PER_DAY):
                if number == sessions:
                    break
                number += 1
                starts = datetime(day.year, day.month, day.day, 9, 0, tzinfo=FAIR_TZ) + timedelta(
                    minutes=45 * slot
                )
                events.append(
                    {
                        "guid": _guid("talk", number),
                        "id": number,
                        "date": starts.isoformat(),
                        "start": starts.strftime("%H:%M"),
                        "duration": "00:45",
                        "room": f"Salle {room:03d}",
                        "slug": f"sistep-{number}",
                        "title": f"Procédés industriels, partie {number}",
                        "subtitle": "",
                        "track": TRACKS[number % len(TRACKS)],
                        "type": KINDS[number % len(KINDS)],
                        "language": "fr",
                        "abstract": f"Retour d'expérience n° {number} sur la chaîne de production.",
                        "description": "",
                        "persons": [_person((number - 1) % speakers + 1)],
                        "links": [],
                        "attachments": [],
                    }
                )
        days.append(
            {
                "index": index + 1,
                "date": day.isoformat(),
                "day_start": datetime(day.year, day.month, day.day, 8, tzinfo=FAIR_TZ).isoformat(),
                "day_end": datetime(day.year, day.month, day.day, 20, tzinfo=FAIR_TZ).isoformat(),
                "rooms": rooms,
            }
        )
    document = {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": "bench.imports", "version": "1"},
        "schedule": {
            "version": "1",
            "base_url": "https://sistep.example",
            "conference": {
                "acronym": "sistep2026",
                "title": "SISTEP INDUSTRIEL 2026",
                "start": FIRST_DAY.isoformat(),
                "end": (FIRST_DAY + timedelta(days=DAYS - 1)).isoformat(),
                "daysCount": DAYS,
                "timeslot_duration": "00:15",
                "time_zone_name": "Africa/Casablanca",
                "rooms": [
                    {"name": f"Salle {n:03d}", "guid": _guid("room", n), "capacity": 100 + n}
                    for n in range(1, ROOMS + 1)
                ],
                "tracks": [{"name": name, "color": "#0b3d91"} for name in TRACKS],
                "days": days,
            },
        },
    }
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def exhibitor_sheet(path: Path, exhibitors: int) -> Path:
    lines = ["id;name;country;sectors;booth;description_fr;description_en;website"]
    countries = ["MA", "SN", "CI", "TN", "DZ", "EG", "NG", "FR", "ES", "DE"]
    for number in range(1, exhibitors + 1):
        lines.append(
            f"exh-b{number:05d};Entreprise industrielle {number};"
            f"{countries[number % len(countries)]};;;"
            f"Sous-traitance mécanique, lot {number}.;Mechanical subcontracting, lot {number}.;"
            f"https://entreprise-{number}.example"
        )
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path
