"""A round: fresh servers for both sides, connect, interleaved broadcasts, checks;
every round of every size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.fanout_broadcast import broadcast
from bench.fanout_model import SIDES, Context, Sample, Shape, Side, SideRound
from bench.fanout_procs import app_fingerprint, app_metrics, gc_pauses, log_problems
from bench.fanout_sides import connect_side, start_side, stop_side


async def health_of(ctx: Context, side: Side) -> dict[str, Any]:
    """What went wrong, if anything: lost sockets, repeats, close codes, slow consumers
    cut off, server log errors."""
    statuses = [await c.status() for c in side.clients]
    health: dict[str, Any] = {
        "lost": sum(s["lost"] for s in statuses),
        "repeats": sum(s["repeats"] for s in statuses),
        "close_codes": {k: v for s in statuses for k, v in s["close_codes"].items()},
        "client_errors": {k: v for s in statuses for k, v in s["errors"].items()},
        "log_problems": [p for s in side.servers for p in log_problems(s.log_path)],
    }
    if ctx.args.gc_log:
        health["gc_pauses"] = [p for s in side.servers for p in gc_pauses(s.log_path)]
    if side.name == "graphql":
        metrics = [await app_metrics(ctx.http, s) for s in side.servers]
        health["slow_consumers_dropped"] = sum(
            m["salon_slow_consumers_dropped_total"] for m in metrics
        )
        health["notices_delivered"] = sum(m["salon_notices_delivered_total"] for m in metrics)
    return health


def print_pair(number: int, samples: dict[str, Sample]) -> None:
    raw, gql = samples["raw"], samples["graphql"]
    missing = [
        f"{s.side} {s.expected - s.deliveries} missing"
        for s in (raw, gql)
        if s.deliveries < s.expected
    ]
    print(
        f"  {number:>3}  raw {raw.latency_ms:8.1f} ms (first {raw.first_ms:6.1f})"
        f"   graphql {gql.latency_ms:8.1f} ms (first {gql.first_ms:6.1f})"
        f"   ratio {gql.latency_ms / raw.latency_ms:5.2f}x"
        + (f"   ({', '.join(missing)})" if missing else ""),
        flush=True,
    )


async def run_round(
    ctx: Context, shape: Shape, round_no: int, count: int
) -> tuple[list[Sample], list[SideRound]]:
    sides: list[Side] = []
    code = app_fingerprint()
    try:
        for name in SIDES:
            sides.append(await start_side(ctx, name, shape))
        if (now := app_fingerprint()) != code:  # edited while the servers started
            code = f"{code}~{now}"
        # Alternate which side goes first from one round to the next.
        order = sides if round_no % 2 == 1 else sides[::-1]
        print(
            f"\nN = {shape.label}, round {round_no}: {' then '.join(s.name for s in order)}"
            f" (app code {code})"
        )
        for side in order:
            await connect_side(ctx, side, shape)
        for number in range(ctx.args.warmup):
            for side in order:
                key = f"fanout {shape.label} r{round_no} {side.name} w{number}"
                await broadcast(ctx, side, key, round_no)
        samples: list[Sample] = []
        for number in range(1, count + 1):
            pair = {}
            for side in order:
                # "raw" and "gql": tags of one length, so both frames have the same size.
                tag = "gql" if side.name == "graphql" else side.name
                key = f"fanout {shape.label} r{round_no} {tag} {number}"
                pair[side.name] = await broadcast(ctx, side, key, round_no)
            samples += pair.values()
            print_pair(number, pair)
        summaries = [
            SideRound(
                name=s.name,
                held=s.held,
                base_rss=s.base_rss,
                idle_rss=s.idle_rss,
                kb_per_connection=s.kb_per_connection(),
                connect_seconds=s.connect_seconds,
                health=await health_of(ctx, s),
                code=code,
            )
            for s in sides
        ]
        return samples, summaries
    finally:
        for side in sides:
            await stop_side(ctx, side)


def rounds_of(total: int, rounds: int) -> list[int]:
    """`total` broadcasts per side over `rounds` rounds, as evenly as possible."""
    return [total // rounds + (1 if i < total % rounds else 0) for i in range(rounds)]


async def measure(ctx: Context, shapes: Sequence[Shape]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for shape in shapes:
        samples: list[Sample] = []
        side_rounds: list[SideRound] = []
        for round_no, count in enumerate(rounds_of(ctx.args.broadcasts, ctx.args.rounds), 1):
            found, summaries = await run_round(ctx, shape, round_no, count)
            samples += found
            side_rounds += summaries
        document[shape.label] = {"samples": samples, "rounds": side_rounds}
    return document
