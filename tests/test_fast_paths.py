"""The agenda fast path (schema/projection.py) gives graphql-core's bytes, or steps aside.

Every document of the corpus runs twice on the live server's runtime: through the app's
OperationRunner (fast path on) and through a runner with it off (graphql-core for every
field); the response bodies must be the same bytes, in both languages. The documents the
fast path must answer, and those it must leave to graphql-core, are listed apart, so a
change that silently turns it off (or on for a field it does not know) fails here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
import pytest
from graphql import GraphQLObjectType

from schema import projection
from schema.context import Context
from schema.execution import OperationRunner, Prepared, body_of
from schema.projection import LEAVES, RELATIONS
from schema.types.enums import Lang
from server.auth.viewer import Viewer, authenticate
from server.db.queries import agenda as agenda_sql
from server.db.queries import plans as plans_sql
from server.db.queries.agenda import SessionQuery
from tests.conftest import GraphQLClient, LiveServer, People, Person
from tests.fair_data import FAIR_EVE

EVERYTHING = """{ sessions(first: 200) { __typename totalCount
  pageInfo { __typename hasNextPage endCursor }
  nodes { __typename id kind startsAt endsAt status capacity version updatedAt title abstract
    track { __typename id color name }
    room { __typename id name capacity center { __typename x y } hall { __typename id name level } }
    speakers { __typename id name organisation jobTitle bio } } } }"""

AGENDA = (
    "{ sessions(first: 200) { nodes { id title startsAt endsAt kind track { id name } "
    "room { id name hall { id name } } speakers { id name organisation } } } }"
)

VARIABLES = """query Page($n: Int, $after: String, $l: Lang) {
  sessions(first: $n, after: $after) {
    totalCount pageInfo { endCursor hasNextPage }
    nodes { id title(lang: $l) abstract(lang: $l) track { name(lang: $l) }
            speakers { bio(lang: $l) } } } }"""

FRAGMENTS = """query { sessions(first: 30) { ...Conn } }
fragment Conn on SessionConnection { nodes { ...S ... on Session { room { ...R } } } }
fragment S on Session { id title room { id } speakers { id } speakers { name } }
fragment R on Room { name hall { id } ...R2 }
fragment R2 on Room { hall { name } center { x } }"""

#: The app's seats of a day (web/src/screens/agenda-screen.ts).
SEATS = (
    "query Seats($day: Date!) { sessions(filter: { day: $day }, first: 200) "
    "{ nodes { id seatsLeft } } }"
)

#: (document, variables) the fast path answers.
ANSWERED: list[tuple[str, dict[str, Any] | None]] = [
    (AGENDA, None),
    (EVERYTHING, None),
    (
        "{ a: sessions(first: 5) { nodes { t: title fr: title(lang: FR) en: title(lang: EN) "
        "id id } } b: sessions(first: 3, after: null) { totalCount count: totalCount } "
        "t: __typename }",
        None,
    ),
    (VARIABLES, {"n": 7, "l": "EN"}),
    (VARIABLES, {"n": 7, "l": "FR"}),
    (VARIABLES, {"n": None}),
    (VARIABLES, {}),
    (VARIABLES, {"n": 0}),
    (VARIABLES, {"n": 3, "extra": "not declared"}),
    (FRAGMENTS, None),
    ("{ sessions(first: 2) { nodes { ... { id } id kind ... on Session { status } } } }", None),
    ("{ __typename sessions(first: 1) { nodes { id } } }", None),
    ("query Named { sessions { pageInfo { hasNextPage } } }", None),
    # Filters, and the seats left: the app's per-day seats query among them.
    (SEATS, {"day": "2026-12-03"}),
    (SEATS, {"day": "2026-12-05"}),
    (SEATS, {"day": "2027-01-01"}),
    ("{ sessions(first: 3) { nodes { id seatsLeft capacity } } }", None),
    ("{ sessions(filter: {kinds: [PANEL]}) { nodes { id } } }", None),
    ("query($f: SessionFilter) { sessions(filter: $f) { nodes { id } } }", {"f": {"day": None}}),
    ("query($f: SessionFilter) { sessions(filter: $f) { nodes { id } } }", {"f": {}}),
    (
        "query($f: SessionFilter) { sessions(filter: $f, first: 5) { totalCount nodes { id } } }",
        {"f": {"trackIds": ["trk-metallurgy", "trk-none"], "includeCancelled": False}},
    ),
    (
        "query($f: SessionFilter) { sessions(filter: $f) { totalCount nodes { id title } } }",
        {"f": {"search": "usinage"}},
    ),
    (
        "query($f: SessionFilter) { sessions(filter: $f) { totalCount nodes { id } } }",
        {"f": {"happeningAt": "2026-12-03T10:00:00+00:00"}},
    ),
    (
        "query($f: SessionFilter) { sessions(filter: $f, first: 4) { nodes { id startsAt } } }",
        {"f": {"startsAfter": "2026-12-04T12:00:00+00:00", "kinds": ["DEMO", "WORKSHOP"]}},
    ),
]

#: What the fast path refuses at run time: graphql-core answers, with its usual errors.
REFUSED_AT_RUN: list[tuple[str, dict[str, Any] | None]] = [
    ("{ sessions(first: -1) { nodes { id } } }", None),
    ('{ sessions(after: "not a cursor") { nodes { id } } }', None),
    (VARIABLES, {"n": "seven"}),
    (VARIABLES, {"l": "DE"}),
    (
        "query($f: SessionFilter) { sessions(filter: $f) { nodes { id } } }",
        {"f": {"search": "x" * 201}},
    ),
    (
        "query($f: SessionFilter) { sessions(filter: $f) { nodes { id } } }",
        {"f": {"search": "a\u0000b"}},
    ),
    (
        "query($f: SessionFilter) { sessions(filter: $f) { nodes { id } } }",
        {"f": {"day": "9999-12-31"}},
    ),
    (
        "query($f: SessionFilter) { sessions(filter: $f) { nodes { id } } }",
        {"f": {"happeningAt": "10000-01-01T00:00:00Z"}},
    ),
    (
        "query($f: SessionFilter) { sessions(filter: $f) { nodes { id } } }",
        {"f": {"kinds": ["NAP"]}},
    ),
    ('{ sessions(filter: {roomId: "room-none"}, after: "no") { nodes { id seatsLeft } } }', None),
]

#: What the fast path does not plan for at all.
NOT_PLANNED: list[tuple[str, dict[str, Any] | None]] = [
    ("{ sessions(first: 3) { nodes { id viewerHasBookmarked } } }", None),
    ("{ sessions(first: 3) { nodes { booth { code } exhibitor { name } } } }", None),
    ("{ sessions(first: 3) { nodes { speakers { sessions { id } } } } }", None),
    ("{ sessions(first: 3) { nodes { room { hall { outline } } } } }", None),
    ("query($x: Boolean!) { sessions(first: 3) { nodes { id @include(if: $x) } } }", {"x": True}),
    ("{ sessions(first: 3) { nodes { id } } event { id } }", None),
    ("{ __typename }", None),
    ('{ session(id: "ses-001") { id title } }', None),
    ("{ __schema { queryType { name } } sessions(first: 1) { totalCount } }", None),
]


def runners(live: LiveServer) -> tuple[OperationRunner, OperationRunner]:
    fast: OperationRunner = live.app.state.graphql_view.runner
    assert fast.fast_paths
    slow = OperationRunner(fast.schema, live.runtime.settings, fast_paths=False)
    return fast, slow


def prepared_of(runner: OperationRunner, document: str) -> Prepared:
    prepared = runner.prepare(document, None)
    assert isinstance(prepared, Prepared), prepared
    return prepared


async def body(
    runner: OperationRunner,
    live: LiveServer,
    document: str,
    variables: dict[str, Any] | None,
    lang: Lang,
    viewer: Viewer | None = None,
) -> bytes:
    context = Context(request=None, response=None, runtime=live.runtime, viewer=viewer, lang=lang)
    result = await runner.run(prepared_of(runner, document), context, variables, None)
    return orjson.dumps(body_of(result))


async def same_bytes(
    live: LiveServer,
    document: str,
    variables: dict[str, Any] | None,
    viewer: Viewer | None = None,
) -> bytes:
    fast, slow = runners(live)
    for lang in Lang:
        answered = await body(fast, live, document, variables, lang, viewer)
        executed = await body(slow, live, document, variables, lang, viewer)
        assert answered == executed, (document, variables, lang)
    return answered


async def fast_data(
    live: LiveServer, document: str, variables: dict[str, Any] | None, lang: Lang
) -> dict[str, Any] | None:
    """What the fast path itself gives (None: it stepped aside for graphql-core), so a
    test knows which path answered."""
    fast, _ = runners(live)
    prepared = prepared_of(fast, document)
    plan = fast.projection_plan(prepared)
    assert plan is not None
    request = projection.Request(
        db=live.runtime.pool, lang=lang, viewer_id=None, raw_variables=variables
    )
    definitions = prepared.definition.variable_definitions or ()
    return await projection.run_plan(fast.schema, plan, definitions, request)


@pytest.mark.parametrize(("document", "variables"), ANSWERED)
async def test_answered_documents_give_the_executors_bytes(
    live: LiveServer, document: str, variables: dict[str, Any] | None
) -> None:
    answered = orjson.loads(await same_bytes(live, document, variables))
    assert "errors" not in answered
    assert answered["data"]
    for lang in Lang:  # answered by the fast path itself, not left to graphql-core
        assert await fast_data(live, document, variables, lang) is not None


@pytest.mark.parametrize(("document", "variables"), REFUSED_AT_RUN)
async def test_refusals_are_the_executors(
    live: LiveServer, document: str, variables: dict[str, Any] | None
) -> None:
    assert await fast_data(live, document, variables, Lang.FR) is None
    await same_bytes(live, document, variables)


@pytest.mark.parametrize(("document", "variables"), NOT_PLANNED)
async def test_other_documents_are_left_to_graphql_core(
    live: LiveServer, document: str, variables: dict[str, Any] | None
) -> None:
    fast, _ = runners(live)
    assert fast.projection_plan(prepared_of(fast, document)) is None
    await same_bytes(live, document, variables)


async def test_every_page_and_its_cursor_agree(live: LiveServer) -> None:
    """Walking the agenda 7 at a time with the cursors the fast path hands out."""
    after = None
    seen = 0
    while True:
        got = orjson.loads(await same_bytes(live, VARIABLES, {"n": 7, "after": after}))
        page = got["data"]["sessions"]
        seen += len(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == page["totalCount"]


async def test_over_http_the_answer_and_its_cache_are_unchanged(
    live: LiveServer, gql_http: GraphQLClient, people: People
) -> None:
    """Through the whole HTTP path: the same document as a signed-in attendee and
    anonymously, in English; a public answer, shared by the response cache."""
    live.app.state.graphql_view.cache.clear()
    attendee = await people.make()
    anonymous = await gql_http(AGENDA, None, **{"accept-language": "en"})
    signed_in = await gql_http(AGENDA, None, attendee, **{"accept-language": "en"})
    assert anonymous == signed_in
    _, slow = runners(live)
    assert anonymous == orjson.loads(await body(slow, live, AGENDA, None, Lang.EN))


async def test_the_cost_limit_still_refuses_before_the_fast_path(live: LiveServer) -> None:
    """A document whose cost depends on its page sizes: refused with large pages (the
    per-request cost check runs first), answered by the fast path with small ones."""
    fast, _ = runners(live)
    aliases = " ".join(
        f"s{i}: sessions(first: $n) {{ nodes {{ id speakers {{ id name }} }} }}" for i in range(20)
    )
    document = f"query($n: Int) {{ {aliases} }}"
    prepared = prepared_of(fast, document)
    assert prepared.costed_per_request
    assert fast.projection_plan(prepared) is not None
    context = Context(request=None, response=None, runtime=live.runtime)
    refused = await fast.run(prepared, context, {"n": 200}, None)
    assert refused.data is None
    assert refused.errors
    assert refused.errors[0].extensions == {
        "code": "BAD_USER_INPUT",
        "cost": 132_000,
        "maxCost": 100_000,
    }
    await same_bytes(live, document, {"n": 2})


# --------------------------------------------------------------------------------------
# bookmarkSession
# --------------------------------------------------------------------------------------

BOOKMARK = "mutation($id: ID!) { bookmarkSession(sessionId: $id) { id viewerHasBookmarked } }"

BOOKMARKS_ANSWERED = [
    BOOKMARK,
    "mutation($id: ID!) { bookmarkSession(sessionId: $id) { id } }",
    """mutation B($id: ID!, $l: Lang) { b: bookmarkSession(sessionId: $id) { __typename
        ...S mine: viewerHasBookmarked title en: title(lang: EN) abstract(lang: $l) } }
       fragment S on Session { id kind startsAt endsAt status capacity version updatedAt }""",
]

BOOKMARKS_NOT_PLANNED = [
    "mutation($id: ID!) { bookmarkSession(sessionId: $id) { id room { id } } }",
    "mutation($id: ID!) { bookmarkSession(sessionId: $id) { id seatsLeft } }",
    "mutation($id: ID!) { bookmarkSession(sessionId: $id) { id viewerRegistration } }",
    "mutation($id: ID!) { a: bookmarkSession(sessionId: $id) { id } "
    "b: bookmarkSession(sessionId: $id) { id } }",
    "mutation($id: ID!) { removeBookmark(sessionId: $id) { id viewerHasBookmarked } }",
]


async def viewer_of(live: LiveServer, person: Person) -> Viewer:
    viewer = await authenticate(live.runtime.pool, f"Bearer {person.token}", datetime.now(UTC))
    assert viewer is not None
    return viewer


async def a_session(db: asyncpg.Connection[Any], offset: int) -> str:
    found: str = await db.fetchval("SELECT id FROM session ORDER BY id OFFSET $1 LIMIT 1", offset)
    return found


@pytest.mark.parametrize("document", BOOKMARKS_ANSWERED)
async def test_bookmarks_answered_give_the_executors_bytes_and_write_the_bookmark(
    live: LiveServer, people: People, db: asyncpg.Connection[Any], document: str
) -> None:
    fast, _ = runners(live)
    assert fast.projection_plan(prepared_of(fast, document)) is not None
    viewer = await viewer_of(live, await people.make())
    session_id = await a_session(db, 3)
    plan_version = await db.fetchval("SELECT plan_version FROM person WHERE id = $1", viewer.id)
    # The fast path first, on a session not bookmarked yet: it writes, and the plan
    # version moves (the trigger the response cache relies on).
    first = await body(fast, live, document, {"id": session_id, "l": "EN"}, Lang.FR, viewer)
    assert "errors" not in orjson.loads(first)
    marked = "SELECT count(*) FROM bookmark WHERE person_id = $1 AND session_id = $2"
    assert await db.fetchval(marked, viewer.id, session_id) == 1
    moved = await db.fetchval("SELECT plan_version FROM person WHERE id = $1", viewer.id)
    assert moved == plan_version + 1
    _, slow = runners(live)
    variables = {"id": session_id, "l": "EN"}
    assert first == await body(slow, live, document, variables, Lang.FR, viewer)
    await same_bytes(live, document, variables, viewer)


@pytest.mark.parametrize("document", BOOKMARKS_NOT_PLANNED)
async def test_other_mutations_are_left_to_graphql_core(
    live: LiveServer, people: People, db: asyncpg.Connection[Any], document: str
) -> None:
    fast, _ = runners(live)
    assert fast.projection_plan(prepared_of(fast, document)) is None
    viewer = await viewer_of(live, await people.make())
    await same_bytes(live, BOOKMARK, {"id": await a_session(db, 5)}, viewer)
    await same_bytes(live, document, {"id": await a_session(db, 5)}, viewer)


def test_an_answer_of_the_id_alone_reads_no_session_row(live: LiveServer) -> None:
    fast, _ = runners(live)
    reads_row = [
        plan.bookmark_reads_row
        for plan in (fast.projection_plan(prepared_of(fast, d)) for d in BOOKMARKS_ANSWERED)
        if plan is not None
    ]
    assert reads_row == [False, False, True]


@pytest.mark.parametrize("document", [BOOKMARKS_ANSWERED[0], BOOKMARKS_ANSWERED[2]])
async def test_bookmark_refusals_are_the_executors(
    live: LiveServer, people: People, db: asyncpg.Connection[Any], document: str
) -> None:
    viewer = await viewer_of(live, await people.make())
    session_id = await a_session(db, 7)
    anonymous = orjson.loads(await same_bytes(live, document, {"id": session_id}))
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    unknown = orjson.loads(await same_bytes(live, document, {"id": "ses-none"}, viewer))
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    missing = orjson.loads(await same_bytes(live, document, {}, viewer))
    assert missing["errors"]
    assert await db.fetchval("SELECT count(*) FROM bookmark WHERE person_id = $1", viewer.id) == 0


# --------------------------------------------------------------------------------------
# What both paths share, checked against something else
# --------------------------------------------------------------------------------------


async def test_session_rows_by_position_are_the_rows_by_name(
    live: LiveServer, people: People, db: asyncpg.Connection[Any]
) -> None:
    """Both paths read pages (and a bookmark's session) through the same positional
    construction: checked here against sessions_by_ids, which builds them by name."""
    pool = live.runtime.pool
    rows, total = await agenda_sql.session_page(pool, SessionQuery(), limit=500, after=None)
    by_name = {r.id: r for r in await agenda_sql.sessions_by_ids(pool, [r.id for r in rows])}
    assert len(rows) == total == len(by_name)
    assert rows == [by_name[r.id] for r in rows]
    person = await people.make()
    bookmarked = await plans_sql.add_bookmark_to_session(pool, person.id, rows[4].id)
    assert bookmarked == rows[4]


def test_the_fast_paths_tables_name_fields_of_the_schema(live: LiveServer) -> None:
    schema = runners(live)[0].schema
    for type_name, leaves in LEAVES.items():
        named = schema.get_type(type_name)
        assert isinstance(named, GraphQLObjectType), type_name
        assert set(leaves) <= set(named.fields), type_name
    for type_name, field in RELATIONS:
        named = schema.get_type(type_name)
        assert isinstance(named, GraphQLObjectType), type_name
        assert field in named.fields, (type_name, field)


async def test_the_seats_left_count_registrations_as_the_resolver_does(
    live: LiveServer, gql_http: GraphQLClient, people: People, db: asyncpg.Connection[Any]
) -> None:
    """The app's seats query after two registrations for a day's session with a
    capacity: the fast path counts them, and gives graphql-core's bytes."""
    session_id, capacity = await db.fetchrow(
        """SELECT id, capacity FROM session
            WHERE capacity IS NOT NULL AND status = 'SCHEDULED' AND starts_at > $1
              AND starts_at >= '2026-12-04' AND starts_at < '2026-12-05'
            ORDER BY id LIMIT 1""",
        FAIR_EVE,
    )
    register = "mutation($id: ID!) { registerForSession(sessionId: $id) { status } }"
    try:
        for person in (await people.make(), await people.make()):
            await gql_http.data(register, {"id": session_id}, as_=person)
        taken = await db.fetchval(
            "SELECT count(*) FROM registration WHERE session_id = $1", session_id
        )
        assert taken >= 2
        answered = orjson.loads(await same_bytes(live, SEATS, {"day": "2026-12-04"}))
        seats = {n["id"]: n["seatsLeft"] for n in answered["data"]["sessions"]["nodes"]}
        assert seats[session_id] == max(capacity - taken, 0)
    finally:
        await db.execute("DELETE FROM registration WHERE session_id = $1", session_id)
