"""Where the memory per idle connection goes: tracemalloc snapshots of a fan-out server.

With `bench.fanout --tracemalloc DIR` both sides' servers trace their allocations
(FANOUT_TRACEMALLOC=DIR) and the driver asks each for a snapshot just before its
sockets connect (`base`) and once they are idle (`idle`), next to the RSS readings.
Then, by hand:

    .venv/bin/python -m bench.fanout_memory DIR --per 1000 [--group lineno|traceback]

prints, for each server, what grew between the two snapshots, the biggest first, in
bytes per connection. Tracing slows the server: the run's timings mean nothing then,
only its memory figures (and RSS counts tracemalloc's own bookkeeping too).
"""

from __future__ import annotations

import argparse
import os
import pickle
import tracemalloc
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

ENV = "FANOUT_TRACEMALLOC"
FRAMES = 12


def trace_routes() -> list[BaseRoute]:
    """With FANOUT_TRACEMALLOC set: start tracing, and `POST /tracemalloc?name=…` writes
    a snapshot into that directory. Without it, nothing (and nothing is traced)."""
    folder = os.environ.get(ENV)
    if not folder:
        return []
    tracemalloc.start(FRAMES)

    async def snapshot(request: Request) -> Response:
        name = request.query_params.get("name", "snapshot")
        path = Path(folder) / f"{name}-{os.getpid()}.pickle"
        tracemalloc.take_snapshot().dump(str(path))
        return PlainTextResponse(str(path))

    return [Route("/tracemalloc", snapshot, methods=["POST"])]


def grown(
    base: tracemalloc.Snapshot, idle: tracemalloc.Snapshot, key: str
) -> list[tracemalloc.StatisticDiff]:
    ignore = [
        tracemalloc.Filter(False, tracemalloc.__file__),
        tracemalloc.Filter(False, pickle.__file__),
    ]
    diffs = idle.filter_traces(ignore).compare_to(base.filter_traces(ignore), key)
    return sorted(diffs, key=lambda d: d.size_diff, reverse=True)


def report(folder: Path, per: int, key: str, top: int) -> None:
    for base_path in sorted(folder.glob("base-*.pickle")):
        pid = base_path.stem.split("-", 1)[1]
        idle_path = folder / f"idle-{pid}.pickle"
        if not idle_path.exists():
            continue
        diffs = grown(
            tracemalloc.Snapshot.load(str(base_path)),
            tracemalloc.Snapshot.load(str(idle_path)),
            key,
        )
        total = sum(d.size_diff for d in diffs)
        print(f"server pid {pid}: {total / per:.0f} B traced per connection ({per})")
        for diff in diffs[:top]:
            if diff.size_diff <= 0:
                break
            lines = diff.traceback.format(
                limit=FRAMES if key == "traceback" else 1, most_recent_first=True
            )
            where = ("\n" + " " * 22).join(line.strip() for line in lines if line.strip())
            print(f"  {diff.size_diff / per:8.0f} B {diff.count_diff / per:6.1f} blk  {where}")
        print()


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.fanout_memory", description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--per", type=int, required=True, help="connections between the snapshots")
    parser.add_argument("--group", choices=["lineno", "traceback", "filename"], default="lineno")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    report(args.folder, args.per, args.group, args.top)


if __name__ == "__main__":
    main()
