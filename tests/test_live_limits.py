"""What one client may hold on the websockets: message size, the variables kept with an
operation, sockets per person and per client address (over every server process)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import websockets

from server.settings import Settings
from tests.conftest import LiveServer, People, replace, start_server, stop_server
from tests.live_client import (
    NOTICES,
    PROTOCOL,
    closed_with,
    connect_and_init,
    eventually,
    live_client,
    send,
)

TEN_MB = 10 * 1024 * 1024


@contextlib.asynccontextmanager
async def another_server(settings: Settings) -> AsyncIterator[LiveServer]:
    served, server, task = await start_server(settings)
    try:
        yield served
    finally:
        await stop_server(server, task)


async def test_a_subscribe_over_the_size_limit_gets_an_error_and_the_socket_serves_on(
    live: LiveServer, settings: Settings
) -> None:
    huge = {"after": None, "unused": "x" * TEN_MB}
    async with live_client(live.ws_url) as ws:
        answers = []
        for operation in ("1", "2", "3", "4", "5", "6"):  # more than one socket may hold
            message = {"payload": {"query": NOTICES, "variables": huge}}
            await send(ws.ws, {"id": operation, "type": "subscribe", **message})
            answers.append(await ws.message())
        kept = live.app.state.graphql_view.renderer.plans()
        await send(ws.ws, {"type": "ping"})
        pong = await ws.message()
    limit = settings.ws_max_message_bytes
    assert answers == [
        {
            "id": operation,
            "type": "error",
            "payload": [
                {
                    "message": f"This subscribe message is over the {limit} bytes a message "
                    "may take; send less (the query and the variables it uses).",
                    "extensions": {"code": "BAD_USER_INPUT"},
                }
            ],
        }
        for operation in ("1", "2", "3", "4", "5", "6")
    ]
    assert (kept, pong) == ([], {"type": "pong"})


async def test_any_other_message_over_the_size_limit_closes_the_socket_with_4400(
    live: LiveServer, settings: Settings
) -> None:
    async with websockets.connect(live.ws_url, subprotocols=[PROTOCOL]) as ws:
        padding = "x" * settings.ws_max_message_bytes
        await send(ws, {"type": "connection_init", "payload": {"padding": padding}})
        closed = await closed_with(ws)
    assert closed == (4400, f"Message too large (over {settings.ws_max_message_bytes} bytes)")


async def test_only_the_variables_an_operation_declares_are_kept(live: LiveServer) -> None:
    name = f"Kept{secrets.token_hex(4)}"
    query = NOTICES.replace("subscription(", f"subscription {name}(", 1)
    renderer = live.app.state.graphql_view.renderer

    def kept() -> list[tuple[dict[str, object], int]]:
        return [(p.variables, n) for p, n in renderer.plans() if p.operation_name == name]

    unused = "y" * 20_000  # under the size limit
    async with live_client(live.ws_url) as first, live_client(live.ws_url) as second:
        for ws, variables in (
            (first, {"after": None, "unused": unused, "more": [1] * 1000}),
            (second, {"after": None, "other": unused}),
        ):
            payload = {"query": query, "operationName": name, "variables": variables}
            await send(ws.ws, {"id": "1", "type": "subscribe", "payload": payload})
        await eventually(lambda: kept() != [] and kept()[0][1] == 2)
        # One group for both (the unused variables differed), holding only `after`.
        assert kept() == [({"after": None}, 2)]


async def test_sockets_per_person_are_capped_however_many_connect_at_once(
    live: LiveServer, settings: Settings, people: People
) -> None:
    person = await people.make()
    fired = 25
    cap = settings.ws_max_sockets_per_person
    async with AsyncExitStack() as stack:
        outcomes = await asyncio.gather(
            *(connect_and_init(stack, live.ws_url, person.token) for _ in range(fired))
        )
        assert Counter(map(str, outcomes)) == {
            "ack": cap,
            str((4429, "Too many sockets for this account")): fired - cap,
        }
    # Every socket closed: the person's count is back to nothing, and a socket is welcome.
    counts = live.runtime.hub.sockets
    await eventually(lambda: counts.count(f"person:{person.id}") == 0)
    async with AsyncExitStack() as stack:
        assert await connect_and_init(stack, live.ws_url, person.token) == "ack"


async def test_the_cap_per_person_holds_over_server_processes(
    live: LiveServer, settings: Settings, people: People
) -> None:
    person = await people.make()
    cap = settings.ws_max_sockets_per_person
    # A second app of its own (its own hub, counter and Redis client) sharing the
    # deployment's Redis, as a second `salon serve` process would.
    async with another_server(settings) as other, AsyncExitStack() as stack:
        outcomes = await asyncio.gather(
            *(
                connect_and_init(stack, url, person.token)
                for url in [live.ws_url, other.ws_url] * cap
            )
        )
        assert Counter(map(str, outcomes)) == {
            "ack": cap,
            str((4429, "Too many sockets for this account")): cap,
        }


async def test_sockets_per_client_address_are_capped(settings: Settings) -> None:
    # Its own namespace: the address (127.0.0.1) is every test's.
    capped = replace(
        settings,
        ws_max_sockets_per_address=5,
        redis_namespace=f"{settings.redis_namespace}-{secrets.token_hex(3)}",
    )
    async with another_server(capped) as server, AsyncExitStack() as stack:
        outcomes = await asyncio.gather(
            *(connect_and_init(stack, server.ws_url) for _ in range(12))
        )
        assert Counter(map(str, outcomes)) == {
            "ack": 5,
            str((4429, "Too many sockets from your address")): 7,
        }


async def test_signed_in_sockets_give_back_their_address_and_person_when_they_close(
    settings: Settings, people: People
) -> None:
    # One ticket per socket holds both counts: the address at the open, the person at
    # the sign-in; refused or acknowledged, each socket gives back what it took.
    person = await people.make()
    cap = settings.ws_max_sockets_per_person
    own = replace(settings, redis_namespace=f"{settings.redis_namespace}-{secrets.token_hex(3)}")
    async with another_server(own) as server:
        counts = server.runtime.hub.sockets
        held = ("address:127.0.0.1", f"person:{person.id}")
        async with AsyncExitStack() as stack:
            outcomes = await asyncio.gather(
                *(connect_and_init(stack, server.ws_url, person.token) for _ in range(cap + 4))
            )
            assert Counter(map(str, outcomes))["ack"] == cap
            await eventually(lambda: tuple(map(counts.count, held)) == (cap, cap))
        await eventually(lambda: tuple(map(counts.count, held)) == (0, 0))


async def test_a_socket_refused_for_its_address_never_reaches_connection_init(
    settings: Settings,
) -> None:
    capped = replace(
        settings,
        ws_max_sockets_per_address=1,
        redis_namespace=f"{settings.redis_namespace}-{secrets.token_hex(3)}",
    )
    async with (
        another_server(capped) as server,
        websockets.connect(server.ws_url, subprotocols=[PROTOCOL]) as first,
    ):
        await send(first, {"type": "connection_init", "payload": {}})
        assert json.loads(await first.recv()) == {"type": "connection_ack"}
        async with websockets.connect(server.ws_url, subprotocols=[PROTOCOL]) as second:
            assert await closed_with(second) == (4429, "Too many sockets from your address")
