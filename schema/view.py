"""The GraphQL endpoint: Strawberry's ASGI view, with HTTP served by schema/http.py
and the `notices` subscription by schema/live.py."""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET, UnsetType

from schema.context import Context, lang_from_header
from schema.execution import OperationRunner
from schema.http import HttpGraphQL
from schema.live import GroupRenderer, NoticeSocket
from schema.live_messages import SalonWebSocketAdapter
from schema.response_cache import ResponseCache
from server.auth.viewer import authenticate
from server.domain.errors import DomainError
from server.runtime import Runtime, runtime_of


class SalonGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = NoticeSocket
    websocket_adapter_class = SalonWebSocketAdapter

    def __init__(
        self, *args: Any, cache: ResponseCache, runner: OperationRunner, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cache = cache
        self.http = HttpGraphQL(runner, cache, fallback=self._strawberry)
        #: Set once the process runs (it needs the runtime): see `start_live`.
        self.renderer: GroupRenderer | None = None

    def start_live(self, runtime: Runtime) -> GroupRenderer:
        self.renderer = GroupRenderer(self.http.runner, runtime)
        return self.renderer

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        return Context(
            request=request,
            response=response,
            runtime=runtime_of(request),
            # HTTP: resolved in __call__; websockets: in on_ws_connect.
            viewer=getattr(request.state, "viewer", None),
            lang=lang_from_header(request.headers.get("accept-language")),
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Auth happens once per socket, from `authorization` in connection_init (the
        socket then closes with 4403 when that token is revoked or expires)."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        authorization = params.get("authorization") or params.get("Authorization")
        try:
            viewer = await authenticate(
                context.db,
                authorization if isinstance(authorization, str) else None,
                context.clock.now(),
            )
        except DomainError as refused:
            raise ConnectionRejectionError({"message": refused.message}) from None
        context.viewer = viewer
        context.renew_loaders()
        no_payload: UnsetType = UNSET
        return no_payload

    def encode_json(self, data: object) -> str:
        # str, not bytes: graphql-transport-ws messages must be text frames.
        return orjson.dumps(data).decode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        response = await self.http.respond(Request(scope, receive))
        await response(scope, receive, send)

    async def _strawberry(self, request: Request) -> Response:
        """Strawberry's own HTTP handling (GraphiQL, multipart, batches)."""
        try:
            return await self.run(request)
        except HTTPException as error:  # as Strawberry's own __call__ does
            return PlainTextResponse(error.reason, status_code=error.status_code)
