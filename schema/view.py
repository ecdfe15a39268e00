"""The GraphQL endpoint: Strawberry's ASGI view for the websocket handshake and the
GraphiQL page; every operation runs through OperationRunner (schema/execution.py):
HTTP ones from schema/http.py, websocket ones from schema/live.py."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError

from schema import live_messages
from schema.context import Context, lang_from_header
from schema.execution import OperationRunner
from schema.http import HttpGraphQL, json_response, refusal_body
from schema.live import NoticeSocket
from schema.live_groups import GroupRenderer
from schema.response_cache import ResponseCache
from schema.strawberry_seam import graphiql_page, run_websocket, serve_websockets_with
from server.auth.viewer import authenticate
from server.domain.errors import DomainError
from server.runtime import Runtime, runtime_of
from server.settings import Settings


class SalonGraphQL(GraphQL[Context, None]):
    def __init__(
        self,
        *args: Any,
        settings: Settings,
        cache: ResponseCache,
        runner: OperationRunner,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.settings = settings
        self.cache = cache
        #: The one execution path (HTTP and websockets).
        self.runner = runner
        self.http = HttpGraphQL(runner, cache, fallback=self._not_an_operation)
        #: Set once the process runs (it needs the runtime): see `start_live`.
        self.renderer: GroupRenderer | None = None

    def start_live(self, runtime: Runtime) -> GroupRenderer:
        self.renderer = GroupRenderer(self.runner, runtime)
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

    async def on_ws_connect(self, context: Context) -> None:
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

    def encode_json(self, data: object) -> str:
        # str, not bytes: graphql-transport-ws messages must be text frames.
        return orjson.dumps(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        """Each websocket message (HTTP bodies never come here): a message over the
        size limit is flagged, for schema/live_connection.py to answer."""
        return live_messages.decode(data, self.settings.ws_max_message_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # Strawberry's: the Origin check (allowed_origins), then NoticeSocket; one
            # frame less than through its __call__, for the socket's whole life.
            await run_websocket(self, scope, receive, send)
            return
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        response = await self.http.respond(Request(scope, receive))
        await response(scope, receive, send)

    async def _not_an_operation(self, request: Request) -> Response:
        """What HttpGraphQL does not run: a GET without `query` (GraphiQL for a
        browser, as Strawberry decides it) and multipart bodies (no uploads here)."""
        if request.method == "GET":
            accept = request.headers.get("accept", "")
            if "text/html" in accept or "*/*" in accept:
                if self.settings.graphiql:
                    return await graphiql_page(self, request)
                return PlainTextResponse("Not Found", status_code=404)
            message = "Send the GraphQL document in the `query` parameter."
        else:
            message = "Send GraphQL as JSON, with Content-Type: application/json (no uploads)."
        return json_response(refusal_body(message), status_code=400)


serve_websockets_with(SalonGraphQL, NoticeSocket)
