"""SQL that seeds a whole fair from its data files: rows that are missing, keyed by the
files' ids; a row that exists is never written over (an organiser may have changed it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

# Table → (columns, conflict target). Order matters: referenced tables first.
TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "event": (
        (
            "id",
            "name_fr",
            "name_en",
            "edition",
            "starts_on",
            "ends_on",
            "timezone",
            "venue_name",
            "city",
            "address",
        ),
        "id",
    ),
    "sector": (("id", "name_fr", "name_en"), "id"),
    "track": (("id", "name_fr", "name_en", "color", "position"), "id"),
    "hall": (("id", "name", "level", "outline"), "id"),
    "room": (("id", "name", "hall_id", "capacity", "outline", "x", "y"), "id"),
    "exhibitor": (
        ("id", "name", "country", "sectors", "description_fr", "description_en", "website"),
        "id",
    ),
    "booth": (("id", "code", "hall_id", "exhibitor_id", "outline", "x", "y"), "id"),
    "poi": (("id", "kind", "name_fr", "name_en", "hall_id", "x", "y"), "id"),
    "walkway_node": (("id", "hall_id", "x", "y"), "id"),
    "walkway_edge": (("a", "b", "length"), "a, b"),
    "speaker": (("id", "name", "organisation", "job_title", "bio_fr", "bio_en"), "id"),
    "session": (
        (
            "id",
            "kind",
            "track_id",
            "title_fr",
            "title_en",
            "abstract_fr",
            "abstract_en",
            "starts_at",
            "ends_at",
            "room_id",
            "booth_id",
            "exhibitor_id",
            "capacity",
        ),
        "id",
    ),
    "session_speaker": (("session_id", "speaker_id", "position"), "session_id, speaker_id"),
}


async def insert_missing(
    conn: asyncpg.Connection[Any], table: str, rows: Sequence[Sequence[object]]
) -> int:
    """Insert the rows whose key is not in `table` yet; leave every existing row as it
    is. Return how many were inserted."""
    columns, key = TABLES[table]
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    inserted = await conn.fetchmany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) "
        f"ON CONFLICT ({key}) DO NOTHING RETURNING true",
        rows,
    )
    return len(inserted)


async def holds_a_fair(conn: asyncpg.Connection[Any]) -> bool:
    """Whether a fair (an event, or any session) is in the database already."""
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM event) OR EXISTS (SELECT 1 FROM session)"
    )
    return found
