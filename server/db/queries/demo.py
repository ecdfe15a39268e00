"""SQL that loads a whole fair from its data files (upserts, keyed by the files' ids)."""

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


async def upsert(
    conn: asyncpg.Connection[Any], table: str, rows: Sequence[Sequence[object]]
) -> None:
    """Insert or update `rows`; a row that already holds these values is left untouched
    (so reloading the same files changes nothing, not even `updated_at`)."""
    columns, key = TABLES[table]
    keys = {k.strip() for k in key.split(",")}
    updates = [c for c in columns if c not in keys]
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    on_conflict = "DO NOTHING"
    if updates:
        assignments = ", ".join(f"{c} = excluded.{c}" for c in updates)
        changed = " OR ".join(f"{table}.{c} IS DISTINCT FROM excluded.{c}" for c in updates)
        on_conflict = f"DO UPDATE SET {assignments} WHERE {changed}"
    await conn.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) "
        f"ON CONFLICT ({key}) {on_conflict}",
        rows,
    )
