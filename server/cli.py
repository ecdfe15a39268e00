"""The `salon` command: serve, worker, watch, migrate, demo, user add, token, import."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

import asyncpg

from server.auth.signin import issue_token
from server.clock import clock_from_setting
from server.db.migrate import migrate
from server.db.pool import connect
from server.domain.demo import demo_people, load_fair
from server.domain.errors import DomainError, ErrorCode
from server.domain.instants import accepted_instant
from server.domain.people import NewPerson, add_person, person_with_email
from server.domain.viewer import ROLES
from server.import_command import add_parser as add_import_parser
from server.import_command import run_import
from server.logs import configure_logging
from server.services import ensure_database, locate_services
from server.settings import Settings, env_name
from server.watch import watch
from workers.main import main as run_worker

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


async def _demo(settings: Settings, if_empty: bool) -> None:
    conn = await _connect(settings)
    try:
        await migrate(conn)
        inserted = await load_fair(conn, only_if_empty=if_empty)
    finally:
        await conn.close()
    if inserted is None:
        log.info("the database holds a fair already: demo not loaded (--if-empty)")
    else:
        # Only what was missing; rows that exist are never written over.
        log.info("demo fair SISTEP INDUSTRIEL 2026 seeded", extra={"inserted": inserted})
    print(_demo_sign_in_help())


#: Accounts the help lists: one of each kind, people.json's first ones.
SHOWN_ACCOUNTS = 12


def _demo_sign_in_help() -> str:
    lines = [
        "Demo accounts (mutation signInWithBadge(badgeCode: ...), or requestSignInCode +",
        "signIn with the code written to the server log, or `salon token EMAIL`):",
    ]
    people = demo_people()
    for person in people[:SHOWN_ACCOUNTS]:
        roles = "+".join(r.lower() for r in person.roles)
        lines.append(f"  {roles:<20} {person.badge_code:<16} {person.email}  ({person.name})")
    if len(people) > SHOWN_ACCOUNTS:
        lines.append(
            f"  ... and {len(people) - SHOWN_ACCOUNTS} more, visiting buyers and exhibitors' "
            "staff with business profiles (server/demo/sistep2026/people.json)"
        )
    return "\n".join(lines)


async def _user_add(settings: Settings, args: argparse.Namespace) -> None:
    conn = await _connect(settings)
    try:
        async with conn.transaction():
            person_id = await add_person(
                conn,
                NewPerson(
                    email=args.email,
                    roles=args.role,
                    name=args.name,
                    speaker_id=args.speaker,
                    exhibitor_id=args.exhibitor,
                ),
            )
    finally:
        await conn.close()
    print(f"person {person_id}: {args.email} ({', '.join(args.role)})")


async def _token(settings: Settings, email: str) -> None:
    print(await _mint(settings, email))


async def _mint(settings: Settings, email: str) -> str:
    conn = await _connect(settings)
    try:
        person = await person_with_email(conn, email)
        if person is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"Nobody has the address {email}.")
        clock = clock_from_setting(settings.now)
        token = await issue_token(conn, person.id, clock.now(), timedelta(days=settings.token_days))
    finally:
        await conn.close()
    return token


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    from server.serving import serve, uvicorn_config

    if args.now:
        os.environ[env_name("now")] = args.now
    try:
        config = uvicorn_config("server.app:create_app", settings, host=args.host, port=args.port)
    except ValueError as bad:  # fail here, not on the first request, on a bad value
        raise SystemExit(f"salon: {bad}") from None
    print(f"Salon serving on http://{args.host}:{args.port}/graphql (GraphiQL in a browser)")
    serve(config, args.workers, log_level=settings.log_level)


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
    worker = commands.add_parser("worker", help="run the relay and the reminder jobs")
    worker.add_argument("--now", help="the fair's clock, as for serve")
    watcher = commands.add_parser("watch", help="print live notices as a phone gets them")
    watcher.add_argument("--as", dest="email", help="watch as this person (mints a token)")
    watcher.add_argument("--token", help="watch with this bearer token")
    watcher.add_argument("--after", help="replay from this cursor first (0: everything)")
    watcher.add_argument("--lang", default="fr", choices=["fr", "en"])
    watcher.add_argument("--url", default=f"ws://{settings.host}:{settings.port}/graphql")
    commands.add_parser("migrate", help="apply pending database migrations")
    demo = commands.add_parser(
        "demo",
        help="migrate, then add what is missing of SISTEP INDUSTRIEL 2026 (never overwrites)",
    )
    demo.add_argument(
        "--if-empty",
        action="store_true",
        help="load nothing when the database holds a fair already (what `make run` does)",
    )
    user = commands.add_parser("user", help="manage people").add_subparsers(
        dest="user_command", required=True
    )
    add = user.add_parser("add", help="create a person, or give an existing one more roles")
    add.add_argument("email")
    add.add_argument(
        "--role", action="append", required=True, choices=ROLES, help="repeat for several roles"
    )
    add.add_argument("--name")
    add.add_argument("--speaker", help="speaker id this person is (role SPEAKER)")
    add.add_argument("--exhibitor", help="exhibitor id this person works for (role EXHIBITOR)")
    token_command = commands.add_parser("token", help="print a new bearer token for a person")
    token_command.add_argument("email")
    add_import_parser(commands)
    args = parser.parse_args(argv)
    if getattr(args, "now", None):
        try:  # fail here, not inside the server or the worker, on a bad value
            accepted_instant(args.now)
        except ValueError as bad:
            parser.error(f"--now {args.now}: {bad}")

    try:
        if args.command == "serve":
            _serve(settings, args)
        elif args.command == "worker":
            if args.now:
                settings = replace(settings, now=args.now)
            run_worker(settings)
        elif args.command == "watch":
            bearer = args.token or (
                asyncio.run(_mint(settings, args.email)) if args.email else None
            )
            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(watch(args.url, bearer, args.after, args.lang))
        elif args.command == "migrate":
            asyncio.run(_migrate(settings))
        elif args.command == "demo":
            asyncio.run(_demo(settings, args.if_empty))
        elif args.command == "user":
            asyncio.run(_user_add(settings, args))
        elif args.command == "token":
            asyncio.run(_token(settings, args.email))
        elif args.command == "import":
            sys.exit(asyncio.run(run_import(settings, args)))
    except DomainError as refused:
        print(f"salon: {refused.message}", file=sys.stderr)
        sys.exit(1)
