"""The fast path's plan (schema/projection.py): which fields it answers and how each is
made from its row, and the plan made once per prepared document, with the fields
collected as graphql-core collects them (aliases, fragments, field merging,
`__typename`). A document with anything else gets no plan, and graphql-core runs it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
)

from schema.types.enums import SessionKind, SessionStatus
from schema.visibility import Visibility
from schema.visibility import table as visibility_table
from server.domain.venue import RoomRow

if TYPE_CHECKING:
    from schema.projection import Rows

#: How a relation reaches its object(s) from the object it is selected on.
Reach: TypeAlias = Callable[[Any, "Rows"], Any]


@dataclass(frozen=True, slots=True)
class Attr:
    """The leaf is the attribute, as the type's `from_row` copies it."""

    name: str


@dataclass(frozen=True, slots=True)
class Text:
    """A text in two languages: `pick` / `pick_optional` (the English one when asked
    for and present, else the French one)."""

    fr: str
    en: str


@dataclass(frozen=True, slots=True)
class Member:
    """An enum: the type's `from_row` makes the member from the column."""

    name: str
    enum: type[Enum]


@dataclass(frozen=True, slots=True)
class Constant:
    """A value known without reading anything (the bookmark's `viewerHasBookmarked`)."""

    value: object


@dataclass(frozen=True, slots=True)
class SeatsLeft:
    """`Session.seatsLeft`: the capacity less the registrations (never below 0), None
    without a capacity, as its resolver counts them (one statement for the page)."""


Leaf: TypeAlias = Attr | Text | Member | Constant | SeatsLeft


class Point(NamedTuple):
    x: float
    y: float


def _point(room: RoomRow) -> Point | None:
    # Room.from_row makes a Point only when both coordinates are known.
    return Point(room.x, room.y) if room.x is not None and room.y is not None else None


#: The leaf fields answered here, per type, each as its resolver makes its value. Every
#: one must be PUBLIC, or VOLATILE (public, never cached: the seats left), checked per
#: plan; the response cache's scope is the document's, whichever path answers it.
LEAVES: Mapping[str, Mapping[str, Leaf]] = {
    "SessionConnection": {"totalCount": Attr("total")},
    "PageInfo": {"hasNextPage": Attr("has_next"), "endCursor": Attr("end_cursor")},
    "Session": {
        "id": Attr("id"),
        "kind": Member("kind", SessionKind),
        "startsAt": Attr("starts_at"),
        "endsAt": Attr("ends_at"),
        "status": Member("status", SessionStatus),
        "capacity": Attr("capacity"),
        "version": Attr("version"),
        "updatedAt": Attr("updated_at"),
        "title": Text("title_fr", "title_en"),
        "abstract": Text("abstract_fr", "abstract_en"),
        "seatsLeft": SeatsLeft(),
    },
    "Track": {"id": Attr("id"), "color": Attr("color"), "name": Text("name_fr", "name_en")},
    "Room": {"id": Attr("id"), "name": Attr("name"), "capacity": Attr("capacity")},
    "Point": {"x": Attr("x"), "y": Attr("y")},
    "Hall": {"id": Attr("id"), "name": Attr("name"), "level": Attr("level")},
    "Speaker": {
        "id": Attr("id"),
        "name": Attr("name"),
        "organisation": Attr("organisation"),
        "jobTitle": Attr("job_title"),
        "bio": Text("bio_fr", "bio_en"),
    },
}

#: The object fields answered here: (type, field) -> how to reach the related object
#: (or the list of them) from the object and the request's rows.
RELATIONS: Mapping[tuple[str, str], Reach] = {
    ("SessionConnection", "nodes"): lambda page, _: page.items,
    ("SessionConnection", "pageInfo"): lambda page, _: page,
    ("Session", "track"): lambda s, rows: rows.tracks.get(s.track_id) if s.track_id else None,
    ("Session", "room"): lambda s, rows: rows.rooms.get(s.room_id) if s.room_id else None,
    ("Session", "speakers"): lambda s, rows: rows.speakers_of(s.id),
    ("Room", "center"): lambda r, _: _point(r),
    ("Room", "hall"): lambda r, rows: rows.halls.get(r.hall_id) if r.hall_id else None,
}

#: Relations whose objects are rows held by `Rows` (one object per id): their answers
#: are rendered once per row and request.
SHARED = frozenset(
    {("Session", "track"), ("Session", "room"), ("Session", "speakers"), ("Room", "hall")}
)

#: The leaves' visibilities the fast path answers: what is the same for every viewer.
SHOWN_TO_ANYONE = frozenset({Visibility.PUBLIC, Visibility.VOLATILE})

#: Arguments the leaves take: only `lang`, for the texts.
LANG_ARGUMENT = "lang"


# --------------------------------------------------------------------------------------
# The plan: made once per prepared document
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldPlan:
    key: str  # the response key: alias or name
    type_name: str  # the object type the field is selected on
    name: str
    node: FieldNode  # the first node of the key (its arguments, as graphql-core uses)
    definition: GraphQLField | None  # None for __typename
    leaf: Leaf | None  # how a leaf field's value is made (None for other fields)
    sub: tuple[FieldPlan, ...] | None  # the merged selection of an object field


@dataclass(frozen=True, slots=True)
class Plan:
    """An operation answered here: a query's root `sessions` fields (and `__typename`),
    or a mutation's one `bookmarkSession`."""

    operation: OperationType
    roots: tuple[FieldPlan, ...]
    #: A bookmark whose answer shows more of the session than its id reads its row.
    bookmark_reads_row: bool = True

    def needs(self, type_name: str, field: str) -> bool:
        return any(selects(root, type_name, field) for root in self.roots)


def selects(plan: FieldPlan, type_name: str, field: str) -> bool:
    if plan.type_name == type_name and plan.name == field:
        return True
    return any(selects(sub, type_name, field) for sub in plan.sub or ())


class NotHere(Exception):
    """The document has something this path does not answer: graphql-core runs it."""


def make_plan(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> Plan | None:
    """The plan of an operation, or None when it is not all known."""
    kind = operation.operation
    root = schema.query_type if kind is OperationType.QUERY else schema.mutation_type
    if root is None or kind is OperationType.SUBSCRIPTION:
        return None
    collector = _Collector(schema, fragments, kind)
    try:
        roots = collector.collect(root, [operation.selection_set])
    except NotHere:
        return None
    if kind is OperationType.MUTATION:
        # One bookmark and nothing else: mutations run one after the other, in order.
        if [r.name for r in roots] != [BOOKMARK]:
            return None
        shown = {f.name for f in roots[0].sub or ()}
        return Plan(kind, roots, bookmark_reads_row=not shown <= ID_ONLY)
    elif not any(r.name == "sessions" for r in roots):
        return None  # nothing worth a second path (`{ __typename }`)
    return Plan(operation=kind, roots=roots)


#: The mutation answered here, and what its Session answer may select besides LEAVES:
#: `viewerHasBookmarked` is true (the session was just bookmarked; the resolver primes
#: its DataLoader with it). A mutation's answer is never cached: VIEWER is fine here.
BOOKMARK = "bookmarkSession"
#: The seats left are not among them: a bookmark reads no registrations.
BOOKMARK_ANSWER: Mapping[str, Leaf] = {
    **{name: leaf for name, leaf in LEAVES["Session"].items() if not isinstance(leaf, SeatsLeft)},
    "viewerHasBookmarked": Constant(True),
}
#: An answer made of these alone needs nothing of the session but the id it was given.
ID_ONLY = frozenset({"id", "__typename", "viewerHasBookmarked"})


class _Collector:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        kind: OperationType,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.kind = kind
        self.visibility = visibility_table(schema)

    def collect(
        self, parent: GraphQLObjectType, selections: Sequence[SelectionSetNode]
    ) -> tuple[FieldPlan, ...]:
        """graphql-core's field collection for `parent`, refusing what is not known."""
        grouped: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()
        for selection_set in selections:
            _gather(parent, selection_set, self.fragments, grouped, visited)
        return tuple(self._field(parent, key, nodes) for key, nodes in grouped.items())

    def _field(self, parent: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> FieldPlan:
        name = nodes[0].name.value
        if name == "__typename":
            return FieldPlan(key, parent.name, name, nodes[0], None, None, None)
        definition = parent.fields.get(name)
        if definition is None:
            raise NotHere
        named = get_named_type(definition.type)
        if isinstance(named, GraphQLObjectType):
            if not self._relation(parent, name):
                raise NotHere
            subs = [n.selection_set for n in nodes if n.selection_set is not None]
            sub = self.collect(named, subs)
            return FieldPlan(key, parent.name, name, nodes[0], definition, None, sub)
        if not is_leaf_type(named):
            raise NotHere  # an interface or union: graphql-core picks the type
        leaf = self._leaf(parent, name, definition)
        return FieldPlan(key, parent.name, name, nodes[0], definition, leaf, None)

    def _relation(self, parent: GraphQLObjectType, name: str) -> bool:
        if self.kind is OperationType.MUTATION:
            return parent is self.schema.mutation_type and name == BOOKMARK
        if parent is self.schema.query_type:
            return name == "sessions" and self._public(parent, name)
        return (parent.name, name) in RELATIONS and self._public(parent, name)

    def _leaf(self, parent: GraphQLObjectType, name: str, definition: GraphQLField) -> Leaf:
        if self.kind is OperationType.MUTATION:
            leaf = BOOKMARK_ANSWER.get(name) if parent.name == "Session" else None
        else:
            leaf = LEAVES.get(parent.name, {}).get(name)
            if self.visibility.get((parent.name, name)) not in SHOWN_TO_ANYONE:
                leaf = None
        if leaf is None or not set(definition.args) <= {LANG_ARGUMENT}:
            raise NotHere
        return leaf

    def _public(self, parent: GraphQLObjectType, name: str) -> bool:
        return self.visibility.get((parent.name, name)) is Visibility.PUBLIC


def _gather(
    parent: GraphQLObjectType,
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    grouped: dict[str, list[FieldNode]],
    visited: set[str],
) -> None:
    for selection in selection_set.selections:
        if selection.directives:
            raise NotHere  # @include / @skip: left to graphql-core
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            grouped.setdefault(key, []).append(selection)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            if condition is not None and condition.name.value != parent.name:
                raise NotHere
            _gather(parent, selection.selection_set, fragments, grouped, visited)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in visited:
                continue  # as graphql-core: each fragment once per selection set
            visited.add(name)
            fragment = fragments.get(name)
            if (
                fragment is None
                or fragment.directives
                or fragment.variable_definitions
                or fragment.type_condition.name.value != parent.name
            ):
                raise NotHere
            _gather(parent, fragment.selection_set, fragments, grouped, visited)
        else:
            raise NotHere
