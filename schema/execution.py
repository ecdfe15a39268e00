"""The one execution path of every GraphQL operation, over HTTP and websockets.

OperationRunner parses and validates a document once (the abuse limits are validation
rules and a cost walk: schema/limits.py), remembers it prepared, executes it with
graphql-core directly, and gives every error its code (schema/errors.py). HTTP
(schema/http.py), queries and mutations sent over a websocket, and the rendering of
live notices (schema/live.py) all come here; the response cache and the notices fast
path read what they need from the prepared document instead of parsing it again.

Strawberry's schema (types, resolvers, DataLoaders) is used as is; its execution
machinery (extension hooks, its parser and validation caches) is not: it cost more
than the execution of a small mutation (bench/schedule.py), and two paths meant two
caches and two sets of limits to keep in step.

A few operations the whole fair sends (the full agenda uncached, `bookmarkSession`) are
answered by a plan made once per document instead, after the same checks
(schema/projection.py); it answers with graphql-core's bytes or steps aside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
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

from schema import projection
from schema.context import Context
from schema.errors import give_code
from schema.limits import CostLimit, has_nul, limit_rules, variables_refusal
from schema.mutation_answer import MutationAnswer, answer_of
from schema.types.enums import Lang
from server.settings import Settings

#: Documents up to this size are remembered parsed and validated; larger ones (rare,
#: and a way to fill memory) are prepared each time and never kept as a cache key.
CACHEABLE_DOCUMENT_BYTES = 8_192
#: Prepared operations kept (each keyed by its document and operation name).
PREPARED_OPERATIONS = 1024


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed, valid document within the limits, and the operation of it to run."""

    document: DocumentNode
    definition: OperationDefinitionNode
    #: Only the request's variables (a `first: $n`) tell whether the cost is within the
    #: limit: this operation is costed again with them before it runs.
    costed_per_request: bool = False
    #: What other parts work out once per prepared operation (the response cache's
    #: scope, whether a live selection reads viewer fields), kept with it.
    memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def operation(self) -> OperationType:
        return self.definition.operation


class OperationRunner:
    def __init__(
        self, schema: GraphQLSchema, settings: Settings, *, fast_paths: bool = True
    ) -> None:
        self.schema = schema
        #: Whether the fast path (schema/projection.py) may answer what it knows (plain
        #: public agenda queries, a bookmark); off only to compare its answers with
        #: graphql-core's (tests/test_fast_paths.py).
        self.fast_paths = fast_paths
        self._rules: tuple[type[ASTValidationRule], ...] = (
            *specified_rules,
            *limit_rules(settings),
        )
        self._max_tokens = settings.max_query_tokens
        self._max_bytes = settings.max_query_bytes
        self._cacheable_bytes = min(self._max_bytes, CACHEABLE_DOCUMENT_BYTES)
        self._cost = CostLimit(schema, settings.max_query_cost)
        #: The one prepared-operation cache, keyed by (document, operation name).
        self._prepared = lru_cache(maxsize=PREPARED_OPERATIONS)(self._prepare)

    def prepare(self, query: str, operation_name: str | None) -> Prepared | list[GraphQLError]:
        """The prepared operation, or the (coded) errors refusing it."""
        if len(query) * 4 <= self._cacheable_bytes:
            # Within both sizes whatever its characters (UTF-8 takes at most 4 bytes
            # each): no need to encode it to know (the common case, every request).
            return self._prepared(query, operation_name)
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
        definition = get_operation_ast(document, operation_name)
        if definition is None:
            return _coded(
                [
                    GraphQLError(
                        "Name the operation to run with operationName."
                        if operation_name is None
                        else f"No operation named {operation_name!r}."
                    )
                ]
            )
        too_costly = self._cost.refusal(document, definition)
        if too_costly is None:
            return Prepared(document, definition)
        if self._cost.depends_on_variables(document, definition):
            return Prepared(document, definition, costed_per_request=True)
        return _coded([too_costly])

    def refusal(self, prepared: Prepared, variables: dict[str, Any] | None) -> GraphQLError | None:
        """Why these variables may not run this operation (NUL text, the cost with
        their page sizes), coded; None when they may."""
        refused = variables_refusal(variables)
        if refused is None and prepared.costed_per_request:
            refused = self._cost.refusal(prepared.document, prepared.definition, variables or {})
        if refused is not None:
            give_code(refused)
        return refused

    async def run(
        self,
        prepared: Prepared,
        context: Any,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        root: Any = None,
        *,
        checked: bool = False,
        planned: bool = True,
    ) -> ExecutionResult:
        """Execute; every error in the result is coded. `checked`: the caller has had
        `refusal` say yes to these variables already. `planned`: False when the caller
        has tried the fast path already (`answer` gave None): it is not tried twice."""
        if not checked:
            refused = self.refusal(prepared, variables)
            if refused is not None:
                return ExecutionResult(data=None, errors=[refused])
        fast = planned and root is None and self.fast_paths
        plan = self.projection_plan(prepared) if fast else None
        if plan is not None and isinstance(context, Context):
            viewer_id = None if context.viewer is None else context.viewer.id
            data: dict[str, Any] | None
            if plan.operation is OperationType.MUTATION:
                answer = self.mutation_answer(prepared)
                data = None
                if answer is not None:
                    data = await answer.data(context.db, viewer_id, context.lang, variables)
            else:
                request = projection.Request(
                    db=context.db, lang=context.lang, viewer_id=viewer_id, raw_variables=variables
                )
                data = await projection.run_plan(
                    self.schema, plan, prepared.definition.variable_definitions or (), request
                )
            if data is not None:
                return ExecutionResult(data=data)
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
        if result.errors:
            _coded(result.errors)
        return result

    def projection_plan(self, prepared: Prepared) -> projection.Plan | None:
        """The fast path's plan of an operation (schema/projection.py), None when it
        does not answer it; made once per prepared operation."""
        if "projection" not in prepared.memo:
            fragments = {
                d.name.value: d
                for d in prepared.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            plan = projection.make_plan(self.schema, prepared.definition, fragments)
            prepared.memo["projection"] = plan
        found = prepared.memo["projection"]
        return found if isinstance(found, projection.Plan) else None

    def mutation_answer(self, prepared: Prepared) -> MutationAnswer | None:
        """The planned answer of a mutation (schema/mutation_answer.py), made once per
        prepared operation; None when the fast path does not answer it."""
        if "mutation_answer" not in prepared.memo:
            plan = self.projection_plan(prepared)
            answer = None
            if plan is not None and plan.operation is OperationType.MUTATION:
                definitions = tuple(prepared.definition.variable_definitions or ())
                answer = answer_of(self.schema, plan, definitions)
            prepared.memo["mutation_answer"] = answer
        found = prepared.memo["mutation_answer"]
        return found if isinstance(found, MutationAnswer) else None

    async def answer(
        self,
        prepared: Prepared,
        *,
        db: Any,
        viewer_id: int | None,
        lang: Lang,
        variables: dict[str, Any] | None,
    ) -> dict[str, Any] | None:
        """`data` of a mutation the fast path answers, with no Context made (HTTP's
        mutations come here first); None when `run` must run it, refusals included
        (NUL text, a cost that depends on the variables: `run` gives its error)."""
        if not self.fast_paths or prepared.operation is not OperationType.MUTATION:
            return None
        if prepared.costed_per_request or has_nul(variables):
            return None
        answer = self.mutation_answer(prepared)
        if answer is None:
            return None
        return await answer.data(db, viewer_id, lang, variables)

    async def execute(
        self,
        prepared: Prepared,
        context: Any,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        root: Any = None,
        *,
        planned: bool = True,
    ) -> dict[str, Any]:
        """The response body: `data`, and `errors` when there are any."""
        result = await self.run(prepared, context, variables, operation_name, root, planned=planned)
        return body_of(result)


def body_of(result: ExecutionResult) -> dict[str, Any]:
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [e.formatted for e in result.errors]
    return body


def ran(result: ExecutionResult) -> bool:
    """Whether execution started: False for a refusal before it (variables that do not
    coerce, NUL text, the cost), which carries no data and no error with a path."""
    return result.data is not None or any(e.path is not None for e in result.errors or ())


def errors_body(errors: list[GraphQLError]) -> dict[str, Any]:
    return {"data": None, "errors": [e.formatted for e in errors]}


def _coded(errors: list[GraphQLError]) -> list[GraphQLError]:
    for error in errors:
        give_code(error)
    return errors
