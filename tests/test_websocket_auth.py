"""Websocket auth happens once, in connection_init (graphql-transport-ws)."""

from __future__ import annotations

import json
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from server.auth.signin import issue_token
from server.db.pool import connect
from server.services import ServiceUrls
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
from tests.live_client import closed_with, connect_and_init, eventually, live_client, send
from tests.own_services import own_redis

PROTOCOL = "graphql-transport-ws"


async def exchange(live: LiveServer, init_payload: dict[str, Any]) -> Any:
    """Connect, init, and ask `me` over the socket; return what came back."""
    async with websockets.connect(live.ws_url, subprotocols=[PROTOCOL]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": init_payload}))
        ack = await ws.recv()
        assert isinstance(ack, str)  # the protocol speaks in text frames only
        assert json.loads(ack)["type"] == "connection_ack"
        await ws.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": "{ me { id roles } }"}}
            )
        )
        result = json.loads(await ws.recv())
        assert json.loads(await ws.recv()) == {"id": "1", "type": "complete"}
        return result


async def test_token_in_connection_init_identifies_the_viewer(
    live: LiveServer, people: People
) -> None:
    person = await people.make("SPEAKER")
    result = await exchange(live, {"authorization": f"Bearer {person.token}"})
    assert result == {
        "id": "1",
        "type": "next",
        "payload": {"data": {"me": {"id": str(person.id), "roles": ["SPEAKER"]}}},
    }


async def test_anonymous_sockets_are_welcome(live: LiveServer) -> None:
    result = await exchange(live, {})
    assert result["payload"] == {"data": {"me": None}}


@pytest.mark.parametrize("authorization", ["Bearer salon_revoked-or-never-issued", "Basic x"])
async def test_bad_token_closes_the_socket_with_4403(live: LiveServer, authorization: str) -> None:
    async with websockets.connect(live.ws_url, subprotocols=[PROTOCOL]) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": authorization}})
        )
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_signing_out_over_the_socket_answers_then_closes_it_with_4403(
    live: LiveServer, people: People
) -> None:
    person = await people.make()
    async with live_client(live.ws_url, person.token) as ws:
        await send(
            ws.ws, {"id": "1", "type": "subscribe", "payload": {"query": "mutation { signOut }"}}
        )
        answered = [await ws.message(), await ws.message()]
        closed = await closed_with(ws.ws)
    assert answered == [
        {"id": "1", "type": "next", "payload": {"data": {"signOut": True}}},
        {"id": "1", "type": "complete"},
    ]
    assert closed == (4403, "Signed out")
    # The token is dead for new sockets too.
    async with AsyncExitStack() as stack:
        assert await connect_and_init(stack, live.ws_url, person.token) == (4403, "Forbidden")


async def second_token(live: LiveServer, person: Person, lifetime: timedelta) -> str:
    """Another token of `person`'s, issued now by the server's clock."""
    conn = await connect(live.runtime.settings.database_url or "")
    try:
        return await issue_token(conn, person.id, live.runtime.clock.now(), lifetime)
    finally:
        await conn.close()


async def tell(gql_http: GraphQLClient, organiser: Person, person: Person, title: str) -> None:
    """A private notice for `person` alone."""
    await gql_http.data(
        """mutation($input: AnnouncementInput!) { broadcastAnnouncement(input: $input) { id } }""",
        {"input": {"title": title, "body": "b", "audience": {"userIds": [str(person.id)]}}},
        as_=organiser,
    )


@pytest.mark.usefixtures("worker")  # the relay delivers the private notice
async def test_sign_out_over_http_closes_the_sockets_of_that_token_only(
    live: LiveServer, gql_http: GraphQLClient, people: People, database_url: str
) -> None:
    person, organiser = await people.make(), await people.make("ORGANISER")
    other_token = await second_token(live, person, timedelta(days=1))
    async with (
        live_client(live.ws_url, person.token) as signed_out,
        live_client(live.ws_url, person.token) as also_signed_out,
        live_client(live.ws_url, other_token) as phone,
    ):
        for ws in (signed_out, also_signed_out, phone):
            await ws.subscribe(PRIVATE)
        assert await gql_http.data("mutation { signOut }", as_=person) == {"signOut": True}
        closed = [await closed_with(signed_out.ws), await closed_with(also_signed_out.ws)]
        await tell(gql_http, organiser, person, "still signed in")
        assert closed == [(4403, "Signed out"), (4403, "Signed out")]
        assert await phone.notices(1) == [{"title": "still signed in"}]


PRIVATE = "subscription { notices { title } }"


async def test_sign_out_reaches_the_sockets_of_every_server_process(
    live: LiveServer, settings: Settings, gql_http: GraphQLClient, people: People
) -> None:
    person = await people.make()
    served, server, task = await start_server(settings)  # a second process's app
    try:
        async with live_client(served.ws_url, person.token) as elsewhere:
            await elsewhere.subscribe(PRIVATE)
            await eventually(lambda: served.runtime.hub.sockets.count(f"person:{person.id}") == 1)
            await gql_http.data("mutation { signOut }", as_=person)  # on the first process
            assert await closed_with(elsewhere.ws) == (4403, "Signed out")
    finally:
        await stop_server(server, task)


async def test_a_socket_closes_with_4403_when_its_token_expires(
    live: LiveServer, people: People, database_url: str
) -> None:
    person = await people.make()
    short_lived = await second_token(live, person, timedelta(seconds=3))
    async with live_client(live.ws_url, short_lived) as ws:  # acknowledged: still valid
        await ws.subscribe(PRIVATE)
        assert await closed_with(ws.ws, timeout=20) == (4403, "Session expired")


async def test_a_sign_out_while_redis_is_down_closes_the_sockets_once_it_is_back(
    settings: Settings, service_urls: ServiceUrls, people: People, tmp_path: Path
) -> None:
    person = await people.make()
    async with own_redis(tmp_path) as redis:
        own = replace(settings, redis_url=redis.url)
        a, server_a, task_a = await start_server(own)
        b, server_b, task_b = await start_server(own)
        try:
            async with live_client(b.ws_url, person.token) as on_b:
                await on_b.subscribe(PRIVATE)
                await eventually(lambda: b.runtime.hub.sockets.count(f"person:{person.id}") == 1)
                await redis.kill()
                async with httpx.AsyncClient(base_url=a.url, timeout=10) as http:
                    answer = await GraphQLClient(http).data("mutation { signOut }", as_=person)
                # Nobody heard the revocation; B asks PostgreSQL when it is back.
                await redis.start()
                assert (answer, await closed_with(on_b.ws, timeout=20)) == (
                    {"signOut": True},
                    (4403, "Signed out"),
                )
        finally:
            await stop_server(server_b, task_b)
            await stop_server(server_a, task_a)
