"""`salon demo` seeds SISTEP INDUSTRIEL 2026: only what is missing, never over a change."""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import secrets
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from server.clock import in_fair_time
from server.db.pool import connect
from server.domain.demo import demo_people, load_fair
from server.domain.meetings.capabilities import terms_of
from server.services import ServiceUrls, drop_database, ensure_database
from tests.conftest import GraphQLClient, People
from tests.databases import fair_database
from tests.fair_data import demo_file, demo_sessions
from tests.processes import ROOT, Process, spawn

TABLES = [
    "event",
    "sector",
    "track",
    "hall",
    "room",
    "exhibitor",
    "booth",
    "poi",
    "walkway_node",
    "walkway_edge",
    "speaker",
    "session",
    "session_speaker",
]


async def snapshot(db: asyncpg.Connection[Any]) -> dict[str, list[tuple[Any, ...]]]:
    return {
        t: [tuple(r) for r in await db.fetch(f"SELECT * FROM {t} ORDER BY 1, 2")] for t in TABLES
    }


B2B = ["meeting_day", "meeting_table", "business_profile", "meeting"]
NOTHING = dict.fromkeys([*TABLES, "person", *B2B], 0)


async def test_reloading_the_demo_changes_nothing(db: asyncpg.Connection[Any]) -> None:
    before = await snapshot(db)
    inserted = await load_fair(db)
    assert await snapshot(db) == before
    assert inserted == NOTHING


async def test_reloading_adds_what_is_missing_and_keeps_what_was_changed(
    db: asyncpg.Connection[Any],
) -> None:
    """In a transaction rolled back at the end: the shared database stays as it was."""
    transaction = db.transaction()
    await transaction.start()
    try:
        original = await snapshot(db)
        # Rows gone (an operator's mistake), rows changed (an operator's fix).
        await db.execute("DELETE FROM poi WHERE id = (SELECT min(id) FROM poi)")
        await db.execute(
            """DELETE FROM session_speaker WHERE (session_id, speaker_id) =
                 (SELECT session_id, speaker_id FROM session_speaker ORDER BY 1, 2 LIMIT 1)"""
        )
        await db.execute(
            "UPDATE exhibitor SET name = 'Renommé' WHERE id = (SELECT min(id) FROM exhibitor)"
        )
        organiser = next(p for p in demo_people() if "ORGANISER" in p.roles)
        await db.execute(
            "UPDATE person SET name = 'Renommée' WHERE email = $1", organiser.email.lower()
        )
        changed = await snapshot(db)
        account = dict(
            await db.fetchrow("SELECT * FROM person WHERE email = $1", organiser.email.lower())
        )

        assert await load_fair(db) == NOTHING | {"poi": 1, "session_speaker": 1}
        after = await snapshot(db)
        assert {t: after[t] for t in ("poi", "session_speaker")} == {
            t: original[t] for t in ("poi", "session_speaker")
        }
        assert {t: rows for t, rows in after.items() if t not in ("poi", "session_speaker")} == {
            t: rows for t, rows in changed.items() if t not in ("poi", "session_speaker")
        }
        assert (
            dict(await db.fetchrow("SELECT * FROM person WHERE email = $1", account["email"]))
            == account
        )
    finally:
        await transaction.rollback()


async def test_demo_people_hold_every_role(db: asyncpg.Connection[Any]) -> None:
    rows = await db.fetch(
        """SELECT r.role, count(*) AS n, count(p.badge_code) AS badges,
                  count(p.speaker_id) AS speakers, count(p.exhibitor_id) AS staff
             FROM person p JOIN person_role r ON r.person_id = p.id
            WHERE p.email NOT LIKE '%@test.example' GROUP BY r.role ORDER BY r.role"""
    )
    # (people, badges, linked speakers, exhibitor staff) per role: every attendee has a
    # badge, every speaker and exhibitor account its link, one organiser.
    assert {r["role"]: (r["n"], r["badges"], r["speakers"], r["staff"]) for r in rows} == {
        "ATTENDEE": (86, 86, 3, 52),
        "EXHIBITOR": (52, 52, 0, 52),
        "ORGANISER": (1, 1, 0, 0),
        "SPEAKER": (3, 3, 3, 0),
    }


async def test_demo_fair_is_consistent(db: asyncpg.Connection[Any]) -> None:
    countries = {e["country"] for e in demo_file("exhibitors.json")}
    distinct = await db.fetchval("SELECT count(DISTINCT country) FROM exhibitor")
    assert (distinct, len(countries)) == (15, 15)
    # demos stand at a booth of their own exhibitor, talks in a room
    assert (
        await db.fetchval(
            """SELECT count(*) FROM session s LEFT JOIN booth b ON b.id = s.booth_id
            WHERE s.kind = 'DEMO' AND (b.exhibitor_id IS DISTINCT FROM s.exhibitor_id
                                       OR s.room_id IS NOT NULL)"""
        )
        == 0
    )
    assert (
        await db.fetchval("SELECT count(*) FROM session WHERE kind <> 'DEMO' AND room_id IS NULL")
        == 0
    )
    # no two talks in one room at once
    assert (
        await db.fetchval(
            """SELECT count(*) FROM session a JOIN session b
             ON a.room_id = b.room_id AND a.id < b.id
            AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"""
        )
        == 0
    )
    # every walkway edge joins known places
    assert (
        await db.fetchval(
            """SELECT count(*) FROM walkway_edge e WHERE NOT EXISTS (
             SELECT 1 FROM (SELECT id FROM walkway_node UNION ALL SELECT id FROM booth
                            UNION ALL SELECT id FROM room UNION ALL SELECT id FROM poi) p
              WHERE p.id = e.a) OR NOT EXISTS (
             SELECT 1 FROM (SELECT id FROM walkway_node UNION ALL SELECT id FROM booth
                            UNION ALL SELECT id FROM room UNION ALL SELECT id FROM poi) p
              WHERE p.id = e.b)"""
        )
        == 0
    )
    # all within the fair, on the fair's clocks (never PostgreSQL's own zone data)
    starts = [in_fair_time(r["starts_at"]) for r in await db.fetch("SELECT starts_at FROM session")]
    assert {s.date().isoformat() for s in starts} == {
        "2026-12-03",
        "2026-12-04",
        "2026-12-05",
        "2026-12-06",
    }


# --- a restart never undoes an organiser's change ----------------------------------------

UPDATE = """mutation($id: ID!, $input: SessionChangeInput!) {
  updateSession(id: $id, input: $input) { id title startsAt endsAt status version } }"""
SESSION = "query($id: ID!) { session(id: $id) { id title startsAt endsAt status version } }"


def salon_env(database_url: str, service_urls: ServiceUrls) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    return env | {
        "DATABASE_URL": database_url,
        "REDIS_URL": service_urls.redis_url,
        "SALON_LOG_LEVEL": "INFO",
    }


async def salon(name: str, args: list[str], env: dict[str, str], folder: Path) -> Process:
    """`salon ARGS…` run to its end (output in FOLDER/NAME.log); it must succeed."""
    done = await spawn(name, args, env, folder)
    assert await asyncio.wait_for(done.process.wait(), 120) == 0, done.output()
    return done


@pytest.fixture
async def untouched_talk(db: asyncpg.Connection[Any]) -> AsyncIterator[dict[str, Any]]:
    """A talk of the demo file as loaded, that nobody follows; put back afterwards."""
    row = dict(
        await db.fetchrow(
            """SELECT * FROM session s
                WHERE s.kind = 'CONFERENCE' AND s.version = 1 AND s.room_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM bookmark b WHERE b.session_id = s.id)
                  AND NOT EXISTS (SELECT 1 FROM registration r WHERE r.session_id = s.id)
                  AND NOT EXISTS (SELECT 1 FROM notice n WHERE n.session_id = s.id)
                ORDER BY s.starts_at, s.id LIMIT 1"""
        )
    )
    yield row
    await db.execute("DELETE FROM notice WHERE session_id = $1", row["id"])
    await db.execute(
        """UPDATE session SET starts_at = $2, ends_at = $3, title_fr = $4, status = $5,
                              version = $6, updated_at = $7 WHERE id = $1""",
        row["id"],
        row["starts_at"],
        row["ends_at"],
        row["title_fr"],
        row["status"],
        row["version"],
        row["updated_at"],
    )


@pytest.mark.usefixtures("worker")
async def test_loading_the_demo_again_keeps_an_organisers_move_and_rename(
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    people: People,
    database_url: str,
    service_urls: ServiceUrls,
    untouched_talk: dict[str, Any],
    tmp_path: Path,
) -> None:
    talk = untouched_talk["id"]
    organiser = await people.make("ORGANISER")
    change = {
        "startsAt": "2026-12-06T22:00:00+00:00",
        "endsAt": "2026-12-06T22:30:00+00:00",
        "title": "Déplacée et renommée",
        "note": "Nouvel horaire",
    }
    moved = await gql_http.data(UPDATE, {"id": talk, "input": change}, as_=organiser)
    expected = {
        "id": talk,
        "title": "Déplacée et renommée",
        "startsAt": "2026-12-06T22:00:00+00:00",
        "endsAt": "2026-12-06T22:30:00+00:00",
        "status": "CHANGED",
        "version": 2,
    }
    assert moved == {"updateSession": expected}
    row = dict(await db.fetchrow("SELECT * FROM session WHERE id = $1", talk))
    notices = await db.fetchval("SELECT count(*) FROM notice")

    async def kept() -> None:
        assert dict(await db.fetchrow("SELECT * FROM session WHERE id = $1", talk)) == row
        assert await db.fetchval("SELECT count(*) FROM notice") == notices
        assert await gql_http.data(SESSION, {"id": talk}) == {"session": expected}

    # What `salon demo` calls, then `salon demo` itself, then what `make run` runs.
    inserted = await load_fair(db)
    await kept()
    assert inserted == NOTHING
    env = salon_env(database_url, service_urls)
    await salon("demo", ["demo"], env, tmp_path)
    await kept()
    await salon("demo-if-empty", ["demo", "--if-empty"], env, tmp_path)
    await kept()


async def test_demo_if_empty_loads_an_empty_database_only(
    service_urls: ServiceUrls, tmp_path: Path
) -> None:
    name = f"salon_test_empty_{os.getpid()}_{secrets.token_hex(3)}"
    dsn = await ensure_database(service_urls, name)
    env = salon_env(dsn, service_urls)
    try:
        first = await salon("first", ["demo", "--if-empty"], env, tmp_path)
        conn = await connect(dsn)
        try:
            loaded = (
                await conn.fetchval("SELECT count(*) FROM session"),
                await conn.fetchval("SELECT count(*) FROM person"),
            )
            await conn.execute(
                "UPDATE session SET title_fr = 'Changée', updated_at = $1 WHERE id = 'ses-001'",
                datetime(2026, 12, 1, tzinfo=UTC),
            )
            changed = await snapshot(conn)
            second = await salon("second", ["demo", "--if-empty"], env, tmp_path)
            assert await snapshot(conn) == changed
        finally:
            await conn.close()
    finally:
        await drop_database(service_urls, name)
    assert loaded == (len(demo_sessions()), len(demo_people()))
    assert '"demo fair SISTEP INDUSTRIEL 2026 seeded"' in first.output()
    assert '"the database holds a fair already: demo not loaded (--if-empty)"' in second.output()


def test_make_run_loads_the_demo_only_into_an_empty_database() -> None:
    recipe = subprocess.run(
        ["make", "--dry-run", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert [line for line in recipe if "salon demo" in line] == [".venv/bin/salon demo --if-empty"]


# --- B2B meetings: the plan, business profiles, meetings already booked -------------------

MEETINGS = demo_file("meetings.json")
PROFILES = demo_file("business_profiles.json")
#: The Salon d'affaires B2B (room-b2b), where the B2B area and its tables are.
B2B_ROOM = next(r for r in demo_file("venue.json")["rooms"] if r["id"] == "room-b2b")


@pytest.fixture(scope="module")
async def b2b_db(service_urls: ServiceUrls) -> AsyncIterator[asyncpg.Connection[Any]]:
    """The demo as `salon demo` loads it into a database of its own (other tests book
    meetings and change the plan in the shared one)."""
    async with fair_database(service_urls, "salon_demo_b2b") as dsn:
        conn = await connect(dsn)
        yield conn
        await conn.close()


async def test_the_demo_has_its_meeting_plan(b2b_db: asyncpg.Connection[Any]) -> None:
    assert tuple(
        await b2b_db.fetchrow("SELECT slot_minutes, requests_per_day FROM meeting_plan")
    ) == (
        30,
        20,
    )
    days = [tuple(r) for r in await b2b_db.fetch("SELECT * FROM meeting_day ORDER BY day")]
    # Casablanca is on UTC+00 since 2026-09-20: 10:00-17:30 on the halls' clocks.
    assert days == [
        (
            date(2026, 12, d),
            datetime(2026, 12, d, 10, tzinfo=UTC),
            datetime(2026, 12, d, 17, 30, tzinfo=UTC),
        )
        for d in (3, 4, 5)
    ]
    assert {in_fair_time(d[1]).time().isoformat() for d in days} == {"10:00:00"}
    tables = await b2b_db.fetch("SELECT * FROM meeting_table ORDER BY number")
    count = MEETINGS["plan"]["table_count"]
    assert [t["number"] for t in tables] == list(range(1, count + 1))
    assert [t["id"] for t in tables] == [f"table-{n:02d}" for n in range(1, count + 1)]
    area = await b2b_db.fetchrow("SELECT hall_id, x, y FROM poi WHERE kind = 'B2B_AREA'")
    assert area["hall_id"] == "hall-b"
    assert {t["hall_id"] for t in tables} == {"hall-b"}
    # Inside the room, at least a metre from its walls, 3 m apart, around the B2B area.
    ring = B2B_ROOM["outline"]
    west, east = min(p[0] for p in ring), max(p[0] for p in ring)
    south, north = min(p[1] for p in ring), max(p[1] for p in ring)
    for t in tables:
        assert west + 1 <= t["x"] <= east - 1, dict(t)
        assert south + 1 <= t["y"] <= north - 1, dict(t)
        assert math.dist((t["x"], t["y"]), (area["x"], area["y"])) < 10
    assert min(
        math.dist((a["x"], a["y"]), (b["x"], b["y"])) for a, b in itertools.combinations(tables, 2)
    ) == pytest.approx(3.0)
    # Set as an organiser sets it: the domain's audit line, in the demo organiser's name.
    organiser = next(p for p in demo_people() if "ORGANISER" in p.roles)
    audit = await b2b_db.fetch(
        """SELECT p.email, a.details FROM audit_log a JOIN person p ON p.id = a.actor_id
            WHERE a.action = 'meetings.plan'"""
    )
    assert [(r["email"], r["details"]["tables"]) for r in audit] == [(organiser.email, count)]


async def test_the_demo_has_about_eighty_profiles_of_staff_and_buyers(
    b2b_db: asyncpg.Connection[Any],
) -> None:
    rows = await b2b_db.fetch(
        """SELECT b.*, p.email, p.exhibitor_id AS staff_of, e.name AS exhibitor_name,
                  e.country AS exhibitor_country
             FROM business_profile b JOIN person p ON p.id = b.person_id
             LEFT JOIN exhibitor e ON e.id = b.exhibitor_id"""
    )
    assert len(rows) == len(PROFILES) == 83
    written = {p["person"]: p for p in PROFILES}
    assert {r["email"] for r in rows} == set(written)
    staff = [r for r in rows if r["exhibitor_id"] is not None]
    assert len(staff) == 52
    for row in staff:  # an exhibitor's staff speak for their stand, as it is listed
        assert row["exhibitor_id"] == row["staff_of"]
        assert (row["company"], row["country"]) == (row["exhibitor_name"], row["exhibitor_country"])
    buyers = [r for r in rows if r["exhibitor_id"] is None]
    assert len(buyers) == 31
    assert len({r["country"] for r in buyers}) >= 10
    sectors = {r["id"] for r in await b2b_db.fetch("SELECT id FROM sector")}
    for row in rows:
        given = written[row["email"]]
        assert (row["offers"], row["needs"]) == (given["offers"], given["needs"])
        # The capabilities matching compares, as saveBusinessProfile computes them.
        assert row["offer_terms"] == terms_of(given["offers"])
        assert row["need_terms"] == terms_of(given["needs"])
        assert set(row["sectors"]) <= sectors
        assert row["summary"]
    closed = sorted(r["company"] for r in rows if not r["open_to_meetings"])
    assert len(closed) == 3


async def test_the_demo_meetings_are_all_booked_in_slots_and_tables_of_the_plan(
    b2b_db: asyncpg.Connection[Any],
) -> None:
    rows = await b2b_db.fetch(
        """SELECT lower(m.during) AS starts_at, upper(m.during) AS ends_at, m.status,
                  m.table_id, m.message, r.email AS requester, i.email AS invitee,
                  rb.company_key <> ib.company_key AS two_companies, ib.open_to_meetings,
                  d.opens_at, d.closes_at
             FROM meeting m
             JOIN business_profile rb ON rb.id = m.requester_id
             JOIN business_profile ib ON ib.id = m.invitee_id
             JOIN person r ON r.id = rb.person_id JOIN person i ON i.id = ib.person_id
             LEFT JOIN meeting_day d ON m.during <@ tstzrange(d.opens_at, d.closes_at)"""
    )
    loaded = {
        (r["requester"], r["invitee"], in_fair_time(r["starts_at"]).strftime("%Y-%m-%dT%H:%M"))
        for r in rows
    }
    written = [(m["requester"], m["invitee"], m["starts_at"]) for m in MEETINGS["meetings"]]
    assert loaded == set(written)
    assert len(rows) == len(written) >= 15
    statuses = {m["status"] for m in MEETINGS["meetings"]}
    assert statuses == {"REQUESTED", "ACCEPTED"}
    slot = timedelta(minutes=30)
    for row in rows:
        assert row["opens_at"] is not None, dict(row)  # within a day of meetings
        assert (row["starts_at"] - row["opens_at"]) % slot == timedelta(0)
        assert row["ends_at"] - row["starts_at"] == slot
        assert row["two_companies"]
        assert row["open_to_meetings"]
        assert (row["table_id"] is not None) == (row["status"] == "ACCEPTED")
        assert row["message"]
    # As the database keeps them: each side of every meeting holds its slot, and no
    # profile nor table is taken twice at once.
    assert await b2b_db.fetchval("SELECT count(*) FROM meeting_side") == 2 * len(rows)
    assert (
        await b2b_db.fetchval(
            """SELECT count(*) FROM meeting_side a JOIN meeting_side b
                ON a.profile_id = b.profile_id AND a.meeting_id < b.meeting_id
               AND a.during && b.during"""
        )
        == 0
    )
    assert (
        await b2b_db.fetchval(
            """SELECT count(*) FROM meeting a JOIN meeting b
                ON a.table_id = b.table_id AND a.id < b.id AND a.during && b.during
             WHERE a.status = 'ACCEPTED' AND b.status = 'ACCEPTED'"""
        )
        == 0
    )
    # Two accepted at once on the first morning: the first free table each, by number.
    first = datetime(2026, 12, 3, 10, tzinfo=UTC)
    assert sorted(r["table_id"] for r in rows if r["starts_at"] == first) == [
        "table-01",
        "table-02",
    ]
    # No notice: the demo's meetings are the fair as loaded, not news.
    assert await b2b_db.fetchval("SELECT count(*) FROM notice WHERE meeting_id IS NOT NULL") == 0


async def test_the_demo_profiles_fit_each_other(b2b_db: asyncpg.Connection[Any]) -> None:
    # What a buyer needs, subcontractors offer.
    buyer_fits = await b2b_db.fetchval(
        """SELECT count(*) FROM business_profile b JOIN business_profile s
            ON s.exhibitor_id IS NOT NULL AND b.need_terms && s.offer_terms
         WHERE b.exhibitor_id IS NULL"""
    )
    assert buyer_fits >= 50
    helped = await b2b_db.fetchval(
        """SELECT count(*) FROM business_profile b WHERE b.exhibitor_id IS NULL
              AND EXISTS (SELECT 1 FROM business_profile s
                           WHERE s.exhibitor_id IS NOT NULL AND b.need_terms && s.offer_terms)"""
    )
    assert helped >= 25
    # Two-way: each needs something the other offers (subcontractors among themselves too).
    mutual = await b2b_db.fetch(
        """SELECT a.company AS a, b.company AS b FROM business_profile a JOIN business_profile b
            ON a.id < b.id AND a.company_key <> b.company_key
           AND a.need_terms && b.offer_terms AND b.need_terms && a.offer_terms"""
    )
    assert len(mutual) >= 3, mutual
    # Every meeting booked is a fit one way or the other.
    unfit = await b2b_db.fetchval(
        """SELECT count(*) FROM meeting m
             JOIN business_profile r ON r.id = m.requester_id
             JOIN business_profile i ON i.id = m.invitee_id
            WHERE NOT (r.need_terms && i.offer_terms OR i.need_terms && r.offer_terms)"""
    )
    assert unfit == 0


async def test_reloading_the_demo_books_what_is_missing_and_keeps_what_people_changed(
    b2b_db: asyncpg.Connection[Any],
) -> None:
    """In a transaction rolled back at the end."""
    meeting_sql = "SELECT requester_id, invitee_id, during, status, table_id, message FROM meeting"

    async def meetings() -> set[tuple[Any, ...]]:
        return {tuple(r) for r in await b2b_db.fetch(meeting_sql)}

    async def tables() -> list[tuple[Any, ...]]:
        return [tuple(r) for r in await b2b_db.fetch("SELECT * FROM meeting_table ORDER BY 1")]

    transaction = b2b_db.transaction()
    await transaction.start()
    try:
        assert await load_fair(b2b_db) == NOTHING
        # A meeting gone (an operator's mistake); a meeting cancelled, a profile closed, a
        # table moved (people's and organisers' changes).
        first_request = "(SELECT min(id) FROM meeting WHERE status = 'REQUESTED')"
        gone = tuple(await b2b_db.fetchrow(f"{meeting_sql} WHERE id = {first_request}"))
        await b2b_db.execute(f"DELETE FROM meeting WHERE id = {first_request}")
        cancelled = await b2b_db.fetchval(
            """UPDATE meeting SET status = 'CANCELLED', reason = 'Empêchement'
                WHERE id = (SELECT min(id) FROM meeting WHERE status = 'ACCEPTED')
                RETURNING requester_id"""
        )
        closed = await b2b_db.fetchval(
            """UPDATE business_profile SET open_to_meetings = false, summary = 'Complet'
                WHERE id = (SELECT min(id) FROM business_profile) RETURNING id"""
        )
        await b2b_db.execute("UPDATE meeting_table SET x = x + 1 WHERE number = 1")
        changed, moved = await meetings(), await tables()
        profile = dict(
            await b2b_db.fetchrow("SELECT * FROM business_profile WHERE id = $1", closed)
        )

        assert await load_fair(b2b_db) == NOTHING | {"meeting": 1}
        assert await meetings() == changed | {gone}
        assert await tables() == moved
        after = await b2b_db.fetchrow("SELECT * FROM business_profile WHERE id = $1", closed)
        assert dict(after) == profile

        # A profile gone (and its meetings with it) comes back, with its meetings.
        lost = await b2b_db.fetchval(
            "SELECT count(*) FROM meeting WHERE $1 IN (requester_id, invitee_id)", cancelled
        )
        await b2b_db.execute("DELETE FROM business_profile WHERE id = $1", cancelled)
        assert await load_fair(b2b_db) == NOTHING | {"business_profile": 1, "meeting": lost}

        # A meeting gone whose slot one side has given to someone else since: left out.
        taken = await b2b_db.fetchrow(
            """DELETE FROM meeting WHERE id = (SELECT max(id) FROM meeting)
               RETURNING requester_id, during"""
        )
        other = await b2b_db.fetchval(
            """SELECT b.id FROM business_profile b WHERE b.open_to_meetings AND NOT EXISTS (
                 SELECT 1 FROM meeting_side s WHERE s.profile_id = b.id AND s.during && $1)
                AND b.company_key <> (SELECT company_key FROM business_profile WHERE id = $2)
              ORDER BY b.id LIMIT 1""",
            taken["during"],
            taken["requester_id"],
        )
        await b2b_db.execute(
            """INSERT INTO meeting (requester_id, invitee_id, during, created_at, updated_at)
               VALUES ($1, $2, $3, now(), now())""",
            taken["requester_id"],
            other,
            taken["during"],
        )
        before = await meetings()
        assert await load_fair(b2b_db) == NOTHING
        assert await meetings() == before
    finally:
        await transaction.rollback()
