"""The command line and the guarded run: bounded flags, a preflight, and a database
that is dropped whatever happens (error, Ctrl-C, SIGTERM)."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.harness.database import Workspace
from bench.harness.machine import CLIENT_CORE, SERVER_CORE, BenchError
from server.services import drop_database, locate_services
from server.settings import Settings


def bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def add_load_arguments(parser: argparse.ArgumentParser, *, seconds: int = 10) -> None:
    """--pairs, --seconds, --connections, --warmup: bounded, so every run is bounded."""
    parser.add_argument(
        "--pairs",
        type=bounded(1, 50),
        default=5,
        help="interleaved plain/GraphQL pairs (default 5)",
    )
    parser.add_argument(
        "--seconds",
        type=bounded(1, 120),
        default=seconds,
        help=f"length of each wrk run (default {seconds})",
    )
    parser.add_argument(
        "--connections", type=bounded(1, 1000), default=16, help="wrk connections (default 16)"
    )
    parser.add_argument(
        "--warmup",
        type=bounded(0, 60),
        default=3,
        help="seconds of warm-up per endpoint before each server's runs",
    )


def preflight() -> None:
    """Fail early and clearly on what would otherwise fail mid-run."""
    if shutil.which("wrk") is None:
        raise BenchError(
            "wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu) or "
            "`brew install wrk` (macOS), then run again."
        )
    if shutil.which("taskset") is None:
        raise BenchError("taskset is missing (package util-linux): the two sides must be pinned.")
    cores = os.sched_getaffinity(0)
    if not {int(SERVER_CORE), int(CLIENT_CORE)} <= cores:
        raise BenchError(f"cores {SERVER_CORE} and {CLIENT_CORE} are needed, have {sorted(cores)}")


def _raise_interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # so every `finally` still runs


def run(prog: str, body: Callable[[Workspace], int], check: Callable[[], None] = preflight) -> int:
    """Preflight, then `body` with its own database name and temporary folder; the
    database is dropped at the end whatever happens (error, Ctrl-C, SIGTERM), and the
    server `body` starts is stopped by its context manager on the way out.
    Exit status: 2 unusable machine, 1 void run, 130 interrupted, else `body`'s."""
    try:
        check()
    except BenchError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _raise_interrupt)
    urls = locate_services(Settings())
    database = f"salon_bench_{os.getpid()}"
    try:
        with tempfile.TemporaryDirectory(prefix="salon-bench-") as workdir:
            return body(Workspace(urls=urls, database=database, workdir=Path(workdir)))
    except BenchError as exc:
        print(f"\n{prog}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted", file=sys.stderr)
        return 130
    finally:
        asyncio.run(drop_database(urls, database))
