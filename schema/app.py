"""The Strawberry schema and its HTTP/websocket view."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from strawberry.schema.config import StrawberryConfig
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from schema.execution import OperationRunner
from schema.mutation import Mutation
from schema.query import Query
from schema.response_cache import ResponseCache
from schema.scalars import SCALAR_MAP
from schema.strawberry_seam import SchemaWithoutExecution, graphql_schema
from schema.subscription import Subscription
from schema.view import SalonGraphQL
from server.settings import Settings


def build_schema() -> SchemaWithoutExecution:
    """Types and resolvers; operations run through OperationRunner, never Strawberry's
    execution (schema/strawberry_seam.py)."""
    return SchemaWithoutExecution(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )


#: For `strawberry export-schema schema.app:schema`.
schema = build_schema()


def allowed_origins(setting: str) -> list[str]:
    """SALON_ALLOWED_ORIGINS: the origins, besides the server's own, whose pages may
    open a websocket. Each is exactly scheme://host[:port]; a wildcard is refused (an
    origin is allowed by name or not at all)."""
    origins = [part.strip() for part in setting.split(",") if part.strip()]
    for origin in origins:
        try:
            parts = urlsplit(origin)
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            parts = None
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or "*" in origin
            or parts.path not in ("", "/")
            or parts.query
            or parts.fragment
            or parts.username is not None
        ):
            raise ValueError(
                f"SALON_ALLOWED_ORIGINS: {origin!r} is not an origin; list each one as "
                "scheme://host[:port], e.g. https://pwa.example.com,https://embed.example:8443"
            )
    return origins


def graphql_view(settings: Settings) -> SalonGraphQL:
    built = build_schema()
    runner = OperationRunner(graphql_schema(built), settings)
    return SalonGraphQL(
        built,
        settings=settings,
        graphql_ide="graphiql" if settings.graphiql else None,
        cache=ResponseCache(
            runner.schema, settings.response_cache_size, settings.response_cache_bytes, runner
        ),
        runner=runner,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        connection_init_wait_timeout=timedelta(seconds=settings.connection_init_timeout),
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        # Same-origin pages, and clients that send no Origin (apps, `salon watch`),
        # always; a page on another origin only when listed (else HTTP 403).
        allowed_origins=allowed_origins(settings.allowed_origins),
    )
