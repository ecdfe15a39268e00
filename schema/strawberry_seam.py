"""The one place Salon reaches into Strawberry beyond its documented API.

Strawberry is pinned exactly (pyproject.toml, uv.lock). Each function or class here
wraps one thing Salon relies on that Strawberry does not promise to keep: an
underscore attribute, a helper inside one of its extensions, the hooks and state of its
graphql-transport-ws handler. tests/test_strawberry_seam.py checks every one against the
installed Strawberry and, when one moved, fails naming it and what in Salon needs it.
To upgrade: bump the pin, `make lock`, `make test`, and fix what that file names here;
no other module should have to change.

What Strawberry documents is used directly where it is needed: `strawberry.type`,
`field`, `Schema`, `StrawberryConfig`, `DataLoader`, `Info`, the ASGI view with its
options (`allowed_origins`, `subscription_protocols`, …) and hooks (`get_context`,
`on_ws_connect`, `encode_json`, `decode_json`), `ConnectionRejectionError`.

Strawberry builds the schema (types and resolvers into graphql-core's), serves the
GraphiQL page, and runs the graphql-transport-ws protocol (the handshake with its
Origin check, connection_init and its timeout, ping, the table of operations). It
runs no operation: every one, over HTTP or a websocket, goes through
schema/execution.py's OperationRunner, with its one cache and its limits, and the
schema below refuses Strawberry's own execution entry points.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from json import JSONDecodeError
from typing import Any, Generic, NoReturn, TypeVar, cast

import strawberry
from graphql import ASTValidationRule, GraphQLError, GraphQLField, GraphQLSchema
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.extensions.max_aliases import create_validator as _aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as _depth_validator
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    CompleteMessage,
    ConnectionInitMessage,
    Message,
    NextMessage,
    NextMessagePayload,
    SubscribeMessage,
)
from strawberry.types.field import StrawberryField

__all__ = [
    "CompleteMessage",
    "ConnectionInitMessage",
    "Message",
    "Operation",
    "ProtocolHandler",
    "SchemaWithoutExecution",
    "StrawberryField",
    "SubscribeMessage",
    "WebSocketDisconnected",
    "aliases_rule",
    "answer",
    "answer_errors",
    "depth_rule",
    "graphiql_page",
    "graphql_schema",
    "run_websocket",
    "serve_websockets_with",
    "strawberry_field",
]

ContextT = TypeVar("ContextT")


# --- the schema ---------------------------------------------------------------------


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema Strawberry built (`Schema._schema`): OperationRunner
    validates and executes against it, the cost and cache walks read it."""
    built: GraphQLSchema = schema._schema
    return built


def strawberry_field(field: GraphQLField) -> StrawberryField | None:
    """The StrawberryField a graphql-core field was built from: the converter links
    them under `GraphQLCoreConverter.DEFINITION_BACKREF` in the field's extensions.
    schema/visibility.py reads each field's declaration (its `metadata`) through it."""
    found = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return found if isinstance(found, StrawberryField) else None


#: Strawberry's entry points into its own execution (with its extensions), which
#: Salon never uses: `execute_sync` stays, for `Schema.introspect` and tooling.
REFUSED_ENTRY_POINTS = ("execute", "stream", "subscribe")


class SchemaWithoutExecution(strawberry.Schema):
    """A Strawberry schema whose transports' entry points into Strawberry's execution
    refuse to run: an operation reaching one would skip OperationRunner's limits and
    error coding, so it fails loudly instead (no path in Salon reaches them)."""

    async def execute(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse_execution("execute")

    async def stream(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse_execution("stream")

    async def subscribe(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse_execution("subscribe")


def _refuse_execution(name: str) -> NoReturn:
    raise RuntimeError(
        f"Strawberry's Schema.{name} was called, but Salon runs every operation through "
        "schema.execution.OperationRunner (one prepared-operation cache, the limits, "
        "error codes): route this transport there."
    )


# --- validation rules ---------------------------------------------------------------


def depth_rule(max_depth: int) -> type[ASTValidationRule]:
    """The validation rule of Strawberry's QueryDepthLimiter, without the extension
    (`strawberry.extensions.query_depth_limiter.create_validator`)."""
    return _depth_validator(max_depth, None)


def aliases_rule(max_aliases: int) -> type[ASTValidationRule]:
    """The validation rule of Strawberry's MaxAliasesLimiter, without the extension
    (`strawberry.extensions.max_aliases.create_validator`)."""
    return _aliases_validator(max_aliases)


# --- the view -----------------------------------------------------------------------


async def graphiql_page(view: GraphQL[Any, Any], request: Request) -> Response:
    """Strawberry's GraphiQL page (`render_graphql_ide`), the only HTTP response
    Salon leaves to Strawberry's view."""
    page: Response = await view.render_graphql_ide(request)
    return page


def run_websocket(
    view: GraphQL[Any, Any], scope: Scope, receive: Receive, send: Send
) -> Awaitable[object]:
    """What Strawberry's ASGI view does with a websocket scope (`GraphQL.__call__`):
    its `run` on the socket (the Origin check, the handshake, the protocol handler).
    Returned to await, not awaited here: no frame of its own for the socket's life."""
    return view.run(WebSocket(scope, receive=receive, send=send))


def serve_websockets_with(
    view: type[GraphQL[ContextT, None]], handler: type[ProtocolHandler[ContextT]]
) -> None:
    """Make `view` run graphql-transport-ws sockets with `handler`: Strawberry's
    view instantiates its `graphql_transport_ws_handler_class` for each one."""
    view.graphql_transport_ws_handler_class = handler


# --- the graphql-transport-ws handler ----------------------------------------------


class ProtocolHandler(BaseGraphQLTransportWSHandler[ContextT, None], Generic[ContextT]):
    """Strawberry's graphql-transport-ws handler, reached only through the names below.

    Strawberry keeps: dispatching by `type`, the connection_init timeout (4408), ping
    and pong, and the table of operations (one task each, keyed by id, cleaned up when
    the socket ends). The read loop is Strawberry's, copied into `handle` (each text
    message decoded with the view's `decode_json`), between the `opened` and `closed`
    hooks. Strawberry's hooks call the `on_*` methods here, which a subclass overrides;
    the calls back into Strawberry's own behaviour are `dispatch`, `start_operation`,
    `complete_operation` and `drop_operation`. An operation is
    run by `on_operation`, which a subclass must define (Strawberry's would execute it
    itself, and the schema refuses that).
    """

    # The socket's life: Strawberry's `handle`, copied here (tests/test_strawberry_seam.py
    # fails when Strawberry's changes) so that an idle socket waits in this one frame
    # and Starlette's `receive`: Strawberry's waits four frames deeper (handle, the
    # adapter's iter_json, an async generator that asyncio also tracks, receive_text),
    # with the socket's last message held by two of them until the next one comes.

    async def handle(self) -> None:
        try:
            if not await self.opened():
                return
            self.on_request_accepted()  # the connection_init timer
            websocket = self.starlette_websocket
            try:
                while websocket.application_state is WebSocketState.CONNECTED:
                    received = await websocket.receive()
                    if received["type"] == "websocket.disconnect":
                        break
                    text = received.get("text")
                    del received
                    if text is None:
                        await self.handle_invalid_message("WebSocket message type must be text")
                        break
                    try:
                        message = self.view.decode_json(text)
                    except JSONDecodeError:
                        await self.handle_invalid_message("WebSocket message must be valid JSON")
                        break
                    del text
                    await self.handle_message(cast(Message, message))
                    del message  # not kept while the socket idles
            except WebSocketDisconnected:
                pass
            finally:
                await self.shutdown()
        finally:
            await self.closed()

    # Strawberry's hooks, each handed to Salon's name for it.

    async def handle_message(self, message: Message) -> None:
        await self.on_message(message)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await self.on_connection_init(message)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        await self.on_subscribe(message)

    async def handle_complete(self, message: CompleteMessage) -> None:
        await self.on_complete(message)

    async def handle_invalid_message(self, error_message: str) -> None:
        await self.refuse_message(error_message)

    async def run_operation(self, operation: Operation[ContextT, None]) -> None:
        await self.on_operation(operation)

    async def cleanup_operation(self, operation_id: str) -> None:
        await self.on_cleanup(operation_id)

    # What a subclass overrides; by default, what Strawberry does.

    async def opened(self) -> bool:
        """The socket is accepted: False closes it (the subclass did) before the protocol
        starts. `closed` is called in any case."""
        return True

    async def closed(self) -> None:
        """The socket's end, after Strawberry cleaned its operations up."""

    async def on_message(self, message: Message) -> None:
        """Every decoded message (whatever `decode_json` returned)."""
        await self.dispatch(message)

    async def on_connection_init(self, message: ConnectionInitMessage) -> None:
        await BaseGraphQLTransportWSHandler.handle_connection_init(self, message)

    async def on_subscribe(self, message: SubscribeMessage) -> None:
        await self.start_operation(message)

    async def on_complete(self, message: CompleteMessage) -> None:
        await self.complete_operation(message)

    async def refuse_message(self, reason: str) -> None:
        """A message the protocol does not allow (Strawberry: close 4400)."""
        await BaseGraphQLTransportWSHandler.handle_invalid_message(self, reason)

    async def on_operation(self, operation: Operation[ContextT, None]) -> None:
        """The operation's task: run it, answer it."""
        raise NotImplementedError("run operations through schema.execution.OperationRunner")

    async def on_cleanup(self, operation_id: str) -> None:
        """An operation ends: completed by the client, or the socket is gone."""
        await self.drop_operation(operation_id)

    # Strawberry's behaviour, called from Salon's overrides.

    async def dispatch(self, message: Message) -> None:
        """Hand a message to the hook for its `type` (close 4400 for an unknown one)."""
        await BaseGraphQLTransportWSHandler.handle_message(self, message)

    async def start_operation(self, message: SubscribeMessage) -> None:
        """Register the operation under its id and start its task (`on_operation`)."""
        await BaseGraphQLTransportWSHandler.handle_subscribe(self, message)

    async def complete_operation(self, message: CompleteMessage) -> None:
        await BaseGraphQLTransportWSHandler.handle_complete(self, message)

    async def drop_operation(self, operation_id: str) -> None:
        """Forget the operation and cancel its task (not awaited)."""
        await BaseGraphQLTransportWSHandler.cleanup_operation(self, operation_id)

    # Strawberry's state, as Salon reads and changes it.

    @property
    def starlette_websocket(self) -> WebSocket:
        """The socket, as Starlette's WebSocket (inside Strawberry's ASGI adapter)."""
        adapter = cast(ASGIWebSocketAdapter, self.websocket)
        return adapter.ws

    @property
    def host_view(self) -> object:
        """The view that accepted the socket."""
        return self.view

    def init_timer_stopped(self) -> bool:
        """Stop the connection_init timer; False when it fired already (the socket is
        closing with 4408 and the message is ignored)."""
        if self.connection_timed_out:
            return False
        if self.connection_init_timeout_task:
            self.connection_init_timeout_task.cancel()
            # Not kept for the socket's life (~1 KB with its coroutine): nothing awaits it.
            self.connection_init_timeout_task = None
        return True

    def release_task(self, operation: Operation[ContextT, None]) -> None:
        """The operation's task is ending while the operation lives on (a subscription
        the hub now feeds): the operation holds a done future instead, so the finished
        Task, its coroutine and context (~1 KB) are not kept for the socket's life.
        Strawberry's cleanup cancels and awaits it as before (a no-op)."""
        operation.task = _done_future()  # type: ignore[assignment]

    def first_init(self) -> bool:
        """Note a connection_init; False when one came before."""
        if self.connection_init_received:
            return False
        self.connection_init_received = True
        return True

    async def acknowledge(self) -> None:
        """Send connection_ack: operations may start from now on."""
        await self.send({"type": "connection_ack"})
        self.connection_acknowledged = True

    @property
    def acknowledged(self) -> bool:
        return self.connection_acknowledged

    @property
    def operation_cap(self) -> int | None:
        """Operations one socket may hold at once (the view's
        `max_subscriptions_per_connection`)."""
        return self.max_subscriptions_per_connection

    def holds_operation(self, operation_id: str) -> bool:
        return operation_id in self.operations

    def operation_count(self) -> int:
        return len(self.operations)

    def cancel_operations(self, but: asyncio.Task[Any] | None = None) -> None:
        """Cancel every operation's task (except `but`, the caller's own)."""
        for operation in self.operations.values():
            if operation.task is not None and operation.task is not but:
                operation.task.cancel()

    async def send(self, message: Mapping[str, object]) -> None:
        """One message, encoded with the view's `encode_json`."""
        await self.send_message(message)  # type: ignore[arg-type]


_done: asyncio.Future[None] | None = None


def _done_future() -> asyncio.Future[None]:
    """One done future for every released operation of the loop: cancelling or
    awaiting it does nothing, so they can all hold the same one."""
    global _done
    loop = asyncio.get_running_loop()
    if _done is None or _done.get_loop() is not loop:
        _done = loop.create_future()
        _done.set_result(None)
    return _done


async def answer_errors(operation: Operation[Any, None], errors: list[GraphQLError]) -> None:
    """The operation's `error` message; the operation is over (its id is free again)."""
    await operation.send_initial_errors(errors)


async def answer(operation: Operation[Any, None], payload: dict[str, Any]) -> None:
    """A query's or mutation's one `next`, then `complete` (its id is free again)."""
    message: NextMessage = {
        "id": operation.id,
        "type": "next",
        "payload": cast(NextMessagePayload, payload),
    }
    await operation.send_operation_message(message)
    await operation.send_operation_message({"id": operation.id, "type": "complete"})
