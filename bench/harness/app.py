"""Plain endpoints and the app factory: this half runs inside the uvicorn process."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from typing import TypeVar

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import BaseRoute

from server.app import create_app
from server.auth.viewer import authenticate
from server.db.queries.common import Executor
from server.domain.errors import DomainError
from server.domain.viewer import Viewer
from server.logs import configure_logging
from server.runtime import runtime_of
from server.settings import Settings

T = TypeVar("T")


async def by_ids(
    fetch: Callable[[Executor, Sequence[str]], Awaitable[list[T]]],
    db: Executor,
    ids: Iterable[str | None],
) -> list[T]:
    """`fetch` on the distinct non-null ids; no statement at all when there are none,
    as a DataLoader with no keys would not run one."""
    unique = list(dict.fromkeys(i for i in ids if i is not None))
    return await fetch(db, unique) if unique else []


def create_app_with(routes: Sequence[BaseRoute]) -> Starlette:
    """The real app plus `routes`, inside the same middleware (for a uvicorn factory).

    Settings come from the environment the benchmark sets (DATABASE_URL, REDIS_URL,
    SALON_*); logging is configured as `salon serve` would at WARNING, so neither side
    writes a log line per request.
    """
    settings = replace(Settings.from_env(), log_level="WARNING")
    configure_logging(settings.log_level)
    app = create_app(settings)
    app.router.routes.extend(routes)
    return app


async def bearer_viewer(request: Request) -> Viewer:
    """A plain endpoint's sign-in: the same token check as the GraphQL view; a refusal
    is a 401 so wrk counts it."""
    runtime = runtime_of(request)
    try:
        viewer = await authenticate(
            runtime.pool, request.headers.get("authorization"), runtime.clock.now()
        )
    except DomainError as refused:
        raise HTTPException(401, refused.message) from None
    if viewer is None:
        raise HTTPException(401, "Please sign in first.")
    return viewer
