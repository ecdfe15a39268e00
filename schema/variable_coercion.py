"""Variables of leaf types (`$id: ID!`, `$l: Lang`) coerced without graphql-core's walk.

graphql-core's `get_variable_values` works out each variable's signature from the
document, checks the nesting depth and walks the type for every request: for the
`$id: ID!` of a bookmark that was a tenth of the request's time in our own code
(docs/profiles/bookmark.txt). An operation whose variables are all scalars or enums,
nullable or not, without defaults, gets a coercer made once per prepared operation that
gives what graphql-core gives — the same `VariableValues`, the value from the type's own
`coerce_input_value` — or None whenever graphql-core would report an error (a missing
or null required variable, a value the type refuses), so the caller runs graphql-core
and the error is its own. Any other operation gets no coercer.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLInputType,
    GraphQLNonNull,
    GraphQLSchema,
    Undefined,
    VariableDefinitionNode,
    is_leaf_type,
)
from graphql.execution.get_variable_signature import (
    GraphQLVariableSignature,
    get_variable_signature,
)
from graphql.execution.values import VariableValues, VariableValueSource


@dataclass(frozen=True, slots=True)
class _Variable:
    name: str
    signature: GraphQLVariableSignature
    #: The leaf type's coercion (a scalar's or an enum's).
    coerce: Any
    required: bool


@dataclass(frozen=True, slots=True)
class VariableCoercer:
    variables: tuple[_Variable, ...]

    def coerce(self, inputs: Mapping[str, Any]) -> VariableValues | None:
        """graphql-core's coerced variables, or None where it would report an error."""
        sources: dict[str, VariableValueSource] = {}
        coerced: dict[str, Any] = {}
        for variable in self.variables:
            name = variable.name
            value = inputs.get(name, Undefined)
            if value is Undefined:
                if variable.required:
                    return None
                sources[name] = VariableValueSource(variable.signature)
                continue  # a nullable variable not given is left out
            sources[name] = VariableValueSource(variable.signature, value)
            if value is None:
                if variable.required:
                    return None
                coerced[name] = None
                continue
            try:
                found = variable.coerce(value)
            except Exception:  # the type refuses it: graphql-core words the error
                return None
            if found is Undefined:
                return None
            coerced[name] = found
        return VariableValues(sources, coerced)


def coercer_of(
    schema: GraphQLSchema, definitions: Collection[VariableDefinitionNode]
) -> VariableCoercer | None:
    """The coercer of these variable definitions; None unless every one is of a leaf
    type (or a non-null one) and has no default."""
    variables = []
    for node in definitions:
        if node.default_value is not None or node.directives:
            return None
        signature = get_variable_signature(schema, node)
        if not isinstance(signature, GraphQLVariableSignature):
            return None
        kind: GraphQLInputType = signature.type
        required = isinstance(kind, GraphQLNonNull)
        named = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
        if not is_leaf_type(named):
            return None  # lists and input objects: graphql-core's walk
        variables.append(_Variable(signature.name, signature, named.coerce_input_value, required))
    return VariableCoercer(tuple(variables))
