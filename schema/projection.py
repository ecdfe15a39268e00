"""The fast path: plain public agenda selections, and a bookmark, built straight from rows.

Executing the full agenda (`sessions(first: 200) { nodes { … track room speakers } }`)
with graphql-core walks a resolver per field, about 3,000 of them, through Strawberry's
wrappers and an asyncio future for each async field: nearly all the time of a request
the response cache does not answer (docs/profiles/agenda-uncached.txt). When every
field a query selects is one this module knows — `Query.sessions` (without `filter`),
the connection, its page info, and the PUBLIC fields of Session, Track, Room, Point,
Hall and Speaker in `LEAVES` and `RELATIONS` — the operation is answered here: the same
domain calls and statements as the resolvers and DataLoaders make, then `data` built
from the rows by a plan made once per document (fields collected as graphql-core
collects them: aliases, fragments, field merging, `__typename`), leaves coerced by the
schema's own scalars and enums, so the bytes are the executor's (tests/test_fast_paths.py
compares them). A mutation made of one `bookmarkSession` whose answer selects Session
leaves only is answered the same way (docs/profiles/bookmark.txt).

Anything else is not answered here and runs through graphql-core as before: another
field, a directive, a fragment on another type, variables that do not coerce, an
argument the domain refuses, an anonymous bookmark, a failing statement (this path
makes no error of its own: the executor then gives the usual one). It runs after
validation, the depth, alias and cost limits and the per-request cost check
(schema/execution.py); every query field it serves must be declared PUBLIC (checked
when the plan is made), so the response cache's scope is unchanged.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from operator import attrgetter
from typing import Any, NamedTuple, TypeAlias, cast

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLID,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_argument_values,
    get_named_type,
    get_variable_values,
    is_leaf_type,
)
from graphql.execution.values import VariableValues

from schema.types.enums import Lang, SessionKind, SessionStatus
from schema.visibility import Visibility
from schema.visibility import table as visibility_table
from server.domain import agenda, plans, venue
from server.domain import directory as people
from server.domain.agenda import SessionQuery, SessionRow, TrackRow
from server.domain.directory import SpeakerRow
from server.domain.pagination import Page
from server.domain.venue import HallRow, RoomRow

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


Leaf: TypeAlias = Attr | Text | Member | Constant


class Point(NamedTuple):
    x: float
    y: float


def _point(room: RoomRow) -> Point | None:
    # Room.from_row makes a Point only when both coordinates are known.
    return Point(room.x, room.y) if room.x is not None and room.y is not None else None


#: The leaf fields answered here, per type, each as its resolver makes its value. Every
#: one must be PUBLIC (checked per plan).
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
        return any(_selects(root, type_name, field) for root in self.roots)


def _selects(plan: FieldPlan, type_name: str, field: str) -> bool:
    if plan.type_name == type_name and plan.name == field:
        return True
    return any(_selects(sub, type_name, field) for sub in plan.sub or ())


class _NotHere(Exception):
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
    except _NotHere:
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
BOOKMARK_ANSWER: Mapping[str, Leaf] = {**LEAVES["Session"], "viewerHasBookmarked": Constant(True)}
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
            raise _NotHere
        named = get_named_type(definition.type)
        if isinstance(named, GraphQLObjectType):
            if not self._relation(parent, name):
                raise _NotHere
            subs = [n.selection_set for n in nodes if n.selection_set is not None]
            sub = self.collect(named, subs)
            return FieldPlan(key, parent.name, name, nodes[0], definition, None, sub)
        if not is_leaf_type(named):
            raise _NotHere  # an interface or union: graphql-core picks the type
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
            if not self._public(parent, name):
                leaf = None
        if leaf is None or not set(definition.args) <= {LANG_ARGUMENT}:
            raise _NotHere
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
            raise _NotHere  # @include / @skip: left to graphql-core
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            grouped.setdefault(key, []).append(selection)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            if condition is not None and condition.name.value != parent.name:
                raise _NotHere
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
                raise _NotHere
            _gather(parent, fragment.selection_set, fragments, grouped, visited)
        else:
            raise _NotHere


# --------------------------------------------------------------------------------------
# Running a plan: the rows, then the data
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Rows:
    """What one `sessions` field reads besides its page, fetched as the DataLoaders do."""

    tracks: dict[str, TrackRow]
    rooms: dict[str, RoomRow]
    halls: dict[str, HallRow]
    speaker_ids: dict[str, list[str]]
    speakers: dict[str, SpeakerRow]

    def speakers_of(self, session_id: str) -> list[SpeakerRow]:
        # Session.speakers drops ids whose speaker row is gone.
        found = (self.speakers.get(i) for i in self.speaker_ids.get(session_id, ()))
        return [p for p in found if p is not None]


async def _fetch(fetch: Callable[[Any, list[str]], Any], db: Any, ids: Iterable[str | None]) -> Any:
    unique = list(dict.fromkeys(i for i in ids if i is not None))
    return await fetch(db, unique) if unique else []  # no keys, no statement (DataLoader)


async def read_rows(db: Any, plan: Plan, sessions: list[SessionRow]) -> Rows:
    """The page's tracks, rooms (then halls) and speakers, each kind only when selected,
    with the statements the DataLoaders run, in the same two rounds."""
    want_speakers = plan.needs("Session", "speakers")
    tracks, rooms, links = await asyncio.gather(
        _fetch(agenda.tracks_by_ids, db, (s.track_id for s in sessions))
        if plan.needs("Session", "track")
        else _nothing(),
        _fetch(venue.rooms_by_ids, db, (s.room_id for s in sessions))
        if plan.needs("Session", "room")
        else _nothing(),
        _fetch(agenda.speaker_links_for_sessions, db, (s.id for s in sessions))
        if want_speakers
        else _nothing(),
    )
    halls, speakers = await asyncio.gather(
        _fetch(venue.halls_by_ids, db, (r.hall_id for r in rooms))
        if plan.needs("Room", "hall")
        else _nothing(),
        _fetch(people.speakers_by_ids, db, (speaker for _, speaker in links))
        if want_speakers
        else _nothing(),
    )
    speaker_ids: dict[str, list[str]] = defaultdict(list)
    for session_id, speaker_id in links:  # already in billing order
        speaker_ids[session_id].append(speaker_id)
    return Rows(
        tracks={t.id: t for t in tracks},
        rooms={r.id: r for r in rooms},
        halls={h.id: h for h in halls},
        speaker_ids=speaker_ids,
        speakers={p.id: p for p in speakers},
    )


#: What a bookmark's answer reads besides the session: nothing (no relations).
NO_ROWS = Rows(tracks={}, rooms={}, halls={}, speaker_ids={}, speakers={})


async def _nothing() -> list[Any]:
    return []


#: Gives a field's response value from the object it is selected on.
Render: TypeAlias = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Binding:
    """What the renderers of one `sessions` field close over."""

    rows: Rows
    variables: VariableValues
    lang: Lang  # the request's language, for texts asked without `lang`


def _renderer(plans: Sequence[FieldPlan], bound: Binding) -> Render:
    """One object's dict, its keys in the order graphql-core gives them."""
    fields = [(plan.key, _value_renderer(plan, bound)) for plan in plans]

    def render(obj: Any) -> dict[str, Any]:
        return {key: value(obj) for key, value in fields}

    return render


def _value_renderer(plan: FieldPlan, bound: Binding) -> Render:
    if plan.definition is None:  # __typename
        type_name = plan.type_name
        return lambda _obj: type_name
    if plan.leaf is not None:
        return _leaf_renderer(plan, plan.leaf, plan.definition, bound)
    if plan.sub is None:
        raise ValueError(f"{plan.type_name}.{plan.name}: neither a leaf nor an object")
    reach, rows = RELATIONS[plan.type_name, plan.name], bound.rows
    render = _renderer(plan.sub, bound)
    if (plan.type_name, plan.name) in SHARED:
        render = _once_per_row(render)
    if _is_list(plan.definition):
        return lambda obj: [render(item) for item in reach(obj, rows)]

    def render_one(obj: Any) -> Any:
        related = reach(obj, rows)
        return None if related is None else render(related)

    return render_one


def _once_per_row(render: Render) -> Render:
    """`render`, made once per row of the request: 200 sessions share a few tracks,
    rooms, halls and speakers (orjson writes a dict shared by several parents as
    often as it appears). Keyed by identity: only for rows that `Rows` keeps alive for
    the whole request, so no id is reused meanwhile."""
    made: dict[int, Any] = {}

    def render_once(row: Any) -> Any:
        found = made.get(id(row))
        if found is None:
            found = made[id(row)] = render(row)
        return found

    return render_once


def _leaf_renderer(plan: FieldPlan, leaf: Leaf, definition: GraphQLField, bound: Binding) -> Render:
    """The leaf's Python value as its resolver gives it, then the leaf type's own output
    coercion (as graphql-core completes a leaf); None stays None."""
    named = cast(GraphQLLeafType, get_named_type(definition.type))  # a leaf: see _collect
    if isinstance(leaf, Text):
        lang = bound.lang
        given = get_argument_values(definition, plan.node, bound.variables)
        if given.get(LANG_ARGUMENT) is not None:
            lang = Lang(given[LANG_ARGUMENT])  # as Strawberry converts the enum
        fr, en = attrgetter(leaf.fr), attrgetter(leaf.en)
        # Texts are `str` columns, which String's coercion returns unchanged.
        return fr if lang is Lang.FR else (lambda obj: en(obj) or fr(obj))
    if isinstance(leaf, Constant):
        output = named.coerce_output_value(leaf.value)
        return lambda _obj: output
    if isinstance(leaf, Member):
        raw, member = attrgetter(leaf.name), _member_coercer(named, leaf.enum)
        return lambda obj: member(raw(obj))
    value = attrgetter(leaf.name)
    if named is GraphQLString or named is GraphQLID:
        return value  # ids and texts are `str` columns, returned unchanged by coercion
    coerce = _coercer(named)
    return lambda obj: None if (found := value(obj)) is None else coerce(found)


def _is_list(field: GraphQLField) -> bool:
    kind = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    return isinstance(kind, GraphQLList)


#: Instants are coerced once per value (equal instants show the same fair time): an
#: agenda repeats its start and end times. Numbers are never memoized (1 == 1.0 ==
#: True and 0.0 == -0.0 would share an entry).
_MEMOIZED = frozenset({"DateTime"})
_coercers: dict[str, Callable[[Any], Any]] = {}


def _coercer(named: GraphQLLeafType) -> Callable[[Any], Any]:
    found = _coercers.get(named.name)
    if found is None:
        coerce = named.coerce_output_value
        found = lru_cache(maxsize=4096)(coerce) if named.name in _MEMOIZED else coerce
        _coercers[named.name] = found
    return found


@lru_cache(maxsize=64)
def _member_coercer(named: GraphQLLeafType, enum: type[Enum]) -> Callable[[Any], Any]:
    """Column value -> the enum's output, once per value (a handful of them)."""
    return lru_cache(maxsize=256)(lambda raw: named.coerce_output_value(enum(raw)))


@dataclass(frozen=True, slots=True)
class Request:
    db: Any
    lang: Lang
    viewer_id: int | None
    raw_variables: dict[str, Any] | None


async def run_plan(
    schema: GraphQLSchema,
    plan: Plan,
    variable_definitions: Sequence[Any],
    request: Request,
) -> dict[str, Any] | None:
    """`data` for the plan, or None when graphql-core must run the operation instead:
    whatever fails or is refused while reading (a bad argument, the database) is left
    to it, so the error is the usual one, coded and masked as usual."""
    variables = get_variable_values(schema, variable_definitions, request.raw_variables or {})
    if isinstance(variables, list):
        return None  # the executor reports the variables that do not coerce
    data: dict[str, Any] = {}
    for root in plan.roots:
        if root.definition is None:
            data[root.key] = root.type_name
            continue
        if root.sub is None:
            return None  # validation requires a selection: not reached
        arguments = get_argument_values(root.definition, root.node, variables)
        found: tuple[object, Rows] | None
        if plan.operation is OperationType.MUTATION:
            found = await _bookmark(request, arguments, reads_row=plan.bookmark_reads_row)
        else:
            found = await _page(request, Plan(plan.operation, (root,)), arguments)
        if found is None:
            return None
        obj, rows = found
        data[root.key] = _renderer(root.sub, Binding(rows, variables, request.lang))(obj)
    return data


async def _page(
    request: Request, plan: Plan, arguments: dict[str, Any]
) -> tuple[Page[SessionRow], Rows] | None:
    """Query.sessions' page (as its resolver reads it) and the rows it selects."""
    if arguments.get("filter") is not None:
        return None
    first = arguments.get("first")
    try:
        page = await agenda.session_page(
            request.db,
            SessionQuery(),
            first=50 if first is None else first,
            after=arguments.get("after"),
        )
        return page, await read_rows(request.db, plan, page.items)
    except Exception:  # graphql-core runs it again and reports it as usual
        return None


class _Bookmarked(NamedTuple):
    """The session of a bookmark whose answer shows only its id (the id it was given:
    the one that matched, `id = $2`)."""

    id: str


async def _bookmark(
    request: Request, arguments: dict[str, Any], *, reads_row: bool
) -> tuple[SessionRow | _Bookmarked, Rows] | None:
    """Mutation.bookmarkSession, as its resolver does it (anonymous: the resolver's
    UNAUTHENTICATED; an unknown session: its NOT_FOUND, the write changing nothing)."""
    if request.viewer_id is None:
        return None
    session_id: str = arguments["sessionId"]
    try:
        if not reads_row:
            await plans.bookmark_only(request.db, request.viewer_id, session_id)
            return _Bookmarked(session_id), NO_ROWS
        session = await plans.bookmark(request.db, request.viewer_id, session_id)
    except Exception:  # graphql-core runs it again and reports it as usual
        return None
    return session, NO_ROWS
