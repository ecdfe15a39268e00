"""The asyncpg pool: JSON codecs, and an optional statement counter for N+1 tests."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson


class StatementCounter:
    """Counts statements sent to PostgreSQL by this process's pool."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _record: object) -> None:
        self.count += 1


async def _init_connection(conn: asyncpg.Connection[Any]) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name,
            schema="pg_catalog",
            encoder=lambda value: orjson.dumps(value).decode(),
            decoder=orjson.loads,
        )


async def create_pool(
    dsn: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    counter: StatementCounter | None = None,
) -> asyncpg.Pool[asyncpg.Record]:
    async def init(conn: asyncpg.Connection[Any]) -> None:
        await _init_connection(conn)
        if counter is not None:
            conn.add_query_logger(counter)

    return await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, init=init)
