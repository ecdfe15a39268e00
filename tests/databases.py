"""Databases of a test's own: created, migrated, loaded with the demo fair (or left
empty), dropped."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator

from server.db.migrate import migrate
from server.db.pool import connect
from server.domain.demo import load_fair
from server.services import ServiceUrls, drop_database, ensure_database


@contextlib.asynccontextmanager
async def fair_database(urls: ServiceUrls, prefix: str = "salon_faults") -> AsyncIterator[str]:
    """A database of its own on `urls`' server, migrated, with the demo fair; its DSN."""
    async with _own_database(urls, prefix, with_fair=True) as dsn:
        yield dsn


@contextlib.asynccontextmanager
async def empty_database(urls: ServiceUrls, prefix: str = "salon_empty") -> AsyncIterator[str]:
    """A database of its own with Salon's tables and nothing in them (no fair); its DSN."""
    async with _own_database(urls, prefix, with_fair=False) as dsn:
        yield dsn


@contextlib.asynccontextmanager
async def _own_database(urls: ServiceUrls, prefix: str, *, with_fair: bool) -> AsyncIterator[str]:
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    dsn = await ensure_database(urls, name)
    try:
        conn = await connect(dsn)
        try:
            await migrate(conn)
            if with_fair:
                await load_fair(conn)
        finally:
            await conn.close()
        yield dsn
    finally:
        await drop_database(urls, name)
