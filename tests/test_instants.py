"""Instants far off are refused at the door; anything scheduled stays near the fair; a
refused mutation changes nothing, and nothing stored can break a read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from server.clock import Clock
from tests.conftest import GraphQLClient, People, Person

#: What a careless or hostile client sends: years 1 and 9999, in offsets that overflow
#: when shifted to UTC or to the fair's clocks, and the 9999 demo that broke `sessions`.
FAR_OFF = [
    "0001-01-01T00:00+05:00",
    "9999-12-31T23:59-05:00",
    "9999-12-31T22:00Z",
    "9999-12-31T23:59Z",
    "0001-01-01T00:00",
    "1999-12-31T23:59:59Z",
    "2101-01-01T00:00Z",
]
#: Accepted as instants, but outside the fair's days give or take seven days (the
#: fair's days are 3–6 December 2026: 26 November 00:00 to 14 December 00:00, UTC+00,
#: both included).
BEYOND_THE_FAIR = [
    "2026-11-25T23:59Z",
    "2026-12-14T00:00:01Z",
    "2027-06-01T10:00Z",
    "2099-12-31T10:00Z",
]

#: "Now", for these tests: the day before the fair opens.
NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)

UPDATE = """mutation($id: ID!, $input: SessionChangeInput!) {
  updateSession(id: $id, input: $input) { id version startsAt endsAt title } }"""
DEMO = """mutation($input: DemoInput!) { scheduleDemo(input: $input) { id startsAt endsAt } }"""
BROADCAST = """mutation($input: AnnouncementInput!) {
  broadcastAnnouncement(input: $input) { id createdAt } }"""
WITHDRAW = "mutation($id: ID!) { withdrawAnnouncement(id: $id) }"
SESSIONS = """query($filter: SessionFilter) { sessions(filter: $filter, first: 200) {
  totalCount nodes { id startsAt endsAt } } }"""
EXHIBITOR_DEMOS = """query($id: ID!) { exhibitor(id: $id) { demos { id startsAt endsAt } } }"""

WRITTEN = ["session", "notice", "notice_recipient", "audit_log"]


async def counts(db: asyncpg.Connection[Any]) -> dict[str, int]:
    return {t: await db.fetchval(f"SELECT count(*) FROM {t}") for t in WRITTEN}


@pytest.fixture
def now(fair_clock: Clock) -> Clock:
    fair_clock.freeze(NOW)
    return fair_clock


@pytest.fixture
async def organiser(people: People) -> Person:
    return await people.make("ORGANISER")


@pytest.fixture
async def talk(db: asyncpg.Connection[Any]) -> AsyncIterator[dict[str, Any]]:
    """A talk of this test's own, in a room, after closing time on the last day."""
    room = await db.fetchval("SELECT id FROM room ORDER BY id DESC LIMIT 1")
    row = await db.fetchrow(
        """INSERT INTO session (id, kind, title_fr, starts_at, ends_at, room_id)
           VALUES ('ses-instants', 'CONFERENCE', 'Bornes', $1, $2, $3) RETURNING *""",
        datetime(2026, 12, 6, 21, tzinfo=UTC),
        datetime(2026, 12, 6, 21, 45, tzinfo=UTC),
        room,
    )
    yield dict(row)
    await db.execute("DELETE FROM notice WHERE session_id = 'ses-instants'")
    await db.execute("DELETE FROM session WHERE id = 'ses-instants'")


@pytest.fixture
async def staff(people: People, db: asyncpg.Connection[Any]) -> tuple[Person, str]:
    exhibitor_id = await db.fetchval(
        "SELECT exhibitor_id FROM booth WHERE exhibitor_id IS NOT NULL ORDER BY code LIMIT 1"
    )
    return await people.make("EXHIBITOR", exhibitor_id=exhibitor_id), exhibitor_id


async def session_row(db: asyncpg.Connection[Any], session_id: str) -> dict[str, Any]:
    return dict(await db.fetchrow("SELECT * FROM session WHERE id = $1", session_id))


# --- at the door: the DateTime scalar -----------------------------------------------------


@pytest.mark.usefixtures("now")
@pytest.mark.parametrize("instant", FAR_OFF)
async def test_far_off_instants_are_refused_in_every_argument_and_change_nothing(
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    organiser: Person,
    talk: dict[str, Any],
    staff: tuple[Person, str],
    instant: str,
) -> None:
    person, exhibitor_id = staff
    before, sessions = await counts(db), await gql_http.data(SESSIONS)
    demo = {"exhibitorId": exhibitor_id, "title": "Démo", "startsAt": "2026-12-04T10:00Z"}
    attempts: list[tuple[str, dict[str, Any], Person | None]] = [
        (UPDATE, {"id": talk["id"], "input": {"startsAt": instant}}, organiser),
        (UPDATE, {"id": talk["id"], "input": {"endsAt": instant}}, organiser),
        (UPDATE, {"id": talk["id"], "input": {"startsAt": instant, "endsAt": instant}}, organiser),
        (DEMO, {"input": {**demo, "endsAt": instant}}, person),
        (DEMO, {"input": {**demo, "startsAt": instant, "endsAt": instant}}, person),
        (
            BROADCAST,
            {
                "input": {
                    "title": "x",
                    "body": "y",
                    "sendAt": instant,
                    "audience": {"everyone": True},
                }
            },
            organiser,
        ),
        (SESSIONS, {"filter": {"happeningAt": instant}}, None),
        (SESSIONS, {"filter": {"startsAfter": instant}}, None),
    ]
    for query, variables, as_ in attempts:
        # One error for each argument that holds the instant.
        expected = ["BAD_USER_INPUT"] * str(variables).count(instant)
        assert await gql_http.error_codes(query, variables, as_) == expected, variables
    assert await counts(db) == before
    assert await session_row(db, talk["id"]) == talk
    assert await gql_http.data(SESSIONS) == sessions


async def test_the_refusal_says_what_is_accepted(gql_http: GraphQLClient) -> None:
    body = await gql_http(SESSIONS, {"filter": {"happeningAt": "9999-12-31T23:59-05:00"}})
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "Variable '$filter' has invalid value at .happeningAt: Expected "
                "value of type 'DateTime', but encountered error 'DateTime "
                "9999-12-31T23:59-05:00 is out of range: Salon accepts instants from "
                "2000-01-01T00:00:00+00:00 to 2100-12-31T23:59:59+00:00.'; found: "
                "'9999-12-31T23:59-05:00'.",
                "locations": [{"line": 1, "column": 7}],
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ],
    }


async def test_far_off_instants_written_in_the_document_are_refused_too(
    gql_http: GraphQLClient, organiser: Person, talk: dict[str, Any], db: asyncpg.Connection[Any]
) -> None:
    for instant in ("0001-01-01T00:00+05:00", "9999-12-31T23:59-05:00"):
        inline = (
            f'mutation {{ updateSession(id: "{talk["id"]}", '
            f'input: {{startsAt: "{instant}"}}) {{ id }} }}'
        )
        assert await gql_http.error_codes(inline, as_=organiser) == ["BAD_USER_INPUT"]
        query = f'{{ sessions(filter: {{happeningAt: "{instant}"}}) {{ totalCount }} }}'
        assert await gql_http.error_codes(query) == ["BAD_USER_INPUT"]
    assert await session_row(db, talk["id"]) == talk


async def test_the_ends_of_the_range_are_accepted(gql_http: GraphQLClient) -> None:
    everything = (await gql_http.data(SESSIONS))["sessions"]["totalCount"]
    found = [
        (await gql_http.data(SESSIONS, {"filter": {"startsAfter": instant}}))["sessions"][
            "totalCount"
        ]
        for instant in (
            "2000-01-01T00:00:00+00:00",
            "2000-01-01T04:00+04:00",
            "2100-12-31T23:59:59Z",
        )
    ]
    assert found == [everything, everything, 0]


# --- anything scheduled stays near the fair -----------------------------------------------


@pytest.mark.usefixtures("now")
@pytest.mark.parametrize("instant", BEYOND_THE_FAIR)
async def test_nothing_is_scheduled_far_from_the_fair(
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    organiser: Person,
    talk: dict[str, Any],
    staff: tuple[Person, str],
    instant: str,
) -> None:
    person, exhibitor_id = staff
    before = await counts(db)
    late = datetime.fromisoformat(instant)
    demo = {
        "exhibitorId": exhibitor_id,
        "title": "Démo",
        "startsAt": (late - timedelta(minutes=20)).isoformat(),
        "endsAt": instant,
    }
    attempts: list[tuple[str, dict[str, Any], Person]] = [
        (UPDATE, {"id": talk["id"], "input": {"startsAt": instant}}, organiser),
        (UPDATE, {"id": talk["id"], "input": {"endsAt": instant}}, organiser),
        (DEMO, {"input": demo}, person),
        (
            DEMO,
            {
                "input": {
                    **demo,
                    "startsAt": instant,
                    "endsAt": (late + timedelta(minutes=20)).isoformat(),
                }
            },
            person,
        ),
        (
            BROADCAST,
            {
                "input": {
                    "title": "x",
                    "body": "y",
                    "sendAt": instant,
                    "audience": {"everyone": True},
                }
            },
            organiser,
        ),
    ]
    for query, variables, as_ in attempts:
        assert await gql_http.error_codes(query, variables, as_) == ["BAD_USER_INPUT"], variables
    assert await counts(db) == before
    assert await session_row(db, talk["id"]) == talk


@pytest.mark.usefixtures("now")
async def test_the_refusal_says_when_things_may_be_scheduled(
    gql_http: GraphQLClient, organiser: Person, talk: dict[str, Any]
) -> None:
    body = await gql_http(
        UPDATE, {"id": talk["id"], "input": {"startsAt": "2027-06-01T11:00+01:00"}}, as_=organiser
    )
    assert body["errors"] == [
        {
            "message": "startsAt 2027-06-01T10:00:00+00:00 is too far from the fair: anything "
            "scheduled falls between 2026-11-26T00:00:00+00:00 and 2026-12-14T00:00:00+00:00 "
            "(the fair's days, give or take 7 days).",
            "locations": [{"line": 2, "column": 3}],
            "path": ["updateSession"],
            "extensions": {"code": "BAD_USER_INPUT"},
        }
    ]


@pytest.mark.usefixtures("now")
async def test_moving_only_the_start_may_not_push_the_end_past_the_window(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], organiser: Person, talk: dict[str, Any]
) -> None:
    # 45 minutes long: starting at 23:30 on the last day of the margin ends after it.
    before = await counts(db)
    variables = {"id": talk["id"], "input": {"startsAt": "2026-12-13T23:30Z"}}
    assert await gql_http.error_codes(UPDATE, variables, organiser) == ["BAD_USER_INPUT"]
    assert (await counts(db), await session_row(db, talk["id"])) == (before, talk)


@pytest.mark.usefixtures("now")
async def test_the_edges_of_the_window_are_accepted(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], organiser: Person, talk: dict[str, Any]
) -> None:
    moved = await gql_http.data(
        UPDATE,
        {
            "id": talk["id"],
            "input": {"startsAt": "2026-12-13T23:00Z", "endsAt": "2026-12-14T00:00Z"},
        },
        as_=organiser,
    )
    assert moved["updateSession"] == {
        "id": talk["id"],
        "version": 2,
        "startsAt": "2026-12-13T23:00:00+00:00",
        "endsAt": "2026-12-14T00:00:00+00:00",
        "title": "Bornes",
    }
    held = await gql_http.data(
        BROADCAST,
        {
            "input": {
                "title": "Démontage",
                "body": "Les halls ferment.",
                "sendAt": "2026-12-13T23:59:59+00:00",
                "audience": {"roles": ["EXHIBITOR"]},
            }
        },
        as_=organiser,
    )
    assert held["broadcastAnnouncement"]["createdAt"] == "2026-12-13T23:59:59+00:00"
    withdrawn = await gql_http.data(
        WITHDRAW, {"id": held["broadcastAnnouncement"]["id"]}, as_=organiser
    )
    assert withdrawn == {"withdrawAnnouncement": True}


@pytest.mark.usefixtures("now")
async def test_send_at_in_the_past_is_refused_beyond_a_few_minutes(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], organiser: Person, people: People
) -> None:
    person = await people.make()
    announcement = {"title": "x", "body": "y", "audience": {"userIds": [str(person.id)]}}
    before = await counts(db)
    stale = (NOW - timedelta(minutes=6)).isoformat()
    assert await gql_http.error_codes(
        BROADCAST, {"input": {**announcement, "sendAt": stale}}, organiser
    ) == ["BAD_USER_INPUT"]
    assert await counts(db) == before
    # A minute late (a phone's clock, a slow form) is "now": sent at once.
    late = (NOW - timedelta(minutes=1)).isoformat()
    sent = await gql_http.data(BROADCAST, {"input": {**announcement, "sendAt": late}}, organiser)
    assert sent["broadcastAnnouncement"]["createdAt"] == NOW.isoformat()


# --- nothing stored can break a read -------------------------------------------------------


@pytest.mark.usefixtures("now")
async def test_a_far_off_demo_never_reaches_the_database_and_reads_keep_working(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], staff: tuple[Person, str]
) -> None:
    person, exhibitor_id = staff
    demos = await gql_http.data(EXHIBITOR_DEMOS, {"id": exhibitor_id})
    sessions = await gql_http.data(SESSIONS)
    demo = {
        "exhibitorId": exhibitor_id,
        "title": "Démo de l'an 9999",
        "startsAt": "9999-12-31T22:00Z",
        "endsAt": "9999-12-31T23:00-05:00",
    }
    assert await gql_http.error_codes(DEMO, {"input": demo}, person) == ["BAD_USER_INPUT"] * 2
    assert (
        await db.fetchval(
            """SELECT count(*) FROM session
                WHERE ends_at > '2101-01-01T00:00Z' OR starts_at < '2000-01-01T00:00Z'"""
        )
        == 0
    )
    assert await gql_http.data(EXHIBITOR_DEMOS, {"id": exhibitor_id}) == demos
    assert await gql_http.data(SESSIONS) == sessions
