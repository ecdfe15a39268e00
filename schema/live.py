"""Live notices over graphql-transport-ws (Strawberry's protocol handler, through
schema/strawberry_seam.py, plus a fast path for the `notices` subscription).

Strawberry would execute the subscription's selection once per phone for every
notice. Here subscribers that would render a notice identically (same document,
variables, language, and, only when the selection reads viewer-specific fields,
same viewer) form a group: the hub renders once per group and every phone of the
group gets the same payload text, wrapped in its own `next` message.

Queries and mutations sent over the socket run through OperationRunner like HTTP ones
(one prepared-operation cache, one set of limits, one error coding): one `next`, then
`complete`, or an `error` when they were refused before running.

The socket's own rules live here too: message checks (schema/live_messages.py), caps
on sockets per person and per client address, every failed subscribe answered with
an `error` for its id, and a socket whose token is revoked or expires closed at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Hashable
from contextvars import ContextVar
from typing import Any, Protocol, cast

from graphql import (
    GraphQLError,
    OperationType,
)
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.exceptions import ConnectionRejectionError

from schema import live_messages as messages
from schema.context import Context
from schema.errors import give_code
from schema.execution import OperationRunner, Prepared, body_of, ran
from schema.live_frames import next_frame
from schema.live_groups import GroupRenderer, Plan, plan_for, render
from schema.strawberry_seam import (
    CompleteMessage,
    ConnectionInitMessage,
    Message,
    Operation,
    ProtocolHandler,
    SubscribeMessage,
    WebSocketDisconnected,
    answer,
    answer_errors,
)
from server.auth.tokens import hash_secret
from server.auth.viewer import bearer_token
from server.domain import notices as notices_domain
from server.domain.errors import DomainError, ErrorCode
from server.live.hub import Hub
from server.live.metrics import METRICS
from server.live.sockets import Ticket
from server.live.subscriber import Subscriber
from server.live.transport import close_now_of
from server.live.wire import LiveNotice
from server.request_id import current_request_id

log = logging.getLogger("salon.live")

REPLAY_PAGE = 200

#: The socket and operation id an operation task runs for (its resolvers see it too).
_running: ContextVar[tuple[NoticeSocket, str] | None] = ContextVar(
    "salon_live_operation", default=None
)


class LiveView(Protocol):
    """What the socket needs of the view that accepted it (schema/view.py)."""

    runner: OperationRunner
    renderer: GroupRenderer | None

    async def on_ws_connect(self, context: Context) -> object: ...


class NoticeSocket(ProtocolHandler[Context]):
    """graphql-transport-ws with the `notices` fast path. Strawberry runs the protocol's
    state machine (ping, complete, the operations' table); this handler checks every
    message first, authenticates and counts the socket, runs every operation through
    OperationRunner, and answers every failed subscribe with an `error` for its id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        view = cast(LiveView, self.host_view)
        self.runner = view.runner
        self._view = view
        #: The Starlette websocket (what get_context was given for this socket).
        self.ws: WebSocket = _websocket_of(self.context)
        #: operation id -> its hub subscriber and rendering group
        self._live: dict[str, tuple[Subscriber, Hashable]] = {}
        #: What this socket counts against (its address, its person).
        self._tickets: list[Ticket] = []
        #: The hash of the token it was opened with, watched for revocation.
        self._token: bytes | None = None
        self._expiry: asyncio.TimerHandle | None = None
        #: Set once the server has ended the socket: nothing more is sent.
        self._ended = False
        #: A revocation seen while this socket's own operation ran (its own signOut):
        #: (code, reason, operation id); the socket closes once that operation answered.
        self._close_after: tuple[int, str, str] | None = None
        self._closing: asyncio.Future[None] | None = None

    # --- the socket's life ------------------------------------------------------------

    async def serve(self) -> None:
        METRICS.open_connections.inc()
        try:
            if await self._admit_address():
                await self.run_protocol()
        finally:
            await self._let_go()
            METRICS.open_connections.dec()

    async def _admit_address(self) -> bool:
        client = self.ws.client
        address = client.host if client is not None else "unknown"
        cap = self.context.settings.ws_max_sockets_per_address
        admitted = await self.hub.sockets.admit([(f"address:{address}", cap)])
        if isinstance(admitted, str):
            await self._close(messages.TOO_MANY, "Too many sockets from your address")
            return False
        self._tickets.append(admitted)
        return True

    async def _let_go(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
        if self._token is not None:
            self.hub.unwatch_token(self._token, self._token_revoked)
        for ticket in self._tickets:
            await self.hub.sockets.release(ticket)

    async def on_connection_init(self, message: ConnectionInitMessage) -> None:
        # Strawberry's, with a null payload allowed and Salon's admission between
        # authentication and the ack.
        if not self.init_timer_stopped():
            return
        payload = message.get("payload")
        if payload is None:  # the protocol allows a null payload
            payload = {}
        if not isinstance(payload, dict):
            await self.refuse_message("Invalid connection init payload")
            return
        if not self.first_init():
            await self._close(messages.TOO_MANY, "Too many initialisation requests")
            return
        refused = await self._sign_in(payload)
        if self._ended:
            return
        if refused is not None:
            await self._close(*refused)
            return
        await self.acknowledge()

    async def _sign_in(self, payload: dict[str, object]) -> tuple[int, str] | None:
        """Authenticate (view.on_ws_connect) and count the person in; why not, if not."""
        authorization = payload.get("authorization") or payload.get("Authorization")
        # Watched before it is checked: a signOut between the check and the watch
        # cannot go unheard.
        self._token = _token_hash(authorization)
        if self._token is not None:
            self.hub.watch_token(self._token, self._token_revoked)
        self.context.connection_params = payload
        try:
            await self._view.on_ws_connect(self.context)
        except ConnectionRejectionError:
            return messages.FORBIDDEN, "Forbidden"
        finally:
            self.context.connection_params = None  # not kept for the socket's life
        viewer = self.context.viewer
        if viewer is None:
            return None
        cap = self.context.settings.ws_max_sockets_per_person
        admitted = await self.hub.sockets.admit([(f"person:{viewer.id}", cap)])
        if isinstance(admitted, str):
            return messages.TOO_MANY, "Too many sockets for this account"
        self._tickets.append(admitted)
        self._watch_expiry()
        return None

    def _watch_expiry(self) -> None:
        viewer = self.context.viewer
        if viewer is None or viewer.token_expires_at is None:
            return
        left = (viewer.token_expires_at - self.context.clock.now()).total_seconds()
        self._expiry = asyncio.get_running_loop().call_later(max(left, 0.0), self._token_expiry_due)

    def _token_expiry_due(self) -> None:
        viewer = self.context.viewer
        if viewer is None or viewer.token_expires_at is None:
            return
        if self.context.clock.now() < viewer.token_expires_at:  # the fair's clock moved back
            self._watch_expiry()
            return
        self._viewer_gone("Session expired")

    def _token_revoked(self) -> None:
        self._token = None  # the hub forgot it
        self._viewer_gone("Signed out")

    def _viewer_gone(self, why: str) -> None:
        """The token is no longer valid: no private notice from now on, and the socket
        closes with 4403, the code a phone gets when it connects with that token."""
        self._stop_live()
        running = _running.get()
        if running is not None and running[0] is self:
            # Its own signOut: the mutation answers first, then the socket closes.
            self._close_after = (messages.FORBIDDEN, why, running[1])
            return
        self._end(messages.FORBIDDEN, why)

    def _end(self, code: int, why: str) -> None:
        """End the socket now, from anywhere (the hub's dispatch included): its
        subscriptions leave the hub, its operations stop, and the transport closes,
        or is dropped when the phone has stopped reading (server/live/transport.py)."""
        if self._ended:
            return
        self._ended = True
        log.info(
            "socket closed by the server: %s",
            why,
            extra={"request_id": current_request_id(), "close_code": code},
        )
        self._stop_live()
        self.cancel_operations(but=asyncio.current_task())
        close_now = close_now_of(self.ws.scope)
        if close_now is not None:
            self.ws.application_state = WebSocketState.DISCONNECTED
            close_now(code, messages.reason(why))
        else:  # another server: the close may wait for the phone to read
            self._closing = asyncio.ensure_future(self._close(code, why))

    async def _close(self, code: int, why: str) -> None:
        log.info(
            "socket closed: %s",
            why,
            extra={"request_id": current_request_id(), "close_code": code},
        )
        with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):  # closed already
            await self.ws.close(code, messages.reason(why))

    # --- messages ---------------------------------------------------------------------

    async def on_message(self, message: Message) -> None:
        value: object = message
        if isinstance(value, messages.Oversize):
            await self._refuse_oversize(value.value)
            return
        if not isinstance(value, dict):
            await self.refuse_message("Messages must be JSON objects")
            return
        try:
            await self.dispatch(message)
        except (WebSocketDisconnected, WebSocketDisconnect):
            raise
        except Exception:
            log.exception(
                "failed to handle a websocket message", extra={"request_id": current_request_id()}
            )
            await self._close(messages.INTERNAL, "Internal error")

    async def refuse_message(self, reason: str) -> None:
        await self._close(messages.BAD_REQUEST, reason)

    async def on_complete(self, message: CompleteMessage) -> None:
        if messages.operation_id(message) is None:
            await self.refuse_message("Complete needs an `id`: a non-empty string")
            return
        await self.complete_operation(message)

    async def on_subscribe(self, message: SubscribeMessage) -> None:
        problem = messages.subscribe_problem(message)
        if problem is not None:
            await self.refuse_message(problem)
            return
        operation_id = message["id"]
        if not await self._may_start(operation_id):
            return
        payload = message["payload"]
        query, operation_name = payload["query"], payload.get("operationName")
        variables = payload.get("variables") or {}
        prepared = self.runner.prepare(query, operation_name) if variables else None
        kept = (
            messages.used_variables(prepared.definition, variables)
            if isinstance(prepared, Prepared)
            else {}
        )
        await self.start_operation(
            {
                "id": operation_id,
                "type": "subscribe",
                "payload": {"query": query, "variables": kept, "operationName": operation_name},
            }
        )

    async def _may_start(self, operation_id: str) -> bool:
        """The protocol's checks before an operation starts (closing or answering)."""
        if not self.acknowledged:
            await self._close(messages.UNAUTHORIZED, "Unauthorized")
            return False
        if self.holds_operation(operation_id):
            await self._close(
                messages.DUPLICATE_ID, f"Subscriber for {operation_id} already exists"
            )
            return False
        cap = self.operation_cap
        if cap is not None and self.operation_count() >= cap:
            await self._answer_error(
                operation_id,
                ErrorCode.RATE_LIMITED.value,
                f"Subscription limit reached: at most {cap} operations at once on one socket.",
            )
            return False
        return True

    async def _refuse_oversize(self, value: object) -> None:
        limit = self.context.settings.ws_max_message_bytes
        found = messages.operation_id(value) if isinstance(value, dict) else None
        if found is None or not isinstance(value, dict) or value.get("type") != "subscribe":
            await self.refuse_message(f"Message too large (over {limit} bytes)")
            return
        if await self._may_start(found):
            await self._answer_error(
                found,
                ErrorCode.BAD_USER_INPUT.value,
                f"This subscribe message is over the {limit} bytes a message may take; "
                "send less (the query and the variables it uses).",
            )

    async def _answer_error(self, operation_id: str, code: str, message: str) -> None:
        """An `error` for an operation that never started."""
        log.info(
            "subscribe refused: %s",
            message,
            extra={
                "request_id": current_request_id(),
                "operation_id": operation_id,
                "codes": [code],
            },
        )
        await self.send(
            {
                "id": operation_id,
                "type": "error",
                "payload": [{"message": message, "extensions": {"code": code}}],
            }
        )

    # --- operations -------------------------------------------------------------------

    async def on_operation(self, operation: Operation[Context, None]) -> None:
        _running.set((self, operation.id))
        try:
            await self._run(operation)
        except DomainError as refused:
            self._forget_live(operation.id)
            error = GraphQLError(refused.message, original_error=refused)
            give_code(error)
            await self._refuse(operation, [error])
        except Exception as unexpected:
            self._forget_live(operation.id)
            if self._ended:
                return  # the socket was closed under it
            # With a path: give_code masks it as INTERNAL_SERVER_ERROR (or says
            # SERVICE_UNAVAILABLE) and logs it with the request id.
            error = GraphQLError(str(unexpected), path=["notices"], original_error=unexpected)
            give_code(error)
            await self._refuse(operation, [error])
        finally:
            if self._close_after is not None and self._close_after[2] == operation.id:
                code, why, _ = self._close_after
                self._close_after = None
                self._end(code, why)

    async def _run(self, operation: Operation[Context, None]) -> None:
        prepared = self.runner.prepare(operation.query, operation.operation_name)
        if isinstance(prepared, list):  # syntax, validation, limits: coded already
            await self._refuse(operation, prepared)
            return
        refused = self.runner.refusal(prepared, operation.variables)
        if refused is not None:  # NUL text, the cost with these variables: coded
            await self._refuse(operation, [refused])
            return
        if prepared.operation is not OperationType.SUBSCRIPTION:
            await self._answer(operation, prepared)
            return
        plan = plan_for(prepared, self.renderer, operation, self.context)
        if isinstance(plan, list):
            for error in plan:
                give_code(error)
            await self._refuse(operation, plan)
            return
        await self._stream(operation, plan)

    async def _answer(self, operation: Operation[Context, None], prepared: Prepared) -> None:
        """A query or mutation: executed as over HTTP; one `next` and `complete`, or
        an `error` when it was refused before it ran (its variables)."""
        self.context.renew_loaders()  # per operation, never per socket
        result = await self.runner.run(
            prepared,
            self.context,
            operation.variables,
            operation.operation_name,
            checked=True,
        )
        if not ran(result):
            await self._refuse(operation, list(result.errors or ()))
            return
        await answer(operation, body_of(result))

    async def _refuse(
        self, operation: Operation[Context, None], errors: list[GraphQLError]
    ) -> None:
        """The operation's `error` message (every error coded), and a log line."""
        codes = [(e.extensions or {}).get("code") for e in errors]
        serious = any(c in ("INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE") for c in codes)
        log.log(
            logging.WARNING if serious else logging.INFO,
            "subscribe refused: %s",
            "; ".join(e.message for e in errors),
            extra={
                "request_id": current_request_id(),
                "operation_id": operation.id,
                "codes": codes,
            },
        )
        await answer_errors(operation, errors)

    async def _stream(self, operation: Operation[Context, None], plan: Plan) -> None:
        """Register with the hub, replay the log, then go live. Nothing waits here
        afterwards: the hub writes to the socket until the operation is cleaned up."""
        hub = self.hub
        viewer = self.context.viewer
        after = notices_domain.parse_cursor(plan.after)  # BAD_USER_INPUT before anything else
        group = self.renderer.join(plan, viewer, self.context.lang)
        # Register first, then read the log: nothing can fall between the two.
        subscriber = hub.new_subscriber(
            person_id=viewer.id if viewer else None,
            roles=frozenset(viewer.person.roles) if viewer else frozenset(),
            group=group,
            operation_id=operation.id,
            send=self.ws.send_text,
            on_overflow=self._cut_off,
        )
        self._live[operation.id] = (subscriber, group)
        last = await self._replay(operation, plan, after) if plan.after is not None else 0
        # Without a cursor the stream starts now: whatever the hub saw last is history.
        subscriber.go_live(last if plan.after is not None else hub.last_seq)

    async def on_cleanup(self, operation_id: str) -> None:
        self._forget_live(operation_id)
        await self.drop_operation(operation_id)

    def _forget_live(self, operation_id: str) -> None:
        found = self._live.pop(operation_id, None)
        if found is not None:
            subscriber, group = found
            self.hub.remove(subscriber)
            self.renderer.leave(group)

    def _stop_live(self) -> None:
        for operation_id in list(self._live):
            self._forget_live(operation_id)

    async def _replay(self, operation: Operation[Context, None], plan: Plan, after: int) -> int:
        last = after
        while True:
            rows = await notices_domain.notices_for(
                self.context.db, self.context.viewer, str(last), REPLAY_PAGE
            )
            for row in rows:
                payload = await render(self.runner, plan, _fresh(self.context), LiveNotice(row, ()))
                await self.ws.send_text(next_frame(operation.id, payload))
                METRICS.notices_delivered.inc()
                last = row.seq or last
            if len(rows) < REPLAY_PAGE:
                return last

    def _cut_off(self) -> None:
        # Called from the hub's dispatch, which never waits: ending is immediate.
        self._end(messages.TOO_SLOW, "Too slow: reconnect with your last cursor")

    # --- what the handler reaches -----------------------------------------------------

    @property
    def hub(self) -> Hub:
        return self.context.runtime.hub

    @property
    def renderer(self) -> GroupRenderer:
        renderer = self._view.renderer
        if renderer is None:
            raise RuntimeError("the view's live renderer starts with the app (start_live)")
        return renderer


def _websocket_of(context: Context) -> WebSocket:
    """The socket's Starlette websocket: Strawberry gives it to get_context."""
    if not isinstance(context.request, WebSocket):
        raise TypeError("a websocket handler's context holds its websocket")
    return context.request


def _token_hash(authorization: object) -> bytes | None:
    """The hash of the bearer token in `authorization`; None without a usable one
    (authentication then refuses it or treats the socket as anonymous)."""
    if not isinstance(authorization, str):
        return None
    try:
        token = bearer_token(authorization)
    except DomainError:
        return None
    return hash_secret(token) if token is not None else None


def _fresh(context: Context) -> Context:
    """A context for one rendering: same viewer and language, new DataLoaders."""
    return Context(
        request=context.request,
        response=context.response,
        runtime=context.runtime,
        viewer=context.viewer,
        lang=context.lang,
    )
