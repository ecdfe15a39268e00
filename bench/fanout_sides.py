"""One side of a round (GraphQL or raw): its servers started, its sockets connected
and subscribed, its idle memory read, and everything stopped again."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable

from bench.fanout_model import Context, Shape, Side
from bench.fanout_procs import (
    Client,
    app_metrics,
    measured_pid,
    raw_stats,
    rss_bytes,
    start_server,
    stop_server,
    wait_until,
)
from bench.harness import BenchError, Server

GRAPHQL_FACTORY = "bench.fanout:create_graphql_app"
RAW_FACTORY = "bench.fanout_raw:create_raw_app"
#: Sockets opened and closed before the baseline RSS, so lazy imports and first-use
#: caches of the websocket path are not counted as memory per connection.
WARM_SOCKETS = 20
IDLE_SETTLE = 2.0  # seconds between the last subscription and the idle RSS


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
                ws=ctx.args.ws if name == "graphql" else (ctx.args.raw_ws or ctx.args.ws),
                ping_seconds=ctx.args.ws_ping,
                http=ctx.args.http,
                kind=ctx.args.server,
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
    side.base_rss.append(rss_bytes(measured_pid(server)))
    await snapshot(ctx, server, "base")
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


async def snapshot(ctx: Context, server: Server, name: str) -> None:
    """With --tracemalloc: the server writes a tracemalloc snapshot (bench/fanout_memory.py)."""
    if ctx.args.tracemalloc:
        response = await ctx.http.post(f"{server.base_url}/tracemalloc", params={"name": name})
        response.raise_for_status()


async def connect_side(ctx: Context, side: Side, shape: Shape) -> None:
    for server in side.servers:
        await connect_server(ctx, side, server, shape.per_server)
    await asyncio.sleep(IDLE_SETTLE)  # idle: nothing sent, nothing received
    side.idle_rss = [rss_bytes(measured_pid(s)) for s in side.servers]
    for server in side.servers:
        await snapshot(ctx, server, "idle")
    print(
        f"  {side.name:<7} {side.held} sockets subscribed in {side.connect_seconds:.1f} s, "
        f"{side.kb_per_connection():.1f} KB of server RSS per idle connection",
        flush=True,
    )


async def stop_side(ctx: Context, side: Side) -> None:
    await asyncio.gather(*(c.stop() for c in side.clients), return_exceptions=True)
    for server in side.servers:
        await asyncio.to_thread(stop_server, ctx.started, server)
