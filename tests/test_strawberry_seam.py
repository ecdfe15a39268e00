"""Every Strawberry internal Salon relies on, checked against the installed Strawberry.

schema/strawberry_seam.py is the only module that reaches past Strawberry's documented
API; each test here covers one thing it reaches for and, when an upgrade moved it,
fails saying what changed and what in Salon needs it. The websocket tests at the end
drive Strawberry's real protocol handler, through the seam, over a real socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import json
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from importlib.metadata import version
from typing import Any

import pytest
import strawberry
import uvicorn
import websockets
from graphql import GraphQLError, GraphQLObjectType, GraphQLSchema, parse, validate
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.http.async_base_view import AsyncBaseHTTPView
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)

from schema import strawberry_seam as seam
from schema.app import schema as app_schema
from tests.conftest import serve_on_loopback, stop_server
from tests.live_client import closed_with

STRAWBERRY = f"Strawberry {version('strawberry-graphql')}"


# --- the schema ---------------------------------------------------------------------


def test_the_graphql_core_schema_is_at_schema_underscore_schema() -> None:
    found = getattr(app_schema, "_schema", None)
    assert isinstance(found, GraphQLSchema), (
        f"{STRAWBERRY} no longer keeps the graphql-core schema at Schema._schema; "
        "seam.graphql_schema gives it to OperationRunner, the cost walk and the response "
        "cache (schema/app.py): find where it lives now"
    )
    assert seam.graphql_schema(app_schema) is found
    assert found.query_type is not None
    assert "event" in found.query_type.fields


def test_each_graphql_field_links_back_to_its_strawberry_field() -> None:
    """The public Schema.get_field_for_type is the oracle for the private back-link."""
    graphql = seam.graphql_schema(app_schema)
    pairs = [
        (named.name, name, graphql_field)
        for named in graphql.type_map.values()
        if isinstance(named, GraphQLObjectType) and not named.name.startswith("__")
        for name, graphql_field in named.fields.items()
    ]
    assert len(pairs) > 100
    unlinked = [
        f"{type_name}.{name}"
        for type_name, name, graphql_field in pairs
        if seam.strawberry_field(graphql_field) is None
        or seam.strawberry_field(graphql_field)
        is not app_schema.get_field_for_type(name, type_name)
    ]
    assert unlinked == [], (
        f"{STRAWBERRY} no longer links a GraphQLField to its StrawberryField under "
        "GraphQLCoreConverter.DEFINITION_BACKREF; schema/visibility.py reads every field's "
        "cache declaration through seam.strawberry_field (nothing is cached without it): "
        f"{unlinked[:5]}"
    )


def test_strawberry_schema_entry_points_into_execution_are_all_known() -> None:
    """SchemaWithoutExecution refuses each entry point a transport could use: a new
    public method on Schema might be one more."""
    known = {
        "as_str",
        "create_extensions_runner",
        "execute",
        "execute_sync",
        "get_directive_by_name",
        "get_extensions",
        "get_field_for_type",
        "get_fields",
        "get_type_by_name",
        "introspect",
        "process_errors",
        "remove_field_suggestion",
        "stream",
        "subscribe",
    }
    public = {name for name in dir(strawberry.Schema) if not name.startswith("_")}
    assert public == known, (
        f"{STRAWBERRY} changed strawberry.Schema's public methods (new: {sorted(public - known)}, "
        f"gone: {sorted(known - public)}); if a new one runs an operation, make "
        "seam.SchemaWithoutExecution refuse it too (operations run through OperationRunner)"
    )
    assert set(seam.REFUSED_ENTRY_POINTS) <= public


@pytest.mark.parametrize("entry_point", seam.REFUSED_ENTRY_POINTS)
async def test_strawberry_execution_is_refused(entry_point: str) -> None:
    run = getattr(app_schema, entry_point)
    with pytest.raises(RuntimeError) as refused:
        await run("{ event { id } }")
    assert f"Schema.{entry_point} was called" in str(refused.value)


def test_introspection_through_execute_sync_still_works_for_tooling() -> None:
    assert app_schema.introspect()["__schema"]["queryType"] == {"name": "Query", "kind": "OBJECT"}


# --- validation rules ---------------------------------------------------------------


def test_the_depth_and_alias_rules_come_out_of_strawberry_s_extensions() -> None:
    graphql = seam.graphql_schema(app_schema)
    deep = "{ sessions { nodes { speakers { sessions { nodes { id } } } } } }"
    aliased = "{ a: event { id } b: event { id } c: event { id } }"
    try:
        rules = [seam.depth_rule(3), seam.aliases_rule(2)]
    except TypeError as error:
        raise AssertionError(
            f"{STRAWBERRY} changed create_validator in strawberry.extensions."
            "query_depth_limiter or max_aliases; schema/limits.py builds the depth and "
            f"alias limits from them (seam.depth_rule, seam.aliases_rule): {error}"
        ) from error
    messages = [
        [error.message for error in validate(graphql, parse(document), rules)]
        for document in (deep, aliased, "{ event { id } }")
    ]
    assert messages == [
        ["'anonymous' exceeds maximum operation depth of 3"],
        ["3 aliases found. Allowed: 2"],
        [],
    ], (
        f"{STRAWBERRY}'s depth or alias validation rule changed what it refuses or says; "
        "tests/test_limits.py checks these messages reach clients"
    )


# --- the view -----------------------------------------------------------------------


async def test_the_graphiql_page_is_strawberry_s() -> None:
    view = GraphQL[None, None](app_schema)
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/graphql",
        "headers": [],
        "query_string": b"",
    }
    try:
        page = await seam.graphiql_page(view, Request(scope))
    except AttributeError as error:
        raise AssertionError(
            f"{STRAWBERRY}'s ASGI view no longer has render_graphql_ide; schema/view.py "
            "serves GraphiQL to browsers with it (seam.graphiql_page)"
        ) from error
    assert (page.status_code, b"<title>Strawberry GraphiQL</title>" in page.body) == (200, True)


def test_the_view_names_its_protocol_handler_class() -> None:
    assert "graphql_transport_ws_handler_class" in vars(AsyncBaseHTTPView), (
        f"{STRAWBERRY}'s view no longer has graphql_transport_ws_handler_class; "
        "seam.serve_websockets_with makes schema/view.py's view run NoticeSocket with it"
    )
    source = inspect.getsource(AsyncBaseHTTPView.run)
    assert "self.graphql_transport_ws_handler_class(" in source, (
        f"{STRAWBERRY}'s view no longer instantiates graphql_transport_ws_handler_class "
        "for a graphql-transport-ws socket; schema/live.py's NoticeSocket relies on it"
    )


def test_strawberry_s_view_runs_a_websocket_scope_as_the_seam_does() -> None:
    source = inspect.getsource(GraphQL.__call__)
    assert "ws_request = WebSocket(scope, receive=receive, send=send)" in source, source
    assert "await self.run(ws_request)" in source, (
        f"{STRAWBERRY}'s ASGI view no longer runs a websocket scope as `run` on a "
        "Starlette WebSocket; seam.run_websocket does that for schema/view.py: do as it does"
    )


#: What seam.ProtocolHandler.handle copies (the read loop, in one frame) -> the hash of
#: its source in the pinned Strawberry and Starlette.
COPIED = {
    "strawberry BaseGraphQLTransportWSHandler.handle": (
        BaseGraphQLTransportWSHandler.handle,
        "38622a72d445f675",
    ),
    "strawberry ASGIWebSocketAdapter.iter_json": (
        ASGIWebSocketAdapter.iter_json,
        "eccc1390e8d7876f",
    ),
    "starlette WebSocket.receive_text": (WebSocket.receive_text, "119f5defe5808bc8"),
}


@pytest.mark.parametrize("name", sorted(COPIED))
def test_the_read_loop_the_seam_copies_is_unchanged(name: str) -> None:
    function, expected = COPIED[name]
    found = hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]
    assert found == expected, (
        f"{name} changed ({STRAWBERRY}, Starlette {version('starlette')}); "
        "seam.ProtocolHandler.handle is a copy of the read loop it makes (start the "
        "connection_init timer, read text messages until the socket ends, decode each "
        "with the view's decode_json, 4400 for a binary or non-JSON one, shut down): "
        f"bring the copy in line with it, then put {found!r} here"
    )


def test_the_adapter_holds_the_starlette_websocket() -> None:
    socket = WebSocket({"type": "websocket", "path": "/", "headers": []}, _never, _never)
    adapter = ASGIWebSocketAdapter(None, socket, socket)  # type: ignore[arg-type]
    handler = seam.ProtocolHandler[None](
        view=None,
        websocket=adapter,
        context=None,
        root_value=None,
        schema=app_schema,
        connection_init_wait_timeout=timedelta(seconds=1),
    )
    assert handler.starlette_websocket is socket, (
        f"{STRAWBERRY}'s ASGI websocket adapter no longer keeps the Starlette WebSocket "
        "at `.ws`; seam.ProtocolHandler.handle reads each message from it"
    )


async def _never(*_: Any) -> Any:
    raise AssertionError("not called")


# --- the graphql-transport-ws handler ----------------------------------------------

#: Strawberry's hook -> (its parameters, the seam's name for it, what relies on it).
HOOKS = {
    "handle_message": (("message",), "on_message", "checking every message first"),
    "handle_connection_init": (
        ("message",),
        "on_connection_init",
        "authentication and the per-person cap before connection_ack",
    ),
    "handle_subscribe": (("message",), "on_subscribe", "the websocket fast path"),
    "handle_complete": (("message",), "on_complete", "checking `complete` messages"),
    "handle_invalid_message": (
        ("error_message",),
        "refuse_message",
        "closing with 4400 and a log line",
    ),
    "run_operation": (("operation",), "on_operation", "running operations through OperationRunner"),
    "cleanup_operation": (("operation_id",), "on_cleanup", "taking notices out of the hub"),
}


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_strawberry_s_handler_has_each_hook_the_seam_maps(hook: str) -> None:
    parameters, salon_name, relies = HOOKS[hook]
    found = getattr(BaseGraphQLTransportWSHandler, hook, None)
    assert found is not None, (
        f"{STRAWBERRY} no longer has BaseGraphQLTransportWSHandler.{hook}; the websocket "
        f"handler (schema/live.py, schema/live_connection.py) relies on it (as {salon_name}: "
        f"{relies})"
    )
    names = tuple(inspect.signature(found).parameters)[1:]
    assert names == parameters, (
        f"{STRAWBERRY} changed BaseGraphQLTransportWSHandler.{hook}{names} (was {parameters}); "
        f"seam.ProtocolHandler hands it to {salon_name}, which NoticeSocket relies on for "
        f"{relies}"
    )


def test_strawberry_s_handler_keeps_the_state_the_seam_reads() -> None:
    handler = BaseGraphQLTransportWSHandler[None, None](
        view=None,  # only stored, as everything here
        websocket=None,
        context=None,
        root_value=None,
        schema=app_schema,
        connection_init_wait_timeout=timedelta(seconds=1),
        max_subscriptions_per_connection=5,
    )
    state = {
        name: getattr(handler, name, "missing")
        for name in (
            "view",
            "context",
            "operations",
            "connection_init_received",
            "connection_acknowledged",
            "connection_timed_out",
            "connection_init_timeout_task",
            "max_subscriptions_per_connection",
        )
    }
    assert state == {
        "view": None,
        "context": None,
        "operations": {},
        "connection_init_received": False,
        "connection_acknowledged": False,
        "connection_timed_out": False,
        "connection_init_timeout_task": None,
        "max_subscriptions_per_connection": 5,
    }, (
        f"{STRAWBERRY}'s graphql-transport-ws handler keeps other state now; "
        "seam.ProtocolHandler reads and sets these (init_timer_stopped, first_init, "
        "acknowledge, holds_operation, operation_count, operation_cap, cancel_operations)"
    )
    for method in ("send_message", "forget_id"):
        assert callable(getattr(handler, method, None)), (
            f"{STRAWBERRY}'s handler has no {method}; seam.ProtocolHandler.send and the "
            "end of every answered operation rely on it"
        )


def test_strawberry_s_operation_keeps_what_the_seam_reads() -> None:
    slots = set(seam.Operation.__slots__)
    assert slots >= {"id", "query", "variables", "operation_name", "task", "completed"}, (
        f"{STRAWBERRY}'s Operation has other attributes now ({sorted(slots)}); "
        "schema/live.py reads id, query, variables, operation_name and task"
    )
    parameters = tuple(inspect.signature(seam.Operation.__init__).parameters)
    assert parameters == ("self", "handler", "id", "query", "variables", "operation_name")
    for method in ("send_initial_errors", "send_operation_message"):
        assert callable(getattr(seam.Operation, method, None)), (
            f"{STRAWBERRY}'s Operation has no {method}; seam.answer and seam.answer_errors "
            "send every operation's answer with it"
        )


async def test_strawberry_s_cleanup_takes_a_done_future_for_a_released_task() -> None:
    """seam.ProtocolHandler.release_task swaps a live subscription's finished Task for a
    done future (the Task is not kept for the socket's life): Strawberry's cleanup and
    shutdown must only cancel and await it."""
    handler = BaseGraphQLTransportWSHandler[None, None](
        view=None,
        websocket=None,
        context=None,
        root_value=None,
        schema=app_schema,
        connection_init_wait_timeout=timedelta(seconds=1),
        max_subscriptions_per_connection=5,
    )
    for operation_id in ("1", "2"):
        operation = seam.Operation(handler, operation_id, "subscription { x }", {}, None)
        seam.ProtocolHandler.release_task(handler, operation)  # type: ignore[arg-type]
        assert operation.task is not None
        assert operation.task.done()
        handler.operations[operation_id] = operation
    await handler.cleanup_operation("1")
    await handler.shutdown()
    assert handler.operations == {}


def test_a_dropped_socket_is_still_strawberry_s_websocket_disconnected() -> None:
    assert issubclass(seam.WebSocketDisconnected, Exception)
    assert "WebSocketDisconnected" in inspect.getsource(BaseGraphQLTransportWSHandler.handle), (
        f"{STRAWBERRY}'s handler no longer ends quietly on WebSocketDisconnected; "
        "LiveConnection.on_message lets it through rather than log an internal error"
    )


# --- Strawberry's real handler, through the seam, over a real socket -----------------


@strawberry.type
class TinyQuery:
    @strawberry.field
    def hello(self) -> str:
        return "hi"


class RecordingView(GraphQL[dict[str, Any], None]):
    def decode_json(self, data: str | bytes) -> object:
        value = json.loads(data)
        if isinstance(value, dict):
            value["decodedByTheView"] = True
        return value


@dataclass
class Seen:
    """What the recorder saw, over every socket of the module's server."""

    hooks: Counter[str] = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)
    cleaned_up: dict[str, asyncio.Event] = field(default_factory=dict)
    cancelled: list[str] = field(default_factory=list)
    #: Set by each socket's `closed` hook (cleared by the test that waits on it).
    closed: asyncio.Event = field(default_factory=asyncio.Event)

    def cleanup_of(self, operation_id: str) -> asyncio.Event:
        return self.cleaned_up.setdefault(operation_id, asyncio.Event())

    def were_cleaned_up(self) -> list[str]:
        return [name for name, event in self.cleaned_up.items() if event.is_set()]


SEEN = Seen()


class Recorder(seam.ProtocolHandler[dict[str, Any]]):
    """Answers each operation with what the seam shows it."""

    async def opened(self) -> bool:
        SEEN.hooks["opened"] += 1
        return True

    async def closed(self) -> None:
        SEEN.hooks["closed"] += 1
        SEEN.closed.set()

    async def on_message(self, message: seam.Message) -> None:
        SEEN.hooks["on_message"] += 1
        value: dict[str, Any] = dict(message)
        SEEN.messages.append(f"{value['type']}:{value.get('decodedByTheView')}")
        await self.dispatch(message)

    async def on_subscribe(self, message: seam.SubscribeMessage) -> None:
        SEEN.hooks["on_subscribe"] += 1
        await super().on_subscribe(message)

    async def on_complete(self, message: seam.CompleteMessage) -> None:
        SEEN.hooks["on_complete"] += 1
        await super().on_complete(message)

    async def refuse_message(self, reason: str) -> None:
        SEEN.hooks["refuse_message"] += 1
        await super().refuse_message(reason)

    async def on_connection_init(self, message: seam.ConnectionInitMessage) -> None:
        SEEN.hooks["on_connection_init"] += 1
        if not self.init_timer_stopped():
            return
        if not self.first_init():
            await self.refuse_message("a second connection_init")
            return
        await self.acknowledge()

    async def on_operation(self, operation: seam.Operation[dict[str, Any], None]) -> None:
        SEEN.hooks["on_operation"] += 1
        if operation.query == "wait":
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                SEEN.cancelled.append(operation.id)
                raise
        if operation.query == "refuse":
            await seam.answer_errors(operation, [GraphQLError("refused")])
            return
        if operation.query == "cancel the others":
            self.cancel_operations(but=asyncio.current_task())
        request = self.context["request"]
        await seam.answer(
            operation,
            {
                "data": {
                    "held": self.holds_operation(operation.id),
                    "count": self.operation_count(),
                    "cap": self.operation_cap,
                    "acknowledged": self.acknowledged,
                    "view": isinstance(self.host_view, RecordingView),
                    "websocket": isinstance(request, WebSocket),
                    "variables": operation.variables,
                    "cleanedUp": SEEN.were_cleaned_up(),
                    "cancelled": list(SEEN.cancelled),
                }
            },
        )

    async def on_cleanup(self, operation_id: str) -> None:
        SEEN.hooks["on_cleanup"] += 1
        SEEN.cleanup_of(operation_id).set()
        await self.drop_operation(operation_id)


seam.serve_websockets_with(RecordingView, Recorder)


@pytest.fixture(scope="module")
async def tiny_ws_url() -> AsyncIterator[str]:
    view = RecordingView(
        seam.SchemaWithoutExecution(query=TinyQuery),
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        connection_init_wait_timeout=timedelta(seconds=30),
        max_subscriptions_per_connection=3,
    )
    config = uvicorn.Config(view, host="127.0.0.1", port=0, log_config=None, lifespan="off")
    server, task, port = await serve_on_loopback(config)
    yield f"ws://127.0.0.1:{port}/graphql"
    await stop_server(server, task)


@contextlib.asynccontextmanager
async def tiny_socket(url: str) -> AsyncIterator[websockets.ClientConnection]:
    async with websockets.connect(url, subprotocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL]) as ws:
        await send(ws, {"type": "connection_init"})
        assert await receive(ws) == {"type": "connection_ack"}
        yield ws


async def receive(ws: websockets.ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
    return message


async def send(ws: websockets.ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


def subscribe(operation_id: str, query: str) -> dict[str, Any]:
    return {"id": operation_id, "type": "subscribe", "payload": {"query": query, "variables": {}}}


FAILURE = (
    f"{STRAWBERRY}'s graphql-transport-ws handler no longer drives seam.ProtocolHandler as "
    "it did (see the first difference); schema/live.py's NoticeSocket relies on it"
)


async def test_strawberry_s_handler_calls_every_seam_hook(tiny_ws_url: str) -> None:
    hooks, start = Counter(SEEN.hooks), len(SEEN.messages)
    SEEN.closed.clear()
    async with tiny_socket(tiny_ws_url) as ws:
        await send(ws, subscribe("wait", "wait"))
        await send(ws, subscribe("1", "look"))
        first = [await receive(ws), await receive(ws)]
        await send(ws, {"id": "wait", "type": "complete"})
        await send(ws, {"type": "ping"})
        pong = await receive(ws)
        await send(ws, subscribe("1", "look"))  # its id is free again once answered
        again = [await receive(ws), await receive(ws)]
        await send(ws, subscribe("2", "refuse"))
        refused = await receive(ws)
        await send(ws, {"type": "connection_init"})
        closed = await closed_with(ws)
    await asyncio.wait_for(SEEN.closed.wait(), 10)  # the socket's end reaches `closed`
    looked = {
        "held": True,
        "count": 2,
        "cap": 3,
        "acknowledged": True,
        "view": True,
        "websocket": True,
        "variables": {},
        "cleanedUp": [],
        "cancelled": [],
    }
    assert [*first, pong, *again, refused, closed] == [
        {"id": "1", "type": "next", "payload": {"data": looked}},
        {"id": "1", "type": "complete"},
        {"type": "pong"},
        {
            "id": "1",
            "type": "next",
            "payload": {
                "data": {**looked, "count": 1, "cleanedUp": ["wait"], "cancelled": ["wait"]}
            },
        },
        {"id": "1", "type": "complete"},
        {"id": "2", "type": "error", "payload": [{"message": "refused"}]},
        (4400, "a second connection_init"),
    ], FAILURE
    kinds = ["connection_init", "subscribe", "subscribe", "complete", "ping"]
    kinds += ["subscribe", "subscribe", "connection_init"]
    called = {
        "opened": 1,
        "closed": 1,
        "on_message": 8,
        "on_connection_init": 2,
        "on_subscribe": 4,
        "on_operation": 4,
        "on_complete": 1,
        "on_cleanup": 1,
        "refuse_message": 1,
    }
    assert SEEN.hooks - hooks == Counter(called), FAILURE
    assert SEEN.messages[start:] == [f"{kind}:True" for kind in kinds], (
        f"{FAILURE}; or it no longer decodes websocket messages with the view's "
        "decode_json, where schema/view.py flags those over SALON_WS_MAX_MESSAGE_BYTES"
    )


async def test_cancel_operations_spares_the_caller_and_the_end_cleans_up(
    tiny_ws_url: str,
) -> None:
    async with tiny_socket(tiny_ws_url) as ws:
        await send(ws, subscribe("w1", "wait"))
        await send(ws, subscribe("c", "cancel the others"))
        answered = [await receive(ws), await receive(ws)]
    # The socket's end cleans up what is left: w1, whose task was cancelled.
    await asyncio.wait_for(SEEN.cleanup_of("w1").wait(), 10)
    assert ([m["type"] for m in answered], "w1" in SEEN.cancelled) == (
        ["next", "complete"],
        True,
    ), (
        f"{FAILURE}: NoticeSocket cancels every other operation's task when it ends a "
        "socket, and Strawberry cleans every operation up when the socket goes"
    )
