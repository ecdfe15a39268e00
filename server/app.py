"""The ASGI app factory. The lifespan opens the pool and Redis; routes are listed here."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import WebSocketException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Match, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from schema.app import graphql_view
from schema.live_frames import next_frame
from server import admin_import
from server.body_limit import BodyLimit
from server.clock import Clock, clock_from_setting, zone_data_facts
from server.collector import tune_collector
from server.db.pool import StatementCounter, create_pool
from server.feeds import Feeds
from server.live import wire
from server.live.hub import Hub
from server.live.redis_client import connect as connect_redis
from server.live.redis_client import warm_up
from server.middleware import RequestLog, log_access
from server.request_id import new_request_id
from server.routes import (
    calendar_feed,
    healthz,
    leads_csv,
    meetings_csv,
    metrics,
    readyz,
    venue_geojson,
)
from server.runtime import Runtime, mailer_from, open_replica
from server.services import ensure_database, locate_services
from server.settings import Settings
from server.web import WebApp

log = logging.getLogger("salon")

# Any site may read the public API (the embeddable agenda does) and the exports with GET
# requests only: no credentials, no Authorization header, and no JSON POST from another
# site, so a page elsewhere cannot make its visitors' browsers ask for sign-in codes or
# guess badges.
PUBLIC_CORS = Middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_methods=["GET"],
    allow_headers=[],
    allow_credentials=False,
    max_age=86_400,
)


class SalonApp(Starlette):
    """Starlette, with websockets sent straight to their route.

    Every middleware of the app is for HTTP (the request log's header, body limits,
    gzip, CORS, Starlette's error pages): for a websocket each would only pass the call
    on, yet its frame, closures and wrappers stay for the socket's whole life, hours on
    thousands of idle phones. So a websocket gets here what those gave it (a request id,
    an access-log line, a WebSocketException's close) and goes to the first
    WebSocketRoute that matches, as Starlette's router would send it; one that matches
    none goes to the router (which closes it).
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        request_id = new_request_id()
        started = time.perf_counter()
        try:
            route = self._websocket_route(scope)
            if route is None:
                await self.router(scope, receive, send)
            else:
                await route.app(scope, receive, send)
        except WebSocketException as refused:  # what Starlette's ExceptionMiddleware does
            await WebSocket(scope, receive, send).close(refused.code, refused.reason)
        finally:
            log_access(scope, request_id, 0, started)

    def _websocket_route(self, scope: Scope) -> WebSocketRoute | None:
        """The route Starlette's router would pick, with the scope it would give it."""
        scope.setdefault("router", self.router)
        for route in self.router.routes:
            if not isinstance(route, WebSocketRoute):
                if route.matches(scope)[0] is Match.FULL:  # a Mount, a Host…: theirs
                    return None
                continue
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                return route
        return None


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    clock = clock or clock_from_setting(settings.now)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        urls = locate_services(settings)
        dsn = settings.database_url or await ensure_database(urls, settings.database_name)
        counter = StatementCounter() if settings.count_statements else None
        pool = await create_pool(
            dsn, min_size=settings.db_pool_min, max_size=settings.db_pool_max, counter=counter
        )
        replica_url = settings.database_replica_url
        replica = await open_replica(replica_url, settings) if replica_url else None
        redis = connect_redis(urls.redis_url, cluster=settings.redis_cluster)
        await warm_up(redis)
        runtime = Runtime(
            settings=settings,
            clock=clock,
            pool=pool,
            redis=redis,
            mailer=mailer_from(settings),
            statements=counter,
            replica=replica,
        )
        runtime.hub = Hub(
            urls.redis_url,
            pool,
            renderer=view.start_live(runtime),
            framer=next_frame,
            queue_size=settings.subscriber_queue_size,
            channel=wire.channel(settings.redis_namespace),
            redis_cluster=settings.redis_cluster,
            now=clock.now,
        )
        await runtime.hub.start()
        app.state.runtime = runtime
        log.info("server started", extra=zone_data_facts(clock.now()))
        if settings.gc_tuning:
            tune_collector()
        try:
            yield
        finally:
            await runtime.hub.stop()
            await redis.aclose()
            await pool.close()
            if replica is not None:
                await replica.pool.close()

    view = graphql_view(settings)
    app = SalonApp(
        routes=[
            Route("/graphql", view, methods=["GET", "POST", "OPTIONS"], middleware=[PUBLIC_CORS]),
            WebSocketRoute("/graphql", view),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/venue.geojson", venue_geojson),
            Route("/metrics", metrics),
            Route("/calendar/{token}.ics", calendar_feed),
            # A stand's leads, for its staff (bearer token; same origin: no CORS).
            Route("/exhibitor/leads.csv", leads_csv),
            # The B2B desk's meetings with their outcomes, for organisers (bearer token).
            Route("/admin/meetings.csv", meetings_csv),
            # The public exports (schedule XML/JSON/iCalendar, change log, directory).
            *(
                Route(path, endpoint, methods=["GET", "HEAD"], middleware=[PUBLIC_CORS])
                for path, endpoint in Feeds(settings.public_url).paths()
            ),
            # Organisers' file uploads: same origin only (no CORS middleware).
            Route(admin_import.PATH, admin_import.admin_import, methods=["POST"]),
            # The attendee app: its files, and index.html for every screen's path.
            Route("/{path:path}", WebApp(settings.web_root).page, methods=["GET", "HEAD"]),
        ],
        middleware=[
            Middleware(RequestLog),
            Middleware(
                BodyLimit,
                max_bytes=settings.max_body_bytes,
                per_path={admin_import.PATH: admin_import.MAX_BODY_BYTES},
            ),
            Middleware(GZipMiddleware, minimum_size=500),
        ],
        lifespan=lifespan,
    )
    app.state.graphql_view = view
    return app
