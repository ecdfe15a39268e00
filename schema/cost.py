"""What a GraphQL operation can cost, computed from the document before it runs.

Every field counts 1; a list multiplies what is selected under it by how many items
it can hold: its `first` argument when it has one (the largest page when `first` is a
variable, its default when absent), or the documented maximum below. Nested lists
multiply. A 77-byte query nesting sessions → speakers → sessions … is refused here
instead of producing megabytes. The lists of `agendaChanges` hold the whole agenda
(WHOLE_AGENDA_LISTS, below).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.type.definition import GraphQLInterfaceType, GraphQLObjectType

from server.domain.pagination import MAX_PAGE_SIZE

#: How many items a list field without `first` holds at most (by the fair's data model;
#: an estimate for cost only). Lists of scalars (days, sectors, roles) count as one field.
LIST_SIZES: Mapping[tuple[str, str], int] = {
    ("Event", "tracks"): 20,
    ("Exhibitor", "booths"): 5,
    ("Exhibitor", "demos"): 10,
    ("Hall", "booths"): 100,
    ("Hall", "rooms"): 20,
    ("Venue", "halls"): 10,
    ("Venue", "pointsOfInterest"): 50,
    ("Me", "followedExhibitors"): 150,
    ("Schedule", "sessions"): 100,
    ("Schedule", "conflicts"): 100,
    ("Session", "speakers"): 10,
    ("Speaker", "sessions"): 20,
    ("Route", "path"): 300,
}
DEFAULT_LIST_SIZE = 50

#: `agendaChanges` sends the whole public agenda in one answer (a patch is part of it):
#: no client chooses how long its lists are, the fair does. They count as the largest
#: fair Salon is sized for (the demo fair has 130 sessions, 130 exhibitors, 53
#: speakers), where the attendee app's Sync document costs 86,014 of the default limit
#: of 100,000. A bigger fair raises these and SALON_MAX_QUERY_COST together.
WHOLE_AGENDA_LISTS: Mapping[tuple[str, str], int] = {
    ("AgendaChanges", "sessions"): 1_500,
    ("AgendaChanges", "exhibitors"): 400,
    ("AgendaChanges", "speakers"): 600,
}
#: A list directly inside the items of a whole-agenda list counts the fair's average per
#: item, not its maximum: those links are rows of the same agenda (1,500 sessions with 10
#: speakers each would be 15,000 speaker links among 600 speakers; the demo fair
#: has 1.1 speakers per session, 1 booth and 0.4 demos per exhibitor, 2.7 sessions per
#: speaker). Lists deeper down count their maximum again, so a cycle (sessions → speakers
#: → sessions …) stays as costly as anywhere else.
PER_ITEM_OF_WHOLE_AGENDA: Mapping[tuple[str, str], int] = {
    ("Session", "speakers"): 3,
    ("Exhibitor", "booths"): 2,
    ("Exhibitor", "demos"): 3,
    ("Speaker", "sessions"): 5,
}


class OperationCost:
    """Computes costs against one schema; fragment costs are remembered per call."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema

    def of(
        self,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, object] | None = None,
    ) -> int:
        """The cost of `operation` (the document must already be valid). Without
        `variables`, a `first` given by a variable counts as the largest page: an upper
        bound that holds for any variables."""
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        pages = None if variables is None else _variable_pages(operation, variables)
        root = self.schema.get_root_type(operation.operation)
        walk = _Walk(self.schema, fragments, pages)
        return walk.selections(operation.selection_set, root, _Lists.MAXIMUM)


def _variable_pages(
    operation: OperationDefinitionNode, variables: Mapping[str, object]
) -> dict[str, int]:
    """Each Int variable's value as a page size (its default when not given)."""
    pages = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        value = variables.get(name)
        if value is None and isinstance(definition.default_value, IntValueNode):
            value = int(definition.default_value.value)
        if isinstance(value, int) and not isinstance(value, bool):
            pages[name] = max(0, min(value, MAX_PAGE_SIZE))
    return pages


_Composite = GraphQLObjectType | GraphQLInterfaceType


class _Lists(Enum):
    """How the lists directly in an object count (without a `first` of their own)."""

    #: Their documented maximum (LIST_SIZES).
    MAXIMUM = "maximum"
    #: One: the field above already multiplied by its page (a connection's `nodes`).
    PAGED = "paged"
    #: The fair's average (PER_ITEM_OF_WHOLE_AGENDA): items of a whole-agenda list.
    WHOLE_AGENDA = "whole agenda"


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        pages: Mapping[str, int] | None,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.pages = pages
        self.fragment_costs: dict[tuple[str, _Lists], int] = {}

    def selections(
        self, selection_set: SelectionSetNode, parent: GraphQLType | None, lists: _Lists
    ) -> int:
        """`lists`: how the lists directly in this object count."""
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, lists)
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total += self.selections(selection.selection_set, condition or parent, lists)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, lists)
        return total

    def fragment(self, name: str, lists: _Lists) -> int:
        key = (name, lists)
        if key not in self.fragment_costs:
            fragment = self.fragments[name]
            condition = self.schema.get_type(fragment.type_condition.name.value)
            self.fragment_costs[key] = self.selections(fragment.selection_set, condition, lists)
        return self.fragment_costs[key]

    def field(self, node: FieldNode, parent: GraphQLType | None, lists: _Lists) -> int:
        if not isinstance(parent, _Composite):
            return 1  # __typename on a union, and the like
        definition = parent.fields.get(node.name.value)
        if definition is None or node.selection_set is None:
            return 1  # a scalar, a list of scalars, or an introspection field
        page = _page_size(node, definition, self.pages)
        returns_list = isinstance(_nullable(definition.type), GraphQLList)
        key = (parent.name, node.name.value)
        children_lists = _Lists.MAXIMUM
        if page is not None:
            multiplier = page
            if not returns_list:
                children_lists = _Lists.PAGED
        elif not returns_list:
            multiplier = 1
        elif key in WHOLE_AGENDA_LISTS:
            multiplier, children_lists = WHOLE_AGENDA_LISTS[key], _Lists.WHOLE_AGENDA
        elif lists is _Lists.PAGED:
            multiplier = 1
        elif lists is _Lists.WHOLE_AGENDA and key in PER_ITEM_OF_WHOLE_AGENDA:
            multiplier = PER_ITEM_OF_WHOLE_AGENDA[key]
        else:
            multiplier = LIST_SIZES.get(key, DEFAULT_LIST_SIZE)
        child_type = get_named_type(definition.type)
        children = self.selections(node.selection_set, child_type, children_lists)
        return multiplier * (1 + children)


def _nullable(type_: GraphQLType) -> GraphQLType:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


def _page_size(
    node: FieldNode, definition: GraphQLField, pages: Mapping[str, int] | None
) -> int | None:
    """The `first` this field is asked for: the literal, the variable's value (the
    largest page when unknown), the argument's default when absent; None when the
    field has no `first`."""
    argument = definition.args.get("first")
    if argument is None:
        return None
    for given in node.arguments or ():
        if given.name.value == "first":
            if isinstance(given.value, IntValueNode):
                return max(0, min(int(given.value.value), MAX_PAGE_SIZE))
            if isinstance(given.value, VariableNode) and pages is not None:
                return pages.get(given.value.name.value, _default_page(definition))
            return MAX_PAGE_SIZE
    return _default_page(definition)


def _default_page(definition: GraphQLField) -> int:
    default = definition.args["first"].default_value
    return default if isinstance(default, int) else MAX_PAGE_SIZE
