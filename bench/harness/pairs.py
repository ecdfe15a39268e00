"""Interleaved plain/GraphQL pairs, their table, the median ratio and the results file."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from bench.harness.machine import GRAPHQL_PATH, RESULTS_DIR
from bench.harness.server import Server
from bench.harness.wrk import Load, Run, run_wrk
from server.settings import REPO_ROOT


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
