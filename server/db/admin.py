"""SQL run on the server's maintenance database: making and dropping Salon's own."""

from __future__ import annotations

from typing import Any

import asyncpg


async def database_exists(conn: asyncpg.Connection[Any], name: str) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))


async def create_database(conn: asyncpg.Connection[Any], name: str) -> None:
    await conn.execute(f'CREATE DATABASE "{_identifier(name)}"')


async def drop_database(conn: asyncpg.Connection[Any], name: str) -> None:
    """Drop it if it exists, disconnecting whoever is still connected."""
    await conn.execute(f'DROP DATABASE IF EXISTS "{_identifier(name)}" WITH (FORCE)')


def _identifier(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unsafe database name {name!r}")
    return name
