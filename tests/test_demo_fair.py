"""`salon demo` loads SISTEP INDUSTRIEL 2026 idempotently and deterministically."""

from __future__ import annotations

from typing import Any

import asyncpg

from server.clock import in_fair_time
from server.domain.demo import load_fair

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


async def test_reloading_the_demo_changes_nothing(db: asyncpg.Connection[Any]) -> None:
    before = await snapshot(db)
    counts = await load_fair(db)
    assert await snapshot(db) == before
    assert counts == {t: len(rows) for t, rows in before.items()} | {"person": 12}


async def test_demo_people_hold_every_role(db: asyncpg.Connection[Any]) -> None:
    rows = await db.fetch(
        """SELECT r.role, count(*) AS n, count(p.badge_code) AS badges,
                  count(p.speaker_id) AS speakers, count(p.exhibitor_id) AS staff
             FROM person p JOIN person_role r ON r.person_id = p.id
            WHERE p.email NOT LIKE '%@test.example' GROUP BY r.role ORDER BY r.role"""
    )
    by_role = {r["role"]: dict(r) for r in rows}
    assert by_role["ATTENDEE"]["badges"] == by_role["ATTENDEE"]["n"] >= 5
    assert by_role["SPEAKER"]["speakers"] == by_role["SPEAKER"]["n"] >= 1
    assert by_role["EXHIBITOR"]["staff"] == by_role["EXHIBITOR"]["n"] >= 1
    assert by_role["ORGANISER"]["n"] == 1


async def test_demo_fair_is_consistent(db: asyncpg.Connection[Any]) -> None:
    assert await db.fetchval("SELECT count(DISTINCT country) FROM exhibitor") >= 10
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
