"""Plain HTTP endpoints beside GraphQL: health, readiness, the venue map, feeds, and the
spreadsheets of leads and meetings."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from datetime import date

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from server.auth.viewer import authenticate
from server.clock import TZDATA_VERSION
from server.domain.agenda import agenda_version
from server.domain.calendar import feed_for_token
from server.domain.errors import DomainError, ErrorCode
from server.domain.leads import stand_leads_csv
from server.domain.meetings import desk
from server.domain.venue import venue_feature_collection
from server.domain.viewer import Viewer, require_role
from server.live.metrics import METRICS
from server.runtime import runtime_of

READINESS_TIMEOUT = 2.0


async def healthz(_: Request) -> Response:
    """The process is alive (says nothing of its dependencies), and which zone data
    turns its instants into fair time."""
    return JSONResponse({"status": "ok", "tzdata": TZDATA_VERSION})


async def readyz(request: Request) -> Response:
    """Ready to serve: PostgreSQL and Redis both answer. The read replica, when there
    is one, is reported but not needed: the primary serves while it is away."""
    runtime = runtime_of(request)
    checks: dict[str, str] = {}

    async def check(name: str, probe: Awaitable[object]) -> None:
        try:
            await asyncio.wait_for(probe, READINESS_TIMEOUT)
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"unavailable: {type(exc).__name__}"

    await asyncio.gather(
        check("postgres", runtime.ping_postgres()),
        check("redis", runtime.redis.ping()),
        *([check("replica", runtime.ping_replica())] if runtime.replica is not None else []),
    )
    ready = checks["postgres"] == checks["redis"] == "ok"
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


async def venue_geojson(request: Request) -> Response:
    """The whole floor map for map libraries; ETag follows the agenda version."""
    pool = runtime_of(request).pool
    version = await agenda_version(pool)
    collection = await venue_feature_collection(pool)
    body = orjson.dumps(collection)
    etag = f'"{version}-{hashlib.blake2b(body, digest_size=8).hexdigest()}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/geo+json", headers=headers)


async def calendar_feed(request: Request) -> Response:
    """GET /calendar/{token}.ics: the personal schedule, with ETag / 304."""
    runtime = runtime_of(request)
    try:
        feed = await feed_for_token(runtime.pool, request.path_params["token"], runtime.clock.now())
    except DomainError as refused:
        return PlainTextResponse(refused.message, status_code=404)
    headers = {"ETag": feed.etag, "Cache-Control": "private, no-cache"}
    if request.headers.get("if-none-match") == feed.etag:
        return Response(status_code=304, headers=headers)
    return Response(feed.body, media_type="text/calendar; charset=utf-8", headers=headers)


async def metrics(_: Request) -> Response:
    """This process's metrics in the Prometheus text format."""
    return Response(generate_latest(METRICS.registry), media_type=CONTENT_TYPE_LATEST)


async def leads_csv(request: Request) -> Response:
    """GET /exhibitor/leads.csv: the leads of the caller's stand, for a spreadsheet."""

    async def build(viewer: Viewer | None) -> bytes:
        return await stand_leads_csv(runtime_of(request).pool, viewer)

    return await _private_spreadsheet(request, build, "leads.csv")


async def meetings_csv(request: Request) -> Response:
    """GET /admin/meetings.csv[?day=2026-12-03]: the B2B desk's meetings with their
    outcomes, for organisers."""
    day_text = request.query_params.get("day")
    try:
        day = date.fromisoformat(day_text) if day_text else None
    except ValueError:
        error = {
            "code": ErrorCode.BAD_USER_INPUT.value,
            "message": "day is a date such as 2026-12-03.",
        }
        return JSONResponse({"error": error}, status_code=400, headers=_NO_STORE)

    async def build(viewer: Viewer | None) -> bytes:
        require_role(viewer, "ORGANISER")
        return await desk.meetings_csv(runtime_of(request).pool, day)

    name = f"meetings-{day.isoformat()}.csv" if day else "meetings.csv"
    return await _private_spreadsheet(request, build, name)


_NO_STORE = {"Cache-Control": "private, no-store"}


async def _private_spreadsheet(
    request: Request, build: Callable[[Viewer | None], Awaitable[bytes]], filename: str
) -> Response:
    """A spreadsheet for whoever the bearer token says (401 or 403 as JSON, like POST
    /admin/import). Personal data: no cache keeps it."""
    runtime = runtime_of(request)
    try:
        viewer = await authenticate(
            runtime.pool, request.headers.get("authorization"), runtime.clock.now()
        )
        body = await build(viewer)
    except DomainError as refused:
        status = {ErrorCode.UNAUTHENTICATED: 401, ErrorCode.BAD_USER_INPUT: 400}.get(
            refused.code, 403
        )
        error = {"code": refused.code.value, "message": refused.message}
        return JSONResponse({"error": error}, status_code=status, headers=_NO_STORE)
    return Response(
        body,
        media_type="text/csv; charset=utf-8; header=present",
        headers={**_NO_STORE, "Content-Disposition": f'attachment; filename="{filename}"'},
    )
