"""The fast path: plain public agenda selections, and a bookmark, built straight from rows.

Executing the full agenda (`sessions(first: 200) { nodes { … track room speakers } }`)
with graphql-core walks a resolver per field, about 3,000 of them, through Strawberry's
wrappers and an asyncio future for each async field: nearly all the time of a request
the response cache does not answer (docs/profiles/agenda-uncached.txt). When every
field a query selects is one the fast path knows — `Query.sessions` (with or without
`filter`), the connection, its page info, and the PUBLIC fields of Session, Track, Room,
Point, Hall and Speaker in `LEAVES` and `RELATIONS` (schema/projection_plan.py), and
Session's VOLATILE `seatsLeft` (the app's per-day seats query) — the operation
is answered here: the same domain calls and statements as the resolvers and DataLoaders
make, then `data` built from the rows by a plan made once per document (fields
collected as graphql-core collects them: aliases, fragments, field merging,
`__typename`), leaves coerced by the schema's own scalars and enums, so the bytes are
the executor's (tests/test_fast_paths.py compares them). A mutation made of one
`bookmarkSession` whose answer selects Session leaves only is answered the same way
(docs/profiles/bookmark.txt).

Anything else is not answered here and runs through graphql-core as before: another
field, a directive, a fragment on another type, variables that do not coerce, an
argument the domain refuses, an anonymous bookmark, a failing statement (this path
makes no error of its own: the executor then gives the usual one). It runs after
validation, the depth, alias and cost limits and the per-request cost check
(schema/execution.py); every query field it serves must be declared PUBLIC or VOLATILE
(checked when the plan is made): nothing of a viewer's own is read here, and the
response cache's scope, which the document decides, is unchanged.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from operator import attrgetter
from typing import Any, NamedTuple, TypeAlias, cast

from graphql import (
    GraphQLField,
    GraphQLID,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLString,
    OperationType,
    get_argument_values,
    get_named_type,
    get_variable_values,
)
from graphql.execution.values import VariableValues

from schema.projection_plan import (
    LANG_ARGUMENT,
    LEAVES,
    RELATIONS,
    SHARED,
    Constant,
    FieldPlan,
    Leaf,
    Member,
    Plan,
    SeatsLeft,
    Text,
    make_plan,
)
from schema.types.agenda import session_filter_of, session_query
from schema.types.enums import Lang
from server.domain import agenda, plans, venue
from server.domain import directory as people
from server.domain.agenda import SessionRow, TrackRow
from server.domain.directory import SpeakerRow
from server.domain.pagination import Page
from server.domain.venue import HallRow, RoomRow

__all__ = ["LEAVES", "RELATIONS", "Plan", "Request", "make_plan", "run_plan"]


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
    #: Registrations per session with a capacity (for `seatsLeft`).
    registered: dict[str, int]

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
    tracks, rooms, links, registered = await asyncio.gather(
        _fetch(agenda.tracks_by_ids, db, (s.track_id for s in sessions))
        if plan.needs("Session", "track")
        else _nothing(),
        _fetch(venue.rooms_by_ids, db, (s.room_id for s in sessions))
        if plan.needs("Session", "room")
        else _nothing(),
        _fetch(agenda.speaker_links_for_sessions, db, (s.id for s in sessions))
        if want_speakers
        else _nothing(),
        # Session.seatsLeft loads the count only for a session with a capacity.
        _fetch(plans.registered_counts, db, (s.id for s in sessions if s.capacity is not None))
        if plan.needs("Session", "seatsLeft")
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
        registered=dict(registered),  # a mapping, or [] when nothing was read
    )


#: What a bookmark's answer reads besides the session: nothing (no relations).
NO_ROWS = Rows(tracks={}, rooms={}, halls={}, speaker_ids={}, speakers={}, registered={})


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
    if isinstance(leaf, SeatsLeft):
        registered = bound.rows.registered
        return lambda s: (
            None if s.capacity is None else max(s.capacity - registered.get(s.id, 0), 0)
        )
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
    first, given = arguments.get("first"), arguments.get("filter")
    try:
        page = await agenda.session_page(
            request.db,
            session_query(None if given is None else session_filter_of(given)),
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
