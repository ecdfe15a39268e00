"""Schedules: frab / c3voc XML, c3voc JSON and pretalx's schedule.json export, read
whole, in the zone or offset they are written in, every bad event refused at once."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from server.domain.imports.formats.keys import content_key
from server.domain.imports.model import (
    ImportedEvent,
    ImportedRoom,
    ImportedSession,
    ImportedSpeaker,
    Refusal,
    Where,
)
from tests.import_checks import parsed, refusals_of, utc
from tests.import_files import make_pretalx_schedule

FILES = Path(__file__).resolve().parent / "import_files"
FRAB = FILES / "sistep-2026.frab.xml"
PRETALX = FILES / "pretalx-berlin.schedule.json"


# --- frab / c3voc XML ------------------------------------------------------------------


def test_a_frab_schedule_of_the_fair_is_read_whole() -> None:
    fair = parsed("programme.xml", FRAB.read_bytes())
    atlas = "3f0c9a52-6d1e-4b8a-9c2f-0e6b1d7a4c11"
    rif = "8a2d4b6c-1e3f-4a5b-8c7d-9e0f1a2b3c44"
    ziz = "c5e7a9b1-3d5f-4c7e-9a1b-2c3d4e5f6a77"
    digital = content_key("trk", "Industrie 4.0 & Transition numérique")
    assert (fair.source, fair.prunable) == ("frab-xml", frozenset({"sessions", "speakers"}))
    assert fair.event == ImportedEvent(
        name="SISTEP INDUSTRIEL 2026",
        starts_on=date(2026, 12, 3),
        ends_on=date(2026, 12, 4),
        timezone="Africa/Casablanca",
        acronym="sistep2026",
    )
    assert fair.rooms == (
        ImportedRoom(id=atlas, name="Salle plénière Atlas"),
        ImportedRoom(id=rif, name="Salle Rif"),
        ImportedRoom(id=ziz, name="Salle Ziz — ateliers"),
    )
    assert [(t.id, t.name_fr) for t in fair.tracks] == [
        (digital, "Industrie 4.0 & Transition numérique"),
        (content_key("trk", "Transition énergétique"), "Transition énergétique"),
        (content_key("trk", "Métallurgie & Fonderie"), "Métallurgie & Fonderie"),
    ]
    assert fair.speakers == tuple(
        ImportedSpeaker(id=number, name=name)
        for number, name in [
            ("201", "Hicham Bennani"),
            ("202", "Nadia El Fassi"),
            ("203", "Karim Tazi"),
            ("204", "Salma Berrada"),
            ("205", "Youssef Amrani"),
            ("206", "Omar Chraibi"),
        ]
    )
    guid = "0b7e5c1a-2f4d-4e8b-a1c3-5d9f7e2b6a0"
    assert fair.sessions[2] == ImportedSession(
        id=f"{guid}3",
        kind="CONFERENCE",
        title_fr="Predictive maintenance on the shop floor",
        title_en="Predictive maintenance on the shop floor",  # <language>en</language>
        abstract_fr="How three Moroccan plants halved unplanned stops.",
        abstract_en="How three Moroccan plants halved unplanned stops.",
        starts_at=utc(2026, 12, 3, 11),
        ends_at=utc(2026, 12, 3, 12),
        where=Where("programme.xml", 55),
        room_id=rif,
        track_id=digital,
        speaker_ids=("203",),
    )
    assert [
        (s.id, s.kind, s.starts_at, s.ends_at - s.starts_at, s.room_id, s.speaker_ids, s.where.line)
        for s in fair.sessions
    ] == [
        (
            f"{guid}1",
            "CEREMONY",
            utc(2026, 12, 3, 9, 30),
            timedelta(minutes=30),
            atlas,
            ("201", "202"),
            19,
        ),
        (f"{guid}2", "KEYNOTE", utc(2026, 12, 3, 10), timedelta(minutes=45), atlas, ("201",), 37),
        (f"{guid}3", "CONFERENCE", utc(2026, 12, 3, 11), timedelta(hours=1), rif, ("203",), 55),
        (
            f"{guid}4",
            "PANEL",
            utc(2026, 12, 3, 14, 30),
            timedelta(minutes=75),
            rif,
            ("204", "205", "202"),
            71,
        ),
        (f"{guid}5", "WORKSHOP", utc(2026, 12, 4, 10), timedelta(minutes=90), ziz, ("206",), 92),
        (f"{guid}6", "B2B", utc(2026, 12, 4, 14), timedelta(hours=2), ziz, (), 107),
    ]
    # <abstract> first, <description> when the abstract is empty.
    assert fair.sessions[1].abstract_fr == (
        "Relocalisations, nearshoring et ZLECAf redessinent les chaînes de valeur."
    )
    assert fair.sessions[3].abstract_fr is None


def schedule_xml(conference: str, day: str, events: str) -> bytes:
    return f"""<?xml version="1.0"?>
<schedule><version>1</version>
<conference><title>T</title><acronym>t</acronym>{conference}</conference>
<day index="1" date="2026-10-24" {day}><room name="A">
{events}
</room></day></schedule>""".encode()


def event_xml(number: int, date_text: str, duration: str = "00:30") -> str:
    return (
        f'<event id="{number}"><title>E{number}</title><type>Talk</type>'
        f"<date>{date_text}</date><start>10:00</start><duration>{duration}</duration>"
        "</event>"
    )


@pytest.mark.parametrize(
    ("conference", "day", "expected"),
    [
        # The conference's zone reads a date without an offset (Berlin: UTC+02 in October).
        ("<time_zone_name>Europe/Berlin</time_zone_name>", "", utc(2026, 10, 24, 8)),
        # Else the offset of the day's start.
        ("", 'start="2026-10-24T08:00:00-03:00"', utc(2026, 10, 24, 13)),
        # Else the fair's zone (UTC+00 in October 2026).
        ("", "", utc(2026, 10, 24, 10)),
    ],
)
def test_a_schedule_time_without_offset_is_read_in_the_sources_zone(
    conference: str, day: str, expected: datetime
) -> None:
    data = schedule_xml(conference, day, event_xml(1, "2026-10-24T10:00:00"))
    assert [s.starts_at for s in parsed("s.xml", data).sessions] == [expected]


def test_a_time_with_an_offset_is_that_instant_whatever_the_zone() -> None:
    data = schedule_xml(
        "<time_zone_name>Europe/Berlin</time_zone_name>",
        "",
        event_xml(1, "2026-10-24T10:00:00-05:00"),
    )
    assert [s.starts_at for s in parsed("s.xml", data).sessions] == [utc(2026, 10, 24, 15)]


def test_every_bad_event_of_a_schedule_is_refused_at_once() -> None:
    events = "\n".join(
        [
            event_xml(1, "2026-10-24T10:00:00+02:00"),
            event_xml(1, "2026-10-24T11:00:00+02:00"),
            event_xml(3, "24/10 10h"),
            event_xml(4, "2026-10-24T10:00:00+02:00", "90"),
            event_xml(5, "2026-10-24T10:00:00+02:00", "25:00"),
            event_xml(6, "2026-10-24T10:00:00+02:00", "0:00"),
            "<event><title>No id</title><date>2026-10-24T10:00:00+02:00</date>"
            "<duration>00:30</duration></event>",
            event_xml(8, "2099-12-31T10:00:00+02:00").replace("<title>E8</title>", "<title/>"),
            event_xml(9, " "),
        ]
    )
    data = schedule_xml("<time_zone_name>Mars/Olympus</time_zone_name>", "", events)
    file = "s.xml"
    assert refusals_of(file, data) == [
        Refusal(
            Where(file, 3, "time_zone_name"),
            "UNKNOWN_ZONE",
            "`Mars/Olympus` n'est pas un fuseau horaire connu (par exemple Europe/Paris)",
            "`Mars/Olympus` is not a known time zone (e.g. Europe/Paris)",
        ),
        Refusal(
            Where(file, 6),
            "DUPLICATE_ID",
            "l'identifiant `1` est déjà celui de s.xml ligne 5",
            "id `1` is already that of s.xml line 5",
        ),
        Refusal(
            Where(file, 7, "date"),
            "BAD_DATETIME",
            "`24/10 10h` n'est pas une date et heure (attendu 2026-12-03 09:30)",
            "`24/10 10h` is not a date and time (expected 2026-12-03 09:30)",
        ),
        Refusal(
            Where(file, 8, "duration"),
            "BAD_DURATION",
            "`90` n'est pas une durée (attendu 01:30)",
            "`90` is not a duration (expected 01:30)",
        ),
        Refusal(
            Where(file, 9, "duration"),
            "TOO_LONG_SESSION",
            "de 2026-10-24 10:00+02:00 à 2026-10-25 11:00+02:00, la session dépasse 24 h",
            "from 2026-10-24 10:00+02:00 to 2026-10-25 11:00+02:00, the session is longer "
            "than 24 hours",
        ),
        Refusal(
            Where(file, 10, "duration"),
            "END_BEFORE_START",
            "la fin (2026-10-24 10:00+02:00) n'est pas après le début (2026-10-24 10:00+02:00)",
            "the end (2026-10-24 10:00+02:00) is not after the start (2026-10-24 10:00+02:00)",
        ),
        Refusal(Where(file, 11), "NO_ID", "ni guid ni id", "neither guid nor id"),
        Refusal(Where(file, 12, "title"), "REQUIRED", "valeur absente", "value missing"),
        Refusal(Where(file, 13, "date"), "REQUIRED", "valeur absente", "value missing"),
    ]


# --- c3voc / pretalx JSON --------------------------------------------------------------


def events_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        event
        for day in document["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
    ]


def test_the_committed_pretalx_export_is_its_generators_output() -> None:
    assert PRETALX.read_text(encoding="utf-8") == make_pretalx_schedule.text()


def test_a_pretalx_export_in_berlin_keeps_every_offset_it_writes() -> None:
    """254 talks over four days in Europe/Berlin, across the night the clocks go back."""
    document = json.loads(PRETALX.read_text(encoding="utf-8"))
    fair = parsed("schedule.json", PRETALX.read_bytes())
    events = events_of(document)
    assert (fair.source, fair.prunable) == ("pretalx-json", frozenset({"sessions", "speakers"}))
    assert fair.event == ImportedEvent(
        name="Industriekongress 2026",
        starts_on=date(2026, 10, 23),
        ends_on=date(2026, 10, 26),
        timezone="Europe/Berlin",
        acronym="ik26",
    )
    assert len(fair.sessions) == len(events) == 254
    # Each talk is its GUID, at the instant its `date` says, for its `duration`.
    assert [(s.id, s.starts_at, s.ends_at - s.starts_at) for s in fair.sessions] == [
        (
            e["guid"],
            datetime.fromisoformat(e["date"]),
            timedelta(hours=int(e["duration"][:2]), minutes=int(e["duration"][3:])),
        )
        for e in events
    ]
    night = [s.starts_at for s in fair.sessions if s.starts_at.isoformat()[11:16] == "02:30"]
    assert night == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)]
    assert {s.starts_at.utcoffset() for s in fair.sessions} == {
        timedelta(hours=2),
        timedelta(hours=1),
    }
    rooms = {r["name"]: r for r in document["schedule"]["conference"]["rooms"]}
    assert fair.rooms == tuple(
        ImportedRoom(id=r["guid"], name=r["name"], capacity=r["capacity"]) for r in rooms.values()
    )
    assert [(t.name_fr, t.color) for t in fair.tracks] == [
        ("Fertigung", "#8C4A2F"),
        ("Energie", "#2E8B57"),
        ("Digitalisierung", "#6A4C93"),
        ("Sicherheit", "#C0392B"),
    ]
    people = {p["guid"]: p for e in events for p in e["persons"]}
    assert {s.id: (s.name, s.bio_fr) for s in fair.speakers} == {
        guid: (p["name"], p["biography"]) for guid, p in people.items()
    }
    by_type = {(e["type"], s.kind) for e, s in zip(events, fair.sessions, strict=True)}
    assert by_type == {
        ("Talk", "CONFERENCE"),
        ("Vortrag", "CONFERENCE"),
        ("Lightning Talk", "CONFERENCE"),
        ("Keynote", "KEYNOTE"),
        ("Workshop", "WORKSHOP"),
        ("Panel", "PANEL"),
    }
    english = {
        s.title_en is not None
        for e, s in zip(events, fair.sessions, strict=True)
        if e["language"] == "en"
    }
    assert english == {True}


def test_a_frab_json_schedule_without_pretalx_is_c3voc_json() -> None:
    document = {
        "schedule": {
            "version": "1",
            "conference": {
                "title": "T",
                "acronym": "t",
                "days": [
                    {
                        "index": 1,
                        "date": "2026-12-03",
                        "rooms": {
                            "Salle Rif": [
                                {
                                    "id": 12,
                                    "date": "2026-12-03T10:00:00+00:00",
                                    "duration": "1:00",
                                    "title": "Frab",
                                    "type": "lecture",
                                    "persons": [{"id": 7, "public_name": "Ana"}],
                                }
                            ]
                        },
                    }
                ],
            },
        }
    }
    fair = parsed("frab.json", json.dumps(document).encode())
    assert fair.source == "c3voc-json"
    assert fair.event == ImportedEvent(
        "T", date(2026, 12, 3), date(2026, 12, 3), "Africa/Casablanca", acronym="t"
    )
    assert fair.speakers == (ImportedSpeaker(id="7", name="Ana"),)
    assert [(s.id, s.kind, s.starts_at, s.ends_at) for s in fair.sessions] == [
        ("12", "CONFERENCE", utc(2026, 12, 3, 10), utc(2026, 12, 3, 11))
    ]


def test_every_bad_event_of_a_json_schedule_is_refused_with_its_path() -> None:
    document = json.loads(PRETALX.read_text(encoding="utf-8"))
    first_day = document["schedule"]["conference"]["days"][0]["rooms"]["Saal 1"]
    first_day[1]["guid"] = first_day[0]["guid"]
    first_day[2]["date"] = "2026-03-29T02:30:00"  # Berlin's clocks skip it
    first_day[3]["title"] = "Bad\u0007bell"
    first_day[4]["persons"][0]["name"] = first_day[4]["persons"][0]["public_name"] = None
    first_day[5]["duration"] = 90
    path = "conference.days[0].rooms[Saal 1]"
    file = "schedule.json"
    guid = first_day[0]["guid"]
    assert refusals_of(file, json.dumps(document).encode()) == [
        Refusal(
            Where(file, None, f"{path}[1]"),
            "DUPLICATE_ID",
            f"l'identifiant `{guid}` est déjà celui de {file}, colonne `{path}[0]`",
            f"id `{guid}` is already that of {file}, column `{path}[0]`",
        ),
        Refusal(
            Where(file, None, f"{path}[2].date"),
            "NONEXISTENT_TIME",
            "`2026-03-29T02:30:00` n'existe pas à l'heure de Europe/Berlin (les horloges "
            "sautent cette heure)",
            "`2026-03-29T02:30:00` does not exist in Europe/Berlin time (the clocks skip it)",
        ),
        Refusal(
            Where(file, None, f"{path}[3].title"),
            "CONTROL_CHARACTER",
            "caractère de contrôle U+0007 en position 4 : retirez-le",
            "control character U+0007 at position 4: remove it",
        ),
        Refusal(
            Where(file, None, f"{path}[4].persons[0].name"),
            "REQUIRED",
            "valeur absente",
            "value missing",
        ),
        Refusal(
            Where(file, None, f"{path}[5].duration"),
            "NOT_TEXT",
            "du texte est attendu, pas int",
            "text expected, not int",
        ),
    ]


def json_schedule(days: list[tuple[str, list[dict[str, Any]]]]) -> bytes:
    """A c3voc JSON schedule without a zone: (day_start, events) a day, in one room."""
    return json.dumps(
        {
            "schedule": {
                "conference": {
                    "title": "T",
                    "days": [
                        {"date": "2026-12-03", "day_start": start, "rooms": {"Rif": events}}
                        for start, events in days
                    ],
                }
            }
        }
    ).encode()


def json_event(number: int, date_text: str, duration: str = "00:30") -> dict[str, Any]:
    return {"id": number, "title": f"E{number}", "date": date_text, "duration": duration}


def test_a_time_repeated_on_days_of_other_offsets_is_read_in_each_days_offset() -> None:
    """The parser works a repeated time out once, for the zone it is read in."""
    same = "2026-12-03T10:00:00"
    data = json_schedule(
        [
            ("2026-12-03T08:00:00+01:00", [json_event(1, same), json_event(2, same)]),
            ("2026-12-03T08:00:00-03:00", [json_event(3, same)]),
        ]
    )
    assert [s.starts_at for s in parsed("s.json", data).sessions] == [
        utc(2026, 12, 3, 9),
        utc(2026, 12, 3, 9),
        utc(2026, 12, 3, 13),
    ]


def test_a_bad_value_repeated_is_refused_wherever_it_stands() -> None:
    """What the parser keeps of repeated values is what they gave, never a fault: each
    bad one is refused in its place."""
    events = [
        json_event(1, "24/10 10h"),
        json_event(2, "2026-12-03T10:00:00+00:00", "90"),
        json_event(3, "24/10 10h"),
        json_event(4, "2026-12-03T10:00:00+00:00", "90"),
    ]
    path = "conference.days[0].rooms[Rif]"
    bad_time = (
        "BAD_DATETIME",
        "`24/10 10h` n'est pas une date et heure (attendu 2026-12-03 09:30)",
        "`24/10 10h` is not a date and time (expected 2026-12-03 09:30)",
    )
    bad_length = (
        "BAD_DURATION",
        "`90` n'est pas une durée (attendu 01:30)",
        "`90` is not a duration (expected 01:30)",
    )
    assert refusals_of("s.json", json_schedule([("", events)])) == [
        Refusal(Where("s.json", None, f"{path}[0].date"), *bad_time),
        Refusal(Where("s.json", None, f"{path}[1].duration"), *bad_length),
        Refusal(Where("s.json", None, f"{path}[2].date"), *bad_time),
        Refusal(Where("s.json", None, f"{path}[3].duration"), *bad_length),
    ]
