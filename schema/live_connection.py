"""The life of one graphql-transport-ws socket, whatever it runs (its operations are
schema/live.py's NoticeSocket, which builds on this class).

From the handshake to the close: caps on sockets per client address and per person,
authentication once, in connection_init, every message checked first
(schema/live_messages.py), and a socket whose token is revoked or expires closed at
once with 4403 (after its own signOut has answered, when that is what revoked it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any, Protocol, cast

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.exceptions import ConnectionRejectionError

from schema import live_messages as messages
from schema.context import Context
from schema.execution import OperationRunner
from schema.live_groups import GroupRenderer
from schema.strawberry_seam import (
    CompleteMessage,
    ConnectionInitMessage,
    Message,
    ProtocolHandler,
    WebSocketDisconnected,
)
from server.auth.tokens import hash_secret
from server.auth.viewer import bearer_token
from server.domain.errors import DomainError
from server.live.hub import Hub
from server.live.metrics import METRICS
from server.live.sockets import Ticket
from server.live.token_watch import TokenEnd
from server.live.transport import close_now_of
from server.request_id import current_request_id

log = logging.getLogger("salon.live")

#: The socket and operation id an operation task runs for (its resolvers see it too).
_running: ContextVar[tuple[LiveConnection, str] | None] = ContextVar(
    "salon_live_operation", default=None
)


class LiveView(Protocol):
    """What the socket needs of the view that accepted it (schema/view.py)."""

    runner: OperationRunner
    renderer: GroupRenderer | None

    async def on_ws_connect(self, context: Context) -> object: ...


class LiveConnection(ProtocolHandler[Context]):
    """A graphql-transport-ws socket's life: admitted, signed in, counted, watched for
    its token's end, ended and let go. Its operations are the subclass's: it takes
    them out of the hub (`_stop_live`) and answers an oversize subscribe for its id
    (`_refuse_oversize`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._view = cast(LiveView, self.host_view)
        #: The Starlette websocket (what get_context was given for this socket).
        self.ws: WebSocket = _websocket_of(self.context)
        #: What this socket counts against (its address, then its person).
        self._ticket: Ticket | None = None
        #: The hash of the token it was opened with, watched for revocation.
        self._token: bytes | None = None
        #: Set once the server has ended the socket: nothing more is sent.
        self._ended = False
        #: A revocation seen while this socket's own operation ran (its own signOut):
        #: (code, reason, operation id); the socket closes once that operation answered.
        self._close_after: tuple[int, str, str] | None = None
        self._closing: asyncio.Future[None] | None = None

    # --- the socket's life ------------------------------------------------------------

    async def opened(self) -> bool:
        METRICS.open_connections.inc()
        _forget_headers(self.ws)
        return await self._admit_address()

    async def closed(self) -> None:
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
        self._ticket = admitted
        return True

    async def _let_go(self) -> None:
        if self._token is not None:
            self.hub.tokens.unwatch(self._token, self._token_ended)
        if self._ticket is not None:
            await self.hub.sockets.release(self._ticket)

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
            self.hub.tokens.watch(self._token, self._token_ended)
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
        self._share_token(viewer.token_hash)
        cap = self.context.settings.ws_max_sockets_per_person
        admitted = await self.hub.sockets.admit([(f"person:{viewer.id}", cap)], into=self._ticket)
        if isinstance(admitted, str):
            return messages.TOO_MANY, "Too many sockets for this account"
        self._ticket = admitted
        self._watch_expiry()
        return None

    def _share_token(self, token_hash: bytes) -> None:
        """Watch the viewer's own copy of the token's hash, not a second equal one kept
        for the socket's life (no await between: no revocation can fall between)."""
        if self._token is None or self._token is token_hash or self._token != token_hash:
            return
        self.hub.tokens.unwatch(self._token, self._token_ended)
        self._token = token_hash
        self.hub.tokens.watch(token_hash, self._token_ended)

    def _watch_expiry(self) -> None:
        viewer = self.context.viewer
        if self._token is not None and viewer is not None and viewer.token_expires_at is not None:
            self.hub.tokens.expires(self._token, viewer.token_expires_at)

    def _token_ended(self, how: TokenEnd) -> None:
        self._token = None  # the hub forgot it
        self._viewer_gone("Signed out" if how == "revoked" else "Session expired")

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

    @contextlib.contextmanager
    def _operation_running(self, operation_id: str) -> Iterator[None]:
        """Around an operation's task: a revocation seen inside it is this socket's own
        signOut, and the socket ends once the operation has answered."""
        token = _running.set((self, operation_id))
        try:
            yield
        finally:
            if self._close_after is not None and self._close_after[2] == operation_id:
                code, why, _ = self._close_after
                self._close_after = None
                self._end(code, why)
            # The finished task is kept with its operation: not this socket, too.
            _running.reset(token)

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

    async def _refuse_oversize(self, value: object) -> None:
        """A message over SALON_WS_MAX_MESSAGE_BYTES (`value`, decoded): closed with
        4400 here; schema/live.py answers an oversize subscribe for its id instead."""
        limit = self.context.settings.ws_max_message_bytes
        await self.refuse_message(f"Message too large (over {limit} bytes)")

    # --- what the operations add ------------------------------------------------------

    def _stop_live(self) -> None:
        """Take every subscription of this socket out of the hub: schema/live.py's
        (this class alone holds none)."""

    # --- what the handler reaches -----------------------------------------------------

    @property
    def hub(self) -> Hub:
        return self.context.runtime.hub


def _websocket_of(context: Context) -> WebSocket:
    """The socket's Starlette websocket: Strawberry gives it to get_context."""
    if not isinstance(context.request, WebSocket):
        raise TypeError("a websocket handler's context holds its websocket")
    return context.request


def _forget_headers(ws: WebSocket) -> None:
    """The handshake's headers were read (the Origin check, Accept-Language): not kept
    for the socket's life (~1 KB of tuples and bytes on every idle socket). Starlette
    caches them as `_headers` besides the scope (tests/test_idle_sockets.py checks both
    are gone)."""
    ws.scope["headers"] = []
    vars(ws).pop("_headers", None)


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
