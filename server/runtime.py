"""What one server process holds while it runs: pool, Redis, clock, settings."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from redis.asyncio import Redis
from starlette.requests import HTTPConnection

from server.clock import Clock
from server.db.pool import StatementCounter
from server.settings import Settings


@dataclass(slots=True)
class Runtime:
    settings: Settings
    clock: Clock
    pool: asyncpg.Pool[asyncpg.Record]
    redis: Redis
    statements: StatementCounter | None = None


def runtime_of(connection: HTTPConnection) -> Runtime:
    runtime: Runtime = connection.app.state.runtime
    return runtime
