"""Server CPU time per request, beside requests per second, for each run of a pair.

On a shared machine the rps of a run moves with what else runs on the server's core;
the CPU time the server process itself spent per request moves much less (bench/README:
"server CPU per delivery is the steadiest figure"). Each run reads the process's user
and system time from /proc before and after wrk; the CPU ratio of a pair is plain µs
per request ÷ GraphQL µs per request (above 1: GraphQL spends less per request).
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.harness.pairs import Endpoints
from bench.harness.server import Server
from bench.harness.wrk import Load, Run, run_wrk


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process so far (Linux /proc/<pid>/stat)."""
    # The name in parentheses may hold spaces: the fields counted from after it.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of stat(5)
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class CpuRun:
    run: Run
    cpu_us_per_request: float


@dataclass(frozen=True, slots=True)
class CpuPair:
    plain: CpuRun
    graphql: CpuRun

    @property
    def ratio(self) -> float:
        return self.graphql.run.rps / self.plain.run.rps

    @property
    def cpu_ratio(self) -> float:
        return self.plain.cpu_us_per_request / self.graphql.cpu_us_per_request

    def document(self) -> dict[str, Any]:
        return {
            "plain": {**asdict(self.plain.run), "cpu_us": self.plain.cpu_us_per_request},
            "graphql": {**asdict(self.graphql.run), "cpu_us": self.graphql.cpu_us_per_request},
            "ratio": self.ratio,
            "cpu_ratio": self.cpu_ratio,
        }


def measure(server: Server, path: str, load: Load) -> CpuRun:
    pid = server.process.pid  # taskset execs: this is uvicorn
    before = cpu_seconds(pid)
    run = run_wrk(server.base_url + path, load)
    spent = cpu_seconds(pid) - before
    return CpuRun(run=run, cpu_us_per_request=spent / max(run.requests, 1) * 1e6)


CPU_TABLE_HEADER = (
    f"{'pair':>4}  {'plain rps':>10} {'µs/req':>7}   {'graphql rps':>11} {'µs/req':>7}"
    f"   {'graphql/plain':>13} {'cpu plain/graphql':>17}"
)


def format_cpu_pair(label: str, pair: CpuPair) -> str:
    return (
        f"{label:>4}  {pair.plain.run.rps:>10.1f} {pair.plain.cpu_us_per_request:>7.0f}   "
        f"{pair.graphql.run.rps:>11.1f} {pair.graphql.cpu_us_per_request:>7.0f}   "
        f"{pair.ratio:>12.2f}x {pair.cpu_ratio:>16.2f}x"
    )


def interleave_cpu(server: Server, endpoints: Endpoints, load: Load, count: int) -> list[CpuPair]:
    """`count` pairs plain, GraphQL, …, each row printed as it comes (after
    CPU_TABLE_HEADER, which is the caller's)."""
    pairs = []
    for number in range(1, count + 1):
        plain = measure(server, endpoints.plain, load)
        graphql = measure(server, endpoints.graphql, load)
        pairs.append(CpuPair(plain=plain, graphql=graphql))
        print(format_cpu_pair(str(number), pairs[-1]), flush=True)
    return pairs


def print_cpu_verdict(pairs: Sequence[CpuPair], goal: float) -> tuple[float, float]:
    """The median rps ratio against the goal, and the median CPU ratio beside it."""
    ratio = statistics.median(p.ratio for p in pairs)
    cpu_ratio = statistics.median(p.cpu_ratio for p in pairs)
    verdict = "met" if ratio >= goal else "NOT met"
    print(f"\nmedian ratio graphql/plain: {ratio:.2f}x   (goal >= {goal}x: {verdict})")
    print(f"median CPU ratio plain µs/req ÷ graphql µs/req: {cpu_ratio:.2f}x")
    return ratio, cpu_ratio
