"""Numbered SQL migrations, each applied once in its own transaction and recorded."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import asyncpg

# Any constant works; it only has to be the same in every process that migrates.
_MIGRATION_LOCK = 0x5A_10_2026


@dataclass(frozen=True, slots=True)
class Migration:
    number: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    folder = resources.files("server.db") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number, _, rest = entry.name.partition("_")
            found.append(Migration(int(number), rest.removesuffix(".sql"), entry.read_text()))
    return sorted(found, key=lambda m: m.number)


async def migrate(conn: asyncpg.Connection[Any]) -> list[Migration]:
    """Apply what is missing; return what was applied. Safe to run concurrently."""
    await conn.execute(
        """CREATE TABLE IF NOT EXISTS schema_migration (
               number      integer PRIMARY KEY,
               name        text NOT NULL,
               applied_at  timestamptz NOT NULL DEFAULT now())"""
    )
    applied: list[Migration] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
    try:
        done = {r["number"] for r in await conn.fetch("SELECT number FROM schema_migration")}
        for migration in available_migrations():
            if migration.number in done:
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migration (number, name) VALUES ($1, $2)",
                    migration.number,
                    migration.name,
                )
            applied.append(migration)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)
    return applied
