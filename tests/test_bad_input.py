"""Bad input gets a clear, coded error and changes nothing: malformed bodies, NUL
characters, ids that only look like numbers. Never a 500, never INTERNAL_SERVER_ERROR."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import asyncpg
import httpx
import pytest

from server.domain.pagination import encode_cursor
from tests.conftest import GraphQLClient, LiveServer, People, Person
from tests.live_client import live_client

BAD_USER_INPUT = {"code": "BAD_USER_INPUT"}


def refusal(response: httpx.Response) -> tuple[int, list[str], Any]:
    body = response.json()
    return response.status_code, [e["extensions"]["code"] for e in body["errors"]], body["data"]


# --- malformed bodies: 400 with a GraphQL-shaped error ---------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b'{"query": "{ event { id } }\xff"}',  # invalid UTF-8 in the document
        b'{"query": "{ event { id } }", "variables": {"a": "\xff"}}',  # … in a variable
        b"[" * 100_000 + b"]" * 100_000,  # 100,000-deep JSON
        b'"{ event { id } }"',  # a JSON string instead of an object
        b'[{"query": "{ event { id } }"}]',  # a batch
        b'{"query": 42}',
        b'{"query": "{ event { id } }", "variables": [1]}',
        b'{"query": "{ event { id } }", "operationName": 7}',
        b"{not json",
    ],
)
async def test_malformed_bodies_are_400_with_a_graphql_error(
    http: httpx.AsyncClient, content: bytes
) -> None:
    response = await http.post(
        "/graphql", content=content, headers={"content-type": "application/json"}
    )
    assert refusal(response) == (400, ["BAD_USER_INPUT"], None)


async def test_a_body_that_is_not_json_is_400(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", content=b"query=x", headers={"content-type": "text/plain"}
    )
    assert refusal(response) == (400, ["BAD_USER_INPUT"], None)


async def test_get_with_broken_variables_is_400(http: httpx.AsyncClient) -> None:
    for variables in ("{", "[1]", '"x"'):
        response = await http.get(
            "/graphql", params={"query": "{ event { id } }", "variables": variables}
        )
        assert refusal(response) == (400, ["BAD_USER_INPUT"], None), variables


# --- NUL characters are refused at the edge, in every string argument -----------------

NUL = "a\x00b"


@pytest.fixture
async def organiser(people: People) -> Person:
    return await people.make("ORGANISER")


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query($t: String!) { search(text: $t) { sessions { id } } }", {"t": NUL}),
        ("query($id: ID!) { session(id: $id) { id } }", {"id": NUL}),
        ("query($id: ID!) { exhibitor(id: $id) { id } }", {"id": NUL}),
        ("query($a: String) { sessions(after: $a) { totalCount } }", {"a": NUL}),
        ("query($a: ID) { notices(after: $a) { id } }", {"a": NUL}),
        (
            "query($f: SessionFilter) { sessions(filter: $f) { totalCount } }",
            {"f": {"search": NUL}},
        ),
        ("mutation($e: String!) { requestSignInCode(email: $e) }", {"e": f"x{NUL}@y.example"}),
        ("mutation($b: String!) { signInWithBadge(badgeCode: $b) { token } }", {"b": NUL}),
        # In the document itself, as an escape in a string literal.
        ('{ search(text: "a\\u0000b") { sessions { id } } }', {}),
        ('{ session(id: "ses-\\u0000") { id } }', {}),
    ],
)
async def test_nul_in_any_string_argument_is_bad_user_input(
    gql_http: GraphQLClient, query: str, variables: dict[str, Any]
) -> None:
    body = await gql_http(query, variables)
    assert (body["data"], [e["extensions"] for e in body["errors"]]) == (None, [BAD_USER_INPUT])


async def test_nul_in_an_announcement_changes_nothing(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], organiser: Person
) -> None:
    before = await db.fetchval("SELECT count(*) FROM notice")
    announcement = {"title": NUL, "body": "—", "audience": {"everyone": True}}
    assert await gql_http.error_codes(
        "mutation($i: AnnouncementInput!) { broadcastAnnouncement(input: $i) { id } }",
        {"i": announcement},
        as_=organiser,
    ) == ["BAD_USER_INPUT"]
    assert await db.fetchval("SELECT count(*) FROM notice") == before


async def test_nul_over_a_websocket_operation_is_bad_user_input(live: LiveServer) -> None:
    async with live_client(live.ws_url) as ws:
        operation = await ws.subscribe(
            "query($t: String!) { search(text: $t) { sessions { id } } }", {"t": NUL}
        )
        message = await ws.message()
    assert (message["type"], message["id"]) in (("error", operation), ("next", operation))
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"]


async def test_nul_in_a_calendar_path_is_not_found(http: httpx.AsyncClient) -> None:
    response = await http.get("/calendar/abc%00def.ics")
    assert response.status_code == 404


# --- ids and cursors: ASCII digits that fit a bigint, nothing else ---------------------

LOOKALIKES = ["²", "³", "٣", "99999999999999999999", "1e3", " 7", "-1", ""]


@pytest.mark.parametrize("value", [v for v in LOOKALIKES if v])  # "": from the start
async def test_a_cursor_that_only_looks_like_a_number_is_bad_user_input(
    gql_http: GraphQLClient, value: str
) -> None:
    assert await gql_http.error_codes(
        "query($a: ID) { notices(after: $a) { id } }", {"a": value}
    ) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("value", LOOKALIKES)
async def test_a_person_id_that_only_looks_like_a_number_is_not_found(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], organiser: Person, value: str
) -> None:
    before = await db.fetchval("SELECT count(*) FROM notice")
    announcement = {"title": "Test", "body": "—", "audience": {"userIds": [value]}}
    assert await gql_http.error_codes(
        "mutation($i: AnnouncementInput!) { broadcastAnnouncement(input: $i) { id } }",
        {"i": announcement},
        as_=organiser,
    ) == ["NOT_FOUND"]
    assert await db.fetchval("SELECT count(*) FROM notice") == before


@pytest.mark.parametrize("value", ["pending-²", "pending-99999999999999999999", "pending-"])
async def test_withdrawing_a_lookalike_pending_id_is_a_clear_conflict(
    gql_http: GraphQLClient, organiser: Person, value: str
) -> None:
    assert await gql_http.error_codes(
        "mutation($id: ID!) { withdrawAnnouncement(id: $id) }", {"id": value}, as_=organiser
    ) == ["CONFLICT"]


def test_the_lookalikes_really_fool_isdigit() -> None:
    # Why str.isdigit() is not a parser: these pass it, and int() then fails or lies.
    assert ["²".isdigit(), "٣".isdigit(), json.loads('"\\u0663"') == "٣"] == [True, True, True]


@pytest.mark.parametrize("key", ["0001-01-01T00:00+05:00", "9999-12-31T23:59-05:00", "x"])
async def test_a_forged_session_cursor_is_bad_user_input(gql_http: GraphQLClient, key: str) -> None:
    forged = encode_cursor(key, "ses-001")
    assert await gql_http.error_codes(
        "query($a: String) { sessions(after: $a) { totalCount } }", {"a": forged}
    ) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("field", ["sessions", "exhibitors", "speakers"])
@pytest.mark.parametrize(
    ("key", "item_id"),
    [("\x00", "exh-001"), ("Acier", "a\x00b"), ("2026-12-03T09:30:00+00:00", "\x00")],
)
async def test_a_cursor_hiding_a_nul_is_bad_user_input(
    gql_http: GraphQLClient, field: str, key: str, item_id: str
) -> None:
    # Found by tests/test_fuzz.py: the NUL is inside the base64, past the edge's check,
    # and PostgreSQL refused the text (INTERNAL_SERVER_ERROR).
    forged = encode_cursor(key, item_id)
    assert await gql_http.error_codes(
        f"query($a: String) {{ {field}(after: $a) {{ totalCount }} }}", {"a": forged}
    ) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_a_far_off_now_stops_the_command_with_a_clear_message(command: str) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from server.cli import main; main()",
            command,
            "--now",
            "9999-12-31T23:59-05:00",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr.splitlines()[-1].startswith("salon: error: --now")) == (
        2,
        True,
    )


# --- refusals say what was refused ----------------------------------------------------


async def test_a_demo_without_a_title_is_refused_as_a_demo(
    gql_http: GraphQLClient, organiser: Person
) -> None:
    # Seen in tests/test_fuzz.py's refusals: it used to say "An announcement needs a title."
    demo = {
        "exhibitorId": "exh-001",
        "title": "  ",
        "startsAt": "2026-12-05T16:00:00+00:00",
        "endsAt": "2026-12-05T16:20:00+00:00",
    }
    body = await gql_http(
        "mutation($d: DemoInput!) { scheduleDemo(input: $d) { id } }", {"d": demo}, as_=organiser
    )
    assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [
        ("BAD_USER_INPUT", "A demo needs a title.")
    ]
