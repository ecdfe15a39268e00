"""The asyncpg pool: JSON codecs, and an optional statement counter for N+1 tests."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson
from asyncpg.connection import LoggedQuery


class StatementCounter:
    """Counts the statements this process's pool sends (not the pool's own resets)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __call__(self, record: LoggedQuery) -> None:
        if not record.query.startswith("SELECT pg_advisory_unlock_all()"):
            self.statements.append(record.query)


async def _init_connection(conn: asyncpg.Connection[Any]) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name,
            schema="pg_catalog",
            encoder=lambda value: orjson.dumps(value).decode(),
            decoder=orjson.loads,
        )


async def connect(dsn: str) -> asyncpg.Connection[Any]:
    """One connection with the same codecs as the pool's (for commands and tests)."""
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    await _init_connection(conn)
    return conn


async def ping(pool: asyncpg.Pool[asyncpg.Record]) -> None:
    """One round trip: raises when PostgreSQL does not answer."""
    await pool.fetchval("SELECT 1")


async def create_pool(
    dsn: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    counter: StatementCounter | None = None,
    application_name: str = "salon",
    connect_timeout: float = 60.0,
) -> asyncpg.Pool[asyncpg.Record]:
    """`application_name` tells the pools apart in pg_stat_activity (primary, replica);
    `connect_timeout` bounds each new connection (asyncpg's default is 60 s)."""

    async def init(conn: asyncpg.Connection[Any]) -> None:
        await _init_connection(conn)
        if counter is not None:
            conn.add_query_logger(counter)

    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=init,
        reset=_keep_session,
        timeout=connect_timeout,
        server_settings={"application_name": application_name},
    )


async def _keep_session(_conn: asyncpg.Connection[Any]) -> None:
    """Release without asyncpg's default RESET ALL round trip: the app never leaves
    session state behind on pooled connections (LISTEN and session advisory locks
    live on the relay's own connection), and asyncpg still rolls back a transaction
    left open before calling this."""
