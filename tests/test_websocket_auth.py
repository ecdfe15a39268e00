"""Websocket auth happens once, in connection_init (graphql-transport-ws)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from tests.conftest import LiveServer, People

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


async def test_signed_out_token_closes_the_socket_with_4403(
    live: LiveServer, people: People
) -> None:
    person = await people.make()
    async with websockets.connect(live.ws_url, subprotocols=[PROTOCOL]) as ws:
        await ws.send(
            json.dumps(
                {
                    "id": "x",
                    "type": "connection_init",
                    "payload": {"authorization": f"Bearer {person.token}"},
                }
            )
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": "mutation { signOut }"}}
            )
        )
        assert json.loads(await ws.recv())["payload"] == {"data": {"signOut": True}}
    async with websockets.connect(live.ws_url, subprotocols=[PROTOCOL]) as ws:
        await ws.send(
            json.dumps(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {person.token}"}}
            )
        )
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
