"""Full agenda over GraphQL against a plain Starlette endpoint, interleaved, on loopback.

Run from the repository root: `python -m bench.agenda --help` (see bench/README.md).

One uvicorn process, pinned to core 0, serves the real app plus `/plain/agenda`: the
same SQL functions on the same pool, the same JSON document, no cache. wrk, pinned to
core 1, loads the two in turn (plain, GraphQL, plain, GraphQL …); the figure of merit
is the median of the per-pair ratios GraphQL rps ÷ plain rps. The machine is shared
and noisy, so only ratios measured side by side mean anything.
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
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from schema.context import lang_from_header
from schema.types.enums import Lang, pick
from server.app import create_app
from server.clock import FAIR_TZ
from server.db.migrate import migrate
from server.db.pool import connect
from server.db.queries import agenda as agenda_sql
from server.db.queries import exhibitors as people_sql
from server.db.queries import venue as venue_sql
from server.db.queries.agenda import SessionQuery, SessionRow, TrackRow
from server.db.queries.common import Executor
from server.db.queries.exhibitors import SpeakerRow
from server.db.queries.venue import HallRow, RoomRow
from server.domain.demo import load_fair
from server.domain.pagination import MAX_PAGE_SIZE
from server.logs import configure_logging
from server.runtime import runtime_of
from server.services import ServiceUrls, drop_database, ensure_database, locate_services
from server.settings import REPO_ROOT, Settings

#: The whole agenda is one page; 200 is the largest page the API serves.
PAGE_SIZE = MAX_PAGE_SIZE
AGENDA_QUERY = (
    "{ sessions(first: 200) { nodes { id title startsAt endsAt kind track { id name } "
    "room { id name hall { id name } } speakers { id name organisation } } } }"
)
REQUEST_BODY = orjson.dumps({"query": AGENDA_QUERY})
PLAIN_PATH = "/plain/agenda"
GRAPHQL_PATH = "/graphql"
HOST = "127.0.0.1"  # loopback only
SERVER_CORE = "0"
CLIENT_CORE = "1"
RESULTS_DIR = REPO_ROOT / "bench" / "results"
#: Each round of synthetic copies starts this much later than the talk it copies.
COPY_SHIFT = timedelta(minutes=10)
SERVER_START_TIMEOUT = 60.0
WRK_GRACE = 30.0  # seconds wrk may overrun its -d before we give up on it

T = TypeVar("T")


class BenchError(RuntimeError):
    """The benchmark cannot give an honest figure; the message says why."""


# --------------------------------------------------------------------------------------
# The plain endpoint and the app factory (this half runs inside the uvicorn process)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgendaRows:
    """What the full-agenda query reads, as the DataLoaders would fetch it."""

    sessions: list[SessionRow]
    tracks: dict[str, TrackRow]
    rooms: dict[str, RoomRow]
    halls: dict[str, HallRow]
    speaker_ids: dict[str, list[str]]
    speakers: dict[str, SpeakerRow]


async def _by_ids(
    fetch: Callable[[Executor, Sequence[str]], Awaitable[list[T]]],
    db: Executor,
    ids: Iterable[str | None],
) -> list[T]:
    """`fetch` on the distinct non-null ids; no statement at all when there are none,
    as a DataLoader with no keys would not run one."""
    unique = list(dict.fromkeys(i for i in ids if i is not None))
    return await fetch(db, unique) if unique else []


async def read_agenda(db: Executor) -> AgendaRows:
    rows, _total = await agenda_sql.session_page(
        db, SessionQuery(), limit=PAGE_SIZE + 1, after=None
    )
    sessions = rows[:PAGE_SIZE]  # the extra row only tells GraphQL there is a next page
    # The three batches the resolvers start together, then the two that need their results.
    tracks, rooms, links = await asyncio.gather(
        _by_ids(agenda_sql.tracks_by_ids, db, (s.track_id for s in sessions)),
        _by_ids(venue_sql.rooms_by_ids, db, (s.room_id for s in sessions)),
        _by_ids(agenda_sql.speaker_links_for_sessions, db, (s.id for s in sessions)),
    )
    halls, speakers = await asyncio.gather(
        _by_ids(venue_sql.halls_by_ids, db, (r.hall_id for r in rooms)),
        _by_ids(people_sql.speakers_by_ids, db, (speaker for _, speaker in links)),
    )
    speaker_ids: dict[str, list[str]] = defaultdict(list)
    for session_id, speaker_id in links:  # already in billing order
        speaker_ids[session_id].append(speaker_id)
    return AgendaRows(
        sessions=sessions,
        tracks={t.id: t for t in tracks},
        rooms={r.id: r for r in rooms},
        halls={h.id: h for h in halls},
        speaker_ids=speaker_ids,
        speakers={p.id: p for p in speakers},
    )


def _instant(value: datetime) -> str:
    return value.astimezone(FAIR_TZ).isoformat()  # as the DateTime scalar serializes it


def _session_node(session: SessionRow, rows: AgendaRows, lang: Lang) -> dict[str, Any]:
    track = rows.tracks.get(session.track_id) if session.track_id else None
    room = rows.rooms.get(session.room_id) if session.room_id else None
    hall = rows.halls.get(room.hall_id) if room and room.hall_id else None
    speakers = [rows.speakers.get(i) for i in rows.speaker_ids.get(session.id, [])]
    return {
        "id": session.id,
        "title": pick(lang, session.title_fr, session.title_en),
        "startsAt": _instant(session.starts_at),
        "endsAt": _instant(session.ends_at),
        "kind": session.kind,
        "track": track and {"id": track.id, "name": pick(lang, track.name_fr, track.name_en)},
        "room": room
        and {"id": room.id, "name": room.name, "hall": hall and {"id": hall.id, "name": hall.name}},
        "speakers": [
            {"id": p.id, "name": p.name, "organisation": p.organisation}
            for p in speakers
            if p is not None
        ],
    }


async def plain_agenda(request: Request) -> Response:
    """The baseline: the full-agenda GraphQL document built by hand, never cached."""
    rows = await read_agenda(runtime_of(request).pool)
    lang = lang_from_header(request.headers.get("accept-language"))
    nodes = [_session_node(s, rows, lang) for s in rows.sessions]
    body = orjson.dumps({"data": {"sessions": {"nodes": nodes}}})
    return Response(body, media_type="application/json")


def create_bench_app() -> Starlette:
    """uvicorn factory: the real app plus the plain endpoint, inside the same middleware.

    Settings come from the environment the benchmark sets (DATABASE_URL, REDIS_URL,
    SALON_RESPONSE_CACHE_SIZE); logging is configured as `salon serve` would at WARNING,
    so neither side writes a log line per request.
    """
    settings = replace(Settings.from_env(), log_level="WARNING")
    configure_logging(settings.log_level)
    app = create_app(settings)
    app.router.routes.append(Route(PLAIN_PATH, plain_agenda, methods=["GET", "POST"]))
    return app


# --------------------------------------------------------------------------------------
# The benchmark's own database
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fair:
    dsn: str
    sessions: int  # in the database, synthetic copies included
    synthetic: int
    speaker_links: int


COPY_SESSIONS = """
    INSERT INTO session (id, kind, track_id, title_fr, title_en, abstract_fr, abstract_en,
                         starts_at, ends_at, room_id, booth_id, exhibitor_id, capacity)
    SELECT c.new_id, s.kind, s.track_id, s.title_fr, s.title_en, s.abstract_fr,
           s.abstract_en, s.starts_at + c.shift, s.ends_at + c.shift, s.room_id, s.booth_id,
           s.exhibitor_id, s.capacity
      FROM unnest($1::text[], $2::text[], $3::interval[]) AS c(new_id, source_id, shift)
      JOIN session s ON s.id = c.source_id"""

COPY_SPEAKER_LINKS = """
    INSERT INTO session_speaker (session_id, speaker_id, position)
    SELECT c.new_id, ss.speaker_id, ss.position
      FROM unnest($1::text[], $2::text[]) AS c(new_id, source_id)
      JOIN session_speaker ss ON ss.session_id = c.source_id"""


async def add_synthetic_sessions(conn: asyncpg.Connection[Any], count: int) -> int:
    """`count` copies of the fair's talks (demos too if there are no talks), each round of
    copies a little later than the last, billed with the same speakers."""
    rows = await conn.fetch("SELECT id, kind FROM session ORDER BY starts_at, id")
    talks = [r["id"] for r in rows if r["kind"] != "DEMO"] or [r["id"] for r in rows]
    if count <= 0 or not talks:
        return 0
    new_ids = [f"bench-ses-{i + 1:04d}" for i in range(count)]
    source_ids = [talks[i % len(talks)] for i in range(count)]
    shifts = [COPY_SHIFT * (i // len(talks) + 1) for i in range(count)]
    async with conn.transaction():
        await conn.execute(COPY_SESSIONS, new_ids, source_ids, shifts)
        await conn.execute(COPY_SPEAKER_LINKS, new_ids, source_ids)
    return count


async def prepare_database(urls: ServiceUrls, name: str, target_sessions: int | None) -> Fair:
    """Create `name`, migrate, load the demo fair, top it up to `target_sessions`."""
    dsn = await ensure_database(urls, name)
    conn = await connect(dsn)  # with the pool's JSON codecs, which the loader relies on
    try:
        await migrate(conn)
        await load_fair(conn)
        loaded: int = await conn.fetchval("SELECT count(*) FROM session")
        wanted = 0 if target_sessions is None else target_sessions - loaded
        synthetic = await add_synthetic_sessions(conn, wanted)
        sessions: int = await conn.fetchval("SELECT count(*) FROM session")
        links: int = await conn.fetchval("SELECT count(*) FROM session_speaker")
    finally:
        await conn.close()
    return Fair(dsn=dsn, sessions=sessions, synthetic=synthetic, speaker_links=links)


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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _server_env(fair: Fair, urls: ServiceUrls, cache_size: int | None) -> dict[str, str]:
    # The user's SALON_* settings stay out: the run must not depend on the shell it came from.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    env["DATABASE_URL"] = fair.dsn
    env["REDIS_URL"] = urls.redis_url
    if cache_size is not None:
        env["SALON_RESPONSE_CACHE_SIZE"] = str(cache_size)
    return env


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    with httpx.Client(base_url=server.base_url, timeout=2.0, trust_env=False) as client:
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
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def running_server(
    fair: Fair, urls: ServiceUrls, workdir: Path, *, cache_size: int | None = None
) -> Iterator[Server]:
    """One uvicorn process on core 0, stopped on the way out whatever happens."""
    port = _free_port()
    command = [
        "taskset", "-c", SERVER_CORE,
        sys.executable, "-m", "uvicorn", "bench.agenda:create_bench_app", "--factory",
        "--host", HOST, "--port", str(port),
        "--no-access-log", "--ws-per-message-deflate", "false",
        "--log-level", "warning", "--lifespan", "on",
    ]  # fmt: skip
    log_path = workdir / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=_server_env(fair, urls, cache_size),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(process=process, base_url=f"http://{HOST}:{port}", log_path=log_path)
    try:
        _wait_ready(server)
        yield server
    finally:
        _stop(process)


# --------------------------------------------------------------------------------------
# Checking that both endpoints say the same thing
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Check:
    nodes: int
    plain_bytes: int
    graphql_bytes: int
    byte_identical: bool
    graphql_cached: bool  # the repeat came with the cache's ETag


def _first_difference(plain: Any, graphql: Any) -> str:
    try:
        plain_nodes = plain["data"]["sessions"]["nodes"]
        graphql_nodes = graphql["data"]["sessions"]["nodes"]
    except (KeyError, TypeError):
        return f"plain: {str(plain)[:400]}\ngraphql: {str(graphql)[:400]}"
    if len(plain_nodes) != len(graphql_nodes):
        return f"{len(plain_nodes)} sessions in plain, {len(graphql_nodes)} in GraphQL"
    for index, (a, b) in enumerate(zip(plain_nodes, graphql_nodes, strict=True)):
        if a != b:
            return f"session #{index}:\n  plain:   {a}\n  graphql: {b}"
    return "the documents differ outside the session list"


def check_same_document(server: Server) -> Check:
    """Both endpoints must return equal JSON, or the comparison is meaningless."""
    headers = {"content-type": "application/json"}
    with httpx.Client(base_url=server.base_url, timeout=30.0, trust_env=False) as client:
        plain = client.post(PLAIN_PATH, content=REQUEST_BODY, headers=headers)
        client.post(GRAPHQL_PATH, content=REQUEST_BODY, headers=headers)  # fills the cache
        graphql = client.post(GRAPHQL_PATH, content=REQUEST_BODY, headers=headers)
    for response in (plain, graphql):
        if response.status_code != 200:
            raise BenchError(f"{response.url} answered {response.status_code}: {response.text}")
    plain_doc, graphql_doc = orjson.loads(plain.content), orjson.loads(graphql.content)
    if "errors" in graphql_doc:
        raise BenchError(f"the GraphQL query failed: {graphql_doc['errors']}")
    if plain_doc != graphql_doc:
        raise BenchError(
            "the plain endpoint and GraphQL return different JSON; "
            f"first difference, {_first_difference(plain_doc, graphql_doc)}"
        )
    return Check(
        nodes=len(graphql_doc["data"]["sessions"]["nodes"]),
        plain_bytes=len(plain.content),
        graphql_bytes=len(graphql.content),
        byte_identical=plain.content == graphql.content,
        graphql_cached="etag" in graphql.headers,
    )


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


def write_wrk_script(folder: Path) -> Path:
    """The same POST for both endpoints, so only the server's handling differs."""
    body = REQUEST_BODY.decode()
    assert "]==]" not in body  # the Lua long string below must not end early
    script = folder / "agenda.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = [==[{body}]==]\n"
    )
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
        "--timeout", "10s", "-s", str(load.script), url,
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=duration + WRK_GRACE, check=False
        )
    except subprocess.TimeoutExpired as exc:  # subprocess.run kills wrk before raising
        raise BenchError(f"wrk ran past {duration + WRK_GRACE:.0f} s") from exc
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


# --------------------------------------------------------------------------------------
# The interleaved runs and the report
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pair:
    plain: Run
    graphql: Run

    @property
    def ratio(self) -> float:
        return self.graphql.rps / self.plain.rps


def warm_up(server: Server, load: Load, seconds: int) -> None:
    """Fill the response cache, the pool and the parser caches before anything counts."""
    if seconds > 0:
        run_wrk(server.base_url + PLAIN_PATH, load, seconds)
        run_wrk(server.base_url + GRAPHQL_PATH, load, seconds)


def measure_pair(server: Server, load: Load) -> Pair:
    plain = run_wrk(server.base_url + PLAIN_PATH, load)
    graphql = run_wrk(server.base_url + GRAPHQL_PATH, load)
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


def print_header(args: argparse.Namespace, fair: Fair, check: Check) -> None:
    synthetic = f" ({fair.synthetic} synthetic copies)" if fair.synthetic else ""
    print(
        f"Full agenda: {check.nodes} sessions in the response, {fair.sessions} in the database"
        f"{synthetic}, {fair.speaker_links} speaker links"
    )
    print(
        f"Server: 1 uvicorn process pinned to core {SERVER_CORE} (taskset -c {SERVER_CORE}), "
        "access log off, ws per-message deflate off, log level warning"
    )
    print(
        f"Load:   wrk -t1 -c{args.connections} -d{args.seconds}s pinned to core {CLIENT_CORE} "
        f"(taskset -c {CLIENT_CORE}), same POST body to both, {HOST} only"
    )
    print(
        f"A = {PLAIN_PATH} (same SQL, same pool, orjson, no cache)   "
        f"B = {GRAPHQL_PATH} (response cache on)"
    )
    identical = "byte-identical" if check.byte_identical else "equal once parsed"
    print(
        f"Responses checked equal: {check.plain_bytes} vs {check.graphql_bytes} bytes, "
        f"{identical}; GraphQL repeat served from cache: {check.graphql_cached}"
    )
    print(f"{args.pairs} interleaved pairs A, B after {args.warmup} s warm-up of each\n")
    print(TABLE_HEADER)


def median_ratio(pairs: Sequence[Pair]) -> float:
    return statistics.median(p.ratio for p in pairs)


def save_results(document: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"agenda-{stamp}.json"
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return path


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.agenda",
        description="Full agenda: GraphQL vs a plain Starlette endpoint, interleaved.",
    )
    parser.add_argument(
        "--pairs",
        type=_bounded(1, 50),
        default=5,
        help="interleaved plain/GraphQL pairs (default 5)",
    )
    parser.add_argument(
        "--seconds", type=_bounded(1, 120), default=10, help="length of each wrk run (default 10)"
    )
    parser.add_argument(
        "--connections", type=_bounded(1, 1000), default=16, help="wrk connections (default 16)"
    )
    parser.add_argument(
        "--warmup",
        type=_bounded(0, 60),
        default=3,
        help="seconds of warm-up per endpoint before each server's runs",
    )
    parser.add_argument(
        "--sessions",
        type=_bounded(1, 10_000),
        default=None,
        help="top the agenda up to this many sessions with shifted copies of "
        f"its talks (at most {PAGE_SIZE}, the one-page limit)",
    )
    return parser.parse_args(argv)


def preflight(args: argparse.Namespace) -> None:
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
    if args.sessions is not None and args.sessions > PAGE_SIZE:
        print(
            f"--sessions {args.sessions} capped to {PAGE_SIZE}: the full agenda is one page "
            f"and the API serves at most {PAGE_SIZE} per page."
        )
        args.sessions = PAGE_SIZE


def _raise_interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # so every `finally` below still runs


def benchmark(args: argparse.Namespace, fair: Fair, urls: ServiceUrls, workdir: Path) -> int:
    load = Load(
        script=write_wrk_script(workdir), seconds=args.seconds, connections=args.connections
    )
    with running_server(fair, urls, workdir) as server:
        check = check_same_document(server)
        print_header(args, fair, check)
        warm_up(server, load, args.warmup)
        pairs = []
        for number in range(1, args.pairs + 1):
            pairs.append(measure_pair(server, load))
            print(format_pair(str(number), pairs[-1]), flush=True)
    ratio = median_ratio(pairs)
    verdict = "met" if ratio >= 1.0 else "NOT met"
    print(f"\nmedian ratio graphql/plain: {ratio:.2f}x   (goal >= 1.0x: {verdict})")
    print(
        f"median rps: plain {statistics.median(p.plain.rps for p in pairs):.1f}, "
        f"graphql {statistics.median(p.graphql.rps for p in pairs):.1f}"
    )

    # For information only: the same comparison with the response cache turned off.
    with running_server(fair, urls, workdir, cache_size=0) as server:
        uncached_check = check_same_document(server)
        warm_up(server, load, args.warmup)
        uncached = measure_pair(server, load)
    print(
        f"\ngraphql without response cache (separate server, response_cache_size=0, "
        f"one pair):\n{TABLE_HEADER}\n{format_pair('B′', uncached)}"
    )

    path = save_results(
        {
            "benchmark": "agenda",
            "finished_at": datetime.now(UTC).isoformat(),
            "args": vars(args),
            "pinning": {"server_core": SERVER_CORE, "wrk_core": CLIENT_CORE},
            "fair": {k: v for k, v in asdict(fair).items() if k != "dsn"},
            "check": asdict(check),
            "query": AGENDA_QUERY,
            "pairs": [
                {"plain": asdict(p.plain), "graphql": asdict(p.graphql), "ratio": p.ratio}
                for p in pairs
            ],
            "median_ratio": ratio,
            "uncached": {
                "check": asdict(uncached_check),
                "plain": asdict(uncached.plain),
                "graphql": asdict(uncached.graphql),
                "ratio": uncached.ratio,
            },
        }
    )
    print(f"\nresults written to {path.relative_to(REPO_ROOT)}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        preflight(args)
    except BenchError as exc:
        print(f"bench.agenda: {exc}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _raise_interrupt)
    urls = locate_services(Settings())
    database = f"salon_bench_{os.getpid()}"
    try:
        fair = asyncio.run(prepare_database(urls, database, args.sessions))
        with tempfile.TemporaryDirectory(prefix="salon-bench-") as workdir:
            return benchmark(args, fair, urls, Path(workdir))
    except BenchError as exc:
        print(f"\nbench.agenda: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nbench.agenda: interrupted", file=sys.stderr)
        return 130
    finally:
        asyncio.run(drop_database(urls, database))


if __name__ == "__main__":
    sys.exit(main())
