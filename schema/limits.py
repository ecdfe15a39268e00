"""Refuse abusive operations before they run: size, depth, aliases, cost, NUL text.

The same checks guard both execution paths: OperationRunner (HTTP, live notices)
calls them directly, Strawberry's own path (other websocket operations, multipart)
runs them through the extensions below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    StringValueNode,
    ValidationContext,
    get_operation_ast,
)
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from schema.cost import OperationCost
from server.settings import Settings

NUL_MESSAGE = "Text may not contain NUL characters (U+0000)."


class NoNulInStrings(ASTValidationRule):
    """String literals in the document: PostgreSQL cannot store U+0000."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        if "\x00" in node.value:
            self.report_error(GraphQLError(NUL_MESSAGE, node))


def limit_rules(settings: Settings) -> list[type[ASTValidationRule]]:
    """Validation rules for depth, aliases and NUL text, built once per schema: the
    validation cache is keyed by the rule classes, and a new class per operation would
    make every lookup a miss."""
    return [
        depth_rule(settings.max_query_depth, None),
        aliases_rule(settings.max_query_aliases),
        NoNulInStrings,
    ]


def has_nul(value: object) -> bool:
    """Whether a decoded JSON value holds U+0000 in any string, keys included."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False


def variables_refusal(variables: object) -> GraphQLError | None:
    return GraphQLError(NUL_MESSAGE) if has_nul(variables) else None


class CostLimit:
    """Refuses operations that could cost more than the limit (schema/cost.py)."""

    def __init__(self, schema: GraphQLSchema, max_cost: int) -> None:
        self.cost = OperationCost(schema)
        self.max_cost = max_cost

    def refusal(
        self,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, object] | None = None,
    ) -> GraphQLError | None:
        """None when within the limit; without `variables`, for any variables."""
        cost = self.cost.of(document, operation, variables)
        if cost <= self.max_cost:
            return None
        return GraphQLError(
            f"This operation could cost {cost} (at most {self.max_cost}): ask for fewer "
            "items per page (`first`) or nest fewer lists.",
            extensions={"cost": cost, "maxCost": self.max_cost},
        )

    def depends_on_variables(
        self, document: DocumentNode, operation: OperationDefinitionNode
    ) -> bool:
        """Whether some variable's value changes the cost (a `first: $n`)."""
        smallest = {d.variable.name.value: 0 for d in operation.variable_definitions or ()}
        return self.cost.of(document, operation) != self.cost.of(document, operation, smallest)


class _EdgeChecks(SchemaExtension):
    """Cost and NUL variables for operations that Strawberry itself executes."""

    def __init__(self, max_cost: int) -> None:
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        refusal = variables_refusal(context.variables)
        if refusal is None and document is not None:
            operation = get_operation_ast(document, context.operation_name)
            if operation is not None:
                limit = CostLimit(context.schema._schema, self.max_cost)
                refusal = limit.refusal(document, operation, context.variables or {})
        if refusal is not None:
            context.result = ExecutionResult(data=None, errors=[refusal])
        yield


def limit_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """The same limits for Strawberry's own execution path (websocket operations)."""
    rules = limit_rules(settings)
    return [
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        lambda: AddValidationRules(rules),
        lambda: _EdgeChecks(settings.max_query_cost),
    ]
