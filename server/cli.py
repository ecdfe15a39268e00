"""The `salon` command: serve, migrate, demo."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence

import asyncpg

from server.clock import parse_instant
from server.db.migrate import migrate
from server.db.pool import connect
from server.domain.demo import load_fair
from server.logs import configure_logging
from server.services import ensure_database, locate_services
from server.settings import Settings, env_name

log = logging.getLogger("salon")


async def _connect(settings: Settings) -> asyncpg.Connection[asyncpg.Record]:
    urls = locate_services(settings)
    dsn = settings.database_url or await ensure_database(urls, settings.database_name)
    return await connect(dsn)


async def _migrate(settings: Settings) -> None:
    conn = await _connect(settings)
    try:
        applied = await migrate(conn)
    finally:
        await conn.close()
    names = [f"{m.number:04d}_{m.name}" for m in applied]
    log.info("migrations applied: %s", ", ".join(names) or "none (up to date)")


async def _demo(settings: Settings) -> None:
    conn = await _connect(settings)
    try:
        await migrate(conn)
        counts = await load_fair(conn)
    finally:
        await conn.close()
    log.info("demo fair SISTEP INDUSTRIEL 2026 loaded", extra={"rows": counts})


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    if args.now:
        parse_instant(args.now)  # fail here, not inside the server, on a bad value
        os.environ[env_name("now")] = args.now
    print(f"Salon serving on http://{args.host}:{args.port}/graphql (GraphiQL in a browser)")
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,  # our RequestLog writes one structured line per request
        log_config=None,
        ws_per_message_deflate=False,  # costs memory and CPU on every socket
        lifespan="on",
    )


def main(argv: Sequence[str] | None = None) -> None:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    parser = argparse.ArgumentParser(prog="salon", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the GraphQL API over HTTP and websockets")
    serve.add_argument("--host", default=settings.host)
    serve.add_argument("--port", type=int, default=settings.port)
    serve.add_argument("--workers", type=int, default=1, help="server processes")
    serve.add_argument(
        "--now", help='run the fair "as if it were" this instant, e.g. 2026-12-03T10:00 (fair time)'
    )
    commands.add_parser("migrate", help="apply pending database migrations")
    commands.add_parser("demo", help="migrate, then load (or refresh) SISTEP INDUSTRIEL 2026")
    args = parser.parse_args(argv)

    if args.command == "serve":
        _serve(settings, args)
    elif args.command == "migrate":
        asyncio.run(_migrate(settings))
    elif args.command == "demo":
        asyncio.run(_demo(settings))
    else:  # pragma: no cover - argparse refuses unknown commands
        sys.exit(2)
