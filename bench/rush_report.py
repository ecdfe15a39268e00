"""The figures of `bench.rush`: one row per measure, the baseline beside Salon, the ratio,
and the issue's goals checked against the medians of the per-pair ratios."""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict
from itertools import zip_longest
from typing import TYPE_CHECKING, Any

from bench.rush_load import percentiles

if TYPE_CHECKING:
    from bench.rush import SideRun

REQUESTS = ("agenda", "schedule", "bookmark", "register", "change")


def side_figures(run: SideRun) -> dict[str, Any]:
    load = run.load
    deliveries = load["deliveries"]
    complete = [d["last_s"] for d in deliveries if d["received"] >= d["audience"]]
    subscribed = max(load["burst"]["subscribed"], 1)
    errors = {
        f"{kind}: {message}": count
        for kind in REQUESTS
        for message, count in load["requests"][kind]["errors"].items()
    }
    errors |= {f"socket: {k}": v for k, v in load["burst"]["failed"].items()}
    errors |= {f"socket: {k}": v for k, v in load["socket_errors"].items()}
    return {
        "side": run.side,
        "workers": run.workers,
        **{kind: load["requests"][kind] for kind in REQUESTS},
        "delivery": percentiles(complete),
        "notices_expected": sum(d["audience"] for d in deliveries),
        "lost": sum(max(d["audience"] - d["received"], 0) for d in deliveries),
        "repeats": load["repeats"],
        "out_of_order": load["out_of_order"],
        "lost_sockets": load["lost_sockets"],
        "errors": errors,
        "burst": load["burst"],
        "kb_per_socket": round((run.rss_burst - run.rss_idle) / subscribed / 1024, 2),
        "rss_mb": round(run.rss_burst / 1e6, 1),
        "cpu_burst_s": round(run.cpu_burst, 3),
        "cpu_steady_s": round(run.cpu_steady, 3),
        "wrk": run.wrk,
    }


Figure = dict[str, Any]


def _pairs(figures: list[Figure]) -> dict[int, list[tuple[Figure | None, Figure | None]]]:
    """Per number of processes: (baseline, Salon) in the order they ran; None for a side
    the run left out (`--sides`)."""
    by_workers: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for figure in figures:
        by_workers[figure["workers"]][figure["side"]].append(figure)
    return {
        w: list(zip_longest(sides["plain"], sides["graphql"])) for w, sides in by_workers.items()
    }


def _ratio(top: float | None, bottom: float | None) -> float | None:
    if not top or not bottom:
        return None
    return round(top / bottom, 3)


#: (label, how to read a figure, how Salon compares: "time" (lower is better, ratio
#: Salon ÷ baseline) or "rate" (higher is better, Salon ÷ baseline)).
ROWS: list[tuple[str, Any]] = [
    *[
        (f"{kind} {p} (ms)", lambda f, kind=kind, p=p: f[kind].get(f"{p}_ms"))
        for kind in REQUESTS
        for p in ("p50", "p99")
    ],
    ("delivery p50 (ms)", lambda f: f["delivery"].get("p50_ms")),
    ("delivery p99 (ms)", lambda f: f["delivery"].get("p99_ms")),
    ("burst: all caught up (s)", lambda f: f["burst"]["caught_up_s"]),
    ("memory per socket (KB)", lambda f: f["kb_per_socket"]),
    ("server CPU, burst (s)", lambda f: f["cpu_burst_s"]),
    ("server CPU, mix (s)", lambda f: f["cpu_steady_s"]),
    ("agenda under changes (rps)", lambda f: f["wrk"].get("rps")),
    ("agenda under changes p99 (ms)", lambda f: f["wrk"].get("p99_ms")),
    ("  reads per server CPU-second", lambda f: _per_cpu_second(f["wrk"])),
]


def _per_cpu_second(wrk: dict[str, float]) -> float | None:
    """wrk's reads ÷ the server CPU they took (wrk's seconds × rps = its reads)."""
    if not wrk.get("cpu_s") or not wrk.get("rps") or not wrk.get("seconds"):
        return None
    return wrk["rps"] * wrk["seconds"] / wrk["cpu_s"]


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def print_report(args: argparse.Namespace, figures: list[dict[str, Any]]) -> None:
    print(
        f"\nbench.rush: {args.sockets} sockets (backlog {args.backlog} each), "
        f"{args.seconds} s mix at {args.read_rate:g} reads/s, {args.write_rate:g} writes/s, "
        f"a change every {args.change_every:g} s; wrk {args.wrk_seconds} s, "
        f"{args.wrk_connections} connections, on the agenda while it changes.\n"
        "Server: 1 process on core 0, or 2 on cores 0–1 (the load, on core 1, then shares "
        "a core with one of them). Ratio = Salon ÷ baseline."
    )
    for workers, pairs in sorted(_pairs(figures).items()):
        for index, (plain, salon) in enumerate(pairs):
            print(f"\n{workers} server process(es), pair {index + 1}")
            print(f"  {'measure':34} {'baseline':>12} {'Salon':>12} {'ratio':>8}")
            for label, read in ROWS:
                a = read(plain) if plain else None
                b = read(salon) if salon else None
                print(f"  {label:34} {_fmt(a):>12} {_fmt(b):>12} {_fmt(_ratio(b, a)):>8}")
            for figure in (f for f in (plain, salon) if f is not None):
                failed = sum(figure["errors"].values())
                print(
                    f"  {figure['side']:8} notices {figure['notices_expected']}, "
                    f"lost {figure['lost']}, repeated {figure['repeats']}, "
                    f"out of order {figure['out_of_order']}, errors {failed}"
                )
                for message, count in list(figure["errors"].items())[:5]:
                    print(f"    {count} × {message[:160]}")


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 3) if known else None


def verdicts(figures: list[dict[str, Any]]) -> dict[str, Any]:
    """The issue's goals against the medians of the per-pair ratios; `void` says why a
    run cannot count (a lost or repeated notice, or a request that failed)."""
    pairs = _pairs(figures)
    one = [(p, s) for p, s in pairs.get(1, []) if p is not None and s is not None]
    rps = {
        w: _median([s["wrk"].get("rps") for _, s in found if s is not None])
        for w, found in pairs.items()
    }
    goals = {
        "memory per idle socket ≤ 1.0× the bare socket": (
            _median([_ratio(s["kb_per_socket"], p["kb_per_socket"]) for p, s in one]),
            "≤",
            1.0,
        ),
        "agenda under changes ≥ 1.0× the plain endpoint": (
            _median([_ratio(s["wrk"].get("rps"), p["wrk"].get("rps")) for p, s in one]),
            "≥",
            1.0,
        ),
        "bookmarkSession ≥ 1.0× the plain endpoint (p50)": (
            _median(
                [_ratio(p["bookmark"].get("p50_ms"), s["bookmark"].get("p50_ms")) for p, s in one]
            ),
            "≥",
            1.0,
        ),
        "2 processes ≥ 1.7× one (agenda under changes)": (
            _ratio(rps.get(2), rps.get(1)),
            "≥",
            1.7,
        ),
    }
    void = []
    for figure in figures:
        where = f"{figure['side']} side, {figure['workers']} process(es)"
        if figure["errors"]:
            void.append(f"{sum(figure['errors'].values())} failed requests or sockets ({where})")
        if figure["side"] == "graphql":
            for key in ("lost", "repeats", "out_of_order", "lost_sockets"):
                if figure[key]:
                    void.append(f"{figure[key]} {key.replace('_', ' ')} ({where})")
    per_cpu = {
        w: _median([_per_cpu_second(s["wrk"]) for _, s in found if s is not None])
        for w, found in pairs.items()
    }
    print(
        "\nSalon's agenda reads under changes per server CPU-second, 2 processes ÷ 1: "
        f"{_fmt(_ratio(per_cpu.get(2), per_cpu.get(1)))} (1.0: a second process serves as "
        "much per core it gets as the first; what it gets is what the load leaves of core 1)"
    )
    print("\nGoals (medians of the per-pair ratios):")
    for label, (value, sense, goal) in goals.items():
        met = value is not None and (value <= goal if sense == "≤" else value >= goal)
        print(f"  {label:52} {_fmt(value):>8}  {'met' if met else 'NOT met'}")
    return {"goals": {k: v[0] for k, v in goals.items()}, "void": "; ".join(void)}
