"""The Strawberry schema and its HTTP/websocket view."""

from __future__ import annotations

from datetime import timedelta

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
    )
