"""What an idle subscribed socket keeps, and what a websocket still gets on its way in.

One process holds thousands of phones that wait for hours between two notices: every
coroutine frame a socket waits in stays for that long (a few hundred bytes each). A
websocket skips the app's HTTP middleware (server/app.py's SalonApp) and Strawberry's
read loop waits in one frame (schema/strawberry_seam.py): these tests pin the chain an
idle socket waits in, and that the request id, the access log line and Starlette's
WebSocketException close are still there.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
import websockets
from starlette.exceptions import WebSocketException
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from server.app import SalonApp
from server.request_id import current_request_id
from tests.conftest import LiveServer, People, serve_on_loopback, stop_server
from tests.live_client import closed_with, eventually, live_client

#: From the app down to the future an idle subscribed socket waits on: Salon's entry,
#: Strawberry's view, the seam's read loop, Starlette's receive, uvicorn's, the inbox.
IDLE_CHAIN = [
    "SalonApp.__call__",
    "SalonGraphQL.__call__",
    "AsyncBaseHTTPView.run",
    "ProtocolHandler.handle",
    "WebSocket.receive",
    "WebSocketsSansIOProtocol.receive",
    "Inbox.get",
]


def chain(task: asyncio.Task[Any]) -> list[str]:
    """The coroutines `task` is suspended in, outermost first."""
    names = []
    awaited: Any = task.get_coro()
    while awaited is not None and hasattr(awaited, "cr_code"):
        names.append(awaited.cr_code.co_qualname)
        awaited = awaited.cr_await
    return names


def handler_of(task: asyncio.Task[Any]) -> Any:
    """The protocol handler whose `handle` the socket's task waits in."""
    awaited: Any = task.get_coro()
    while awaited.cr_code.co_qualname != "ProtocolHandler.handle":
        awaited = awaited.cr_await
    return awaited.cr_frame.f_locals["self"]


def socket_tasks() -> set[asyncio.Task[Any]]:
    return {t for t in asyncio.all_tasks() if "run_asgi" in t.get_coro().__qualname__}


def operations_running() -> bool:
    return any(
        "run_operation" in t.get_coro().__qualname__ for t in asyncio.all_tasks() if not t.done()
    )


async def test_an_idle_subscribed_socket_waits_in_few_frames_and_keeps_no_headers(
    live: LiveServer,
) -> None:
    before = socket_tasks()
    async with live_client(live.ws_url) as client:
        await client.subscribe("subscription { notices { id title } }")
        await client.ws.send('{"type":"ping"}')
        assert await client.message() == {"type": "pong"}
        (task,) = socket_tasks() - before
        await eventually(lambda: not operations_running() and chain(task)[-1] == "Inbox.get")
        waits_in = chain(task)
        ws = handler_of(task).ws
        assert waits_in[waits_in.index("SalonApp.__call__") :] == IDLE_CHAIN
        # The handshake's headers were read: the socket does not keep them.
        assert (ws.scope["path"], ws.scope["headers"], ws.headers.raw) == ("/graphql", [], [])


async def test_a_signed_in_subscriber_keeps_one_token_hash_and_no_variables(
    live: LiveServer, people: People
) -> None:
    person = await people.make()
    before = socket_tasks()
    async with live_client(live.ws_url, person.token) as client:
        await client.subscribe(
            "subscription($after: ID) { notices(after: $after) { id } }", {"after": "0"}
        )
        await client.ws.send('{"type":"ping"}')
        while (await client.message())["type"] != "pong":
            pass
        (task,) = socket_tasks() - before
        await eventually(lambda: not operations_running() and chain(task)[-1] == "Inbox.get")
        handler = handler_of(task)
        variables = [operation.variables for operation in handler.operations.values()]
        # The token is watched under the viewer's own copy of its hash.
        assert handler._token is handler.context.viewer.token_hash
    assert variables == [None]


async def test_a_websocket_has_its_request_id_and_its_access_log_line(
    live: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="salon.access")
    async with live_client(live.ws_url) as client:
        await client.subscribe("subscription { notices { id title } }")
        await client.ws.send('{"type":"ping"}')
        assert await client.message() == {"type": "pong"}

    def logged() -> list[Any]:
        return [r for r in caplog.records if r.name == "salon.access" and r.path == "/graphql"]

    # At least this socket's line (an earlier test's socket may close meanwhile too).
    await eventually(lambda: len(logged()) >= 1)
    for line in logged():
        assert (line.getMessage(), line.method, line.status) == ("WS /graphql 0", "WS", 0)
        assert re.fullmatch("[0-9a-f]{16}", line.request_id), line.request_id


async def refusing(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(current_request_id())
    raise WebSocketException(4321, "no thanks")


@pytest.fixture(scope="module")
async def bare_url() -> AsyncIterator[str]:
    """SalonApp with one websocket route, under a real uvicorn (no database, no hub)."""
    app = SalonApp(routes=[WebSocketRoute("/refusing", refusing)])
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="off")
    server, task, port = await serve_on_loopback(config)
    yield f"ws://127.0.0.1:{port}"
    await stop_server(server, task)


async def test_a_websocket_exception_closes_with_its_code_as_starlette_s_would(
    bare_url: str,
) -> None:
    async with websockets.connect(f"{bare_url}/refusing") as ws:
        request_id = await asyncio.wait_for(ws.recv(), 10)
        closed = await closed_with(ws)
    assert closed == (4321, "no thanks")
    assert isinstance(request_id, str)
    assert re.fullmatch("[0-9a-f]{16}", request_id), request_id


async def test_a_websocket_to_no_route_is_refused_by_the_router(bare_url: str) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(f"{bare_url}/elsewhere"):
            pass
    assert refused.value.response.status_code == 403
