"""The public schedule exports over HTTP: /schedule.xml (frab / c3voc XSD),
/schedule.json (c3voc JSON schema), /schedule.ics; what every export answers (media
type, ETag and 304, gzip, caching). The change log and the directory:
tests/test_exports_changes.py."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from server.domain.exports.programme import ExportTooLarge, bounded
from server.domain.source_ids import guid_of, number_of
from server.services import ServiceUrls
from server.settings import Settings
from tests.conftest import People
from tests.databases import empty_database
from tests.exports_fair import (
    BOOKMARK,
    CANCEL,
    CSV_HEADER,
    MEDIA_TYPES,
    PATHS,
    UPDATE,
    atom_entries,
    cursor,
    exports_fair,
    fetch,
    http,
    ics_events,
    instant,
    json_errors,
    notice_seen,
    query,
    xml_errors,
    xml_events,
)
from tests.fair_data import demo_file, demo_sessions
from tests.offline_copy import OwnFair, app_on

PUBLIC_URL = "http://127.0.0.1:8000"
ETAG = re.compile(r'"[0-9]+(\.[0-9]+)?-[0-9a-f]{16}"')
LIVE_SESSIONS = "SELECT id FROM session WHERE status <> 'CANCELLED' ORDER BY id"
#: Talks in a room, untouched by the demo data's changes: each test takes its own.
TALKS = """SELECT id FROM session WHERE kind = 'CONFERENCE' AND room_id IS NOT NULL
    AND status = 'SCHEDULED' ORDER BY id OFFSET $1 LIMIT 1"""


@pytest.fixture(scope="module")
async def fair(settings: Settings, service_urls: ServiceUrls) -> AsyncIterator[OwnFair]:
    async for own in exports_fair(settings, service_urls):
        yield own


async def talk(fair: OwnFair, index: int) -> str:
    found: str = (await query(fair, TALKS, index))[0]["id"]
    return found


async def test_every_export_is_public_with_its_media_type_and_caching_headers(
    fair: OwnFair,
) -> None:
    for path in PATHS:
        # No Authorization header; any site's page may read them.
        response = await fetch(fair, path, Origin="https://elsewhere.example")
        assert (response.headers["content-type"], response.headers["cache-control"]) == (
            MEDIA_TYPES[path],
            "public, no-cache",
        ), path
        assert ETAG.fullmatch(response.headers["etag"]), response.headers["etag"]
        assert response.headers["access-control-allow-origin"] == "*"


async def test_an_unchanged_export_answers_304_however_if_none_match_lists_its_etag(
    fair: OwnFair,
) -> None:
    for path in PATHS:
        etag = (await fetch(fair, path)).headers["etag"]
        for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            response = await http(fair).get(path, headers={"If-None-Match": header})
            assert (response.status_code, response.content, response.headers["etag"]) == (
                304,
                b"",
                etag,
            ), (path, header)
            assert response.headers["cache-control"] == "public, no-cache"


async def test_other_or_malformed_validators_get_the_whole_export(fair: OwnFair) -> None:
    for path in PATHS:
        body = (await fetch(fair, path)).content
        for header in ('"1-0000000000000000"', "garbage", ",,,", "W/", "x" * 8000):
            response = await fetch(fair, path, **{"If-None-Match": header})
            assert response.content == body, (path, header[:20])


async def test_exports_are_gzipped_for_clients_that_ask(fair: OwnFair) -> None:
    for path in PATHS:
        plain = await fetch(fair, path)
        squeezed = await http(fair).get(path, headers={"Accept-Encoding": "gzip"})
        assert (
            squeezed.headers["content-encoding"],
            squeezed.headers["etag"],
            squeezed.content,  # httpx decompresses
        ) == ("gzip", plain.headers["etag"], plain.content), path
        assert "content-encoding" not in plain.headers
        assert "Accept-Encoding" in squeezed.headers["vary"]


async def test_head_is_answered_and_writes_are_refused(fair: OwnFair) -> None:
    for path in PATHS:
        head = await http(fair).head(path)
        assert (head.status_code, head.content, head.headers["content-type"]) == (
            200,
            b"",
            MEDIA_TYPES[path],
        )
        assert (await http(fair).post(path, content=b"<x/>")).status_code == 405
        assert (await http(fair).get(path + "x")).status_code == 404


async def test_schedule_xml_validates_and_holds_every_session_that_takes_place(
    fair: OwnFair,
) -> None:
    body = (await fetch(fair, "/schedule.xml")).content
    assert xml_errors(body) == []
    events = xml_events(body)
    live = [r["id"] for r in await query(fair, LIVE_SESSIONS)]
    assert sorted(events) == sorted(guid_of("session", s) for s in live)
    workshop = next(s for s in demo_sessions() if s["id"] == "ses-012")
    number = number_of("session", "ses-012")
    speakers = {p["id"]: p["name"] for p in demo_file("speakers.json")}
    words = "atelier-realiser-une-analyse-des-risques-machines-iso-12100"
    assert events[guid_of("session", "ses-012")] == {
        "id": str(number),
        "day": "2026-12-03",
        "room_name": "Atelier technique — Hall A",
        "date": "2026-12-03T15:00:00+00:00",  # Morocco is on UTC+00 (IANA 2026c)
        "start": "15:00",
        "duration": "01:30",
        "room": "Atelier technique — Hall A",
        "slug": f"sistep2026-{number}-{words}",
        "url": f"{PUBLIC_URL}/session/ses-012",
        "title": workshop["title_fr"],
        "subtitle": workshop["title_en"],
        "track": "Sécurité industrielle",
        "type": "workshop",
        "language": "fr",
        "abstract": workshop["abstract_fr"],
        "description": workshop["abstract_en"],
        "persons": [(str(number_of("speaker", p)), speakers[p]) for p in workshop["speakers"]],
        "links": [],
        "attachments": "",
    }


async def test_schedule_json_validates_and_says_what_the_xml_says(fair: OwnFair) -> None:
    document = (await fetch(fair, "/schedule.json")).json()
    assert json_errors(document) == []
    conference = document["schedule"]["conference"]
    days = conference["days"]
    assert [(d["index"], d["date"], d["day_start"], d["day_end"]) for d in days] == [
        (
            i + 1,
            f"2026-12-0{3 + i}",
            f"2026-12-0{3 + i}T00:00:00+00:00",
            f"2026-12-0{4 + i}T00:00:00+00:00",
        )
        for i in range(4)
    ]
    assert all(instant(d["day_start"]) < instant(d["day_end"]) for d in days)
    xml = xml_events((await fetch(fair, "/schedule.xml")).content)
    keys = ("id", "date", "start", "duration", "room", "slug", "url", "title", "subtitle")
    from_json = {
        e["guid"]: {k: str(e[k]) for k in keys}
        for day in days
        for room, listed in day["rooms"].items()
        for e in listed
        if e["room"] == room
    }
    assert from_json == {guid: {k: e[k] for k in keys} for guid, e in xml.items()}
    rooms = {r["name"]: r["guid"] for r in conference["rooms"]}
    assert rooms["Atelier technique — Hall A"] == guid_of("room", "room-atelier-a")
    assert {e["language"] for day in days for es in day["rooms"].values() for e in es} == {"fr"}


async def test_the_programme_calendar_has_every_session_with_its_uid_sequence_and_status(
    fair: OwnFair,
) -> None:
    rows = await query(
        fair,
        """SELECT s.id, s.version, s.status, s.starts_at, coalesce(r.name || ', ' || rh.name,
                  'Stand ' || b.code || ', ' || bh.name) AS location
             FROM session s
             LEFT JOIN room r ON r.id = s.room_id LEFT JOIN hall rh ON rh.id = r.hall_id
             LEFT JOIN booth b ON b.id = s.booth_id LEFT JOIN hall bh ON bh.id = b.hall_id""",
    )
    events = ics_events((await fetch(fair, "/schedule.ics")).content)
    assert {
        uid: (
            int(e["SEQUENCE"]),
            str(e["STATUS"]),
            e["DTSTART"].dt,
            str(e["LOCATION"]),
            str(e["URL"]),
        )
        for uid, e in events.items()
    } == {
        f"{r['id']}@sistep2026.salon.example": (
            r["version"],
            "CANCELLED" if r["status"] == "CANCELLED" else "CONFIRMED",
            r["starts_at"].astimezone(UTC),
            r["location"],
            f"{PUBLIC_URL}/session/{r['id']}",
        )
        for r in rows
    }


async def test_a_session_moved_by_the_organiser_changes_every_schedule_export(
    fair: OwnFair,
) -> None:
    organiser = await People(fair.dsn).make("ORGANISER")
    moved = await talk(fair, 0)
    await fair.gql.data(BOOKMARK, {"id": moved}, as_=organiser)  # to be told, live
    before = {path: (await fetch(fair, path)).headers["etag"] for path in PATHS[:3]}
    after_cursor = await cursor(fair)
    changed = await fair.gql.data(
        UPDATE, {"id": moved, "input": {"startsAt": "2026-12-05T19:30:00+00:00"}}, as_=organiser
    )
    for path, etag in before.items():
        response = await http(fair).get(path, headers={"If-None-Match": etag})
        assert (response.status_code, response.headers["etag"] == etag) == (200, False), path
    event = xml_events((await fetch(fair, "/schedule.xml")).content)[guid_of("session", moved)]
    assert (event["day"], event["date"], event["start"]) == (
        "2026-12-05",
        "2026-12-05T19:30:00+00:00",
        "19:30",
    )
    calendar = ics_events((await fetch(fair, "/schedule.ics")).content)
    vevent = calendar[f"{moved}@sistep2026.salon.example"]
    assert (int(vevent["SEQUENCE"]), vevent["DTSTART"].dt) == (
        changed["updateSession"]["version"],
        datetime(2026, 12, 5, 19, 30, tzinfo=UTC),
    )
    notice = await notice_seen(fair, organiser, after_cursor, "SESSION_CHANGED", moved)
    entries = atom_entries((await fetch(fair, "/changes.atom")).content)
    assert [e for e in entries if e["link"] == f"{PUBLIC_URL}/session/{moved}"] == [
        {
            "id": f"tag:sistep2026.salon.example,2026:notice/{notice['id']}",
            "title": notice["title"],
            "summary": notice["body"],
            "category": "SESSION_CHANGED",
            "link": f"{PUBLIC_URL}/session/{moved}",
        }
    ]


async def test_a_cancelled_session_is_cancelled_in_the_calendar_and_listed_in_the_log(
    fair: OwnFair,
) -> None:
    organiser = await People(fair.dsn).make("ORGANISER")
    cancelled = await talk(fair, 1)
    await fair.gql.data(BOOKMARK, {"id": cancelled}, as_=organiser)
    after_cursor = await cursor(fair)
    reason = "Intervenant retenu à l'aéroport"
    await fair.gql.data(CANCEL, {"id": cancelled, "reason": reason}, as_=organiser)
    vevent = ics_events((await fetch(fair, "/schedule.ics")).content)[
        f"{cancelled}@sistep2026.salon.example"
    ]
    assert str(vevent["STATUS"]) == "CANCELLED"
    # frab has no status: a schedule lists what takes place.
    assert guid_of("session", cancelled) not in xml_events(
        (await fetch(fair, "/schedule.xml")).content
    )
    notice = await notice_seen(fair, organiser, after_cursor, "SESSION_CANCELLED", cancelled)
    entries = atom_entries((await fetch(fair, "/changes.atom")).content)
    listed = [e for e in entries if e["link"] == f"{PUBLIC_URL}/session/{cancelled}"]
    assert [(e["category"], e["title"], e["summary"]) for e in listed] == [
        ("SESSION_CANCELLED", notice["title"], notice["body"])
    ]
    assert notice["body"].endswith(reason)


async def test_titles_with_markup_quotes_emoji_and_control_characters_stay_valid(
    fair: OwnFair,
) -> None:
    organiser = await People(fair.dsn).make("ORGANISER")
    hostile = await talk(fair, 2)
    title = '<b>Tom & "Jerry" l\'a dit</b> ]]> 😀 \x07bell\x1b[0m'
    shown = '<b>Tom & "Jerry" l\'a dit</b> ]]> 😀 bell[0m'  # no C0 controls in XML/ICS
    await fair.gql.data(UPDATE, {"id": hostile, "input": {"title": title}}, as_=organiser)
    emoji_only = await talk(fair, 3)
    await fair.gql.data(UPDATE, {"id": emoji_only, "input": {"title": "🤖🏭"}}, as_=organiser)
    await query(
        fair,
        "UPDATE session SET abstract_fr = $2 WHERE id = $1",
        hostile,
        "ligne 1\r\nligne 2\tsuite\x0bfin &amp; <!-- -->",
    )
    xml_body = (await fetch(fair, "/schedule.xml")).content
    assert xml_errors(xml_body) == []
    event = xml_events(xml_body)[guid_of("session", hostile)]
    assert (event["title"], event["abstract"]) == (
        shown,
        "ligne 1\nligne 2\tsuitefin &amp; <!-- -->",
    )
    robot = xml_events(xml_body)[guid_of("session", emoji_only)]
    assert robot["slug"] == f"sistep2026-{number_of('session', emoji_only)}"
    document = json.loads((await fetch(fair, "/schedule.json")).content)
    assert json_errors(document) == []
    by_guid = {
        e["guid"]: e
        for day in document["schedule"]["conference"]["days"]
        for listed in day["rooms"].values()
        for e in listed
    }
    assert by_guid[guid_of("session", hostile)]["title"] == title  # JSON escapes, keeps all
    vevent = ics_events((await fetch(fair, "/schedule.ics")).content)[
        f"{hostile}@sistep2026.salon.example"
    ]
    assert str(vevent["SUMMARY"]) == shown
    assert str(vevent["DESCRIPTION"]).startswith("ligne 1\nligne 2\tsuitefin &amp; <!-- -->")


async def test_the_same_agenda_gives_the_same_bytes_and_etag_in_another_process(
    fair: OwnFair, settings: Settings
) -> None:
    first = {path: await fetch(fair, path) for path in PATHS}
    other = replace(settings, redis_namespace=f"{settings.redis_namespace}-exports-2")
    async with app_on(other, fair.dsn) as second:
        for path, answer in first.items():
            again = await fetch(second, path)
            assert (again.headers["etag"], again.content) == (
                answer.headers["etag"],
                answer.content,
            ), path


async def test_a_burst_of_requests_after_a_change_reads_and_renders_once(fair: OwnFair) -> None:
    counter = fair.live.runtime.statements
    assert counter is not None

    async def statements_for(requests: int) -> int:
        await query(fair, "UPDATE event SET address = address")  # a new agenda version
        before = counter.count
        answers = await asyncio.gather(*(fetch(fair, "/schedule.xml") for _ in range(requests)))
        assert len({a.headers["etag"] for a in answers}) == 1
        return counter.count - before

    alone = await statements_for(1)
    # Each request past the first costs one statement: the version it is keyed by.
    assert await statements_for(10) == alone + 9


async def test_before_a_fair_is_loaded_the_exports_say_so_and_the_directory_is_empty(
    settings: Settings, service_urls: ServiceUrls
) -> None:
    async with empty_database(service_urls, "salon_exports_empty") as dsn:
        own = replace(settings, redis_namespace=f"{settings.redis_namespace}-exports-empty")
        async with app_on(own, dsn) as empty:
            for path in PATHS[:4]:
                response = await http(empty).get(path)
                assert (response.status_code, response.text) == (
                    404,
                    "No fair is loaded yet: run `salon demo`.",
                ), path
            directory = await fetch(empty, "/exhibitors.csv")
            assert directory.content == ("\ufeff" + CSV_HEADER).encode()


def test_an_export_past_its_bounds_refuses_in_both_languages() -> None:
    assert bounded([1, 2], 2, "sessions") == [1, 2]
    with pytest.raises(ExportTooLarge) as refused:
        bounded([1, 2, 3], 2, "sessions")
    assert (refused.value.fr, refused.value.en) == (
        "Le salon compte plus de 2 sessions : cet export ne les contient pas.",
        "The fair has more than 2 sessions: this export cannot hold them.",
    )
