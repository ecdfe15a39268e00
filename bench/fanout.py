"""Fan-out of one organiser broadcast to every subscribed websocket, GraphQL vs raw.

    .venv/bin/python -m bench.fanout                               # the full run
    .venv/bin/python -m bench.fanout --sizes 1000 --broadcasts 5 --no-two-process

For each N: N anonymous sockets subscribed with `subscription { notices { id title } }`
on a fresh app server (the GraphQL side: `broadcastAnnouncement` → commit → relay →
Redis → hub → every socket), and N sockets on a fresh plain Starlette endpoint that
sends the same pre-encoded `next` message when told (bench/fanout_raw.py). Both are up
at once, pinned to core 0; their broadcasts alternate (raw, GraphQL, raw, …). Load
clients are separate processes on core 1 (bench/fanout_client.py), each with its own
source address. Latency of a broadcast = the last client's receipt − the send of the
POST that starts it. Also: server CPU per delivery, server memory per idle connection.
See bench/README.md for how to read the output.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import secrets
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import orjson
from starlette.applications import Starlette

from bench.fanout_procs import (
    Client,
    Started,
    app_fingerprint,
    app_metrics,
    cpu_seconds,
    gc_pauses,
    log_problems,
    raw_stats,
    rss_bytes,
    start_server,
    start_worker,
    stop_server,
    wait_until,
)
from bench.fanout_raw import log_gc_pauses
from bench.harness import (
    CLIENT_CORE,
    GRAPHQL_PATH,
    SERVER_CORE,
    BenchError,
    Server,
    Workspace,
    bounded,
    create_app_with,
    ok_json,
    prepare_database,
    run,
    save_results,
)
from server.auth.signin import issue_token
from server.domain.people import NewPerson, add_person

GRAPHQL_FACTORY = "bench.fanout:create_graphql_app"
RAW_FACTORY = "bench.fanout_raw:create_raw_app"
MUTATION = (
    "mutation Fanout($input: AnnouncementInput!) "
    "{ broadcastAnnouncement(input: $input) { id createdAt } }"
)
BODY = "Fan-out benchmark: please ignore."
#: Sockets opened and closed before the baseline RSS, so lazy imports and first-use
#: caches of the websocket path are not counted as memory per connection.
WARM_SOCKETS = 20
IDLE_SETTLE = 2.0  # seconds between the last subscription and the idle RSS
ONE_PROCESS_GOAL, TWO_PROCESS_GOAL = 19_000, 38_000
RATIO_GOAL = 1.5
MEMORY_GOAL_KB = 25.0
SIDES = ("raw", "graphql")


def create_graphql_app() -> Starlette:
    """The app `salon serve` runs, logging at WARNING (a uvicorn factory)."""
    log_gc_pauses()  # only with --gc-log
    return create_app_with([])


# --------------------------------------------------------------------------------------
# What a run is made of
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shape:
    """N sockets per server process, on `servers` processes per side."""

    per_server: int
    servers: int = 1

    @property
    def label(self) -> str:
        return f"{self.servers}x{self.per_server}" if self.servers > 1 else str(self.per_server)

    @property
    def total(self) -> int:
        return self.per_server * self.servers


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured broadcast of one side."""

    side: str
    round: int
    key: str
    sent_at: float  # epoch seconds
    latency_ms: float  # last receipt − send
    first_ms: float  # first receipt − send
    cpu_s: float  # server CPU time (all processes of the side) over the broadcast
    deliveries: int  # sockets that got it
    expected: int
    frame_bytes: int


@dataclass(slots=True)
class Side:
    name: str
    servers: list[Server]
    clients: list[Client] = field(default_factory=list)
    held: int = 0
    base_rss: list[int] = field(default_factory=list)
    idle_rss: list[int] = field(default_factory=list)
    connect_seconds: float = 0.0

    def cpu(self) -> float:
        return sum(cpu_seconds(s.process.pid) for s in self.servers)

    def kb_per_connection(self) -> float:
        grown = sum(self.idle_rss) - sum(self.base_rss)
        return grown / 1024 / self.held if self.held else math.nan


@dataclass
class Context:
    args: argparse.Namespace
    space: Workspace
    dsn: str
    token: str
    namespace: str
    http: httpx.AsyncClient
    started: Started
    clients: list[Client] = field(default_factory=list)  # every one ever started
    sources_used: int = 0
    #: The cursor of the last GraphQL notice: raw ids follow it, so that both sides'
    #: frames have the same number of digits, hence the same size.
    last_cursor: int = 0

    def server_env(self) -> dict[str, str]:
        return {
            "SALON_REDIS_NAMESPACE": self.namespace,
            "SALON_LOG_LEVEL": "WARNING",
            "SALON_GC_TUNING": "true" if self.args.gc_tuning else "false",
            "SALON_WS_PING_SECONDS": str(self.args.ws_ping),
            "FANOUT_GC_LOG": "1" if self.args.gc_log else "0",
        }


# --------------------------------------------------------------------------------------
# Setting up one side of a round
# --------------------------------------------------------------------------------------


async def start_side(ctx: Context, name: str, shape: Shape) -> Side:
    factory = GRAPHQL_FACTORY if name == "graphql" else RAW_FACTORY
    servers = []
    for number in range(shape.servers):
        servers.append(
            await asyncio.to_thread(
                start_server,
                ctx.started,
                ctx.space,
                ctx.dsn,
                factory,
                name=f"{name}-{shape.label}-{number}",
                ws=ctx.args.ws,
                ping_seconds=ctx.args.ws_ping,
                env=ctx.server_env(),
            )
        )
    return Side(name=name, servers=servers)


def subscribed_probe(ctx: Context, side: Side, server: Server) -> Callable[[], Awaitable[float]]:
    """How many live subscriptions the server itself reports."""

    async def probe() -> float:
        if side.name == "graphql":
            return (await app_metrics(ctx.http, server))["salon_active_subscriptions"]
        return (await raw_stats(ctx.http, server))["subscribers"]

    return probe


def split(total: int, most: int) -> list[int]:
    """`total` sockets over as few processes as hold at most `most` each, evenly."""
    parts = math.ceil(total / most)
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


async def connect_server(ctx: Context, side: Side, server: Server, count: int) -> None:
    """Start the server's clients, measure its baseline RSS after a few warm-up sockets,
    then connect `count` and wait until the server reports them all subscribed."""
    args = ctx.args
    probe = subscribed_probe(ctx, side, server)
    clients = []
    for share in split(count, args.per_client):
        client = await Client.start(
            ctx.space, server, ctx.sources_used, share, args.concurrency, args.open_timeout
        )
        ctx.sources_used += 1
        ctx.clients.append(client)
        clients.append(client)
    side.clients += clients
    await clients[0].connect(WARM_SOCKETS, args.open_timeout + 30)
    await wait_until(probe, WARM_SOCKETS, 30, f"{side.name} warm-up subscriptions")
    await clients[0].drop()
    await wait_until(probe, 0, 30, f"{side.name} subscriptions after the warm-up")
    await asyncio.sleep(0.5)
    side.base_rss.append(rss_bytes(server.process.pid))
    started = time.monotonic()
    budget = args.open_timeout + count * 0.02 + 60  # a generous bound, still a bound
    done = await asyncio.gather(*(c.connect(c.count, budget) for c in clients))
    failed = sum(d["failed"] for d in done)
    if failed:
        errors = {k: v for d in done for k, v in d["errors"].items()}
        raise BenchError(f"{failed} of {count} {side.name} sockets failed to open: {errors}")
    await wait_until(probe, count, 120, f"{side.name} subscriptions")
    side.connect_seconds += time.monotonic() - started
    side.held += count


async def connect_side(ctx: Context, side: Side, shape: Shape) -> None:
    for server in side.servers:
        await connect_server(ctx, side, server, shape.per_server)
    await asyncio.sleep(IDLE_SETTLE)  # idle: nothing sent, nothing received
    side.idle_rss = [rss_bytes(s.process.pid) for s in side.servers]
    print(
        f"  {side.name:<7} {side.held} sockets subscribed in {side.connect_seconds:.1f} s, "
        f"{side.kb_per_connection():.1f} KB of server RSS per idle connection",
        flush=True,
    )


async def stop_side(ctx: Context, side: Side) -> None:
    await asyncio.gather(*(c.stop() for c in side.clients), return_exceptions=True)
    for server in side.servers:
        await asyncio.to_thread(stop_server, ctx.started, server)


# --------------------------------------------------------------------------------------
# One broadcast
# --------------------------------------------------------------------------------------


async def send_graphql(ctx: Context, side: Side, key: str) -> float:
    """The organiser's broadcastAnnouncement (to the first server); its send time."""
    variables = {"input": {"title": key, "body": BODY, "audience": {"everyone": True}}}
    headers = {"Authorization": f"Bearer {ctx.token}"}
    url = side.servers[0].base_url + GRAPHQL_PATH
    sent = time.time()
    response = await ctx.http.post(
        url, json={"query": MUTATION, "variables": variables}, headers=headers
    )
    body = ok_json(response)
    if body.get("errors"):
        raise BenchError(f"broadcastAnnouncement failed: {body['errors']}")
    cursor = body["data"]["broadcastAnnouncement"]["id"]
    if cursor.isdigit():  # "pending-…" when the relay was slower than the mutation's wait
        ctx.last_cursor = int(cursor)
    return sent


async def send_raw(ctx: Context, side: Side, key: str) -> float:
    """POST /broadcast to every raw server at once, with the payload GraphQL would send."""
    cursor = str(ctx.last_cursor + 1)
    payload = orjson.dumps({"data": {"notices": {"id": cursor, "title": key}}})
    content = orjson.dumps({"payload": payload.decode()})
    sent = time.time()
    responses = await asyncio.gather(
        *(ctx.http.post(s.base_url + "/broadcast", content=content) for s in side.servers)
    )
    for response in responses:
        if response.status_code != 202:
            raise BenchError(f"raw broadcast answered {response.status_code}: {response.text}")
    return sent


async def broadcast(ctx: Context, side: Side, key: str, round_no: int) -> Sample:
    """Send one broadcast and wait until every client process has every socket's
    receipt (or the timeout); the side's server CPU is read just before and after."""
    send = send_graphql if side.name == "graphql" else send_raw
    cpu_before = side.cpu()
    sending = asyncio.create_task(send(ctx, side, key))
    arrivals = await asyncio.gather(*(c.arrivals(key, ctx.args.timeout) for c in side.clients))
    cpu_after = side.cpu()
    sent = await sending
    got = [a for a in arrivals if a["count"]]
    if not got:
        raise BenchError(f"no {side.name} client received {key!r} in {ctx.args.timeout:.0f} s")
    await asyncio.sleep(ctx.args.gap)
    return Sample(
        side=side.name,
        round=round_no,
        key=key,
        sent_at=sent,
        latency_ms=(max(a["last"] for a in got) - sent) * 1000,
        first_ms=(min(a["first"] for a in got) - sent) * 1000,
        cpu_s=cpu_after - cpu_before,
        deliveries=sum(a["count"] for a in arrivals),
        expected=side.held,
        frame_bytes=max(a["size"] for a in got),
    )


# --------------------------------------------------------------------------------------
# A round: fresh servers for both sides, connect, interleaved broadcasts, checks
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SideRound:
    name: str
    held: int
    base_rss: list[int]
    idle_rss: list[int]
    kb_per_connection: float
    connect_seconds: float
    health: dict[str, Any]
    code: str  # app_fingerprint() when the round's servers started


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


# --------------------------------------------------------------------------------------
# Figures and the report
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------


async def make_organiser(conn: asyncpg.Connection[Any]) -> str:
    """An organiser and a bearer token, straight in the database (as tests/conftest.py)."""
    async with conn.transaction():
        person_id = await add_person(
            conn,
            NewPerson(
                email=f"fanout-{secrets.token_hex(4)}@bench.example",
                roles=["ORGANISER"],
                name="Fan-out benchmark",
            ),
        )
        return await issue_token(conn, person_id, datetime.now(UTC), timedelta(days=1))


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


def body(space: Workspace, args: argparse.Namespace) -> int:
    os.sched_setaffinity(0, {int(CLIENT_CORE)})  # the driver stays off the server's core
    shapes = shapes_of(args)
    dsn, token = asyncio.run(prepare_database(space, make_organiser))
    namespace = f"salon-bench-fanout-{os.getpid()}-{secrets.token_hex(3)}"
    started = Started()
    clients: list[Client] = []
    try:
        worker_env = {
            "SALON_REDIS_NAMESPACE": namespace,
            "SALON_LOG_LEVEL": "WARNING",
            "SALON_RELAY_POLL_SECONDS": str(args.relay_poll),
            "SALON_REMINDER_POLL_SECONDS": "3600",  # no reminder rounds during the run
        }
        worker_log = start_worker(started, space, dsn, worker_env)
        print(f"fan-out benchmark, sizes {[s.label for s in shapes]}", flush=True)
        measured = asyncio.run(
            run_all(args, shapes, space, dsn, token, namespace, started, clients)
        )
        results = report(args, shapes, measured)
        for line in log_problems(worker_log):
            print(f"  worker log: {line[:300]}")
        save_results(
            "fanout",
            {
                "arguments": {k: v for k, v in vars(args).items()},
                "setup": describe(args),
                "figures": {k: {n: asdict(f) for n, f in v.items()} for k, v in results.items()},
                "measured": {
                    label: {
                        "samples": [asdict(s) for s in m["samples"]],
                        "rounds": [asdict(r) for r in m["rounds"]],
                    }
                    for label, m in measured.items()
                },
            },
        )
        return 0
    finally:
        for client in clients:
            client.kill_now()
        started.stop_all()


def shapes_of(args: argparse.Namespace) -> list[Shape]:
    shapes = [Shape(n) for n in args.sizes]
    if args.two_process:
        shapes.append(Shape(args.two_process_size, servers=2))
    return shapes


async def run_all(
    args: argparse.Namespace,
    shapes: Sequence[Shape],
    space: Workspace,
    dsn: str,
    token: str,
    namespace: str,
    started: Started,
    clients: list[Client],
) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=60.0, trust_env=False) as http:
        ctx = Context(args, space, dsn, token, namespace, http, started, clients)
        return await measure(ctx, shapes)


def sizes(text: str) -> list[int]:
    values = [bounded(1, 19_500)(part) for part in text.split(",") if part.strip()]
    if not values:
        raise argparse.ArgumentTypeError("at least one size")
    return values


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.fanout", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=sizes, default=[1000, 5000, 10000, 19000])
    parser.add_argument("--broadcasts", type=bounded(1, 200), default=20, help="per side and N")
    parser.add_argument("--rounds", type=bounded(1, 10), default=2, help="fresh servers per N")
    parser.add_argument("--warmup", type=bounded(0, 10), default=2, help="per side and round")
    parser.add_argument("--two-process", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--two-process-size", type=bounded(1, 19_500), default=19_000)
    parser.add_argument("--per-client", type=bounded(100, 9_500), default=9_000)
    parser.add_argument("--concurrency", type=bounded(1, 1_000), default=200)
    parser.add_argument("--open-timeout", type=float, default=60.0)
    parser.add_argument(
        "--ws", choices=["auto", "websockets", "websockets-sansio", "wsproto"], default="auto"
    )
    parser.add_argument("--gc-tuning", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--gc-log",
        action="store_true",
        help="servers log collector pauses >= 2 ms; the pauses during broadcasts are counted",
    )
    parser.add_argument("--ws-ping", type=float, default=20.0, help="seconds, as the app")
    parser.add_argument(
        "--relay-poll", type=float, default=0.05, help="SALON_RELAY_POLL_SECONDS of the worker"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="per broadcast")
    parser.add_argument("--gap", type=float, default=0.3, help="seconds between broadcasts")
    args = parser.parse_args(argv)
    if args.broadcasts < args.rounds:
        parser.error("--broadcasts must be at least --rounds")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return run("bench.fanout", lambda space: body(space, args))


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
