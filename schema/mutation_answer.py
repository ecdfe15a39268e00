"""A lone `bookmarkSession` answered from what its prepared operation worked out once.

The fast path (schema/projection.py) already answers it from its one statement, but per
request it still coerced the variables with graphql-core's generic walk, read the
arguments the same way and built the answer's renderer again. Here all that is made once
per prepared operation: the variables' coercer (schema/variable_coercion.py), where the
field's arguments come from, and the renderer per language (when the answer's own
arguments read no variable). Only the statement and the dict are left per request, and
no Context is needed (schema/http.py calls this before making one).

It answers with the projection's `data`, or None, and then graphql-core runs the
operation as before: variables that do not coerce, an anonymous viewer, an unknown
session or a failing statement all get graphql-core's own errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLNonNull,
    GraphQLSchema,
    VariableDefinitionNode,
    VariableNode,
    get_argument_values,
    get_variable_values,
)
from graphql.execution.values import VariableValues

# The projection's own pieces, so both give the same bytes by construction.
from schema.projection import NO_ROWS, Binding, Plan, Render, _Bookmarked, _renderer
from schema.projection_plan import FieldPlan
from schema.types.enums import Lang
from schema.variable_coercion import VariableCoercer, coercer_of
from server.domain import plans
from server.domain.agenda import SessionRow


@dataclass(slots=True)
class MutationAnswer:
    schema: GraphQLSchema
    plan: Plan
    root: FieldPlan
    definitions: tuple[VariableDefinitionNode, ...]
    #: None: the variables are not all leaves, graphql-core coerces them.
    coercer: VariableCoercer | None
    #: (argument, variable) pairs when every argument is a required variable, else None.
    arguments: tuple[tuple[str, str], ...] | None
    #: Renderers by language; None when the answer's arguments read variables.
    renderers: dict[Lang, Render] | None = field(default=None)

    async def data(
        self, db: Any, viewer_id: int | None, lang: Lang, raw_variables: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """`data`, or None when graphql-core must run the operation."""
        if viewer_id is None:
            return None  # the resolver's UNAUTHENTICATED
        inputs = raw_variables or {}
        variables: VariableValues | list[Any] | None
        if self.coercer is not None:
            variables = self.coercer.coerce(inputs)
        else:
            variables = get_variable_values(self.schema, self.definitions, inputs)
        if not isinstance(variables, VariableValues):
            return None  # the executor reports the variables that do not coerce
        root = self.root
        if self.arguments is not None:
            coerced = variables.coerced
            arguments = {name: coerced[variable] for name, variable in self.arguments}
        else:
            arguments = get_argument_values(_definition(root), root.node, variables)
        session_id: str = arguments["sessionId"]
        session: SessionRow | _Bookmarked
        try:  # as the resolver does it; the projection's `_bookmark`, one call less
            if self.plan.bookmark_reads_row:
                session = await plans.bookmark(db, viewer_id, session_id)
            else:
                await plans.bookmark_only(db, viewer_id, session_id)
                session = _Bookmarked(session_id)
        except Exception:  # graphql-core runs it again and reports it as usual
            return None
        return {root.key: self._renderer(variables, lang)(session)}

    def _renderer(self, variables: VariableValues, lang: Lang) -> Render:
        sub = self.root.sub or ()
        if self.renderers is None:
            return _renderer(sub, Binding(NO_ROWS, variables, lang))
        render = self.renderers.get(lang)
        if render is None:
            # No argument of the answer reads a variable: these are never read.
            render = self.renderers[lang] = _renderer(sub, Binding(NO_ROWS, variables, lang))
        return render


def answer_of(
    schema: GraphQLSchema, plan: Plan, definitions: tuple[VariableDefinitionNode, ...]
) -> MutationAnswer | None:
    """The answer of a planned mutation (a lone bookmarkSession); None for a query."""
    if len(plan.roots) != 1 or plan.roots[0].definition is None or plan.roots[0].sub is None:
        return None
    root = plan.roots[0]
    coercer = coercer_of(schema, definitions)
    return MutationAnswer(
        schema=schema,
        plan=plan,
        root=root,
        definitions=definitions,
        coercer=coercer,
        arguments=_from_variables(_definition(root), root.node, coercer),
        renderers=None if _reads_variables(root.sub or ()) else {},
    )


def _definition(root: FieldPlan) -> GraphQLField:
    if root.definition is None:  # __typename: never a plan's mutation root
        raise ValueError("a mutation root without a definition")
    return root.definition


def _from_variables(
    definition: GraphQLField, node: FieldNode, coercer: VariableCoercer | None
) -> tuple[tuple[str, str], ...] | None:
    """Where each argument comes from when every one is given as a variable that the
    coercer requires (so it is always there, coerced, as graphql-core would pass it
    on); None otherwise (a literal, a default, a nullable variable)."""
    if coercer is None:
        return None
    required = {v.name for v in coercer.variables if v.required}
    given = {a.name.value: a.value for a in node.arguments or ()}
    pairs = []
    for name, argument in definition.args.items():
        value = given.get(name)
        if (
            not isinstance(value, VariableNode)
            or value.name.value not in required
            or not isinstance(argument.type, GraphQLNonNull)
            or argument.out_name
        ):
            return None
        pairs.append((name, value.name.value))
    return tuple(pairs)


def _reads_variables(plans: tuple[FieldPlan, ...]) -> bool:
    for plan in plans:
        if any(isinstance(a.value, VariableNode) for a in plan.node.arguments or ()):
            return True
        if _reads_variables(plan.sub or ()):
            return True
    return False
