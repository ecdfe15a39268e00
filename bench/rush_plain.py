"""The bare baseline of `bench.rush`, inside the same uvicorn process as the app.

Every GraphQL operation of the rush has a plain twin here that writes the same JSON with
orjson, with no GraphQL, no response cache, no hub: `/plain/agenda` (the whole agenda in
one hand-written statement, bench.agenda's strictest baseline), `/plain/schedule` and
`/plain/bookmark` (bench.schedule's: the same query and domain functions),
`/plain/register`, `/plain/change` (the organiser's `updateSession`), and `/plain/ws`,
a websocket speaking just enough graphql-transport-ws for the same load client.

A plain change is fanned out the bare way: its audience (`session_audience`, the
statement the notice uses) and one pre-encoded frame go on a Redis channel of their
own; each server process's listener sends that frame to its sockets of those people,
in one loop. With `--workers 2` each process has its own listener, as each has its own
hub on the GraphQL side.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bench import harness
from bench.agenda import plain_agenda_one_statement
from bench.schedule import plain_bookmark, plain_schedule
from server.auth.viewer import authenticate
from server.clock import in_fair_time
from server.db.queries import notices as notices_sql
from server.db.queries.notices import NoticeRow
from server.domain import changes, plans
from server.domain.changes import SessionChange
from server.domain.errors import DomainError
from server.domain.viewer import Viewer
from server.runtime import Runtime, runtime_of

log = logging.getLogger(__name__)

PROTOCOL = "graphql-transport-ws"
INIT_TIMEOUT = 5.0
#: Notices a plain socket replays per statement (as the GraphQL side's page).
REPLAY_BATCH = 500


def plain_channel(runtime: Runtime) -> str:
    return f"{runtime.settings.redis_namespace}:rush-plain"


def next_frame(operation_id: str, payload: str) -> str:
    return f'{{"id":{orjson.dumps(operation_id).decode()},"type":"next","payload":{payload}}}'


def notice_payload(fields: dict[str, Any]) -> str:
    return orjson.dumps({"data": {"notices": fields}}).decode()


def row_fields(row: NoticeRow) -> dict[str, Any]:
    """What the app's subscription selects of a notice (bench.rush_load.NOTICES)."""
    return {
        "id": str(row.seq),
        "kind": row.kind,
        "priority": row.priority,
        "createdAt": in_fair_time(row.send_at).isoformat(),
        "titleFr": row.title_fr,
        "titleEn": row.title_en or row.title_fr,
        "bodyFr": row.body_fr,
        "bodyEn": row.body_en or row.body_fr,
        "session": row.session_id and {"id": row.session_id},
        "exhibitor": row.exhibitor_id and {"id": row.exhibitor_id},
        "meeting": None if row.meeting_id is None else {"id": str(row.meeting_id)},
    }


class PlainFanout:
    """This process's plain sockets by person, and the Redis listener feeding them."""

    def __init__(self) -> None:
        self.by_person: dict[int, dict[WebSocket, str]] = defaultdict(dict)
        self._listener: asyncio.Task[None] | None = None

    def ensure_listening(self, runtime: Runtime) -> None:
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(runtime))

    async def _listen(self, runtime: Runtime) -> None:
        async with runtime.redis.pubsub() as pubsub:
            await pubsub.subscribe(plain_channel(runtime))
            async for message in pubsub.listen():
                if message["type"] == "message":
                    self.send(orjson.loads(message["data"]))

    def send(self, message: dict[str, Any]) -> None:
        payload: str = message["payload"]
        frames: dict[str, str] = {}
        for person in message["recipients"]:
            for socket, operation_id in list(self.by_person.get(person, {}).items()):
                frame = frames.get(operation_id)
                if frame is None:
                    frame = frames[operation_id] = next_frame(operation_id, payload)
                task = asyncio.ensure_future(socket.send_text(frame))
                task.add_done_callback(_ignore_closed)


def _ignore_closed(task: asyncio.Future[None]) -> None:
    if not task.cancelled():
        task.exception()  # a socket that closed meanwhile: its handler cleans up


FANOUT = PlainFanout()


async def plain_socket(websocket: WebSocket) -> None:
    """connection_init (bearer token, one lookup) → ack; subscribe with `after` →
    the viewer's notices after that cursor, then live plain changes."""
    runtime = runtime_of(websocket)
    FANOUT.ensure_listening(runtime)
    await websocket.accept(subprotocol=PROTOCOL)
    person: int | None = None
    try:
        async with asyncio.timeout(INIT_TIMEOUT):
            first = orjson.loads(await websocket.receive_text())
        params = first.get("payload") or {}
        viewer = await authenticate(runtime.pool, params.get("authorization"), runtime.clock.now())
        if first.get("type") != "connection_init" or viewer is None:
            await websocket.close(4401, "Unauthorized")
            return
        person = viewer.id
        await websocket.send_text('{"type":"connection_ack"}')
        while True:
            message = orjson.loads(await websocket.receive_text())
            kind = message.get("type")
            if kind == "subscribe":
                operation_id = str(message["id"])
                after = (message["payload"].get("variables") or {}).get("after")
                FANOUT.by_person[person][websocket] = operation_id
                await _replay(websocket, runtime, viewer, operation_id, after)
            elif kind == "ping":
                await websocket.send_text('{"type":"pong"}')
    except (WebSocketDisconnect, TimeoutError, DomainError):
        pass
    finally:
        if person is not None:
            FANOUT.by_person[person].pop(websocket, None)
            if not FANOUT.by_person[person]:
                del FANOUT.by_person[person]


async def _replay(
    websocket: WebSocket,
    runtime: Runtime,
    viewer: Viewer,
    operation_id: str,
    after: str | None,
) -> None:
    cursor = int(after) if after else await notices_sql.latest_seq(runtime.pool)
    while True:
        rows = await notices_sql.notices_for_viewer(
            runtime.pool,
            after=cursor,
            limit=REPLAY_BATCH,
            person_id=viewer.id,
            roles=viewer.person.roles,
        )
        for row in rows:
            payload = notice_payload(row_fields(row))
            await websocket.send_text(next_frame(operation_id, payload))
            cursor = row.seq or cursor
        if len(rows) < REPLAY_BATCH:
            return


def _session_id(body: dict[str, Any]) -> str:
    session_id = (body.get("variables") or {}).get("id")
    if not isinstance(session_id, str):
        raise HTTPException(400, "variables.id must be a string")
    return session_id


def _json(document: object) -> Response:
    return Response(orjson.dumps(document), media_type="application/json")


async def plain_register(request: Request) -> Response:
    """`registerForSession { status }`: the token check and the domain call."""
    viewer = await harness.bearer_viewer(request)
    runtime = runtime_of(request)
    session_id = _session_id(orjson.loads(await request.body()))
    try:
        row = await plans.register(runtime.pool, viewer.id, session_id, runtime.clock.now())
    except DomainError as refused:
        raise HTTPException(409, refused.message) from None
    return _json({"data": {"registerForSession": {"status": row.status}}})


async def plain_change(request: Request) -> Response:
    """`updateSession(id, input: {capacity, note}) { id capacity }`: the same domain call
    (its notice goes through the relay as any other), then the bare fan-out of the change
    to this deployment's plain sockets."""
    viewer = await harness.bearer_viewer(request)
    runtime = runtime_of(request)
    body = orjson.loads(await request.body())
    session_id = _session_id(body)
    given = body["variables"]["input"]
    change = SessionChange(capacity=given["capacity"], note=given["note"])
    try:
        after = await changes.update_session(
            runtime.pool, viewer, session_id, change, runtime.clock.now()
        )
    except DomainError as refused:
        raise HTTPException(409, refused.message) from None
    audience = await notices_sql.session_audience(runtime.pool, [session_id])
    title = f"« {after.title_fr} » : changement"
    fields = {
        "id": "plain",  # no cursor: the bare fan-out does not sequence
        "kind": "SESSION_CHANGED",
        "priority": "NORMAL",
        "createdAt": in_fair_time(runtime.clock.now()).isoformat(),
        "titleFr": title,
        "titleEn": title,
        "bodyFr": given["note"],
        "bodyEn": given["note"],
        "session": {"id": session_id},
        "exhibitor": None,
        "meeting": None,
    }
    message = {"recipients": audience, "payload": notice_payload(fields)}
    await runtime.redis.publish(plain_channel(runtime), orjson.dumps(message))
    return _json({"data": {"updateSession": {"id": after.id, "capacity": after.capacity}}})


def create_rush_app() -> Starlette:
    """uvicorn factory: the real app plus every plain twin, inside the same middleware."""
    return harness.create_app_with(
        [
            Route("/plain/agenda", plain_agenda_one_statement, methods=["POST"]),
            Route("/plain/schedule", plain_schedule, methods=["POST"]),
            Route("/plain/bookmark", plain_bookmark, methods=["POST"]),
            Route("/plain/register", plain_register, methods=["POST"]),
            Route("/plain/change", plain_change, methods=["POST"]),
            WebSocketRoute("/plain/ws", plain_socket),
        ]
    )
