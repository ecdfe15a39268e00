"""A raw graphql-transport-ws client for the tests: no library between us and the wire."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

PROTOCOL = "graphql-transport-ws"
NOTICES = """subscription($after: ID) { notices(after: $after) {
  id kind priority title body session { id } exhibitor { id } } }"""


class LiveClient:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._ids = itertools.count(1)

    async def subscribe(self, query: str = NOTICES, variables: dict[str, Any] | None = None) -> str:
        operation_id = str(next(self._ids))
        await self.ws.send(
            json.dumps(
                {
                    "id": operation_id,
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables or {}},
                }
            )
        )
        return operation_id

    async def message(self, timeout: float = 10) -> dict[str, Any]:  # noqa: ASYNC109
        """The next message; fails when none comes within `timeout` seconds."""
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        assert isinstance(raw, str), "graphql-transport-ws speaks in text frames"
        message: dict[str, Any] = json.loads(raw)
        return message

    async def notices(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:  # noqa: ASYNC109
        """The next `count` notices (from `next` messages), in arrival order."""
        found = []
        while len(found) < count:
            message = await self.message(timeout)
            assert message["type"] == "next", message
            found.append(message["payload"]["data"]["notices"])
        return found


@asynccontextmanager
async def live_client(
    ws_url: str, token: str | None = None, payload: dict[str, Any] | None = None
) -> AsyncIterator[LiveClient]:
    async with websockets.connect(ws_url, subprotocols=[PROTOCOL]) as ws:
        init = (
            payload
            if payload is not None
            else ({"authorization": f"Bearer {token}"} if token else {})
        )
        await ws.send(json.dumps({"type": "connection_init", "payload": init}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        yield LiveClient(ws)


async def closed_with(ws: ClientConnection, timeout: float = 10) -> tuple[int, str] | None:  # noqa: ASYNC109
    """Read until the server ends the socket: its close (code, reason), or None when it
    was dropped without a close frame. Fails when it stays open `timeout` seconds."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                await ws.recv()
    except websockets.ConnectionClosed as closed:
        frame = closed.rcvd
        return (frame.code, frame.reason) if frame is not None else None


async def send(ws: ClientConnection, message: Any) -> None:
    await ws.send(json.dumps(message))


async def connect_and_init(
    stack: AsyncExitStack, ws_url: str, token: str | None = None
) -> str | tuple[int, str] | None:
    """One socket through connection_init: "ack" (left open, closed with `stack`), or
    how the server ended it."""
    ws = await stack.enter_async_context(websockets.connect(ws_url, subprotocols=[PROTOCOL]))
    init = {"authorization": f"Bearer {token}"} if token else {}
    try:
        await send(ws, {"type": "connection_init", "payload": init})
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
    except websockets.ConnectionClosed as closed:
        frame = closed.rcvd
        return (frame.code, frame.reason) if frame is not None else None
    assert message == {"type": "connection_ack"}, message
    return "ack"


async def eventually(condition: Callable[[], bool], timeout: float = 10) -> None:  # noqa: ASYNC109
    """Wait until `condition()` holds (checked every 20 ms); fail after `timeout` s. For
    state with no event to wait on (uvicorn's connections, the server's counts)."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - nothing to await: polled, bounded
            await asyncio.sleep(0.02)
