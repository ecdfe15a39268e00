"""The Strawberry schema and its HTTP/websocket view."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import strawberry
from graphql.error import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from schema.errors import give_code
from schema.execution import OperationRunner
from schema.limits import limit_extensions
from schema.mutation import Mutation
from schema.query import Query
from schema.response_cache import ResponseCache
from schema.scalars import SCALAR_MAP
from schema.subscription import Subscription
from schema.view import SalonGraphQL
from server.settings import Settings


class SalonSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # Replaces Strawberry's default, which logs every error, expected or not.
        for error in errors:
            give_code(error)


def build_schema(settings: Settings | None = None) -> SalonSchema:
    settings = settings or Settings()
    return SalonSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        extensions=[
            *limit_extensions(settings),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
        ],
    )


#: For `strawberry export-schema schema.app:schema`.
schema = build_schema()


def graphql_view(settings: Settings) -> SalonGraphQL:
    built = build_schema(settings)
    return SalonGraphQL(
        built,
        graphql_ide="graphiql" if settings.graphiql else None,
        cache=ResponseCache(
            built._schema, settings.response_cache_size, settings.response_cache_bytes
        ),
        runner=OperationRunner(built._schema, settings),
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        connection_init_wait_timeout=timedelta(seconds=settings.connection_init_timeout),
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
    )
