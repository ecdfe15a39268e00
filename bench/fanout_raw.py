"""The raw baseline of `bench.fanout`: a plain Starlette websocket endpoint.

It speaks just enough graphql-transport-ws for the same clients (connection_init →
connection_ack, subscribe → registered, ping → pong, complete) and, on
`POST /broadcast` with a `payload` JSON text in the body, sends every registered socket
the same pre-encoded `next` message, in one loop. No GraphQL, no hub, no queues, no
middleware: the floor a Python websocket fan-out on uvicorn can reach. Served by the
same uvicorn command as the app (`uvicorn bench.fanout_raw:create_raw_app --factory`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import sys
import time
from collections.abc import AsyncIterator

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bench.fanout_memory import trace_routes

PROTOCOL = "graphql-transport-ws"
INIT_TIMEOUT = 5.0  # as the app's SALON_CONNECTION_INIT_TIMEOUT default

#: socket → its subscription's operation id
subscribers: dict[WebSocket, str] = {}
connections = 0
_sending: set[asyncio.Task[None]] = set()


def next_frame(operation_id: str, payload: str) -> str:
    """The same text as schema.live_frames.next_frame, without importing the app."""
    return f'{{"id":{orjson.dumps(operation_id).decode()},"type":"next","payload":{payload}}}'


async def socket_endpoint(websocket: WebSocket) -> None:
    global connections
    await websocket.accept(subprotocol=PROTOCOL)
    connections += 1
    try:
        async with asyncio.timeout(INIT_TIMEOUT):
            first = orjson.loads(await websocket.receive_text())
        if first.get("type") != "connection_init":
            await websocket.close(4401, "Unauthorized")
            return
        await websocket.send_text('{"type":"connection_ack"}')
        while True:
            message = orjson.loads(await websocket.receive_text())
            kind = message.get("type")
            if kind == "subscribe":
                subscribers[websocket] = str(message["id"])
            elif kind == "complete":
                subscribers.pop(websocket, None)
            elif kind == "ping":
                await websocket.send_text('{"type":"pong"}')
    except (WebSocketDisconnect, TimeoutError):
        pass
    finally:
        subscribers.pop(websocket, None)
        connections -= 1


async def send_to_all(payload: str) -> None:
    """One pass over every subscriber; each frame is encoded once per operation id."""
    frames: dict[str, str] = {}
    for websocket, operation_id in list(subscribers.items()):
        frame = frames.get(operation_id)
        if frame is None:
            frame = frames[operation_id] = next_frame(operation_id, payload)
        try:
            await websocket.send_text(frame)
        except Exception:  # a socket gone meanwhile: the next one must still get it
            subscribers.pop(websocket, None)


async def broadcast(request: Request) -> Response:
    payload = orjson.loads(await request.body())["payload"]
    task = asyncio.create_task(send_to_all(payload))
    _sending.add(task)  # keep a reference until it is done
    task.add_done_callback(_sending.discard)
    return JSONResponse({"subscribers": len(subscribers)}, status_code=202)


async def stats(_: Request) -> Response:
    return JSONResponse({"subscribers": len(subscribers), "connections": connections})


async def readyz(_: Request) -> Response:
    return PlainTextResponse("ok")


def log_gc_pauses() -> None:
    """With FANOUT_GC_LOG=1 (`bench.fanout --gc-log`), write every collection of 2 ms or
    more to stderr (the server log), to tell collector pauses from other tail latency."""
    if os.environ.get("FANOUT_GC_LOG") != "1":
        return
    began: list[float] = [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
            return
        took = (time.perf_counter() - began[0]) * 1000
        if took >= 2.0:
            print(
                f"gc-pause at={time.time():.3f} gen={info['generation']} ms={took:.1f} "
                f"collected={info['collected']}",
                file=sys.stderr,
                flush=True,
            )

    gc.callbacks.append(callback)


@contextlib.asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    # The same collector settings as the app under the same SALON_GC_TUNING.
    if os.environ.get("SALON_GC_TUNING", "true").strip().lower() in ("1", "true", "yes", "on"):
        gc.freeze()
        gc.set_threshold(50_000, 50, 1_000)
    yield


def create_raw_app() -> Starlette:
    log_gc_pauses()
    return Starlette(
        routes=[
            WebSocketRoute("/graphql", socket_endpoint),
            Route("/broadcast", broadcast, methods=["POST"]),
            Route("/stats", stats),
            Route("/readyz", readyz),
            *trace_routes(),
        ],
        lifespan=lifespan,
    )
