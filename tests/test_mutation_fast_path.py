"""bookmarkSession's fast path over HTTP gives the general path's bytes, or steps aside.

The HTTP mutation path answers a planned bookmark before any Context exists, with
variables coerced by a coercer made once per prepared operation
(schema/variable_coercion.py, schema/mutation_answer.py). Here the coercer is checked
against graphql-core's own `get_variable_values` on a corpus of good and bad values, and
whole HTTP responses (status, headers, body bytes) with the fast paths on are checked
against the same requests with them off, for good input and for every kind of bad one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import httpx
import orjson
import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, Undefined, get_variable_values, parse
from graphql.execution.values import VariableValues

from schema.execution import OperationRunner, Prepared
from schema.variable_coercion import coercer_of
from tests.conftest import LiveServer, People, Person

# --------------------------------------------------------------------------------------
# The coercer against graphql-core's
# --------------------------------------------------------------------------------------

#: Every kind of leaf the schema has, nullable and not (the document is only parsed:
#: the coercer and graphql-core read its variable definitions alone).
LEAVES = (
    "query($id: ID!, $s: String, $n: Int!, $f: Float, $b: Boolean, $l: Lang, $t: DateTime, "
    "$oid: ID, $on: Int, $ob: Boolean!, $ol: Lang!) { __typename }"
)

VALUES: list[Any] = [
    "ses-001",
    "",
    "a\x00b",
    "x" * 10_000,
    "EN",
    "en",
    "DE",
    "2026-12-03T10:00:00+01:00",
    "2026-12-03T10:00:00",
    "not a time",
    "12",
    0,
    5,
    -3,
    2**31 - 1,
    2**31,
    -(2**31) - 1,
    2**70,
    1.0,
    1.5,
    -0.0,
    True,
    False,
    None,
    [],
    ["ses-001"],
    {},
    {"a": 1},
]

NOT_COERCED_HERE = [
    "query($f: SessionFilter) { __typename }",
    "query($ids: [ID!]) { __typename }",
    "query($n: Int = 5) { __typename }",
    "query($id: ID!, $f: SessionFilter) { __typename }",
]


def definitions(document: str) -> tuple[Any, ...]:
    operation = parse(document).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return tuple(operation.variable_definitions or ())


def comparable(values: VariableValues) -> tuple[Any, Any]:
    """The coerced values with their types (1 and 1.0 and True differ), and the sources."""
    coerced = {k: (type(v), v) for k, v in values.coerced.items()}
    sources = {
        k: (s.signature.name, str(s.signature.type), s.signature.default, s.value is Undefined)
        for k, s in values.sources.items()
    }
    given = {k: (type(s.value), s.value) for k, s in values.sources.items()}
    return coerced, (sources, given)


def graphql_schema(live: LiveServer) -> GraphQLSchema:
    runner: OperationRunner = live.app.state.graphql_view.runner
    return runner.schema


def test_leaf_variables_coerce_as_graphql_core_coerces_them(live: LiveServer) -> None:
    schema = graphql_schema(live)
    defined = definitions(LEAVES)
    coercer = coercer_of(schema, defined)
    assert coercer is not None
    good = {"id": "ses-001", "n": 1, "ob": True, "ol": "FR"}
    coerced = refused = 0
    for name in [d.variable.name.value for d in defined]:
        for value in [*VALUES, Undefined]:
            inputs = dict(good)
            if value is Undefined:
                inputs.pop(name, None)
            else:
                inputs[name] = value
            expected = get_variable_values(schema, defined, inputs)
            got = coercer.coerce(inputs)
            if isinstance(expected, list):
                assert got is None, (name, value, expected)
                refused += 1
            else:
                assert got is not None, (name, value)
                assert comparable(got) == comparable(expected), (name, value)
                coerced += 1
    assert (coerced, refused) == (95, 224)  # both kinds of answer were compared


def test_variables_that_are_not_all_leaves_are_left_to_graphql_core(live: LiveServer) -> None:
    schema = graphql_schema(live)
    for document in NOT_COERCED_HERE:
        assert coercer_of(schema, definitions(document)) is None, document


# --------------------------------------------------------------------------------------
# Whole HTTP responses, fast paths on and off
# --------------------------------------------------------------------------------------

BENCH = "mutation Bookmark($id: ID!) { bookmarkSession(sessionId: $id) { id viewerHasBookmarked } }"
ID_ONLY = "mutation($id: ID!) { bookmarkSession(sessionId: $id) { id } }"
RICH = """mutation B($id: ID!, $l: Lang) { b: bookmarkSession(sessionId: $id) { __typename
    ...S mine: viewerHasBookmarked title en: title(lang: EN) abstract(lang: $l) } }
   fragment S on Session { id kind startsAt endsAt status capacity version updatedAt }"""
LITERAL = 'mutation { bookmarkSession(sessionId: "%s") { id title } }'
WRONG_TYPE = "mutation($id: String!) { bookmarkSession(sessionId: $id) { id } }"
NULLABLE = "mutation($id: ID) { bookmarkSession(sessionId: $id) { id } }"
TWO = "mutation($id: ID!) { a: bookmarkSession(sessionId: $id) { id } b: removeBookmark(sessionId: $id) { id } }"  # noqa: E501

#: Headers that differ between any two responses.
PER_RESPONSE = {"x-request-id", "date"}


@contextmanager
def fast_paths_off(live: LiveServer) -> Iterator[None]:
    runner: OperationRunner = live.app.state.graphql_view.runner
    runner.fast_paths = False
    try:
        yield
    finally:
        runner.fast_paths = True


async def chunks(content: bytes) -> AsyncIterator[bytes]:
    """A body sent chunked (no Content-Length): read after the token is checked."""
    for start in range(0, len(content), 4096):
        yield content[start : start + 4096]


async def exchange(
    http: httpx.AsyncClient, content: bytes, headers: dict[str, str], method: str = "POST"
) -> tuple[int, list[tuple[str, str]], bytes]:
    if method == "GET":
        response = await http.get("/graphql", params=orjson.loads(content), headers=headers)
    else:
        headers = {"content-type": "application/json", **headers}
        body = chunks(content) if method == "CHUNKED" else content
        response = await http.post("/graphql", content=body, headers=headers)
    kept = [(k, v) for k, v in response.headers.multi_items() if k not in PER_RESPONSE]
    return response.status_code, kept, response.content


async def same_response(
    live: LiveServer,
    http: httpx.AsyncClient,
    body: dict[str, Any],
    headers: dict[str, str],
    method: str = "POST",
) -> dict[str, Any]:
    """The response with the fast paths on, checked equal to the one with them off
    (status, headers, bytes), and decoded."""
    content = orjson.dumps(body)
    fast = await exchange(http, content, headers, method)
    with fast_paths_off(live):
        general = await exchange(http, content, headers, method)
    assert fast == general, body
    if method == "GET":
        return {"status": fast[0]}
    decoded: dict[str, Any] = orjson.loads(fast[2])
    return decoded


def codes(answer: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in answer.get("errors", ())]


@pytest.fixture
async def sessions(db: asyncpg.Connection[Any]) -> list[str]:
    rows = await db.fetch("SELECT id FROM session ORDER BY id LIMIT 4")
    return [r["id"] for r in rows]


@pytest.fixture
async def attendee(people: People) -> Person:
    return await people.make()


async def test_good_bookmarks_are_the_general_paths_bytes(
    live: LiveServer,
    http: httpx.AsyncClient,
    attendee: Person,
    sessions: list[str],
    db: asyncpg.Connection[Any],
) -> None:
    signed_in = attendee.headers
    english = {**signed_in, "accept-language": "en-GB,en;q=0.9"}
    cases: list[tuple[dict[str, Any], dict[str, str]]] = [
        ({"query": BENCH, "variables": {"id": sessions[0]}}, signed_in),
        ({"query": BENCH, "variables": {"id": sessions[0]}, "operationName": "Bookmark"}, english),
        ({"query": ID_ONLY, "variables": {"id": sessions[1]}}, signed_in),
        ({"query": ID_ONLY, "variables": {"id": sessions[1], "extra": [1, {"x": None}]}}, english),
        ({"query": RICH, "variables": {"id": sessions[2], "l": "EN"}}, signed_in),
        ({"query": RICH, "variables": {"id": sessions[2], "l": None}}, english),
        ({"query": RICH, "variables": {"id": sessions[2]}}, english),
        # Rendered once per language: French first, then English.
        ({"query": LITERAL % sessions[3]}, signed_in),
        ({"query": LITERAL % sessions[3]}, english),
    ]
    for body, headers in cases:
        for method in ("POST", "CHUNKED"):
            answer = await same_response(live, http, body, headers, method)
            assert "errors" not in answer, (body, answer)
            assert answer["data"], body
    marked = await db.fetch(
        "SELECT session_id FROM bookmark WHERE person_id = $1 ORDER BY session_id", attendee.id
    )
    assert [r["session_id"] for r in marked] == sessions


async def test_bad_bookmarks_get_the_general_paths_errors(
    live: LiveServer,
    http: httpx.AsyncClient,
    attendee: Person,
    sessions: list[str],
    db: asyncpg.Connection[Any],
) -> None:
    signed_in = attendee.headers
    session = sessions[0]
    cases: list[tuple[dict[str, Any], dict[str, str], list[str]]] = [
        ({"query": BENCH, "variables": {"id": True}}, signed_in, ["BAD_USER_INPUT"]),
        ({"query": BENCH, "variables": {"id": 1.5}}, signed_in, ["BAD_USER_INPUT"]),
        ({"query": BENCH, "variables": {"id": ["x"]}}, signed_in, ["BAD_USER_INPUT"]),
        ({"query": BENCH, "variables": {"id": {"a": 1}}}, signed_in, ["BAD_USER_INPUT"]),
        ({"query": BENCH, "variables": {"id": None}}, signed_in, ["BAD_USER_INPUT"]),
        ({"query": BENCH, "variables": {}}, signed_in, ["BAD_USER_INPUT"]),
        ({"query": BENCH, "variables": None}, signed_in, ["BAD_USER_INPUT"]),
        ({"query": BENCH}, signed_in, ["BAD_USER_INPUT"]),
        ({"query": BENCH, "variables": {"id": "ses-\x00"}}, signed_in, ["BAD_USER_INPUT"]),
        (
            {"query": BENCH, "variables": {"id": session, "other": "a\x00"}},
            signed_in,
            ["BAD_USER_INPUT"],
        ),
        (
            {"query": BENCH, "variables": {"id": session, "a\x00": 1}},
            signed_in,
            ["BAD_USER_INPUT"],
        ),
        ({"query": RICH, "variables": {"id": session, "l": "DE"}}, signed_in, ["BAD_USER_INPUT"]),
        ({"query": RICH, "variables": {"id": session, "l": 1}}, signed_in, ["BAD_USER_INPUT"]),
        ({"query": WRONG_TYPE, "variables": {"id": session}}, signed_in, ["BAD_USER_INPUT"]),
        ({"query": NULLABLE, "variables": {"id": session}}, signed_in, ["BAD_USER_INPUT"]),
        (
            {"query": BENCH, "variables": {"id": session}, "operationName": "Other"},
            signed_in,
            ["BAD_USER_INPUT"],
        ),
        ({"query": BENCH, "variables": {"id": "ses-none"}}, signed_in, ["NOT_FOUND"]),
        ({"query": BENCH, "variables": {"id": 5}}, signed_in, ["NOT_FOUND"]),
        ({"query": BENCH, "variables": {"id": "x" * 200_000}}, signed_in, ["NOT_FOUND"]),
        ({"query": LITERAL % "ses-none"}, signed_in, ["NOT_FOUND"]),
        ({"query": TWO, "variables": {"id": "ses-none"}}, signed_in, ["NOT_FOUND"]),
        ({"query": BENCH, "variables": {"id": session}}, {}, ["UNAUTHENTICATED"]),
        (
            {"query": BENCH, "variables": {"id": session}},
            {"authorization": "Bearer salon_not-a-token"},
            ["UNAUTHENTICATED"],
        ),
        (
            {"query": BENCH, "variables": {"id": session}},
            {"authorization": "Basic abc"},
            ["UNAUTHENTICATED"],
        ),
    ]
    for body, headers, expected in cases:
        for method in ("POST", "CHUNKED"):
            answer = await same_response(live, http, body, headers, method)
            assert codes(answer) == expected, (body, answer, method)
    sent_with_get = {"query": BENCH, "variables": orjson.dumps({"id": session}).decode()}
    assert await same_response(live, http, sent_with_get, signed_in, "GET") == {"status": 405}
    # Nothing was bookmarked by any of them.
    count = "SELECT count(*) FROM bookmark WHERE person_id = $1"
    assert await db.fetchval(count, attendee.id) == 0


async def test_a_body_over_the_limit_is_refused_the_same(
    live: LiveServer, http: httpx.AsyncClient, attendee: Person
) -> None:
    huge = {"query": BENCH, "variables": {"id": "x" * live.runtime.settings.max_body_bytes}}
    content = orjson.dumps(huge)
    fast = await exchange(http, content, attendee.headers)
    with fast_paths_off(live):
        general = await exchange(http, content, attendee.headers)
    assert fast == general
    assert fast[0] == 413


async def test_the_token_is_answered_before_the_body_however_it_is_sent(
    live: LiveServer, http: httpx.AsyncClient, attendee: Person
) -> None:
    """A JSON body of a declared length is read before the token is checked (so a
    signed-in bookmark uses one pooled connection): the answers stay in the same order.
    A bad token wins over a malformed body and over a chunked body past the limit."""
    bad_token = {"authorization": "Bearer salon_not-a-token"}
    malformed = b'{"query": "mutation'
    too_long = b'{"query": "' + b"x" * live.runtime.settings.max_body_bytes + b'"}'
    for method in ("POST", "CHUNKED"):
        for content in (malformed, b"[1]", b""):
            status, _, body = await exchange(http, content, bad_token, method)
            assert (status, codes(orjson.loads(body))) == (200, ["UNAUTHENTICATED"]), content
            status, _, body = await exchange(http, content, attendee.headers, method)
            assert (status, codes(orjson.loads(body))) == (400, ["BAD_USER_INPUT"]), content
    status, _, body = await exchange(http, too_long, bad_token, "CHUNKED")
    assert (status, codes(orjson.loads(body))) == (200, ["UNAUTHENTICATED"])
    status, _, _ = await exchange(http, too_long, attendee.headers, "CHUNKED")
    assert status == 413


# --------------------------------------------------------------------------------------
# What the fast path works out once per prepared operation
# --------------------------------------------------------------------------------------


def prepared_of(runner: OperationRunner, document: str) -> Prepared:
    prepared = runner.prepare(document, None)
    assert isinstance(prepared, Prepared), prepared
    return prepared


def test_the_benchs_bookmark_is_planned_whole(live: LiveServer) -> None:
    """The app's and the bench's documents: variables by the leaf coercer, the argument
    straight from its variable, one renderer per language."""
    runner: OperationRunner = live.app.state.graphql_view.runner
    for document in (BENCH, ID_ONLY):
        answer = runner.mutation_answer(prepared_of(runner, document))
        assert answer is not None, document
        assert answer.coercer is not None
        assert answer.arguments == (("sessionId", "id"),)
        assert answer.renderers is not None
    rich = runner.mutation_answer(prepared_of(runner, RICH))
    assert rich is not None
    assert rich.coercer is not None
    assert rich.renderers is None  # `abstract(lang: $l)`: rendered per request
    literal = runner.mutation_answer(prepared_of(runner, LITERAL % "ses-001"))
    assert literal is not None
    assert literal.arguments is None  # read by graphql-core's get_argument_values
    for other in (TWO, "{ sessions(first: 1) { nodes { id } } }"):
        assert runner.mutation_answer(prepared_of(runner, other)) is None
