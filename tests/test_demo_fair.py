"""`salon demo` seeds SISTEP INDUSTRIEL 2026: only what is missing, never over a change."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from server.clock import in_fair_time
from server.db.pool import connect
from server.domain.demo import demo_people, load_fair
from server.services import ServiceUrls, drop_database, ensure_database
from tests.conftest import GraphQLClient, People
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


NOTHING = dict.fromkeys([*TABLES, "person"], 0)


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
        "ATTENDEE": (11, 11, 3, 3),
        "EXHIBITOR": (3, 3, 0, 3),
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
