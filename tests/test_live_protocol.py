"""The graphql-transport-ws rules: close codes for protocol violations, limits, metrics."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from server.settings import Settings
from tests.conftest import GraphQLClient, LiveServer, People, replace, start_server, stop_server
from tests.live_client import NOTICES, PROTOCOL, live_client

pytestmark = pytest.mark.usefixtures("worker")


async def close_code(ws_url: str, *messages: dict[str, Any]) -> int:
    """Send `messages` and return the code the server closes the socket with."""
    async with websockets.connect(ws_url, subprotocols=[PROTOCOL]) as ws:
        for message in messages:
            await ws.send(json.dumps(message))
        with pytest.raises(ConnectionClosed) as closed:
            await _drain(ws)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def _drain(ws: Any) -> None:
    """Read until the server closes (each message within 10 s)."""
    while True:
        await asyncio.wait_for(ws.recv(), 10)


SUBSCRIBE = {"id": "1", "type": "subscribe", "payload": {"query": NOTICES}}


@pytest.mark.parametrize(
    ("messages", "code"),
    [
        ([{"type": "connection_init", "payload": "not an object"}], 4400),
        ([SUBSCRIBE], 4401),
        ([{"type": "connection_init"}, {"type": "connection_init"}], 4429),
        ([{"type": "connection_init"}, SUBSCRIBE, SUBSCRIBE], 4409),
        ([{"type": "connection_init"}, {"type": "nonsense"}], 4400),
    ],
)
async def test_protocol_violations_close_with_their_codes(
    live: LiveServer, messages: list[dict[str, Any]], code: int
) -> None:
    assert await close_code(live.ws_url, *messages) == code


@pytest.fixture
async def impatient(settings: Settings) -> AsyncIterator[LiveServer]:
    served, server, task = await start_server(replace(settings, connection_init_timeout=0.2))
    yield served
    await stop_server(server, task)


async def test_a_silent_socket_is_closed_with_4408(impatient: LiveServer) -> None:
    assert await close_code(impatient.ws_url) == 4408


async def test_subscriptions_per_connection_are_capped(
    live: LiveServer, settings: Settings
) -> None:
    async with live_client(live.ws_url) as ws:
        for _ in range(settings.max_subscriptions_per_connection):
            await ws.subscribe()
        refused = await ws.subscribe()
        message = await ws.message()
    assert (message["type"], message["id"]) == ("error", refused)
    assert message["payload"][0]["message"] == "Subscription limit reached"


async def test_invalid_subscription_documents_get_an_error_message(live: LiveServer) -> None:
    async with live_client(live.ws_url) as ws:
        bad = await ws.subscribe("subscription { notices { nope } }")
        message = await ws.message()
    assert (message["type"], message["id"]) == ("error", bad)
    assert [e["extensions"]["code"] for e in message["payload"]] == ["BAD_USER_INPUT"]


async def test_completing_a_subscription_stops_it(
    live: LiveServer, gql_http: GraphQLClient, people: People
) -> None:
    organiser = await people.make("ORGANISER")
    async with live_client(live.ws_url) as ws:
        first = await ws.subscribe()
        second = await ws.subscribe()
        await ws.ws.send(json.dumps({"id": first, "type": "complete"}))
        await gql_http.data(
            """mutation { broadcastAnnouncement(input: {title: "t", body: "b",
                 audience: {everyone: true}}) { id } }""",
            as_=organiser,
        )
        message = await ws.message()
    assert (message["type"], message["id"]) == ("next", second)


async def test_metrics_count_sockets_subscriptions_and_deliveries(
    live: LiveServer, http: httpx.AsyncClient, gql_http: GraphQLClient, people: People
) -> None:
    organiser = await people.make("ORGANISER")

    async def sample(name: str) -> float:
        text = (await http.get("/metrics")).text
        lines = [line for line in text.splitlines() if line.startswith(name + " ")]
        return float(lines[0].split()[1]) if lines else 0.0

    delivered = await sample("salon_notices_delivered_total")
    async with live_client(live.ws_url) as ws:
        await ws.subscribe()
        assert await sample("salon_websocket_connections") >= 1
        assert await sample("salon_active_subscriptions") >= 1
        await gql_http.data(
            """mutation { broadcastAnnouncement(input: {title: "m", body: "b",
                 audience: {everyone: true}}) { id } }""",
            as_=organiser,
        )
        await ws.notices(1)
    assert await sample("salon_notices_delivered_total") >= delivered + 1
    text = (await http.get("/metrics")).text
    assert "salon_notice_delivery_seconds_bucket" in text
    assert "salon_slow_consumers_dropped_total" in text
    assert "process_resident_memory_bytes" in text


@pytest.fixture
async def small_queues(settings: Settings) -> AsyncIterator[LiveServer]:
    served, server, task = await start_server(replace(settings, subscriber_queue_size=8))
    yield served
    await stop_server(server, task)


async def test_a_phone_that_stops_reading_is_cut_off_and_the_others_get_everything(
    small_queues: LiveServer, db: Any, people: People
) -> None:
    slow, fast = await people.make(), await people.make()
    start = str(await db.fetchval("SELECT coalesce(max(seq), 0) FROM notice"))
    body = "x" * 8000  # large notices fill the socket buffers quickly
    async with (
        websockets.connect(small_queues.ws_url, subprotocols=[PROTOCOL], max_queue=1) as lazy,
        live_client(small_queues.ws_url, fast.token) as reader,
    ):
        await lazy.send(
            json.dumps(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {slow.token}"}}
            )
        )
        assert json.loads(await lazy.recv())["type"] == "connection_ack"
        await lazy.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": NOTICES, "variables": {}}}
            )
        )
        await reader.subscribe(variables={})
        async with db.transaction():  # written at once: the relay publishes them in a burst
            for i in range(1500):
                notice_id = await db.fetchval(
                    """INSERT INTO notice (kind, title_fr, body_fr, created_at, send_at)
                       VALUES ('ANNOUNCEMENT', $1, $2, now(), now()) RETURNING id""",
                    f"n{i}",
                    body,
                )
                await db.execute(
                    "INSERT INTO notice_recipient VALUES ($1, $2), ($1, $3)",
                    notice_id,
                    slow.id,
                    fast.id,
                )
        received = [n["id"] for n in await reader.notices(1500)]
        # The lazy phone never read: it was cut off with "try again later".
        with pytest.raises(ConnectionClosed) as closed:
            await _drain(lazy)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1013
    expected = [
        r["seq"]
        for r in await db.fetch(
            """SELECT n.seq FROM notice n JOIN notice_recipient r ON r.notice_id = n.id
            WHERE r.person_id = $1 AND n.seq > $2 ORDER BY n.seq""",
            fast.id,
            int(start),
        )
    ]
    assert [int(i) for i in received] == expected
