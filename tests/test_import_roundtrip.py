"""The round trip: the fair exported as frab XML (/schedule.xml) or c3voc JSON
(/schedule.json), that file imported into an empty database, exported again: the same
schedule. Imported again, or into the fair it came from, the file changes nothing: no
row, no agenda version, no notice (the ids of both sides agree, server/domain/source_ids.py).

The fair is the demo on a database of its own, with one session cancelled and one
without a place, which the exports write their own way (left out; "Lieu à préciser"),
and a room named to come after the stands.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree as SafeTree

from server.db.pool import connect
from server.domain.imports.apply import Operator, apply_import
from server.domain.imports.formats import parse_file
from server.domain.imports.formats.keys import content_key
from server.domain.imports.report import ImportReport
from server.domain.source_ids import UNPLACED_ROOM, guid_of, number_of
from server.services import ServiceUrls
from server.settings import Settings
from tests.conftest import People
from tests.databases import empty_database, fair_database
from tests.exports_fair import CANCEL, fetch, query
from tests.import_checks import parsed
from tests.import_fixtures import tables
from tests.offline_copy import OwnFair, app_on

SALON = Path(sys.executable).parent / "salon"
OPERATOR = Operator("tests (round trip)")
#: Talks in a room, in the demo's order: the first is cancelled, the second loses its room.
TALKS = "SELECT id FROM session WHERE kind = 'CONFERENCE' AND room_id IS NOT NULL ORDER BY id"
LIVE = "SELECT id FROM session WHERE status <> 'CANCELLED' ORDER BY id"
BILLED = """SELECT DISTINCT ss.speaker_id FROM session_speaker ss JOIN session s
    ON s.id = ss.session_id WHERE s.status <> 'CANCELLED' ORDER BY 1"""
EXHIBITOR_LINKS = """SELECT s.id, e.id AS exhibitor, e.name FROM session s
    JOIN exhibitor e ON e.id = s.exhibitor_id WHERE s.status <> 'CANCELLED' ORDER BY s.id"""
NOTICES = "SELECT count(*) FROM notice"
#: A room whose name sorts after the stands' ("Stand A101"), which the exports list by name.
TERRACE = "Terrasse Souss"
VERSION = "SELECT version FROM agenda_state"


@dataclass
class Source:
    fair: OwnFair
    cancelled: str
    unplaced: str


@pytest.fixture(scope="module")
async def source(settings: Settings, service_urls: ServiceUrls) -> AsyncIterator[Source]:
    own = replace(settings, redis_namespace=f"{settings.redis_namespace}-roundtrip")
    async with fair_database(service_urls, "salon_roundtrip") as dsn, app_on(own, dsn) as fair:
        cancelled, unplaced = [r["id"] for r in (await query(fair, TALKS))[:2]]
        organiser = await People(dsn).make("ORGANISER")
        await fair.gql.data(CANCEL, {"id": cancelled, "reason": "Annulée"}, as_=organiser)
        await query(fair, "UPDATE session SET room_id = NULL WHERE id = $1", unplaced)
        await query(fair, "UPDATE room SET name = $1 WHERE name = 'Salle Souss'", TERRACE)
        yield Source(fair, cancelled, unplaced)


@pytest.fixture
async def empty(settings: Settings, service_urls: ServiceUrls) -> AsyncIterator[OwnFair]:
    """The app on a database with Salon's tables and no fair in them."""
    own = replace(settings, redis_namespace=f"{settings.redis_namespace}-roundtrip-empty")
    async with empty_database(service_urls, "salon_roundtrip") as dsn, app_on(own, dsn) as fair:
        yield fair


async def salon_import(fair: OwnFair, path: Path) -> tuple[int, str, str]:
    """`salon import PATH` (the installed command) on that fair's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    env |= {
        "DATABASE_URL": fair.dsn,
        "REDIS_URL": fair.live.runtime.settings.redis_url or "",
        "SALON_LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        str(SALON),
        "import",
        str(path),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def apply(fair: OwnFair, name: str, body: bytes, *, dry_run: bool = False) -> ImportReport:
    return await apply_import(
        fair.live.runtime.pool,
        OPERATOR,
        parse_file(name, body),
        datetime.now(UTC),
        dry_run=dry_run,
        prune=False,
    )


async def dry_run(fair: OwnFair, name: str, body: bytes) -> ImportReport:
    return await apply(fair, name, body, dry_run=True)


Links = dict[str, list[tuple[str, str]]]


def schedule_xml(body: bytes) -> tuple[str, Links]:
    """The document as canonical XML (C14N 2.0) without two things another database
    cannot say alike, and the second apart: `<version>`, the agenda version of the
    database it came from (each counts its own writes); the links of the events (an
    exhibitor's page: a schedule names exhibitors only by these links, so an import
    creates none, and a database without them links to none)."""
    root = SafeTree.fromstring(body)
    version = root.find("version")
    assert version is not None
    assert (version.text or "").isdigit(), body[:200]
    version.text = None
    links: Links = {}
    for event in root.iter("event"):
        holder = event.find("links")
        assert holder is not None
        found = [(link.get("href", ""), link.text or "") for link in holder]
        if found:
            links[event.get("guid", "")] = found
        holder.clear()
    return ET.canonicalize(ET.tostring(root, encoding="unicode")), links


def schedule_json(body: bytes) -> tuple[dict[str, Any], Links]:
    """As schedule_xml, for /schedule.json: the whole document but its version and links."""
    document: dict[str, Any] = json.loads(body)
    assert document["schedule"].pop("version").isdigit()
    links: Links = {}
    for day in document["schedule"]["conference"]["days"]:
        for events in day["rooms"].values():
            for event in events:
                found = [(link["url"], link["title"]) for link in event["links"]]
                if found:
                    links[event["guid"]] = found
                event["links"] = []
    return document, links


async def exhibitor_links(fair: OwnFair) -> Links:
    """The links the exports give the fair's live sessions: each one's exhibitor."""
    return {
        guid_of("session", r["id"]): [
            (f"{fair.live.runtime.settings.public_url}/exhibitor/{r['exhibitor']}", r["name"])
        ]
        for r in await query(fair, EXHIBITOR_LINKS)
    }


async def ids(fair: OwnFair, sql: str) -> list[str]:
    return [r[0] for r in await query(fair, sql)]


async def state(fair: OwnFair) -> tuple[int, int]:
    """The agenda version and the notices written."""
    [[version]], [[notices]] = await query(fair, VERSION), await query(fair, NOTICES)
    return version, notices


async def event_row(fair: OwnFair) -> dict[str, Any]:
    [row] = await query(fair, "SELECT * FROM event")
    return dict(row)


async def same_again(fair: OwnFair, name: str, body: bytes) -> None:
    """Importing `body` into `fair` writes nothing: every table, the agenda version and
    the notice log as they were, and the export byte for byte the same."""
    conn = await connect(fair.dsn)
    try:
        before, export = await tables(conn), await fetch(fair, f"/{name}")
        report = await apply(fair, name, body)
        assert (report.changes_anything, report.notices) == (False, [])
        assert await tables(conn) == before
        assert (await fetch(fair, f"/{name}")).content == export.content
    finally:
        await conn.close()


def new_fair_row(acronym: str) -> dict[str, Any]:
    """The event a schedule creates in an empty database: what <conference> says; the
    venue and city empty, since no schedule format names them."""
    return {
        "id": acronym,
        "name_fr": "SISTEP INDUSTRIEL 2026 — 13e Salon International de la Sous-Traitance et "
        "des Partenariats Industriels",
        "name_en": None,
        "edition": None,
        "starts_on": date(2026, 12, 3),
        "ends_on": date(2026, 12, 6),
        "timezone": "Africa/Casablanca",
        "venue_name": "",
        "city": "",
        "address": None,
    }


async def test_the_frab_xml_export_imported_into_an_empty_database_exports_the_same_schedule(
    source: Source, empty: OwnFair, tmp_path: Path
) -> None:
    first = (await fetch(source.fair, "/schedule.xml")).content
    file = tmp_path / "schedule.xml"
    file.write_bytes(first)
    assert await salon_import(empty, file) == (
        0,
        "schedule.xml appliqué :\n"
        "  Salon: 1 ajoutés\n"
        "  Parcours: 7 ajoutés\n"
        "  Salles: 41 ajoutés\n"
        "  Intervenants: 53 ajoutés\n"
        "  Sessions: 129 ajoutés\n",
        "",
    )
    second = (await fetch(empty, "/schedule.xml")).content
    first_doc, first_links = schedule_xml(first)
    second_doc, second_links = schedule_xml(second)
    assert second_doc == first_doc
    assert (first_links, second_links) == (await exhibitor_links(source.fair), {})

    # Salon's session ids (from each event's url), frab's person numbers as the speakers'
    # ids, the rooms and stands by the names the file gives them.
    assert await ids(empty, LIVE) == await ids(source.fair, LIVE)
    billed = await ids(source.fair, BILLED)
    assert await ids(empty, "SELECT id FROM speaker ORDER BY id") == sorted(
        str(number_of("speaker", s)) for s in billed
    )
    names = {room.get("name", "") for room in SafeTree.fromstring(first).iterfind("day/room")}
    assert await ids(empty, "SELECT id FROM room ORDER BY id") == sorted(
        content_key("room", n) for n in names - {UNPLACED_ROOM}
    )
    assert await ids(empty, "SELECT id FROM session WHERE room_id IS NULL") == [source.unplaced]
    assert await event_row(empty) == new_fair_row("sistep2026")

    # Again: nothing to change, nothing said (the file is known: not read again).
    before = await state(empty)
    assert await salon_import(empty, file) == (
        0,
        "schedule.xml : rien à changer.\n"
        "  Le même fichier qu'un import déjà appliqué, et rien de ce qu'il lit n'a changé "
        "depuis : il n'a pas été relu.\n"
        "  Salon: 1 inchangés\n"
        "  Parcours: 7 inchangés\n"
        "  Salles: 41 inchangés\n"
        "  Intervenants: 53 inchangés\n"
        "  Sessions: 129 inchangés\n",
        "",
    )
    assert await state(empty) == before
    assert (await fetch(empty, "/schedule.xml")).content == second


async def test_the_c3voc_json_export_imported_into_an_empty_database_exports_the_same_schedule(
    source: Source, empty: OwnFair
) -> None:
    first = (await fetch(source.fair, "/schedule.json")).content
    report = await apply(empty, "schedule.json", first)
    assert report.lines("en") == [
        "Event: 1 added",
        "Tracks: 7 added",
        "Rooms: 41 added",
        "Speakers: 53 added",
        "Sessions: 129 added",
    ]
    second = (await fetch(empty, "/schedule.json")).content
    first_doc, first_links = schedule_json(first)
    second_doc, second_links = schedule_json(second)
    assert second_doc == first_doc
    assert (first_links, second_links) == (await exhibitor_links(source.fair), {})

    # Persons, rooms and stands by the GUIDs the file gives them.
    assert await ids(empty, LIVE) == await ids(source.fair, LIVE)
    billed = await ids(source.fair, BILLED)
    assert await ids(empty, "SELECT id FROM speaker ORDER BY id") == sorted(
        guid_of("speaker", s) for s in billed
    )
    rooms = first_doc["schedule"]["conference"]["rooms"]
    assert await ids(empty, "SELECT id FROM room ORDER BY id") == sorted(
        r["guid"] for r in rooms if r["name"] != UNPLACED_ROOM
    )
    assert await event_row(empty) == new_fair_row("sistep2026")

    before = await state(empty)
    await same_again(empty, "schedule.json", first)
    assert await state(empty) == before


@pytest.mark.parametrize("name", ["schedule.xml", "schedule.json"])
async def test_its_own_export_imported_into_the_fair_changes_nothing(
    source: Source, name: str
) -> None:
    """The strongest proof that the ids agree: every session, speaker, room, stand and
    track of the file is the fair's own row, unchanged."""
    body = (await fetch(source.fair, f"/{name}")).content
    await same_again(source.fair, name, body)


async def test_the_fairs_rows_are_found_by_the_ids_the_export_gave_them_not_by_name(
    source: Source,
) -> None:
    """A person renamed in the XML (known by frab's number only) and a room renamed in
    the JSON (known by its GUID) are the fair's speaker and room, renamed: no twin."""
    xml = (await fetch(source.fair, "/schedule.xml")).content
    root = SafeTree.fromstring(xml)
    person = next(root.iter("person"))
    [[speaker]] = await query(source.fair, "SELECT id FROM speaker WHERE name = $1", person.text)
    assert person.get("id") == str(number_of("speaker", speaker))
    person.text = "Quelqu'un d'autre"
    report = await dry_run(source.fair, "schedule.xml", ET.tostring(root, encoding="utf-8"))
    speakers = report.kinds["speakers"]
    assert (speakers.added, speakers.changed) == ([], [speaker])

    document = json.loads((await fetch(source.fair, "/schedule.json")).content)
    [[room]] = await query(source.fair, "SELECT id FROM room WHERE name = 'Salle Rif'")
    conference = document["schedule"]["conference"]
    [listed] = [r for r in conference["rooms"] if r["name"] == "Salle Rif"]
    assert listed["guid"] == guid_of("room", room)
    listed["name"] = "Salle Rif rénovée"
    for day in conference["days"]:
        if "Salle Rif" in day["rooms"]:
            day["rooms"]["Salle Rif rénovée"] = day["rooms"].pop("Salle Rif")
    report = await dry_run(source.fair, "schedule.json", json.dumps(document).encode())
    rooms = report.kinds["rooms"]
    assert (rooms.added, rooms.changed) == ([], [room])


# --- how a schedule tells Salon's own export -------------------------------------------

SESSION_GUID = guid_of("session", "ses-777")


def one_event(generator: str, url: str, guid: str = SESSION_GUID) -> bytes:
    """A frab schedule of one event, written as Salon's exports write one."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<schedule><generator name="{generator}" version="1"/><version>3</version>
<conference><acronym>demo26</acronym><title>Démo</title><start>2026-12-03</start>
<end>2026-12-03</end><time_zone_name>Africa/Casablanca</time_zone_name></conference>
<day index="1" date="2026-12-03"><room name="{UNPLACED_ROOM}">
<event guid="{guid}" id="5"><date>2026-12-03T10:00:00+00:00</date><duration>01:00</duration>
<url>{url}</url><title>Titre</title><subtitle>Title</subtitle><type>conference</type>
<language>fr</language><abstract>Résumé</abstract><description>Summary</description>
<persons/></event></room></day></schedule>""".encode()


def read_back(data: bytes) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """The event as read (id, titles, abstracts, room) and the rooms of the file."""
    fair = parsed("s.xml", data)
    [session] = fair.sessions
    return (
        session.id,
        session.title_fr,
        session.title_en,
        session.abstract_fr,
        session.abstract_en,
        session.room_id,
    ), tuple(r.name for r in fair.rooms)


def test_salons_own_export_is_read_as_it_is_written() -> None:
    """The subtitle is the English title, the description the English abstract, "Lieu à
    préciser" no room, and the url's id the session's."""
    url = "https://salon.example/session/ses-777"
    assert read_back(one_event("Salon", url)) == (
        ("ses-777", "Titre", "Title", "Résumé", "Summary", None),
        (),
    )


def test_elsewhere_a_subtitle_is_a_subtitle_and_lieu_a_preciser_a_room() -> None:
    """A frab or pretalx file's subtitle and description are in the talk's language:
    never taken for English; its rooms are rooms, whatever their name. The url still
    names the session, since the GUID proves it is that Salon session."""
    url = "https://salon.example/session/ses-777"
    for generator in ("frab", "pretalx"):
        assert read_back(one_event(generator, url)) == (
            ("ses-777", "Titre", None, "Résumé", None, content_key("room", UNPLACED_ROOM)),
            (UNPLACED_ROOM,),
        )


@pytest.mark.parametrize(
    "url",
    [
        "https://salon.example/session/ses-001",  # another session than the GUID's
        "https://salon.example/talk/ses-777",  # not a session's page
        "https://salon.example/session/",
        "https://salon.example/session/ses%00777",
        "https://salon.example/session/" + "x" * 5000,
        "not a url at all",
    ],
)
def test_an_event_whose_url_is_not_its_guids_session_keeps_its_guid(url: str) -> None:
    (session_id, *_), _ = read_back(one_event("Salon", url))
    assert session_id == SESSION_GUID
