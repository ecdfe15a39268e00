"""The GraphQL HTTP/websocket endpoint: Strawberry's ASGI view plus the response cache."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from schema.context import Context, lang_from_header
from schema.live import GroupRenderer, NoticeSocket
from schema.response_cache import GZIP_MIN_BYTES, CachedResponse, CacheKey, ResponseCache
from server.auth.viewer import authenticate
from server.db.queries.agenda import agenda_version
from server.domain.errors import DomainError
from server.runtime import Runtime, runtime_of


class SalonGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = NoticeSocket

    def __init__(self, *args: Any, cache: ResponseCache, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cache = cache
        self._in_flight: dict[CacheKey, asyncio.Future[CachedResponse | None]] = {}
        #: Set once the process runs (it needs the runtime): see `start_live`.
        self.renderer: GroupRenderer | None = None

    def start_live(self, runtime: Runtime) -> GroupRenderer:
        self.renderer = GroupRenderer(self.schema._schema, runtime)  # type: ignore[attr-defined]
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
        """Auth happens once per socket, from `authorization` in connection_init."""
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

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        if result.errors:
            request.state.graphql_errors = True
        return await super().process_result(request, result)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        runtime = runtime_of(request)
        try:
            request.state.viewer = await authenticate(
                runtime.pool, request.headers.get("authorization"), runtime.clock.now()
            )
        except DomainError as refused:
            await _error_response(refused)(scope, receive, send)
            return
        key = await self._cache_key(request)
        if key is None:
            await (await self._execute(request))(scope, receive, send)
            return
        entry = self.cache.get(key)
        if entry is None and key in self._in_flight:
            # The same response is being computed: wait for it rather than compute it
            # again (after an agenda change, every client asks at once).
            entry = await asyncio.shield(self._in_flight[key])
        if entry is None:
            response, entry = await self._execute_and_cache(key, request)
            if entry is None:
                await response(scope, receive, send)
                return
        await _cached_response(request, entry)(scope, receive, send)

    async def _execute(self, request: Request) -> Response:
        try:
            return await self.run(request)
        except HTTPException as error:  # as Strawberry's own __call__ does
            return PlainTextResponse(error.reason, status_code=error.status_code)

    async def _execute_and_cache(
        self, key: CacheKey, request: Request
    ) -> tuple[Response, CachedResponse | None]:
        """Run the operation; cache a successful result. Requests for the same key
        that arrive meanwhile get the cached entry (or None: they run their own)."""
        waiting: asyncio.Future[CachedResponse | None] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = waiting
        entry = None
        try:
            response = await self._execute(request)
            if response.status_code == 200 and not getattr(request.state, "graphql_errors", False):
                entry = self.cache.put(key, bytes(response.body))
            return response, entry
        finally:
            del self._in_flight[key]
            waiting.set_result(entry)

    async def _cache_key(self, request: Request) -> CacheKey | None:
        """The key when this request may be served from cache, else None."""
        if not self.cache.enabled:
            return None
        data = await _request_data(request)
        if data is None:
            return None
        query, operation_name, variables = data
        if not self.cache.is_cacheable(query, operation_name):
            return None
        return CacheKey(
            version=await agenda_version(runtime_of(request).pool),
            query=query,
            operation_name=operation_name,
            variables=orjson.dumps(variables, option=orjson.OPT_SORT_KEYS),
            lang=lang_from_header(request.headers.get("accept-language")).value,
        )


async def _request_data(request: Request) -> tuple[str, str | None, object] | None:
    """(query, operationName, variables) of a plain single-operation request."""
    if request.method == "GET":
        params = request.query_params
        raw_variables = params.get("variables")
        try:
            variables = orjson.loads(raw_variables) if raw_variables else None
        except orjson.JSONDecodeError:
            return None
        data: object = {
            "query": params.get("query"),
            "operationName": params.get("operationName"),
            "variables": variables,
        }
    elif request.method == "POST" and "application/json" in request.headers.get("content-type", ""):
        try:
            data = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return None
    else:
        return None
    if not isinstance(data, dict):
        return None  # batches and oddities take the ordinary path
    query, operation_name, variables = (
        data.get("query"),
        data.get("operationName"),
        data.get("variables"),
    )
    if not isinstance(query, str) or not isinstance(operation_name, str | None):
        return None
    if not isinstance(variables, dict | None):
        return None
    return query, operation_name, variables


def _error_response(error: DomainError) -> Response:
    """A refused request as GraphQL-over-HTTP says: status 200, `errors`, no `data`."""
    body = {
        "data": None,
        "errors": [{"message": error.message, "extensions": {"code": error.code.value}}],
    }
    return Response(orjson.dumps(body), media_type="application/json")


def _cached_response(request: Request, entry: CachedResponse) -> Response:
    headers = {
        "ETag": entry.etag,
        "Cache-Control": "no-cache",
        "Vary": "Accept-Encoding, Accept-Language",
    }
    body = entry.body
    if len(body) >= GZIP_MIN_BYTES and "gzip" in request.headers.get("accept-encoding", ""):
        body = entry.gzipped
        headers["Content-Encoding"] = "gzip"
        # A strong ETag names one representation: the gzipped bytes get their own.
        headers["ETag"] = entry.etag.removesuffix('"') + '-gzip"'
    if request.method == "GET" and request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
