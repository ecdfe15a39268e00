"""Figures per side and size, the table, the goals, the run's health and setup."""

from __future__ import annotations

import argparse
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.fanout_model import SIDES, Sample, Shape, SideRound
from bench.harness import CLIENT_CORE, SERVER_CORE

ONE_PROCESS_GOAL, TWO_PROCESS_GOAL = 19_000, 38_000
RATIO_GOAL = 1.5
MEMORY_GOAL_KB = 25.0


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest rank: with 20 values, p99 is the largest one."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass(frozen=True, slots=True)
class Figures:
    """One side at one N, over every round."""

    held: int
    broadcasts: int
    p50_ms: float
    p99_ms: float
    first_p50_ms: float
    cpu_us_per_delivery: float
    kb_per_connection: float
    missing: int
    frame_bytes: int


def figures(samples: Sequence[Sample], rounds: Sequence[SideRound]) -> Figures:
    latencies = [s.latency_ms for s in samples]
    deliveries = sum(s.deliveries for s in samples)
    return Figures(
        held=min(r.held for r in rounds),
        broadcasts=len(samples),
        p50_ms=percentile(latencies, 0.5),
        p99_ms=percentile(latencies, 0.99),
        first_p50_ms=percentile([s.first_ms for s in samples], 0.5),
        cpu_us_per_delivery=sum(s.cpu_s for s in samples) / deliveries * 1e6,
        kb_per_connection=statistics.median(r.kb_per_connection for r in rounds),
        missing=sum(s.expected - s.deliveries for s in samples),
        frame_bytes=max(s.frame_bytes for s in samples),
    )


TABLE_HEADER = (
    f"{'N':>8} {'held gql/raw':>13}  {'p50 ms raw':>10} {'gql':>8} {'ratio':>6}"
    f"  {'p99 ms raw':>10} {'gql':>8} {'ratio':>6}  {'first p50 raw':>13} {'gql':>7}"
    f"  {'CPU µs/deliv raw':>16} {'gql':>6} {'ratio':>6}  {'KB/idle conn raw':>16} {'gql':>6}"
)


def table_row(label: str, raw: Figures, gql: Figures) -> str:
    return (
        f"{label:>8} {f'{gql.held}/{raw.held}':>13}"
        f"  {raw.p50_ms:>10.1f} {gql.p50_ms:>8.1f} {gql.p50_ms / raw.p50_ms:>5.2f}x"
        f"  {raw.p99_ms:>10.1f} {gql.p99_ms:>8.1f} {gql.p99_ms / raw.p99_ms:>5.2f}x"
        f"  {raw.first_p50_ms:>13.1f} {gql.first_p50_ms:>7.1f}"
        f"  {raw.cpu_us_per_delivery:>16.1f} {gql.cpu_us_per_delivery:>6.1f}"
        f" {gql.cpu_us_per_delivery / raw.cpu_us_per_delivery:>5.2f}x"
        f"  {raw.kb_per_connection:>16.1f} {gql.kb_per_connection:>6.1f}"
    )


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def print_goals(results: dict[str, dict[str, Figures]], shapes: Sequence[Shape]) -> None:
    print("\nGoals")
    single = [s for s in shapes if s.servers == 1 and s.per_server >= ONE_PROCESS_GOAL]
    double = [s for s in shapes if s.servers == 2 and s.total >= TWO_PROCESS_GOAL]
    for wanted, found, what in (
        (ONE_PROCESS_GOAL, single, "by one process"),
        (TWO_PROCESS_GOAL, double, "by two processes"),
    ):
        if not found:
            print(f"  {wanted:,} subscribers held {what}: not measured in this run")
            continue
        held = results[found[0].label]["graphql"].held
        print(f"  {wanted:,} subscribers held {what}: {held:,} ({verdict(held >= wanted)})")
    for shape in shapes:
        raw, gql = results[shape.label]["raw"], results[shape.label]["graphql"]
        p50, p99 = gql.p50_ms / raw.p50_ms, gql.p99_ms / raw.p99_ms
        print(
            f"  N = {shape.label:>8}: GraphQL/raw p50 {p50:.2f}x, p99 {p99:.2f}x "
            f"(goal <= {RATIO_GOAL}x: {verdict(p50 <= RATIO_GOAL and p99 <= RATIO_GOAL)})"
        )
    worst = max(results[s.label]["graphql"].kb_per_connection for s in shapes)
    print(
        f"  server memory per idle subscriber: at most {worst:.1f} KB over the sizes "
        f"(goal <= {MEMORY_GOAL_KB:.0f} KB: {verdict(worst <= MEMORY_GOAL_KB)})"
    )


def print_health(label: str, rounds: Sequence[SideRound]) -> None:
    for side_round in rounds:
        health = side_round.health
        quiet = ("notices_delivered", "log_problems", "gc_pauses")
        problems = {k: v for k, v in health.items() if v and k not in quiet}
        if problems or health["log_problems"]:
            print(f"  N = {label} {side_round.name}: {problems}")
            for line in health["log_problems"]:
                print(f"      log: {line[:300]}")


def print_gc_pauses(label: str, samples: Sequence[Sample], rounds: Sequence[SideRound]) -> None:
    """Which measured broadcasts a collector pause fell into, and what they cost."""
    for name in SIDES:
        pauses = [p for r in rounds if r.name == name for p in r.health.get("gc_pauses", [])]
        mine = [s for s in samples if s.side == name]
        hit = [
            (s, [p for p in pauses if s.sent_at <= p[0] <= s.sent_at + s.latency_ms / 1000])
            for s in mine
        ]
        hit = [(s, found) for s, found in hit if found]
        worst = max((p[2] for _, found in hit for p in found), default=0.0)
        clean = [s.latency_ms for s in mine if all(s is not h for h, _ in hit)]
        print(
            f"  N = {label:>8} {name:<7}: {len(hit)} of {len(mine)} broadcasts had a collector "
            f"pause (longest {worst:.1f} ms, generations "
            f"{sorted({p[1] for _, found in hit for p in found})}); p50/p99 without them "
            + (f"{percentile(clean, 0.5):.1f}/{percentile(clean, 0.99):.1f} ms" if clean else "-")
        )


def describe(args: argparse.Namespace) -> list[str]:
    ws = f"{args.ws} (= websockets-sansio in this uvicorn)" if args.ws == "auto" else args.ws
    if getattr(args, "raw_ws", None):
        ws += f" (raw side: {args.raw_ws})"
    ws += f" --http {getattr(args, 'http', 'auto')}"
    if getattr(args, "server", "uvicorn") == "granian":
        ws = "GRANIAN (asgi, 1 worker, 1 runtime thread, uvloop), not uvicorn"
    return [
        "GraphQL: broadcastAnnouncement (everyone) → commit → relay (salon worker, polling "
        f"every {args.relay_poll:g} s besides NOTIFY) → Redis → hub → "
        "`subscription { notices { id title } }` on every socket",
        "raw:     POST /broadcast → plain Starlette endpoint sends the same pre-encoded "
        "`next` message to every socket in one loop (bench/fanout_raw.py)",
        f"Servers: uvicorn --ws {ws}, access log off, ws per-message deflate off, "
        f"ping every {args.ws_ping:g} s, log level warning, gc tuning "
        f"{'on' if args.gc_tuning else 'off'}; every server process pinned to core "
        f"{SERVER_CORE} (taskset -c {SERVER_CORE}), both sides up at once, a fresh set per round",
        f"Clients: separate processes pinned to core {CLIENT_CORE} (taskset -c {CLIENT_CORE}), "
        f"at most {args.per_client} sockets each, own source address each (127.0.1.x), "
        f"{args.concurrency} handshakes at a time; the driver on core {CLIENT_CORE} too; "
        "worker, PostgreSQL, Redis not pinned",
        "Latency: from the send of the POST (mutation / raw broadcast), not the commit, to "
        "the LAST client's receipt; broadcasts alternate raw/GraphQL and never overlap",
    ]


def report(
    args: argparse.Namespace, shapes: Sequence[Shape], measured: dict[str, Any]
) -> dict[str, dict[str, Figures]]:
    results = {
        shape.label: {
            name: figures(
                [s for s in measured[shape.label]["samples"] if s.side == name],
                [r for r in measured[shape.label]["rounds"] if r.name == name],
            )
            for name in SIDES
        }
        for shape in shapes
    }
    print()
    for line in describe(args):
        print(line)
    print(
        f"{args.broadcasts} broadcasts per side and N over {args.rounds} round(s), after "
        f"{args.warmup} unmeasured per side and round; p99 is the nearest rank "
        "(with 20 broadcasts: the slowest)\n"
    )
    print(TABLE_HEADER)
    for shape in shapes:
        print(table_row(shape.label, results[shape.label]["raw"], results[shape.label]["graphql"]))
    frames = [
        f"{s.label} {results[s.label]['raw'].frame_bytes}/{results[s.label]['graphql'].frame_bytes}"
        for s in shapes
    ]
    print(f"\n`next` frame bytes raw/graphql: {', '.join(frames)}")
    for shape in shapes:
        for name in SIDES:
            if results[shape.label][name].missing:
                print(f"  N = {shape.label} {name}: {results[shape.label][name].missing} missing")
        print_health(shape.label, measured[shape.label]["rounds"])
    if args.gc_log:
        print("\nCollector pauses (>= 2 ms) inside measured broadcasts (send → last receipt)")
        for shape in shapes:
            print_gc_pauses(
                shape.label, measured[shape.label]["samples"], measured[shape.label]["rounds"]
            )
    print_goals(results, shapes)
    codes = sorted({r.code for m in measured.values() for r in m["rounds"]})
    if len(codes) > 1:
        print(
            f"\nWARNING: the app's sources changed during the run ({', '.join(codes)}): "
            "rounds measured different versions of the app; run again for one version."
        )
    else:
        print(f"\napp code {codes[0]} (hash of server/, schema/, workers/) in every round")
    return results
