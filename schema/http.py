"""GraphQL over HTTP: auth once, then the response cache, then one execution.

Plain requests (a JSON POST, or a GET with `query`) are run by OperationRunner;
anything else (GraphiQL, multipart, batches) is left to Strawberry's view. Mutations
never touch the response cache or the replica, and one the fast path knows (a lone
`bookmarkSession`) is answered before any Context is made (`_answer`).

With a read replica (DATABASE_REPLICA_URL), a query made only of PUBLIC fields reads
from it once it has replayed the agenda version the primary is at (`_replica_for`);
everything else, and any query the replica fails, reads from the primary.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import orjson
from asyncpg.pool import PoolConnectionProxy
from graphql import GraphQLError, OperationType
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from schema.context import Context, lang_from_header
from schema.errors import INTERNAL
from schema.execution import OperationRunner, Prepared, errors_body
from schema.http_request import Malformed, RequestData, may_read_body_first, read_request
from schema.response_cache import (
    GZIP_MIN_BYTES,
    MAX_KEY_BYTES,
    CachedResponse,
    CacheKey,
    ResponseCache,
    Scope,
)
from server import unavailable
from server.auth.viewer import Viewer, authenticate
from server.domain.errors import DomainError
from server.runtime import Replica, Runtime, runtime_of

log = logging.getLogger(__name__)


class HttpGraphQL:
    def __init__(
        self,
        runner: OperationRunner,
        cache: ResponseCache,
        fallback: Callable[[Request], Awaitable[Response]],
    ) -> None:
        self.runner = runner
        self.cache = cache
        self.fallback = fallback
        self._in_flight: dict[CacheKey, asyncio.Future[CachedResponse | None]] = {}

    async def respond(self, request: Request) -> Response:
        try:
            return await self._respond(request)
        except unavailable.UNAVAILABLE as error:  # before GraphQL ran: auth, cache key
            log.warning("dependency unavailable: %r", error)
            return json_response(
                {
                    "data": None,
                    "errors": [
                        {"message": unavailable.MESSAGE, "extensions": {"code": unavailable.CODE}}
                    ],
                }
            )

    async def _respond(self, request: Request) -> Response:
        runtime = runtime_of(request)
        authorization = request.headers.get("authorization")
        if not may_read_body_first(request):
            viewer = await _viewer(runtime.pool, authorization, runtime)
            if isinstance(viewer, Response):
                return viewer
            return await self._operation(request, runtime, viewer, await read_request(request))
        # A JSON body of a declared length is read (and its document prepared) before the
        # token is checked: the limit cannot cut it short then (BodyLimit refused a length
        # over it before the app ran) and nothing is answered before the token is, so
        # every answer is the same. A signed-in mutation then checks its token and tries
        # the fast path on one pooled connection (one acquire less), held while no byte
        # is read from the network.
        parsed = await read_request(request)
        prepared = None
        if isinstance(parsed, tuple):
            prepared = self.runner.prepare(parsed[0], parsed[1])
        if (
            not isinstance(parsed, tuple)
            or not isinstance(prepared, Prepared)
            or prepared.operation is not OperationType.MUTATION
            or not authorization
        ):
            viewer = await _viewer(runtime.pool, authorization, runtime)
            if isinstance(viewer, Response):
                return viewer
            return await self._operation(request, runtime, viewer, parsed, prepared)
        async with runtime.pool.acquire() as conn:
            viewer = await _viewer(conn, authorization, runtime)
            if isinstance(viewer, Response):
                return viewer
            answered = await self._answer(conn, request, viewer, prepared, parsed)
        if answered is not None:
            return answered
        return await self._operation(request, runtime, viewer, parsed, prepared, tried=True)

    async def _operation(
        self,
        request: Request,
        runtime: Runtime,
        viewer: Viewer | None,
        parsed: RequestData | Malformed | None,
        prepared: Prepared | list[GraphQLError] | None = None,
        *,
        tried: bool = False,
    ) -> Response:
        """The request once its viewer is known. `prepared`: its document when already
        prepared; `tried`: the fast path has had this mutation already."""
        if isinstance(parsed, Malformed):
            return json_response(refusal_body(str(parsed)), status_code=400)
        if parsed is None:
            request.state.viewer = viewer  # for Strawberry's view (schema/view.py)
            return await self.fallback(request)
        data = parsed
        if prepared is None:
            prepared = self.runner.prepare(data[0], data[1])
        if isinstance(prepared, list):
            return json_response(errors_body(prepared))
        if prepared.operation is OperationType.SUBSCRIPTION:
            return PlainTextResponse("Subscribe over a graphql-transport-ws websocket.", 400)
        if prepared.operation is OperationType.MUTATION:
            if request.method == "GET":
                return PlainTextResponse(
                    "Mutations are sent with POST.", 405, headers={"Allow": "POST"}
                )
            if not tried:
                answered = await self._answer(runtime.pool, request, viewer, prepared, data)
                if answered is not None:
                    return answered
            # Never cached, always on the primary; refusals and all the rest are `_run`'s.
            body = await self._run(request, viewer, prepared, data, None, planned=False)
            return json_response(body)
        key = await self._cache_key(request, viewer, data, prepared)
        if key is None:
            return json_response(await self._execute(request, viewer, prepared, data))
        entry = self.cache.get(key)
        if entry is None and key in self._in_flight:
            # The same response is being computed: wait for it rather than compute it
            # again (after an agenda change, every client asks at once).
            entry = await asyncio.shield(self._in_flight[key])
        if entry is None:
            body, entry = await self._execute_and_cache(key, request, viewer, prepared, data)
            if entry is None:
                return json_response(body)
        return cached_response(request, entry)

    async def _answer(
        self,
        db: asyncpg.Pool[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record],
        request: Request,
        viewer: Viewer | None,
        prepared: Prepared,
        data: RequestData,
    ) -> Response | None:
        """A mutation the fast path knows, answered without a Context
        (schema/mutation_answer.py) with `_run`'s bytes; None for anything else."""
        answered = await self.runner.answer(
            prepared,
            db=db,
            viewer_id=None if viewer is None else viewer.id,
            lang=lang_from_header(request.headers.get("accept-language")),
            variables=data[2],
        )
        return None if answered is None else JsonBytes(orjson.dumps({"data": answered}))

    async def _execute(
        self,
        request: Request,
        viewer: Viewer | None,
        prepared: Prepared,
        data: RequestData,
        version: int | None = None,
    ) -> dict[str, Any]:
        """Run the operation, reading from the replica when it may (`version`: the
        primary's agenda version, when already read for the cache key)."""
        runtime = runtime_of(request)
        replica = await self._replica_for(request, viewer, prepared, version)
        if replica is None:
            return await self._run(request, viewer, prepared, data, None)
        body = await self._run(request, viewer, prepared, data, replica.pool)
        failed = {(e.get("extensions") or {}).get("code") for e in body.get("errors", ())}
        if failed & {unavailable.CODE, INTERNAL}:
            # A read-only query: the primary answers instead (the replica went away, or
            # a recovery conflict cancelled a statement there).
            if unavailable.CODE in failed:
                await replica.failed(ConnectionError("a query on the replica failed"))
            log.warning("query failed on the read replica; ran again on the primary")
            body = await self._run(request, viewer, prepared, data, runtime.pool)
        return body

    async def _run(
        self,
        request: Request,
        viewer: Viewer | None,
        prepared: Prepared,
        data: RequestData,
        pool: asyncpg.Pool[asyncpg.Record] | None,
        *,
        planned: bool = True,
    ) -> dict[str, Any]:
        context = Context(
            request=request,
            response=None,
            runtime=runtime_of(request),
            viewer=viewer,
            lang=lang_from_header(request.headers.get("accept-language")),
            pool=pool,
        )
        return await self.runner.execute(prepared, context, data[2], data[1], planned=planned)

    async def _replica_for(
        self, request: Request, viewer: Viewer | None, prepared: Prepared, version: int | None
    ) -> Replica | None:
        """The replica when this operation may read from it, else None (the primary).

        Only a query every selected field of which is PUBLIC may: those fields change
        only with the agenda version (schema/visibility.py), and the replica is used only
        when it has replayed at least the version the primary has now. Whatever anyone
        wrote to public data before this request (an organiser's session change, an
        exhibitor's demo) bumped that version, so it is read where it is already
        visible: read-your-writes, and a lagging replica never answers with an agenda
        older than its cache key. Organisers (who edit the fair) always read from the
        primary; so does everything that reads the viewer's own data, and mutations."""
        replica = runtime_of(request).replica
        if replica is None or not replica.in_use:
            return None
        if self.cache.scope_of(prepared) is not Scope.EVERYONE:
            return None
        if viewer is not None and viewer.has_role("ORGANISER"):
            return None
        if version is None:
            version = await runtime_of(request).agenda_version()
        replayed = await replica.agenda_version()
        if replayed is None or replayed < version:
            return None
        return replica

    async def _execute_and_cache(
        self,
        key: CacheKey,
        request: Request,
        viewer: Viewer | None,
        prepared: Prepared,
        data: RequestData,
    ) -> tuple[dict[str, Any], CachedResponse | None]:
        """Run the operation and cache a successful result. Requests for the same key
        that arrive meanwhile get the cached entry (or None: they run their own)."""
        waiting: asyncio.Future[CachedResponse | None] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = waiting
        entry = None
        try:
            body = await self._execute(request, viewer, prepared, data, key.version)
            if "errors" not in body:
                entry = self.cache.put(key, orjson.dumps(body))
            return body, entry
        finally:
            del self._in_flight[key]
            waiting.set_result(entry)

    async def _cache_key(
        self, request: Request, viewer: Viewer | None, data: RequestData, prepared: Prepared
    ) -> CacheKey | None:
        """The key when this request may be served from cache, else None."""
        query, operation_name, variables = data
        if not self.cache.enabled or prepared.operation is not OperationType.QUERY:
            return None
        variables_key = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
        if len(query) + len(variables_key) > MAX_KEY_BYTES:
            return None
        scope = self.cache.scope(query, operation_name)
        if scope is None:
            return None
        personal = scope is Scope.VIEWER and viewer is not None
        return CacheKey(
            version=await runtime_of(request).agenda_version(),
            query=query,
            operation_name=operation_name,
            variables=variables_key,
            lang=lang_from_header(request.headers.get("accept-language")).value,
            viewer=viewer.id if personal and viewer else None,
            plan_version=viewer.person.plan_version if personal and viewer else 0,
        )


async def _viewer(
    db: asyncpg.Pool[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record],
    authorization: str | None,
    runtime: Runtime,
) -> Viewer | Response | None:
    """The token's viewer (None: anonymous), or the answer refusing it (before any
    GraphQL)."""
    try:
        return await authenticate(db, authorization, runtime.clock.now())
    except DomainError as refused:
        return json_response(
            {
                "data": None,
                "errors": [
                    {"message": refused.message, "extensions": {"code": refused.code.value}}
                ],
            }
        )


def refusal_body(message: str) -> dict[str, Any]:
    return {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}],
    }


def json_response(body: dict[str, Any], status_code: int = 200) -> Response:
    """GraphQL-over-HTTP with application/json: status 200, errors in the body."""
    return Response(orjson.dumps(body), status_code=status_code, media_type="application/json")


class JsonBytes(Response):
    """`json_response` of a body already encoded, with the same two headers, made
    without Response's general header handling (the mutation fast path's)."""

    def __init__(self, body: bytes) -> None:
        self.status_code = 200
        self.background = None
        self.body = body
        self.raw_headers = [
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"content-type", b"application/json"),
        ]


def cached_response(request: Request, entry: CachedResponse) -> Response:
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
