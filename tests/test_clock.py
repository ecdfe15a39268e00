"""The fair's clock: zones only from the pinned tzdata package, fair times as the halls'
clocks read them, every DateTime out with the offset Casablanca has by current rules.

Morocco moved to permanent UTC+00 on 2026-09-20 (IANA 2026c); this machine's own zone
database is older and still says UTC+01, so a test that passes here proves the host's
data is not what Salon reads.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import zoneinfo
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

from server.clock import (
    TZDATA_VERSION,
    UnknownZone,
    day_span,
    from_wall_clock,
    in_fair_time,
    parse_instant,
    zone,
)
from server.services import ServiceUrls
from tests.conftest import GraphQLClient, LiveServer, People, Person
from tests.fair_data import demo_sessions
from tests.processes import ROOT, serving

CASABLANCA = "Africa/Casablanca"
SESSIONS = """query($day: Date) { sessions(filter: {day: $day}, first: 200) {
  nodes { id startsAt endsAt version } } }"""
UPDATE = """mutation($id: ID!, $input: SessionChangeInput!) {
  updateSession(id: $id, input: $input) { id startsAt endsAt } }"""
BOOKMARK = "mutation($id: ID!) { bookmarkSession(sessionId: $id) { id } }"
MOVED = """subscription($after: ID) { notices(after: $after) {
  id kind createdAt body(lang: FR) session { id startsAt endsAt } } }"""


async def served_sessions(gql_http: GraphQLClient, day: str | None = None) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = (await gql_http.data(SESSIONS, {"day": day}))["sessions"]["nodes"]
    return nodes


# --- the programme keeps its printed hours ---------------------------------------------


async def test_every_session_keeps_its_printed_hour_and_says_plus_zero_in_december(
    gql_http: GraphQLClient,
) -> None:
    printed = {s["id"]: s for s in demo_sessions()}
    untouched = [
        s for s in await served_sessions(gql_http) if s["id"] in printed and s["version"] == 1
    ]
    assert len(untouched) > 100  # other tests may have moved a few
    # The data file gives wall-clock times; the API gives them back with UTC+00.
    assert [(s["startsAt"], s["endsAt"]) for s in untouched] == [
        (f"{printed[s['id']]['starts_at']}:00+00:00", f"{printed[s['id']]['ends_at']}:00+00:00")
        for s in untouched
    ]


def test_the_programme_is_written_as_the_halls_clocks_read_within_opening_hours() -> None:
    walls = [
        (datetime.fromisoformat(s["starts_at"]), datetime.fromisoformat(s["ends_at"]))
        for s in demo_sessions()
    ]
    assert all(start.tzinfo is None and end.tzinfo is None for start, end in walls)
    assert all(time(9) <= start.time() < end.time() <= time(18, 30) for start, end in walls)


async def test_the_first_session_of_the_fair_is_at_half_past_nine(
    gql_http: GraphQLClient,
) -> None:
    first = (await served_sessions(gql_http, "2026-12-03"))[0]
    assert first["startsAt"] == "2026-12-03T09:30:00+00:00"


# --- offsets come from the zone data, not from a constant ------------------------------


async def insert_session(
    db: asyncpg.Connection[Any], prefix: str, starts: datetime, room: str | None = None
) -> str:
    """A one-hour talk written straight into the database (no API bounds its time)."""
    session_id = f"{prefix}-{secrets.token_hex(3)}"
    await db.execute(
        """INSERT INTO session (id, kind, title_fr, starts_at, ends_at, room_id)
           VALUES ($1, 'CONFERENCE', 'Séance de test', $2, $3, $4)""",
        session_id,
        starts,
        starts + timedelta(hours=1),
        room,
    )
    return session_id


async def delete_sessions(db: asyncpg.Connection[Any], ids: list[str]) -> None:
    await db.execute("DELETE FROM notice WHERE session_id = any($1::text[])", ids)
    await db.execute("DELETE FROM session WHERE id = any($1::text[])", ids)


@pytest.fixture
async def sessions_around_the_change(db: asyncpg.Connection[Any]) -> AsyncIterator[list[str]]:
    """The day before Morocco's change to UTC+00 and the day after, both at 10:00 UTC."""
    ids = [
        await insert_session(db, "ses-tz", datetime(2026, 9, day, 10, tzinfo=UTC))
        for day in (19, 21)
    ]
    yield ids
    await delete_sessions(db, ids)


async def test_the_offset_follows_moroccos_change_of_rules(
    gql_http: GraphQLClient, sessions_around_the_change: list[str]
) -> None:
    before, after = sessions_around_the_change
    data = await gql_http.data(
        """query($a: ID!, $b: ID!) {
             a: session(id: $a) { startsAt } b: session(id: $b) { startsAt } }""",
        {"a": before, "b": after},
    )
    assert data == {
        "a": {"startsAt": "2026-09-19T11:00:00+01:00"},
        "b": {"startsAt": "2026-09-21T10:00:00+00:00"},
    }


@pytest.fixture
async def late_session(db: asyncpg.Connection[Any]) -> AsyncIterator[str]:
    """At 23:30 on 3 December, fair time (23:30 UTC): a zone database that still says
    UTC+01 would file it under 4 December."""
    session_id = await insert_session(db, "ses-late", datetime(2026, 12, 3, 23, 30, tzinfo=UTC))
    yield session_id
    await delete_sessions(db, [session_id])


async def test_a_day_runs_midnight_to_midnight_on_the_fair_s_clocks(
    gql_http: GraphQLClient, late_session: str
) -> None:
    third = [s["id"] for s in await served_sessions(gql_http, "2026-12-03")]
    fourth = [s["id"] for s in await served_sessions(gql_http, "2026-12-04")]
    assert (third[-1], late_session in fourth) == (late_session, False)


async def test_days_at_the_ends_of_the_calendar_get_a_clear_answer(gql_http: GraphQLClient) -> None:
    # 31 December 9999 has no next midnight to end it.
    assert await gql_http.error_codes(SESSIONS, {"day": "9999-12-31"}) == ["BAD_USER_INPUT"]
    assert await served_sessions(gql_http, "0001-01-01") == []


# --- instants in, the same instants out, in fair time ----------------------------------


@pytest.fixture
async def organiser(people: People) -> Person:
    return await people.make("ORGANISER")


@pytest.fixture
async def evening_talk(db: asyncpg.Connection[Any]) -> AsyncIterator[str]:
    """A talk of the test's own in a room, after closing time on the last day (the
    demo's talks stay as the data file has them)."""
    room = await db.fetchval("SELECT id FROM room ORDER BY id LIMIT 1")
    session_id = await insert_session(
        db, "ses-evening", datetime(2026, 12, 6, 19, tzinfo=UTC), room
    )
    yield session_id
    await delete_sessions(db, [session_id])


@pytest.mark.usefixtures("worker")
async def test_an_instant_sent_in_plus_one_comes_back_and_is_told_in_fair_time(
    live: LiveServer,
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    people: People,
    organiser: Person,
    evening_talk: str,
) -> None:
    talk = evening_talk
    bookmarker = await people.make()
    await gql_http.data(BOOKMARK, {"id": talk}, as_=bookmarker)
    cursor = str(await db.fetchval("SELECT coalesce(max(seq), 0) FROM notice"))
    # 21:00 at UTC+01 is 20:00 on the fair's clocks.
    change = {"startsAt": "2026-12-06T21:00:00+01:00", "endsAt": "2026-12-06T21:45:00+01:00"}
    moved = await gql_http.data(UPDATE, {"id": talk, "input": change}, as_=organiser)
    assert moved["updateSession"] == {
        "id": talk,
        "startsAt": "2026-12-06T20:00:00+00:00",
        "endsAt": "2026-12-06T20:45:00+00:00",
    }
    # The attendee's phone hears of it through a real graphql-transport-ws client.
    transport = WebsocketsTransport(
        url=live.ws_url,
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        init_payload={"authorization": f"Bearer {bookmarker.token}"},
    )
    async with Client(transport=transport) as session:
        request = gql(MOVED)
        request.variable_values = {"after": cursor}
        stream = session.subscribe(request)
        notice = (await asyncio.wait_for(anext(stream), 10))["notices"]
        await stream.aclose()
    assert (notice["kind"], notice["session"], notice["body"]) == (
        "SESSION_CHANGED",
        {
            "id": talk,
            "startsAt": "2026-12-06T20:00:00+00:00",
            "endsAt": "2026-12-06T20:45:00+00:00",
        },
        "désormais dimanche 6 décembre, 20:00–20:45",
    )
    assert datetime.fromisoformat(notice["createdAt"]).utcoffset() == timedelta(0)


# --- the host's zone database is never read --------------------------------------------


def lying_zone_database(folder: Path) -> Path:
    """A zone folder whose Africa/Casablanca is really Asia/Tokyo (UTC+09)."""
    tokyo = resources.files("tzdata.zoneinfo").joinpath("Asia", "Tokyo").read_bytes()
    (folder / "Africa").mkdir(parents=True)
    (folder / "Africa" / "Casablanca").write_bytes(tokyo)
    return folder


async def test_a_server_given_a_lying_host_zone_database_answers_the_same(
    gql_http: GraphQLClient, database_url: str, service_urls: ServiceUrls, tmp_path: Path
) -> None:
    lies = lying_zone_database(tmp_path / "zoneinfo")
    with (lies / "Africa" / "Casablanca").open("rb") as data:
        liar = zoneinfo.ZoneInfo.from_file(data, key=CASABLANCA)
    assert liar.utcoffset(datetime(2026, 12, 3)) == timedelta(hours=9)  # it does lie

    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    env |= {
        "PYTHONTZPATH": str(lies),
        "TZ": "Asia/Tokyo",
        "DATABASE_URL": database_url,
        "REDIS_URL": service_urls.redis_url,
        "SALON_REDIS_NAMESPACE": f"salon-tz-{secrets.token_hex(3)}",
        "SALON_LOG_LEVEL": "INFO",
    }
    async with (
        serving(env, tmp_path, "liar") as (url, server),
        httpx.AsyncClient(base_url=url, timeout=10) as client,
    ):
        answer = await client.post("/graphql", json={"query": SESSIONS})
        health = await client.get("/healthz")
    assert answer.json()["data"]["sessions"]["nodes"] == await served_sessions(gql_http)
    assert health.json() == {"status": "ok", "tzdata": TZDATA_VERSION}
    started = [
        json.loads(line)
        for line in server.log.read_text().splitlines()
        if line.startswith("{") and '"server started"' in line
    ]
    assert [(s["tzdata"], s["zone"]) for s in started] == [(TZDATA_VERSION, CASABLANCA)]


def test_no_module_makes_a_zone_or_asks_postgresql_for_one_but_the_clock() -> None:
    offenders = []
    for folder in ("server", "schema", "workers", "bench", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name in {"clock.py", "test_clock.py"}:
                continue
            text = path.read_text(encoding="utf-8")
            if re.search(r"ZoneInfo\(|\bAT TIME ZONE\b|import zoneinfo|from zoneinfo", text):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# --- the zone data itself --------------------------------------------------------------


async def test_metrics_and_health_name_the_zone_data(http: httpx.AsyncClient) -> None:
    import tzdata

    assert TZDATA_VERSION == tzdata.IANA_VERSION >= "2026c"
    lines = (await http.get("/metrics")).text.splitlines()
    assert [line for line in lines if line.startswith("salon_tzdata_info")] == [
        f'salon_tzdata_info{{version="{TZDATA_VERSION}"}} 1.0'
    ]
    assert (await http.get("/healthz")).json()["tzdata"] == TZDATA_VERSION


def test_zones_come_from_the_package_by_name_only() -> None:
    assert zone(CASABLANCA).key == CASABLANCA
    for name in ("../../etc/passwd", "Africa/Atlantis", "", "Africa//Casablanca", "Africa/\0"):
        with pytest.raises(UnknownZone):
            zone(name)


def test_wall_clock_times_become_instants_by_current_rules() -> None:
    # Before and after the change of 2026-09-20, and on a fair day.
    assert from_wall_clock(datetime(2026, 9, 19, 10)) == datetime(2026, 9, 19, 9, tzinfo=UTC)
    assert from_wall_clock(datetime(2026, 12, 3, 9, 30)) == datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
    # Clocks went back from 02:00 to 01:00 that night: 01:30 came twice; the first counts.
    assert from_wall_clock(datetime(2026, 9, 20, 1, 30)) == datetime(2026, 9, 20, 0, 30, tzinfo=UTC)
    # After Ramadan 2026 clocks jumped from 02:00 to 03:00: 02:30 never happened.
    with pytest.raises(ValueError, match="does not exist"):
        from_wall_clock(datetime(2026, 3, 22, 2, 30))
    # An explicit offset is an instant and is kept; without one it is fair time.
    assert parse_instant("2026-12-03T11:00:00+01:00") == datetime(2026, 12, 3, 10, tzinfo=UTC)
    assert parse_instant("2026-12-03T11:00") == datetime(2026, 12, 3, 11, tzinfo=UTC)
    assert in_fair_time(datetime(2026, 12, 3, 10, tzinfo=UTC)).isoformat() == (
        "2026-12-03T10:00:00+00:00"
    )
    assert day_span(datetime(2026, 9, 20).date()) == (
        datetime(2026, 9, 19, 23, tzinfo=UTC),
        datetime(2026, 9, 21, 0, tzinfo=UTC),
    )
