"""Rendering groups for live notices: subscribers that would render a notice alike
share one execution of their selection and one encoded payload (see schema/live.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    VariableNode,
)
from graphql.execution.values import get_variable_values

from schema.context import Context
from schema.execution import OperationRunner, Prepared, body_of
from schema.live_replay import ReplayPayloads
from schema.response_cache import NOTICE_MEETING, operation_name_of, reads_viewer_fields
from schema.strawberry_seam import (
    Operation,
)
from schema.types.enums import Lang
from schema.types.notices import Notice
from server.auth.viewer import Viewer
from server.live.wire import LiveNotice
from server.runtime import Runtime

#: Where a prepared subscription keeps whether it reads viewer fields (Prepared.memo).
_PER_VIEWER = "live.per_viewer"
_MEETING_SCOPED = "live.meeting_scoped"


@dataclass(frozen=True, slots=True)
class Plan:
    """A validated `notices` subscription: how to render, and where to start."""

    #: Its prepared operation, whose variables were checked at subscribe time.
    prepared: Prepared
    operation_name: str | None
    variables: dict[str, Any]
    after: str | None
    group: Hashable
    #: The selection reads viewer-specific fields: the group is one viewer's.
    per_viewer: bool
    #: The group's key as if nobody in particular asked.
    shared_group: Hashable = None
    #: Its only viewer field is the notice's meeting: a notice about no meeting renders
    #: alike for every viewer (the attendee app's subscription is such a one).
    meeting_scoped: bool = False


class GroupRenderer:
    """Renders a notice for a group: executes the group's selection with the notice as
    root value, once, and encodes the payload once."""

    def __init__(self, runner: OperationRunner, runtime: Runtime) -> None:
        self.runner = runner
        self.schema = runner.schema
        self.runtime = runtime
        self._groups: dict[Hashable, tuple[Plan, Viewer | None, Lang, int]] = {}
        #: Notices rendered for replays, shared by every socket of a group that replays them.
        self.replays = ReplayPayloads(self.schema)
        #: The notice being dispatched, and its payloads shared between groups.
        self._shared_seq = 0
        self._shared_payloads: dict[Hashable, str | asyncio.Future[str]] = {}

    def per_viewer(self, prepared: Prepared) -> bool:
        """Whether this subscription's selection reads viewer-specific fields (worked
        out once per prepared document, and kept with it)."""
        if _PER_VIEWER not in prepared.memo:
            prepared.memo[_PER_VIEWER] = reads_viewer_fields(
                self.schema, prepared.document, operation_name_of(prepared)
            )
        return prepared.memo[_PER_VIEWER] is True

    def meeting_scoped(self, prepared: Prepared) -> bool:
        """Whether the notice's meeting is the selection's only viewer field."""
        if _MEETING_SCOPED not in prepared.memo:
            prepared.memo[_MEETING_SCOPED] = self.per_viewer(prepared) and not (
                reads_viewer_fields(
                    self.schema,
                    prepared.document,
                    operation_name_of(prepared),
                    besides=frozenset({NOTICE_MEETING}),
                )
            )
        return prepared.memo[_MEETING_SCOPED] is True

    def join(self, plan: Plan, viewer: Viewer | None, lang: Lang) -> Hashable:
        """Count a member in; return the group's one shared key (members keep that,
        not equal copies of it)."""
        found = self._groups.get(plan.group)
        if found is None:
            # Without viewer-specific fields, who asks does not matter: render anonymously.
            self._groups[plan.group] = (plan, viewer if plan.per_viewer else None, lang, 1)
            return plan.group
        self._groups[plan.group] = (*found[:3], found[3] + 1)
        return found[0].group

    def leave(self, group: Hashable) -> None:
        plan, viewer, lang, members = self._groups[group]
        if members <= 1:
            del self._groups[group]
        else:
            self._groups[group] = (plan, viewer, lang, members - 1)

    def plans(self) -> list[tuple[Plan, int]]:
        """Each group's plan and its number of members (what the process keeps)."""
        return [(plan, members) for plan, _, _, members in self._groups.values()]

    async def __call__(self, group: Hashable, live: LiveNotice) -> str | None:
        """The group's payload; None when its last member left since the hub chose it
        (the hub renders groups concurrently: a socket can close meanwhile)."""
        entry = self._groups.get(group)
        if entry is None:
            return None
        plan, viewer, lang, _ = entry
        if plan.meeting_scoped and live.notice.meeting_id is None:
            return await self._shared(plan, lang, live)
        context = Context(
            request=None, response=None, runtime=self.runtime, viewer=viewer, lang=lang
        )
        return await render(self.runner, plan, context, live)

    async def _shared(self, plan: Plan, lang: Lang, live: LiveNotice) -> str:
        """One rendering of this notice for every group that differs only in its viewer
        (the hub hands over one notice at a time: what was shared for the last one is
        dropped when the next comes). The first group renders inline, so a rendering
        that never waits stays eager (server/live/eager.py); the others take its text,
        or wait for it when it did wait."""
        if self._shared_seq != live.seq:
            self._shared_seq, self._shared_payloads = live.seq, {}
        found = self._shared_payloads.get(plan.shared_group)
        if isinstance(found, str):
            return found
        if found is not None:
            return await asyncio.shield(found)
        rendering: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._shared_payloads[plan.shared_group] = rendering
        context = Context(request=None, response=None, runtime=self.runtime, viewer=None, lang=lang)
        try:
            payload = await render(self.runner, plan, context, live)
        except BaseException as error:
            rendering.set_exception(error)
            rendering.exception()  # retrieved: each group that waited reports it itself
            raise
        rendering.set_result(payload)
        self._shared_payloads[plan.shared_group] = payload
        return payload


async def render(runner: OperationRunner, plan: Plan, context: Context, live: LiveNotice) -> str:
    """The `payload` of a `next` message for this notice, as JSON text: the
    subscription's selection executed with the notice as its root value."""
    result = await runner.run(
        plan.prepared,
        context,
        plan.variables,
        plan.operation_name,
        root=Notice.from_row(live.notice),
        checked=True,  # at subscribe time: the variables never change
    )
    return orjson.dumps(body_of(result)).decode()


def root_field(document: DocumentNode, definition: OperationDefinitionNode) -> FieldNode:
    """The subscription's one root field (validation made sure there is exactly one),
    found through fragment spreads and inline fragments too."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    pending: list[SelectionNode] = list(definition.selection_set.selections)
    while pending:
        selection = pending.pop(0)
        if isinstance(selection, FieldNode):
            return selection
        if isinstance(selection, InlineFragmentNode):
            pending[:0] = selection.selection_set.selections
        elif isinstance(selection, FragmentSpreadNode):
            pending[:0] = fragments[selection.name.value].selection_set.selections
    raise LookupError("a validated subscription has a root field")


def plan_for(
    prepared: Prepared,
    renderer: GroupRenderer,
    operation: Operation[Context, None],
    context: Context,
) -> Plan | list[GraphQLError]:
    """The plan of a `notices` subscription, or the errors that refuse it."""
    schema = renderer.schema
    document, definition = prepared.document, prepared.definition
    raw_variables = dict(operation.variables or {})
    coerced = get_variable_values(schema, definition.variable_definitions or (), raw_variables)
    if isinstance(coerced, list):
        return coerced
    field = root_field(document, definition)
    after_node = next((a.value for a in field.arguments or () if a.name.value == "after"), None)
    after: Any = None
    rendering_variables = dict(raw_variables)
    if isinstance(after_node, VariableNode):
        after = coerced.coerced.get(after_node.name.value)
        # The cursor only says where a phone starts; it does not change how it renders.
        rendering_variables.pop(after_node.name.value, None)
    elif after_node is not None:
        after = getattr(after_node, "value", None)
    per_viewer = renderer.per_viewer(prepared)
    shared_group = (
        operation.query,
        operation.operation_name,
        # decoded: orjson's bytes keep a 4 KB buffer, per subscriber otherwise
        orjson.dumps(rendering_variables, option=orjson.OPT_SORT_KEYS).decode(),
        context.lang.value,
        None,
    )
    viewer_id = context.viewer.id if per_viewer and context.viewer else None
    group = shared_group if viewer_id is None else (*shared_group[:-1], viewer_id)
    return Plan(
        prepared,
        operation.operation_name,
        raw_variables,
        after,
        group,
        per_viewer,
        shared_group=shared_group,
        meeting_scoped=renderer.meeting_scoped(prepared),
    )
