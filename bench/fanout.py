"""Fan-out of one organiser broadcast to every subscribed websocket, GraphQL vs raw.

    .venv/bin/python -m bench.fanout                               # the full run
    .venv/bin/python -m bench.fanout --sizes 1000 --broadcasts 5 --no-two-process

For each N: N anonymous sockets subscribed with `subscription { notices { id title } }`
on a fresh app server (the GraphQL side: `broadcastAnnouncement` → commit → relay →
Redis → hub → every socket), and N sockets on a fresh plain Starlette endpoint that
sends the same pre-encoded `next` message when told (bench/fanout_raw.py). Both are up
at once, pinned to core 0; their broadcasts alternate (raw, GraphQL, raw, …). Load
clients are separate processes on core 1 (bench/fanout_client.py), each with its own
source address. Latency of a broadcast = the last client's receipt − the send of the
POST that starts it. Also: server CPU per delivery, server memory per idle connection.
See bench/README.md for how to read the output.

This module is the command line and the run; its parts are fanout_model (what a run is
made of), fanout_sides (servers and sockets of one side), fanout_broadcast (one measured
broadcast), fanout_rounds (rounds and their checks) and fanout_report (figures, goals);
fanout_procs, fanout_client and fanout_raw are the processes it starts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from starlette.applications import Starlette

from bench.fanout_memory import trace_routes
from bench.fanout_model import Context, Shape
from bench.fanout_procs import Client, Started, log_problems, start_worker
from bench.fanout_raw import log_gc_pauses
from bench.fanout_report import describe, report
from bench.fanout_rounds import measure
from bench.harness import (
    CLIENT_CORE,
    Workspace,
    bounded,
    create_app_with,
    prepare_database,
    run,
    save_results,
)
from server.auth.signin import issue_token
from server.domain.people import NewPerson, add_person
from server.live.transport import UVICORN_WS


def create_graphql_app() -> Starlette:
    """The app `salon serve` runs, logging at WARNING (a uvicorn factory)."""
    log_gc_pauses()  # only with --gc-log
    return create_app_with(trace_routes())  # routes only with --tracemalloc


async def make_organiser(conn: asyncpg.Connection[Any]) -> str:
    """An organiser and a bearer token, straight in the database (as tests/conftest.py)."""
    async with conn.transaction():
        person_id = await add_person(
            conn,
            NewPerson(
                email=f"fanout-{secrets.token_hex(4)}@bench.example",
                roles=["ORGANISER"],
                name="Fan-out benchmark",
            ),
        )
        return await issue_token(conn, person_id, datetime.now(UTC), timedelta(days=1))


def body(space: Workspace, args: argparse.Namespace) -> int:
    os.sched_setaffinity(0, {int(CLIENT_CORE)})  # the driver stays off the server's core
    shapes = shapes_of(args)
    dsn, token = asyncio.run(prepare_database(space, make_organiser))
    namespace = f"salon-bench-fanout-{os.getpid()}-{secrets.token_hex(3)}"
    started = Started()
    clients: list[Client] = []
    try:
        worker_env = {
            "SALON_REDIS_NAMESPACE": namespace,
            "SALON_LOG_LEVEL": "WARNING",
            "SALON_RELAY_POLL_SECONDS": str(args.relay_poll),
            "SALON_REMINDER_POLL_SECONDS": "3600",  # no reminder rounds during the run
        }
        worker_log = start_worker(started, space, dsn, worker_env)
        print(f"fan-out benchmark, sizes {[s.label for s in shapes]}", flush=True)
        measured = asyncio.run(
            run_all(args, shapes, space, dsn, token, namespace, started, clients)
        )
        results = report(args, shapes, measured)
        for line in log_problems(worker_log):
            print(f"  worker log: {line[:300]}")
        save_results(
            "fanout",
            {
                "arguments": {k: v for k, v in vars(args).items()},
                "setup": describe(args),
                "figures": {k: {n: asdict(f) for n, f in v.items()} for k, v in results.items()},
                "measured": {
                    label: {
                        "samples": [asdict(s) for s in m["samples"]],
                        "rounds": [asdict(r) for r in m["rounds"]],
                    }
                    for label, m in measured.items()
                },
            },
        )
        return 0
    finally:
        for client in clients:
            client.kill_now()
        started.stop_all()


def shapes_of(args: argparse.Namespace) -> list[Shape]:
    shapes = [Shape(n) for n in args.sizes]
    if args.two_process:
        shapes.append(Shape(args.two_process_size, servers=2))
    return shapes


async def run_all(
    args: argparse.Namespace,
    shapes: Sequence[Shape],
    space: Workspace,
    dsn: str,
    token: str,
    namespace: str,
    started: Started,
    clients: list[Client],
) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=60.0, trust_env=False) as http:
        ctx = Context(args, space, dsn, token, namespace, http, started, clients)
        return await measure(ctx, shapes)


def sizes(text: str) -> list[int]:
    values = [bounded(1, 19_500)(part) for part in text.split(",") if part.strip()]
    if not values:
        raise argparse.ArgumentTypeError("at least one size")
    return values


#: What `salon serve` gives uvicorn: both sides run under it.
SALON_WS = UVICORN_WS


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.fanout", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=sizes, default=[1000, 5000, 10000, 19000])
    parser.add_argument("--broadcasts", type=bounded(1, 200), default=20, help="per side and N")
    parser.add_argument("--rounds", type=bounded(1, 10), default=2, help="fresh servers per N")
    parser.add_argument("--warmup", type=bounded(0, 10), default=2, help="per side and round")
    parser.add_argument("--two-process", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--two-process-size", type=bounded(1, 19_500), default=19_000)
    parser.add_argument("--per-client", type=bounded(100, 9_500), default=9_000)
    parser.add_argument("--concurrency", type=bounded(1, 1_000), default=200)
    parser.add_argument("--open-timeout", type=float, default=60.0)
    parser.add_argument(
        "--ws",
        choices=[SALON_WS, "auto", "websockets", "websockets-sansio", "wsproto"],
        default=SALON_WS,
        help="uvicorn's websocket protocol (default: the one `salon serve` runs)",
    )
    parser.add_argument(
        "--raw-ws",
        choices=[SALON_WS, "auto", "websockets", "websockets-sansio", "wsproto"],
        help="the raw side's websocket protocol, when it should differ from --ws",
    )
    parser.add_argument(
        "--http", choices=["auto", "h11", "httptools"], default="auto", help="uvicorn's --http"
    )
    parser.add_argument(
        "--server",
        choices=["uvicorn", "granian"],
        default="uvicorn",
        help="granian: both sides under Granian (installed by hand; --ws/--http/--ws-ping unused)",
    )
    parser.add_argument("--gc-tuning", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--gc-log",
        action="store_true",
        help="servers log collector pauses >= 2 ms; the pauses during broadcasts are counted",
    )
    parser.add_argument("--ws-ping", type=float, default=20.0, help="seconds, as the app")
    parser.add_argument(
        "--relay-poll", type=float, default=0.05, help="SALON_RELAY_POLL_SECONDS of the worker"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="per broadcast")
    parser.add_argument("--gap", type=float, default=0.3, help="seconds between broadcasts")
    parser.add_argument(
        "--tracemalloc",
        metavar="DIR",
        help="servers trace allocations; snapshots before and after the sockets connect go "
        "to DIR (read them with bench.fanout_memory; timings are void then)",
    )
    args = parser.parse_args(argv)
    if args.broadcasts < args.rounds:
        parser.error("--broadcasts must be at least --rounds")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return run("bench.fanout", lambda space: body(space, args))


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
