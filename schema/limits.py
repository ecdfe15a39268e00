"""Refuse abusive operations before they run: size, depth, aliases, cost, NUL text.

OperationRunner (schema/execution.py), the one path every operation takes, applies
them: the rules below when it validates a document, the cost and NUL checks of the
variables before it executes one.
"""

from __future__ import annotations

from collections.abc import Mapping

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    StringValueNode,
    ValidationContext,
)

from schema.cost import OperationCost
from schema.strawberry_seam import aliases_rule, depth_rule
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
    """Validation rules for depth, aliases and NUL text (the token limit is the
    parser's), built once per OperationRunner."""
    return [
        depth_rule(settings.max_query_depth),
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
