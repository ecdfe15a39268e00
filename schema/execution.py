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
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql import execute as graphql_execute

from schema.errors import give_code
from schema.limits import CostLimit, limit_rules, variables_refusal
from server.settings import Settings

#: Documents up to this size are remembered parsed and validated; larger ones (rare,
#: and a way to fill memory) are prepared each time and never kept as a cache key.
CACHEABLE_DOCUMENT_BYTES = 8_192


@dataclass(frozen=True, slots=True)
class Prepared:
    document: DocumentNode
    operation: OperationType
    #: Set when only the request's variables (a `first: $n`) tell whether the cost is
    #: within the limit: this operation is costed again with them before it runs.
    costed_per_request: OperationDefinitionNode | None = None


class OperationRunner:
    def __init__(self, schema: GraphQLSchema, settings: Settings) -> None:
        self.schema = schema
        self._rules: tuple[type[ASTValidationRule], ...] = (
            *specified_rules,
            *limit_rules(settings),
        )
        self._max_tokens = settings.max_query_tokens
        self._max_bytes = settings.max_query_bytes
        self._cost = CostLimit(schema, settings.max_query_cost)
        self._prepared = lru_cache(maxsize=1024)(self._prepare)

    def prepare(self, query: str, operation_name: str | None) -> Prepared | list[GraphQLError]:
        """The parsed, valid document and its operation type, or the errors refusing it."""
        size = len(query.encode("utf-8", "surrogatepass"))
        if size > self._max_bytes:
            return _coded(
                [GraphQLError(f"The document is {size} bytes; at most {self._max_bytes} are read.")]
            )
        if size > CACHEABLE_DOCUMENT_BYTES:
            return self._prepare(query, operation_name)
        return self._prepared(query, operation_name)

    def _prepare(self, query: str, operation_name: str | None) -> Prepared | list[GraphQLError]:
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
        too_costly = self._cost.refusal(document, operation)
        if too_costly is None:
            return Prepared(document, operation.operation)
        if self._cost.depends_on_variables(document, operation):
            return Prepared(document, operation.operation, costed_per_request=operation)
        return _coded([too_costly])

    async def execute(
        self,
        prepared: Prepared,
        context: Any,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        root: Any = None,
    ) -> dict[str, Any]:
        """The response body: `data`, and `errors` when there are any."""
        refused = variables_refusal(variables)
        if refused is None and prepared.costed_per_request is not None:
            refused = self._cost.refusal(
                prepared.document, prepared.costed_per_request, variables or {}
            )
        if refused is not None:
            return errors_body(_coded([refused]))
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
