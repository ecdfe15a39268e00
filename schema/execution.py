"""Running one GraphQL operation with graphql-core directly: parse and validate once
per document (with the abuse limits), execute, give every error its code.

Strawberry's schema (types, resolvers, DataLoaders) is used as is; what this skips
is the per-request machinery around it (extension hooks, a second JSON decode),
which cost more than the execution of a small mutation (bench/schedule.py).
Anything unusual (multipart, batches, GraphiQL) still goes through Strawberry.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql import execute as graphql_execute

from schema.errors import give_code
from schema.limits import limit_rules
from server.settings import Settings


@dataclass(frozen=True, slots=True)
class Prepared:
    document: DocumentNode
    operation: OperationType


class OperationRunner:
    def __init__(self, schema: GraphQLSchema, settings: Settings) -> None:
        self.schema = schema
        self._rules: tuple[type[ASTValidationRule], ...] = (
            *specified_rules,
            *limit_rules(settings),
        )
        self._max_tokens = settings.max_query_tokens
        self.prepare = lru_cache(maxsize=1024)(self._prepare)

    def _prepare(self, query: str, operation_name: str | None) -> Prepared | list[GraphQLError]:
        """The parsed, valid document and its operation type, or the errors refusing it."""
        try:
            document = parse(query, max_tokens=self._max_tokens)
        except GraphQLError as error:
            return _coded([error])
        errors = validate(self.schema, document, self._rules)
        if errors:
            return _coded(errors)
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return _coded(
                [
                    GraphQLError(
                        "Name the operation to run with operationName."
                        if operation_name is None
                        else f"No operation named {operation_name!r}."
                    )
                ]
            )
        return Prepared(document, operation.operation)

    async def execute(
        self,
        prepared: Prepared,
        context: Any,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        root: Any = None,
    ) -> dict[str, Any]:
        """The response body: `data`, and `errors` when there are any."""
        result = graphql_execute(
            self.schema,
            prepared.document,
            root_value=root,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
        )
        if not isinstance(result, ExecutionResult):
            result = await result
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [e.formatted for e in _coded(list(result.errors))]
        return body


def errors_body(errors: list[GraphQLError]) -> dict[str, Any]:
    return {"data": None, "errors": [e.formatted for e in errors]}


def _coded(errors: list[GraphQLError]) -> list[GraphQLError]:
    for error in errors:
        give_code(error)
    return errors
