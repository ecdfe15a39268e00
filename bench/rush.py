"""The morning rush: every attendee at once, against a bare baseline in the same run.

Run from the repository root: `python -m bench.rush --help` (see bench/README.md).

For each number of server processes (1, then 2) and each side (the bare baseline,
then Salon, in turn), on a fresh server:

1. a burst of signed-in sockets connects at once, each catching up from an old
   cursor (the backlog of notices it missed while its phone was off, written afresh
   for each run so that every run replays the same);
2. an open-loop mix for `--seconds`: agenda and `me.schedule` reads, bookmarks and
   registrations, and an organiser's change every `--change-every` seconds, which
   invalidates the agenda and reaches the sockets of that session's bookmarkers;
3. wrk reads the agenda as fast as it can while the organiser goes on changing it.

Both sides are served by the same server (`bench.rush_serve`, as `salon serve`): Salon at
`/graphql`, the baseline's plain twins (same SQL, orjson, no GraphQL, a bare Redis
fan-out) at `/plain/*`. The load (`bench.rush_load`, wrk) is pinned to core 1; one
server process to core 0, two to both cores (the load then shares core 1: said in the
output). Ratios are the result: Salon ÷ baseline for each figure, and 2 processes ÷ 1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

from bench import harness
from bench.agenda import AGENDA_QUERY
from bench.fanout_procs import (
    Started,
    cpu_seconds,
    log_problems,
    rss_bytes,
    start_worker,
)
from bench.harness import (
    CLIENT_CORE,
    HOST,
    SERVER_CORE,
    BenchError,
    Load,
    Server,
    Workspace,
    free_port,
)
from bench.rush_cast import RUSH_NOW, Cast, Changed, make_cast
from bench.rush_load import BACKLOG_MARK
from bench.rush_report import print_report, side_figures, verdicts
from bench.schedule import BOOKMARK_MUTATION, SCHEDULE_QUERY
from server.db.pool import connect
from server.settings import REPO_ROOT

PROG = "bench.rush"
DOCUMENTS = {
    "agenda": AGENDA_QUERY,
    "schedule": SCHEDULE_QUERY,
    "bookmark": BOOKMARK_MUTATION,
    "register": "mutation Register($id: ID!) { registerForSession(sessionId: $id) { status } }",
    "change": "mutation Change($id: ID!, $input: SessionChangeInput!) "
    "{ updateSession(id: $id, input: $input) { id capacity } }",
}
PATHS = {
    "graphql": {name: harness.GRAPHQL_PATH for name in DOCUMENTS},
    "plain": {name: f"/plain/{name}" for name in DOCUMENTS},
}
SOCKET_PATHS = {"graphql": harness.GRAPHQL_PATH, "plain": "/plain/ws"}
SIDES = ("plain", "graphql")
BACKLOG_DOCUMENT = (
    "mutation Backlog($body: String!) { broadcastAnnouncement(input: "
    '{title: "Rush", body: $body, audience: {everyone: true}}) { id } }'
)
#: Seconds the load process may take beyond its own limits before it is stopped.
LOAD_GRACE = 300.0
SEQUENCING_LIMIT = 60.0


@dataclass
class Marks:
    """Every change of the run gets the next mark. A session's capacity only grows (by
    one per round of the changed sessions), so no change can ever be a no-op, even
    after one that failed."""

    changed: list[Changed]
    next_mark: int = 0

    def take(self, count: int) -> list[dict[str, Any]]:
        changes = []
        for _ in range(count):
            mark = self.next_mark
            self.next_mark += 1
            target = self.changed[mark % len(self.changed)]
            capacity = target.capacity + 1 + mark // len(self.changed)
            changes.append(
                {
                    "mark": mark,
                    "session": target.session,
                    "audience": target.sockets,
                    "input": {"capacity": capacity, "note": f"rush-change-{mark}"},
                }
            )
        return changes


# --------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------


def run_settings(space: Workspace) -> dict[str, str]:
    """The fair's clock on opening morning, and Redis channels of this run's own (a
    server on the same Redis must not hear the run's notices, nor the run theirs)."""
    return {"SALON_NOW": RUSH_NOW.isoformat(), "SALON_REDIS_NAMESPACE": space.database}


def server_cores(workers: int) -> str:
    """One process on the server's core; several on every core (the load then shares
    one with them)."""
    if workers == 1:
        return SERVER_CORE
    return ",".join(str(core) for core in sorted(os.sched_getaffinity(0)))


def rush_server(
    space: Workspace, dsn: str, workers: int
) -> contextlib.AbstractContextManager[Server]:
    """Both sides' app, served as `salon serve --workers` serves Salon."""
    port = free_port()
    command = [
        "taskset", "-c", server_cores(workers),
        sys.executable, "-m", "bench.rush_serve",
        "--host", HOST, "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    return harness.serving(space, dsn, command, port, extra_env=run_settings(space))


def serving_pids(server: Server, workers: int) -> list[int]:
    """The processes that serve: uvicorn itself, or its `workers` children."""
    if workers == 1:
        return [server.process.pid]
    children_file = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = [int(p) for p in children_file.read_text().split()]
        if len(children) >= workers:
            return children
        time.sleep(0.1)
    raise BenchError(f"uvicorn did not start {workers} workers")


def cpu_of(pids: Sequence[int]) -> float:
    return sum(cpu_seconds(pid) for pid in pids)


def rss_of(pids: Sequence[int]) -> int:
    return sum(rss_bytes(pid) for pid in pids)


def graphql(server: Server, token: str, query: str, variables: dict[str, Any]) -> Any:
    with server.client() as client:
        response = client.post(
            harness.GRAPHQL_PATH,
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    answer = harness.ok_json(response)
    if answer.get("errors"):
        raise BenchError(f"GraphQL refused: {answer['errors']}")
    return answer["data"]


async def _backlog_state(dsn: str, marker: str) -> tuple[int, int]:
    """The latest cursor, and how many notices marked `marker…` are sequenced."""
    conn = await connect(dsn)
    try:
        row = await conn.fetchrow(
            "SELECT coalesce(max(seq), 0) AS latest,"
            " count(*) FILTER (WHERE seq IS NOT NULL AND body_fr LIKE $1) AS marked"
            " FROM notice",
            marker + "%",
        )
        assert row is not None
        return row["latest"], row["marked"]
    finally:
        await conn.close()


def make_backlog(server: Server, dsn: str, cast: Cast, count: int, run: int) -> int:
    """`count` notices for everyone, sequenced by the relay before any socket opens; the
    cursor the sockets subscribe after. Each run writes its own, so every run replays
    the same backlog, not also the notices of the runs before it (the changes reach the
    same people run after run)."""
    marker = f"{BACKLOG_MARK} {run}-"
    after, _ = asyncio.run(_backlog_state(dsn, marker))
    for index in range(count):
        graphql(server, cast.organiser, BACKLOG_DOCUMENT, {"body": f"{marker}{index}"})
    deadline = time.monotonic() + SEQUENCING_LIMIT
    while asyncio.run(_backlog_state(dsn, marker))[1] < count:
        if time.monotonic() > deadline:
            raise BenchError("the relay did not sequence the backlog in time")
        time.sleep(0.1)
    return after


# --------------------------------------------------------------------------------------
# One side
# --------------------------------------------------------------------------------------


@dataclass
class SideRun:
    side: str
    workers: int
    load: dict[str, Any]
    rss_idle: int
    rss_burst: int
    cpu_burst: float
    cpu_steady: float
    wrk: dict[str, float]


def run_load(space: Workspace, scenario: dict[str, Any], pids: list[int]) -> tuple[Any, ...]:
    """The load process; the server's memory and CPU around its burst and its mix."""
    path = space.workdir / f"scenario-{scenario['side']}-{scenario['workers']}.json"
    path.write_bytes(orjson.dumps(scenario))
    command = ["taskset", "-c", CLIENT_CORE, sys.executable, "-m", "bench.rush_load", str(path)]
    rss_idle, cpu_start = rss_of(pids), cpu_of(pids)
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    timer = threading.Timer(scenario["seconds"] + LOAD_GRACE, process.kill)
    timer.start()
    try:
        assert process.stdout is not None
        burst = orjson.loads(process.stdout.readline() or "{}")
        if burst.get("event") != "burst":
            raise BenchError(f"the load process failed in its burst: {burst}")
        rss_burst, cpu_burst = rss_of(pids), cpu_of(pids)
        result = orjson.loads(process.stdout.readline() or "{}")
        cpu_end = cpu_of(pids)
        if result.get("event") != "result":
            raise BenchError("the load process ended without a result")
        process.wait(timeout=30)
    finally:
        timer.cancel()
        harness.stop_process(process)  # type: ignore[arg-type]
    return result, rss_idle, rss_burst, cpu_burst - cpu_start, cpu_end - cpu_burst


def changes_meanwhile(
    server: Server, side: str, token: str, marks: Marks, every: float, stop: threading.Event
) -> None:
    """The organiser goes on changing sessions while wrk reads (the cache keeps dying)."""
    with server.client() as client:
        while not stop.wait(every):
            (change,) = marks.take(1)
            variables = {"id": change["session"], "input": change["input"]}
            client.post(
                PATHS[side]["change"],
                json={"query": DOCUMENTS["change"], "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )


def read_throughput(
    space: Workspace,
    server: Server,
    pids: list[int],
    side: str,
    cast: Cast,
    marks: Marks,
    args: argparse.Namespace,
) -> dict[str, float]:
    """wrk's agenda reads while the organiser changes it, and the server CPU they took
    (reads per CPU-second say whether a second process works as well as the first)."""
    # Accept-Encoding as every phone's browser (and the load process's aiohttp) sends it.
    script = harness.write_wrk_script(
        space.workdir,
        f"agenda-{side}",
        [orjson.dumps({"query": AGENDA_QUERY})],
        headers={"Accept-Encoding": "gzip"},
    )
    load = Load(script=script, seconds=args.wrk_seconds, connections=args.wrk_connections)
    stop = threading.Event()
    changer = threading.Thread(
        target=changes_meanwhile,
        args=(server, side, cast.organiser, marks, args.change_every, stop),
    )
    changer.start()
    cpu_start = cpu_of(pids)
    try:
        run = harness.run_wrk(server.base_url + PATHS[side]["agenda"], load)
    finally:
        cpu = cpu_of(pids) - cpu_start
        stop.set()
        changer.join()
    return {
        "rps": run.rps,
        "p50_ms": run.p50_ms,
        "p99_ms": run.p99_ms,
        "seconds": float(load.seconds),
        "cpu_s": cpu,
    }


def run_side(
    space: Workspace,
    dsn: str,
    cast: Cast,
    marks: Marks,
    side: str,
    workers: int,
    writes: list[dict[str, str]],
    run: int,
    args: argparse.Namespace,
) -> SideRun:
    with rush_server(space, dsn, workers) as server:
        pids = serving_pids(server, workers)
        after = make_backlog(server, dsn, cast, args.backlog, run)
        scenario = {
            "side": side,
            "workers": workers,
            "base": server.base_url,
            "ws_path": SOCKET_PATHS[side],
            "paths": PATHS[side],
            "documents": DOCUMENTS,
            "socket_tokens": cast.socket_tokens,
            "reader_tokens": cast.reader_tokens,
            "writes": writes,
            "changes": marks.take(int(args.seconds / args.change_every)),
            "organiser": cast.organiser,
            "after": str(after),
            "backlog": args.backlog,
            "seconds": args.seconds,
            "read_rate": args.read_rate,
            "write_rate": args.write_rate,
            "change_every": args.change_every,
            "concurrency": args.concurrency,
            "http_connections": args.http_connections,
        }
        result, rss_idle, rss_burst, cpu_burst, cpu_steady = run_load(space, scenario, pids)
        wrk = (
            read_throughput(space, server, pids, side, cast, marks, args)
            if args.wrk_seconds
            else {}
        )
        for line in log_problems(server.log_path):
            print(f"  server log: {line[:300]}")
    return SideRun(side, workers, result, rss_idle, rss_burst, cpu_burst, cpu_steady, wrk)


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------


def benchmark(args: argparse.Namespace, space: Workspace) -> int:
    sides = len(args.workers) * args.pairs * len(args.sides)
    writes_per_side = int(args.seconds * args.write_rate) + 1

    async def setup(conn: Any) -> Cast:
        return await make_cast(conn, args.sockets, sides, writes_per_side)

    dsn, cast = asyncio.run(harness.prepare_database(space, setup))
    marks = Marks(cast.changed)
    started = Started()
    runs: list[SideRun] = []
    try:
        start_worker(started, space, dsn, run_settings(space))
        side_index = 0
        for workers in args.workers:
            for _ in range(args.pairs):
                for side in args.sides:
                    print(f"  {side} side, {workers} server process(es) …", flush=True)
                    runs.append(
                        run_side(
                            space, dsn, cast, marks, side, workers,
                            cast.writes[side_index], side_index, args,
                        )
                    )  # fmt: skip
                    side_index += 1
    finally:
        started.stop_all()
    figures = [side_figures(run) for run in runs]
    print_report(args, figures)
    outcome = verdicts(figures)
    harness.save_results(
        "rush",
        {
            "args": vars(args),
            "pinning": {"server_cores": {str(w): server_cores(w) for w in args.workers}},
            "runs": [asdict(run) for run in runs],
            "figures": figures,
            "verdicts": outcome,
        },
    )
    if outcome["void"]:
        print(f"\n{PROG}: the run is void: {outcome['void']}", file=sys.stderr)
        return 1
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=harness.bounded(1, 9_000), default=2_000)
    parser.add_argument("--seconds", type=harness.bounded(2, 300), default=20, help="mix length")
    parser.add_argument("--read-rate", type=float, default=100.0, help="reads per second")
    parser.add_argument("--write-rate", type=float, default=40.0, help="writes per second")
    parser.add_argument("--change-every", type=float, default=2.0, help="seconds")
    parser.add_argument("--backlog", type=harness.bounded(1, 200), default=20)
    parser.add_argument("--wrk-seconds", type=harness.bounded(0, 120), default=10)
    parser.add_argument("--wrk-connections", type=harness.bounded(1, 500), default=32)
    parser.add_argument("--concurrency", type=int, default=200, help="handshakes at once")
    parser.add_argument("--http-connections", type=int, default=64)
    parser.add_argument("--pairs", type=harness.bounded(1, 5), default=1)
    parser.add_argument(
        "--workers", type=lambda text: [int(n) for n in text.split(",")], default=[1, 2]
    )
    parser.add_argument(
        "--sides",
        type=lambda text: [s for s in SIDES if s in text.split(",")],
        default=list(SIDES),
        help="plain,graphql (one alone: to profile it; no ratios then)",
    )
    parser.add_argument(
        "--tiny", action="store_true", help="a few dozen sockets for a few seconds (make test)"
    )
    args = parser.parse_args(argv)
    if args.tiny:
        args.sockets, args.seconds, args.backlog = 40, 3, 3
        args.read_rate, args.write_rate, args.wrk_seconds = 40.0, 10.0, 1
        args.change_every = 1.0
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return harness.run(PROG, lambda space: benchmark(args, space))


if __name__ == "__main__":
    sys.exit(main())
