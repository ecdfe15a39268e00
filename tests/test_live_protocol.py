"""The graphql-transport-ws rules: close codes for protocol violations, limits, metrics."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from unittest.mock import ANY

import httpx
import pytest
import uvicorn
import websockets
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from server.settings import Settings
from tests.conftest import (
    GraphQLClient,
    LiveServer,
    People,
    Person,
    replace,
    start_server,
    stop_server,
)
from tests.fair_data import FAIR_EVE
from tests.live_client import NOTICES, PROTOCOL, closed_with, eventually, live_client, send

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
    assert message == {
        "id": refused,
        "type": "error",
        "payload": [
            {
                "message": "Subscription limit reached: at most 5 operations at once on one "
                "socket.",
                "extensions": {"code": "RATE_LIMITED"},
            }
        ],
    }


async def test_invalid_subscription_documents_get_an_error_message(live: LiveServer) -> None:
    async with live_client(live.ws_url) as ws:
        bad = await ws.subscribe("subscription { notices { nope } }")
        message = await ws.message()
    assert (message["type"], message["id"]) == ("error", bad)
    assert [e["extensions"]["code"] for e in message["payload"]] == ["BAD_USER_INPUT"]


def bad_input(message: str, **located: Any) -> list[dict[str, Any]]:
    return [{"message": message, **located, "extensions": {"code": "BAD_USER_INPUT"}}]


NOT_A_CURSOR = bad_input("`after` must be the id of a notice you received.")


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"query": NOTICES, "variables": {"after": "²"}}, NOT_A_CURSOR),
        ({"query": 'subscription { notices(after: "³") { id } }'}, NOT_A_CURSOR),
        ({"query": NOTICES, "variables": {"after": "1" * 20}}, NOT_A_CURSOR),
        (
            {"query": NOTICES, "variables": {"after": ["1"]}},
            bad_input(
                "Variable '$after' has invalid value: ID cannot represent value: ['1']",
                locations=[{"line": 1, "column": 14}],
            ),
        ),
        (
            {"query": "subscription { notices { id }"},
            bad_input(
                "Syntax Error: Expected Name, found <EOF>.",
                locations=[{"line": 1, "column": 30}],
            ),
        ),
        (
            {"query": NOTICES, "operationName": "Elsewhere"},
            bad_input("No operation named 'Elsewhere'."),
        ),
        (
            {"query": "subscription { ... on Subscription { __typename } }"},
            bad_input(
                "Anonymous Subscription must not select an introspection top level field.",
                locations=[{"line": 1, "column": 38}],
            ),
        ),
    ],
)
async def test_a_refused_subscribe_gets_an_error_for_its_id_and_a_log_line(
    live: LiveServer,
    caplog: pytest.LogCaptureFixture,
    payload: dict[str, Any],
    errors: list[dict[str, Any]],
) -> None:
    caplog.set_level(logging.INFO, logger="salon.live")
    async with live_client(live.ws_url) as ws:
        await send(ws.ws, {"id": "bad", "type": "subscribe", "payload": payload})
        answer = await ws.message()
        # The operation is over (its id is free again) and the socket serves on.
        event = {"query": "{ event { name } }"}
        await send(ws.ws, {"id": "bad", "type": "subscribe", "payload": event})
        reused = await ws.message()
    assert answer == {"id": "bad", "type": "error", "payload": errors}
    assert reused == {"id": "bad", "type": "next", "payload": {"data": {"event": {"name": ANY}}}}
    assert logged(caplog, operation_id="bad") == [
        ("subscribe refused: " + "; ".join(e["message"] for e in errors), ["BAD_USER_INPUT"])
    ]


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (
            {"id": "1", "type": "subscribe", "payload": {"query": 5}},
            "`payload.query` must be a string",
        ),
        (
            {"id": "1", "type": "subscribe", "payload": {"query": NOTICES, "variables": [1]}},
            "`payload.variables` must be an object or null",
        ),
        (
            {"id": "1", "type": "subscribe", "payload": {"query": NOTICES, "variables": "{}"}},
            "`payload.variables` must be an object or null",
        ),
        (
            {"id": "1", "type": "subscribe", "payload": {"query": NOTICES, "operationName": 1}},
            "`payload.operationName` must be a string or null",
        ),
        (
            {"id": "1", "type": "subscribe", "payload": {"query": NOTICES, "extensions": []}},
            "`payload.extensions` must be an object or null",
        ),
        (
            {"id": "1", "type": "subscribe", "payload": "query"},
            "Subscribe needs a `payload` object",
        ),
        ({"id": "1", "type": "subscribe"}, "Subscribe needs a `payload` object"),
        (
            {"id": 1, "type": "subscribe", "payload": {"query": NOTICES}},
            "Subscribe needs an `id`: a non-empty string",
        ),
        (
            {"id": "", "type": "subscribe", "payload": {"query": NOTICES}},
            "Subscribe needs an `id`: a non-empty string",
        ),
        ({"id": ["1"], "type": "complete"}, "Complete needs an `id`: a non-empty string"),
        (["subscribe"], "Messages must be JSON objects"),
        ("subscribe", "Messages must be JSON objects"),
        ({"type": None}, "Unknown message type: None"),
    ],
)
async def test_a_message_the_protocol_does_not_allow_closes_the_socket_with_4400(
    live: LiveServer, caplog: pytest.LogCaptureFixture, message: Any, reason: str
) -> None:
    caplog.set_level(logging.INFO, logger="salon.live")
    async with live_client(live.ws_url) as ws:
        await send(ws.ws, message)
        closed = await closed_with(ws.ws)
    assert closed == (4400, reason)
    assert logged(caplog, close_code=4400) == [(f"socket closed: {reason}", None)]


def logged(caplog: pytest.LogCaptureFixture, **wanted: Any) -> list[tuple[str, Any]]:
    """(message, codes) of the websocket log lines with these extras, each of which
    must carry the socket's request id."""
    found = []
    for record in caplog.records:
        if record.name == "salon.live" and all(
            getattr(record, k, None) == v for k, v in wanted.items()
        ):
            assert re.fullmatch("[0-9a-f]{16}", record.request_id), record.request_id
            found.append((record.getMessage(), getattr(record, "codes", None)))
    return found


async def test_a_subscription_through_fragments_streams(
    live: LiveServer, gql_http: GraphQLClient, people: People, db: Any
) -> None:
    organiser = await people.make("ORGANISER")
    cursor = str(await db.fetchval("SELECT coalesce(max(seq), 0) FROM notice"))
    spread = """subscription($after: ID) { ...Live }
        fragment Live on Subscription { notices(after: $after) { title } }"""
    inline = (
        """subscription($after: ID) { ... on Subscription { notices(after: $after) { title } } }"""
    )
    async with live_client(live.ws_url) as ws:
        first = await ws.subscribe(spread, {"after": cursor})
        second = await ws.subscribe(inline, {"after": cursor})
        await gql_http.data(
            """mutation { broadcastAnnouncement(input: {title: "fragments", body: "b",
                 audience: {everyone: true}}) { id } }""",
            as_=organiser,
        )
        got = sorted([await ws.message(), await ws.message()], key=lambda m: m["id"])
    assert got == [
        {"id": operation, "type": "next", "payload": {"data": {"notices": {"title": "fragments"}}}}
        for operation in sorted([first, second])
    ]


async def test_connection_init_may_carry_a_null_payload(live: LiveServer) -> None:
    async with websockets.connect(live.ws_url, subprotocols=[PROTOCOL]) as ws:
        await send(ws, {"type": "connection_init", "payload": None})
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}


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
    counted = (
        "salon_websocket_connections",
        "salon_active_subscriptions",
        "salon_notices_delivered_total",
    )

    async def samples() -> dict[str, float]:
        text = (await http.get("/metrics")).text
        values = {
            sample.name: sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }
        return {name: values.get(name, 0.0) for name in counted}

    before = await samples()
    async with live_client(live.ws_url) as ws:
        await ws.subscribe()
        sent = await gql_http.data(
            """mutation { broadcastAnnouncement(input: {title: "m", body: "b",
                 audience: {everyone: true}}) { id } }""",
            as_=organiser,
        )
        # Read once the notice arrived: the socket and its subscription are counted.
        assert [n["id"] for n in await ws.notices(1)] == [sent["broadcastAnnouncement"]["id"]]
        during = await samples()
    assert {name: during[name] - before[name] for name in counted} == dict.fromkeys(counted, 1.0)
    families = {f.name for f in text_string_to_metric_families((await http.get("/metrics")).text)}
    # (the text format lists each counter's and histogram's `_created` on its own)
    assert {f for f in families if f.startswith("salon_") and not f.endswith("_created")} == {
        "salon_active_subscriptions",
        "salon_notice_delivery_seconds",
        "salon_notices_delivered",
        "salon_notices_published",
        "salon_slow_consumers_dropped",
        "salon_tzdata_info",
        "salon_websocket_connections",
    }
    assert "process_resident_memory_bytes" in families


@dataclass
class Served:
    """A server of the test's own, with uvicorn's view of its connections."""

    live: LiveServer
    server: uvicorn.Server

    def holds(self, ws: ClientConnection) -> bool:
        """Whether the server still holds this client's TCP connection."""
        mine = tuple(ws.local_address[:2])
        return any(getattr(c, "client", None) == mine for c in self.server.server_state.connections)

    def subscriptions_of(self, person: Person) -> int:
        return self.live.runtime.hub.subscriptions_of(person.id)

    def sockets_of(self, person: Person) -> int:
        """The person's sockets this process counts (released when the handler ends)."""
        return self.live.runtime.hub.sockets.count(f"person:{person.id}")

    def let_go(self, ws: ClientConnection, person: Person) -> bool:
        """The server holds nothing of this phone any more: connection, subscriptions,
        handler (its sockets count)."""
        return not (self.holds(ws) or self.subscriptions_of(person) or self.sockets_of(person))


@contextlib.asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[Served]:
    live, server, task = await start_server(settings)
    try:
        yield Served(live, server)
    finally:
        await stop_server(server, task)


@contextlib.asynccontextmanager
async def stalled_phone(ws_url: str, token: str) -> AsyncIterator[ClientConnection]:
    """A phone that subscribes to its notices and then stops reading: a 4 KB receive
    buffer, and a client that takes one message off it, then none."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    host, port = ws_url.split("/")[2].split(":")
    await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
    async with websockets.connect(
        ws_url, sock=sock, subprotocols=[PROTOCOL], max_queue=1, ping_interval=None
    ) as ws:
        await send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        await send(ws, {"id": "1", "type": "subscribe", "payload": {"query": NOTICES}})
        yield ws


async def flood(db: Any, *people: Person, count: int = 1500) -> None:
    """`count` large notices for `people`, written at once: the relay publishes them in
    a burst, faster than a phone that does not read can take them."""
    body = "x" * 8000
    async with db.transaction():
        for i in range(count):
            notice_id = await db.fetchval(
                """INSERT INTO notice (kind, title_fr, body_fr, created_at, send_at)
                   VALUES ('ANNOUNCEMENT', $1, $2, $3, $3) RETURNING id""",
                f"n{i}",
                body,
                FAIR_EVE,  # due by the relay's clock, the suite's
            )
            await db.executemany(
                "INSERT INTO notice_recipient VALUES ($1, $2)",
                [(notice_id, person.id) for person in people],
            )


async def test_a_phone_that_stops_reading_is_dropped_at_once_and_the_others_get_everything(
    settings: Settings, db: Any, people: People
) -> None:
    slow, fast = await people.make(), await people.make()
    start = int(await db.fetchval("SELECT coalesce(max(seq), 0) FROM notice"))
    async with (
        served(replace(settings, subscriber_queue_size=8)) as small_queues,
        stalled_phone(small_queues.live.ws_url, slow.token) as lazy,
        live_client(small_queues.live.ws_url, fast.token) as reader,
    ):
        await reader.subscribe(variables={})
        await eventually(lambda: small_queues.subscriptions_of(slow) == 1)
        await flood(db, slow, fast)
        received = [n["id"] for n in await reader.notices(1500)]
        # Its backlog overflowed while its socket did not drain: the server let go of
        # the connection, its handler and its subscription without waiting for it.
        await eventually(lambda: small_queues.let_go(lazy, slow))
        # Nothing could reach it: no close frame either (it reconnects with its cursor).
        assert await closed_with(lazy) is None
    expected = [
        r["seq"]
        for r in await db.fetch(
            """SELECT n.seq FROM notice n JOIN notice_recipient r ON r.notice_id = n.id
            WHERE r.person_id = $1 AND n.seq > $2 ORDER BY n.seq""",
            fast.id,
            start,
        )
    ]
    assert [int(i) for i in received] == expected


async def test_a_phone_that_stops_reading_is_dropped_when_it_misses_the_keepalive(
    settings: Settings, db: Any, people: People
) -> None:
    slow = await people.make()
    # Room for every notice: only the keep-alive can end this socket.
    patient = replace(settings, subscriber_queue_size=100_000, ws_ping_seconds=0.5)
    async with served(patient) as server, stalled_phone(server.live.ws_url, slow.token) as lazy:
        await eventually(lambda: server.subscriptions_of(slow) == 1)
        await flood(db, slow)
        # It no longer reads, so it never answers a ping: dropped, however much was
        # still waiting to be written to it.
        await eventually(lambda: server.let_go(lazy, slow))
        assert await closed_with(lazy) is None
