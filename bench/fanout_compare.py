"""Several bench.fanout runs side by side: is a change in the ratios more than the spread
between runs of the same code?

    .venv/bin/python -m bench.fanout_compare before=bench/results/fanout-A1.json \\
        before=…-A2.json after=…-C1.json after=…-C2.json

Each argument is LABEL=results file (a label names one version of the code; give each
version several interleaved runs). One line per run and N: the p50 and p99 ratios, the
median time to the first receipt (the mutation, relay and Redis for GraphQL) and of the
fan-out itself (last − first receipt, per broadcast), and server CPU per delivery; then
per label and N the median and range over its runs. A difference between labels that
lies inside either label's range is not shown by these runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bench.fanout_report import percentile


@dataclass(frozen=True, slots=True)
class Run:
    label: str
    path: Path
    n: str
    p50_ratio: float
    p99_ratio: float
    first_ms: tuple[float, float]  # raw, graphql: median time to the first receipt
    fan_ms: tuple[float, float]  # raw, graphql: median of last − first receipt
    cpu_us: tuple[float, float]  # raw, graphql: server CPU per delivery

    @property
    def cpu_ratio(self) -> float:
        return self.cpu_us[1] / self.cpu_us[0]


def runs_of(label: str, path: Path) -> list[Run]:
    """One Run per N measured in this results file."""
    document: dict[str, Any] = orjson.loads(path.read_bytes())
    found = []
    for n, measured in document["measured"].items():
        sides = {
            name: [s for s in measured["samples"] if s["side"] == name]
            for name in ("raw", "graphql")
        }
        latency = {k: [s["latency_ms"] for s in v] for k, v in sides.items()}
        first = {k: statistics.median(s["first_ms"] for s in v) for k, v in sides.items()}
        fan = {
            k: statistics.median(s["latency_ms"] - s["first_ms"] for s in v)
            for k, v in sides.items()
        }
        cpu = {
            k: sum(s["cpu_s"] for s in v) / sum(s["deliveries"] for s in v) * 1e6
            for k, v in sides.items()
        }
        found.append(
            Run(
                label=label,
                path=path,
                n=n,
                p50_ratio=percentile(latency["graphql"], 0.5) / percentile(latency["raw"], 0.5),
                p99_ratio=percentile(latency["graphql"], 0.99) / percentile(latency["raw"], 0.99),
                first_ms=(first["raw"], first["graphql"]),
                fan_ms=(fan["raw"], fan["graphql"]),
                cpu_us=(cpu["raw"], cpu["graphql"]),
            )
        )
    return found


def spread(values: Sequence[float]) -> str:
    return f"{statistics.median(values):5.2f} [{min(values):5.2f}..{max(values):5.2f}]"


def report(runs: Sequence[Run]) -> None:
    print(
        f"{'label':<10} {'N':>7}  {'p50 ratio':>9} {'p99 ratio':>9}  {'first ms raw':>12} "
        f"{'gql':>6}  {'fan-out ms raw':>14} {'gql':>6}  {'CPU µs raw':>10} {'gql':>6} "
        f"{'ratio':>5}  file"
    )
    for r in runs:
        print(
            f"{r.label:<10} {r.n:>7}  {r.p50_ratio:8.2f}x {r.p99_ratio:8.2f}x  "
            f"{r.first_ms[0]:12.1f} {r.first_ms[1]:6.1f}  {r.fan_ms[0]:14.1f} {r.fan_ms[1]:6.1f}"
            f"  {r.cpu_us[0]:10.1f} {r.cpu_us[1]:6.1f} {r.cpu_ratio:5.2f}  {r.path.name}"
        )
    print("\nmedian [min..max] over the runs of each label")
    for label in dict.fromkeys(r.label for r in runs):
        for n in dict.fromkeys(r.n for r in runs if r.label == label):
            mine = [r for r in runs if r.label == label and r.n == n]
            print(
                f"{label:<10} {n:>7}  {len(mine)} runs"
                f"  p50 ratio {spread([r.p50_ratio for r in mine])}"
                f"  p99 ratio {spread([r.p99_ratio for r in mine])}"
                f"  gql first ms {spread([r.first_ms[1] for r in mine])}"
                f"  CPU ratio {spread([r.cpu_ratio for r in mine])}"
            )


def labelled(text: str) -> tuple[str, Path]:
    label, sep, path = text.partition("=")
    if not sep or not label or not path:
        raise argparse.ArgumentTypeError(f"{text!r}: give LABEL=results.json")
    if not Path(path).is_file():
        raise argparse.ArgumentTypeError(f"{path}: no such file")
    return label, Path(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench.fanout_compare", description=__doc__.split("\n")[0]
    )
    parser.add_argument("runs", nargs="+", type=labelled, metavar="LABEL=results.json")
    args = parser.parse_args(argv)
    report([run for label, path in args.runs for run in runs_of(label, path)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
