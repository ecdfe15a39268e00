"""One measured broadcast: the organiser's mutation or the raw POST, and every receipt."""

from __future__ import annotations

import asyncio
import time

import orjson

from bench.fanout_model import Context, Sample, Side
from bench.harness import GRAPHQL_PATH, BenchError, ok_json

MUTATION = (
    "mutation Fanout($input: AnnouncementInput!) "
    "{ broadcastAnnouncement(input: $input) { id createdAt } }"
)
BODY = "Fan-out benchmark: please ignore."


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
