"""What every benchmark of this project needs: its own database, a pinned uvicorn, wrk.

A benchmark module keeps only what is specific to it (its GraphQL document, its plain
endpoint, its equality check) and calls these pieces in order:

    run(prog, body)                      preflight, SIGTERM handling, always drops the db
      prepare_database(space, setup)     create, migrate, load the demo fair, `setup`
      running_server(space, dsn, app)    one uvicorn on core 0, stopped by its pid
        write_wrk_script / Load          the same POST(s) for both endpoints
        warm_up, interleave              plain, GraphQL, plain, GraphQL … on core 1
      print_verdict, save_results        median ratio, JSON in bench/results/

The machine is shared and noisy (2 cores), so only ratios measured side by side count.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import orjson
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from server.app import create_app
from server.db.migrate import migrate
from server.db.pool import connect
from server.db.queries.common import Executor
from server.domain.demo import load_fair
from server.logs import configure_logging
from server.services import ServiceUrls, drop_database, ensure_database, locate_services
from server.settings import REPO_ROOT, Settings

GRAPHQL_PATH = "/graphql"
HOST = "127.0.0.1"  # loopback only
SERVER_CORE = "0"
CLIENT_CORE = "1"
RESULTS_DIR = REPO_ROOT / "bench" / "results"
SERVER_START_TIMEOUT = 60.0
SERVER_STOP_TIMEOUT = 10.0
WRK_GRACE = 30.0  # seconds wrk may overrun its -d before we give up on it
WRK_TIMEOUT = "10s"  # a request slower than this counts as a timeout, not a latency

T = TypeVar("T")


class BenchError(RuntimeError):
    """The benchmark cannot give an honest figure; the message says why."""


# --------------------------------------------------------------------------------------
# Plain endpoints and the app factory (this half runs inside the uvicorn process)
# --------------------------------------------------------------------------------------


async def by_ids(
    fetch: Callable[[Executor, Sequence[str]], Awaitable[list[T]]],
    db: Executor,
    ids: Iterable[str | None],
) -> list[T]:
    """`fetch` on the distinct non-null ids; no statement at all when there are none,
    as a DataLoader with no keys would not run one."""
    unique = list(dict.fromkeys(i for i in ids if i is not None))
    return await fetch(db, unique) if unique else []


def create_app_with(routes: Sequence[BaseRoute]) -> Starlette:
    """The real app plus `routes`, inside the same middleware (for a uvicorn factory).

    Settings come from the environment the benchmark sets (DATABASE_URL, REDIS_URL,
    SALON_*); logging is configured as `salon serve` would at WARNING, so neither side
    writes a log line per request.
    """
    settings = replace(Settings.from_env(), log_level="WARNING")
    configure_logging(settings.log_level)
    app = create_app(settings)
    app.router.routes.extend(routes)
    return app


# --------------------------------------------------------------------------------------
# The benchmark's own database
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Workspace:
    """What one run owns: its database (dropped at the end) and a temporary folder."""

    urls: ServiceUrls
    database: str
    workdir: Path


async def prepare_database(
    space: Workspace, setup: Callable[[asyncpg.Connection[Any]], Awaitable[T]]
) -> tuple[str, T]:
    """Create the run's database, migrate it, load the demo fair, then `setup` on the
    same connection; return the DSN and what `setup` returned."""
    dsn = await ensure_database(space.urls, space.database)
    conn = await connect(dsn)  # with the pool's JSON codecs, which the loader relies on
    try:
        await migrate(conn)
        await load_fair(conn)
        extra = await setup(conn)
    finally:
        await conn.close()
    return dsn, extra


# --------------------------------------------------------------------------------------
# The server process
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def client(self, timeout: float = 30.0) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=timeout, trust_env=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _server_env(dsn: str, urls: ServiceUrls, extra: Mapping[str, str]) -> dict[str, str]:
    # The user's SALON_* settings stay out: the run must not depend on the shell it came from.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    env["DATABASE_URL"] = dsn
    env["REDIS_URL"] = urls.redis_url
    env.update(extra)
    return env


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    with server.client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise BenchError(f"the server exited at start-up:\n{server.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get("/readyz").status_code == 200:
                    return
            time.sleep(0.2)
    raise BenchError(f"the server was not ready in {SERVER_START_TIMEOUT:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the one process we started, by its pid (taskset execs, so it is uvicorn)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=SERVER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=SERVER_STOP_TIMEOUT)


@contextlib.contextmanager
def running_server(
    space: Workspace, dsn: str, app_factory: str, *, extra_env: Mapping[str, str] | None = None
) -> Iterator[Server]:
    """One uvicorn process for `app_factory` ("module:function") on core 0, stopped on
    the way out whatever happens."""
    port = _free_port()
    command = [
        "taskset", "-c", SERVER_CORE,
        sys.executable, "-m", "uvicorn", app_factory, "--factory",
        "--host", HOST, "--port", str(port),
        "--no-access-log", "--ws-per-message-deflate", "false",
        "--log-level", "warning", "--lifespan", "on",
    ]  # fmt: skip
    log_path = space.workdir / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=_server_env(dsn, space.urls, extra_env or {}),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(process=process, base_url=f"http://{HOST}:{port}", log_path=log_path)
    try:
        _wait_ready(server)
        yield server
    finally:
        _stop(process)


def ok_json(response: httpx.Response) -> Any:
    """The parsed body of a 200 response; anything else makes the run void."""
    if response.status_code != 200:
        raise BenchError(f"{response.url} answered {response.status_code}: {response.text}")
    return orjson.loads(response.content)


def first_difference(plain: Any, graphql: Any, path: str = "$") -> str | None:
    """Where two parsed JSON documents first differ (a JSONPath-like path and both
    values, truncated), or None when they are equal."""
    if isinstance(plain, dict) and isinstance(graphql, dict) and plain.keys() == graphql.keys():
        pairs: Iterable[tuple[str, Any, Any]] = (
            (f"{path}.{k}", plain[k], graphql[k]) for k in plain
        )
    elif isinstance(plain, list) and isinstance(graphql, list) and len(plain) == len(graphql):
        pairs = (
            (f"{path}[{i}]", a, b) for i, (a, b) in enumerate(zip(plain, graphql, strict=True))
        )
    else:
        if plain == graphql:
            return None
        return f"{path}:\n  plain:   {str(plain)[:400]}\n  graphql: {str(graphql)[:400]}"
    for where, a, b in pairs:
        found = first_difference(a, b, where)
        if found is not None:
            return found
    return None


# --------------------------------------------------------------------------------------
# Load generation with wrk
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    socket_errors: int


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _latency_ms(output: str, percentile: int) -> float:
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    if match is None:
        raise BenchError(f"no {percentile}% latency in wrk's output:\n{output}")
    return float(match[1]) * _UNIT_MS[match[2]]


def parse_wrk(output: str) -> Run:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    requests = re.search(r"(\d+) requests in", output)
    if rps is None or requests is None:
        raise BenchError(f"unexpected wrk output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx is not None:
        raise BenchError(f"{non_2xx[1]} requests failed (non-2xx); figures are void:\n{output}")
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return Run(
        rps=float(rps[1]),
        p50_ms=_latency_ms(output, 50),
        p99_ms=_latency_ms(output, 99),
        requests=int(requests[1]),
        socket_errors=sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
    )


def _lua_string(text: str) -> str:
    assert "]==]" not in text  # the Lua long string must not end early
    return f"[==[{text}]==]"


def write_wrk_script(
    folder: Path, name: str, bodies: Sequence[bytes], headers: Mapping[str, str] | None = None
) -> Path:
    """A wrk script POSTing JSON: one body every time, or several bodies in turn (each
    request takes the next, round robin). Both endpoints of a pair get the same script,
    so only the server's handling differs."""
    if not bodies:
        raise ValueError("at least one body")
    lines = ['wrk.method = "POST"', 'wrk.headers["Content-Type"] = "application/json"']
    # The spaces matter: `t[[==[` would open a long string instead of indexing `t`.
    lines += [
        f"wrk.headers[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in (headers or {}).items()
    ]
    if len(bodies) == 1:
        lines.append(f"wrk.body = {_lua_string(bodies[0].decode())}")
    else:
        lines.append("local bodies = {")
        lines += [f"  {_lua_string(b.decode())}," for b in bodies]
        lines += [
            "}",
            "local turn = 0",
            "request = function()",
            "  turn = turn % #bodies + 1",
            "  return wrk.format(nil, nil, nil, bodies[turn])",
            "end",
        ]
    script = folder / f"{name}.lua"
    script.write_text("\n".join(lines) + "\n")
    return script


@dataclass(frozen=True, slots=True)
class Load:
    script: Path
    seconds: int
    connections: int


def run_wrk(url: str, load: Load, seconds: int | None = None) -> Run:
    duration = seconds or load.seconds
    command = [
        "taskset", "-c", CLIENT_CORE,
        "wrk", "-t1", f"-c{load.connections}", f"-d{duration}s", "--latency",
        "--timeout", WRK_TIMEOUT, "-s", str(load.script), url,
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=duration + WRK_GRACE, check=False
        )
    except subprocess.TimeoutExpired as exc:  # subprocess.run kills wrk before raising
        raise BenchError(f"wrk ran past {duration + WRK_GRACE:.0f} s") from exc
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    if done.stderr.strip():  # a broken Lua script is only reported here: wrk still exits 0
        raise BenchError(f"wrk complained, figures are void: {done.stderr.strip()}")
    return parse_wrk(done.stdout)


def describe_server() -> str:
    return (
        f"Server: 1 uvicorn process pinned to core {SERVER_CORE} (taskset -c {SERVER_CORE}), "
        "access log off, ws per-message deflate off, log level warning"
    )


def describe_load(connections: int, seconds: int, what: str) -> str:
    return (
        f"Load:   wrk -t1 -c{connections} -d{seconds}s pinned to core {CLIENT_CORE} "
        f"(taskset -c {CLIENT_CORE}), {what}, {HOST} only"
    )


# --------------------------------------------------------------------------------------
# Interleaved pairs and the report
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pair:
    plain: Run
    graphql: Run

    @property
    def ratio(self) -> float:
        return self.graphql.rps / self.plain.rps

    def document(self) -> dict[str, Any]:
        return {"plain": asdict(self.plain), "graphql": asdict(self.graphql), "ratio": self.ratio}


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The two sides of a comparison, as paths on the same server."""

    plain: str
    graphql: str = GRAPHQL_PATH


def warm_up(server: Server, endpoints: Endpoints, load: Load, seconds: int) -> None:
    """Fill the pool, the parser caches (and any response cache) before anything counts."""
    if seconds > 0:
        run_wrk(server.base_url + endpoints.plain, load, seconds)
        run_wrk(server.base_url + endpoints.graphql, load, seconds)


def measure_pair(server: Server, endpoints: Endpoints, load: Load) -> Pair:
    plain = run_wrk(server.base_url + endpoints.plain, load)
    graphql = run_wrk(server.base_url + endpoints.graphql, load)
    return Pair(plain=plain, graphql=graphql)


TABLE_HEADER = (
    f"{'pair':>4}  {'plain rps':>10} {'p50 ms':>7} {'p99 ms':>7}   "
    f"{'graphql rps':>11} {'p50 ms':>7} {'p99 ms':>7}   {'graphql/plain':>13}"
)


def format_pair(label: str, pair: Pair) -> str:
    a, b = pair.plain, pair.graphql
    errors = a.socket_errors + b.socket_errors
    flag = f"   ({errors} socket errors)" if errors else ""
    return (
        f"{label:>4}  {a.rps:>10.1f} {a.p50_ms:>7.2f} {a.p99_ms:>7.2f}   "
        f"{b.rps:>11.1f} {b.p50_ms:>7.2f} {b.p99_ms:>7.2f}   {pair.ratio:>12.2f}x{flag}"
    )


def interleave(server: Server, endpoints: Endpoints, load: Load, count: int) -> list[Pair]:
    """`count` pairs plain, GraphQL, plain, GraphQL …, each row printed as it comes
    (the table header is the caller's, after its own preamble)."""
    pairs = []
    for number in range(1, count + 1):
        pairs.append(measure_pair(server, endpoints, load))
        print(format_pair(str(number), pairs[-1]), flush=True)
    return pairs


def median_ratio(pairs: Sequence[Pair]) -> float:
    return statistics.median(p.ratio for p in pairs)


def print_verdict(pairs: Sequence[Pair], goal: float) -> float:
    """The median ratio against the goal, and the median rps of each side; returns the ratio."""
    ratio = median_ratio(pairs)
    verdict = "met" if ratio >= goal else "NOT met"
    print(f"\nmedian ratio graphql/plain: {ratio:.2f}x   (goal >= {goal}x: {verdict})")
    print(
        f"median rps: plain {statistics.median(p.plain.rps for p in pairs):.1f}, "
        f"graphql {statistics.median(p.graphql.rps for p in pairs):.1f}"
    )
    return ratio


def save_results(benchmark: str, document: dict[str, Any]) -> Path:
    """bench/results/<benchmark>-<UTC timestamp>.json (git-ignored)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{benchmark}-{stamp}.json"
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    print(f"\nresults written to {path.relative_to(REPO_ROOT)}")
    return path


def pinning() -> dict[str, str]:
    return {"server_core": SERVER_CORE, "wrk_core": CLIENT_CORE}


# --------------------------------------------------------------------------------------
# Command line and the guarded run
# --------------------------------------------------------------------------------------


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


def run(prog: str, body: Callable[[Workspace], int]) -> int:
    """Preflight, then `body` with its own database name and temporary folder; the
    database is dropped at the end whatever happens (error, Ctrl-C, SIGTERM), and the
    server `body` starts is stopped by its context manager on the way out.
    Exit status: 2 unusable machine, 1 void run, 130 interrupted, else `body`'s."""
    try:
        preflight()
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
