"""The benchmark's own database: created, migrated, loaded with the demo fair."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from server.db.migrate import migrate
from server.db.pool import connect
from server.domain.demo import load_fair
from server.services import ServiceUrls, ensure_database

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Workspace:
    """What one run owns: its database (dropped at the end) and a temporary folder."""

    urls: ServiceUrls
    database: str
    workdir: Path


async def prepare_database(
    space: Workspace, setup: Callable[[asyncpg.Connection[Any]], Awaitable[T]]
) -> tuple[str, T]:
    """Create the run's database, migrate it, load the demo fair, then `setup` on the
    same connection; return the DSN and what `setup` returned."""
    dsn = await ensure_database(space.urls, space.database)
    conn = await connect(dsn)  # with the pool's JSON codecs, which the loader relies on
    try:
        await migrate(conn)
        await load_fair(conn)
        extra = await setup(conn)
    finally:
        await conn.close()
    return dsn, extra
