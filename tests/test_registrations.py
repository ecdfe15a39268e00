"""Registrations: seats while any are left, then a fair waitlist; never overbooked."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeAlias

import asyncpg
import httpx
import pytest

from server.auth.signin import issue_token
from server.clock import Clock
from tests.conftest import GraphQLClient, LiveServer, People, Person, replace
from tests.fair_data import FAIR_EVE

REGISTER = """mutation($id: ID!) { registerForSession(sessionId: $id) {
    status waitlistPosition session { id seatsLeft viewerRegistration } } }"""
CANCEL = "mutation($id: ID!) { cancelRegistration(sessionId: $id) }"
SESSION = "query($id: ID!) { session(id: $id) { seatsLeft viewerRegistration } }"
SCHEDULE = "{ me { schedule { sessions { id viewerRegistration } } } }"

Db: TypeAlias = "asyncpg.Connection[Any]"


@pytest.fixture
async def cleanup(db: Db) -> AsyncIterator[list[str]]:
    """Sessions whose registrations are removed when the test ends, however it ends."""
    touched: list[str] = []
    yield touched
    await db.execute("DELETE FROM registration WHERE session_id = any($1::text[])", touched)


async def free_session(db: Db, where: str, cleanup: list[str]) -> tuple[str, int | None]:
    """(id, capacity) of a scheduled session, future by the suite's clock, matching
    `where` that nobody has registered for yet; its registrations are removed at the end
    of the test."""
    row = await db.fetchrow(
        f"""SELECT id, capacity FROM session s
             WHERE {where} AND status = 'SCHEDULED' AND starts_at > $1
               AND NOT EXISTS (SELECT 1 FROM registration r WHERE r.session_id = s.id)
             ORDER BY capacity, starts_at, id LIMIT 1""",
        FAIR_EVE,
    )
    assert row is not None, f"the demo fair has no free session with {where}"
    cleanup.append(row["id"])
    return row["id"], row["capacity"]


async def registrations(db: Db, session_id: str) -> list[tuple[int, str]]:
    """(person id, status) of a session's registrations, first come first."""
    rows = await db.fetch(
        "SELECT person_id, status FROM registration WHERE session_id = $1 ORDER BY id",
        session_id,
    )
    return [(r["person_id"], r["status"]) for r in rows]


async def registration_table(db: Db) -> list[tuple[Any, ...]]:
    rows = await db.fetch(
        "SELECT id, person_id, session_id, status, created_at FROM registration ORDER BY id"
    )
    return [tuple(r) for r in rows]


async def register(gql: GraphQLClient, person: Person, session_id: str) -> dict[str, Any]:
    data = await gql.data(REGISTER, {"id": session_id}, as_=person)
    registration: dict[str, Any] = data["registerForSession"]
    return registration


async def cancel(gql: GraphQLClient, person: Person, session_id: str) -> bool:
    data = await gql.data(CANCEL, {"id": session_id}, as_=person)
    cancelled: bool = data["cancelRegistration"]
    return cancelled


async def seen_by(gql: GraphQLClient, person: Person | None, session_id: str) -> dict[str, Any]:
    data = await gql.data(SESSION, {"id": session_id}, as_=person)
    session: dict[str, Any] = data["session"]
    return session


def place(
    session_id: str, status: str, position: int | None, seats_left: int | None
) -> dict[str, Any]:
    """What registerForSession answers."""
    return {
        "status": status,
        "waitlistPosition": position,
        "session": {"id": session_id, "seatsLeft": seats_left, "viewerRegistration": status},
    }


async def fill(
    gql: GraphQLClient, people: People, session_id: str, capacity: int, waiting: int
) -> tuple[list[Person], list[Person]]:
    """Take every seat, one registration after the other, then queue `waiting` more.
    Checks every answer on the way: seats count down, then positions count up."""
    seated, queued = (await people.many(capacity)), (await people.many(waiting))
    for taken, person in enumerate(seated, start=1):
        assert await register(gql, person, session_id) == place(
            session_id, "REGISTERED", None, capacity - taken
        )
    for position, person in enumerate(queued, start=1):
        assert await register(gql, person, session_id) == place(
            session_id, "WAITLISTED", position, 0
        )
    return seated, queued


async def test_seats_are_given_while_any_remain_then_waitlist_places_in_order(
    gql_http: GraphQLClient, people: People, db: Db, cleanup: list[str]
) -> None:
    session_id, capacity = await free_session(db, "capacity IS NOT NULL", cleanup)
    assert capacity is not None
    assert await seen_by(gql_http, None, session_id) == {
        "seatsLeft": capacity,
        "viewerRegistration": None,
    }
    seated, queued = await fill(gql_http, people, session_id, capacity, waiting=3)
    assert await registrations(db, session_id) == [(p.id, "REGISTERED") for p in seated] + [
        (p.id, "WAITLISTED") for p in queued
    ]
    assert await seen_by(gql_http, None, session_id) == {"seatsLeft": 0, "viewerRegistration": None}


async def test_registering_twice_returns_the_same_place_and_adds_no_row(
    gql_http: GraphQLClient, people: People, db: Db, cleanup: list[str]
) -> None:
    session_id, capacity = await free_session(db, "capacity IS NOT NULL", cleanup)
    assert capacity is not None
    seated, queued = await fill(gql_http, people, session_id, capacity, waiting=2)
    before = await registration_table(db)
    assert await register(gql_http, seated[0], session_id) == place(
        session_id, "REGISTERED", None, 0
    )
    assert await register(gql_http, queued[1], session_id) == place(session_id, "WAITLISTED", 2, 0)
    assert await registration_table(db) == before


async def test_cancelling_a_seat_gives_it_to_the_first_on_the_waitlist(
    gql_http: GraphQLClient, people: People, db: Db, cleanup: list[str]
) -> None:
    session_id, capacity = await free_session(db, "capacity IS NOT NULL", cleanup)
    assert capacity is not None
    seated, queued = await fill(gql_http, people, session_id, capacity, waiting=3)

    assert await cancel(gql_http, seated[3], session_id) is True

    assert await seen_by(gql_http, seated[3], session_id) == {
        "seatsLeft": 0,
        "viewerRegistration": None,
    }
    assert await seen_by(gql_http, queued[0], session_id) == {
        "seatsLeft": 0,
        "viewerRegistration": "REGISTERED",
    }
    assert await register(gql_http, queued[0], session_id) == place(
        session_id, "REGISTERED", None, 0
    )
    assert await register(gql_http, queued[1], session_id) == place(session_id, "WAITLISTED", 1, 0)
    assert await register(gql_http, queued[2], session_id) == place(session_id, "WAITLISTED", 2, 0)
    still_seated = [p for p in seated if p != seated[3]]
    assert sorted(await registrations(db, session_id)) == sorted(
        [(p.id, "REGISTERED") for p in [*still_seated, queued[0]]]
        + [(p.id, "WAITLISTED") for p in queued[1:]]
    )


async def test_a_seat_freed_with_nobody_waiting_is_left_free(
    gql_http: GraphQLClient, people: People, db: Db, cleanup: list[str]
) -> None:
    session_id, capacity = await free_session(db, "capacity IS NOT NULL", cleanup)
    assert capacity is not None
    seated, _ = await fill(gql_http, people, session_id, capacity, waiting=0)
    assert await cancel(gql_http, seated[0], session_id) is True
    assert await seen_by(gql_http, None, session_id) == {"seatsLeft": 1, "viewerRegistration": None}
    latecomer = await people.make("ATTENDEE")
    assert await register(gql_http, latecomer, session_id) == place(
        session_id, "REGISTERED", None, 0
    )
    assert await registrations(db, session_id) == [(p.id, "REGISTERED") for p in seated[1:]] + [
        (latecomer.id, "REGISTERED")
    ]


async def test_cancelling_a_waitlist_place_moves_those_behind_up_and_seats_nobody(
    gql_http: GraphQLClient, people: People, db: Db, cleanup: list[str]
) -> None:
    session_id, capacity = await free_session(db, "capacity IS NOT NULL", cleanup)
    assert capacity is not None
    seated, queued = await fill(gql_http, people, session_id, capacity, waiting=3)

    assert await cancel(gql_http, queued[0], session_id) is True

    assert await register(gql_http, queued[1], session_id) == place(session_id, "WAITLISTED", 1, 0)
    assert await register(gql_http, queued[2], session_id) == place(session_id, "WAITLISTED", 2, 0)
    assert await registrations(db, session_id) == [(p.id, "REGISTERED") for p in seated] + [
        (p.id, "WAITLISTED") for p in queued[1:]
    ]


async def test_cancel_registration_is_false_when_there_is_nothing_to_cancel(
    gql_http: GraphQLClient, people: People, db: Db, cleanup: list[str]
) -> None:
    session_id, capacity = await free_session(db, "capacity IS NOT NULL", cleanup)
    person, other = await people.make("ATTENDEE"), await people.make("ATTENDEE")
    await register(gql_http, other, session_id)
    before = await registration_table(db)

    assert await cancel(gql_http, person, session_id) is False

    assert await registration_table(db) == before
    assert await cancel(gql_http, other, session_id) is True
    assert await cancel(gql_http, other, session_id) is False
    assert await registrations(db, session_id) == []
    assert await seen_by(gql_http, None, session_id) == {
        "seatsLeft": capacity,
        "viewerRegistration": None,
    }


async def test_two_hundred_concurrent_registrations_never_overbook_fifty_seats(
    live: LiveServer, gql_http: GraphQLClient, people: People, db: Db, cleanup: list[str]
) -> None:
    session_id, _ = await free_session(db, "capacity = 50", cleanup)
    crowd = await people.many(200)
    body = {"query": REGISTER, "variables": {"id": session_id}}
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=live.url, timeout=60, limits=limits) as client:
        responses = await asyncio.gather(
            *(client.post("/graphql", json=body, headers=p.headers) for p in crowd)
        )
    answers = [r.json() for r in responses]
    assert [(r.status_code, "errors" in a) for r, a in zip(responses, answers, strict=True)] == [
        (200, False)
    ] * 200
    got = {
        p.id: (
            a["data"]["registerForSession"]["status"],
            a["data"]["registerForSession"]["waitlistPosition"],
        )
        for p, a in zip(crowd, answers, strict=True)
    }
    assert Counter(got.values()) == Counter(
        [("REGISTERED", None)] * 50 + [("WAITLISTED", n) for n in range(1, 151)]
    )
    rows = await registrations(db, session_id)
    assert Counter(status for _, status in rows) == {"REGISTERED": 50, "WAITLISTED": 150}
    # Each answer is the place the database keeps: seats and waitlist in arrival order.
    waitlist = [person_id for person_id, status in rows if status == "WAITLISTED"]
    assert {person_id: status for person_id, status in rows} == {
        person_id: status for person_id, (status, _) in got.items()
    }
    assert {
        person_id: position for person_id, (_, position) in got.items() if position is not None
    } == {person_id: n for n, person_id in enumerate(waitlist, start=1)}
    assert await seen_by(gql_http, None, session_id) == {"seatsLeft": 0, "viewerRegistration": None}


async def test_a_session_without_capacity_always_registers_and_has_no_seats_left(
    gql_http: GraphQLClient, people: People, db: Db, cleanup: list[str]
) -> None:
    session_id, capacity = await free_session(db, "capacity IS NULL", cleanup)
    assert capacity is None
    crowd = await people.many(5)
    for person in crowd:
        assert await register(gql_http, person, session_id) == place(
            session_id, "REGISTERED", None, None
        )
    assert await registrations(db, session_id) == [(p.id, "REGISTERED") for p in crowd]
    assert await seen_by(gql_http, None, session_id) == {
        "seatsLeft": None,
        "viewerRegistration": None,
    }


async def test_registering_for_a_cancelled_session_is_a_conflict_and_changes_nothing(
    gql_http: GraphQLClient, people: People, db: Db, cleanup: list[str]
) -> None:
    session_id, capacity = await free_session(db, "capacity IS NOT NULL", cleanup)
    person = await people.make("ATTENDEE")
    before = await registration_table(db)
    await db.execute("UPDATE session SET status = 'CANCELLED' WHERE id = $1", session_id)
    try:
        codes = await gql_http.error_codes(REGISTER, {"id": session_id}, as_=person)
        assert codes == ["CONFLICT"]
        assert await registration_table(db) == before
        assert await seen_by(gql_http, person, session_id) == {
            "seatsLeft": capacity,
            "viewerRegistration": None,
        }
    finally:
        await db.execute("UPDATE session SET status = 'SCHEDULED' WHERE id = $1", session_id)


async def long_lived(db: Db, person: Person) -> Person:
    """The person with a token still valid during the fair (people.make's last a day)."""
    token = await issue_token(db, person.id, datetime.now(UTC), timedelta(days=60))
    return replace(person, token=token)


async def test_registering_once_a_session_has_started_is_a_conflict_and_changes_nothing(
    gql_http: GraphQLClient, people: People, db: Db, fair_clock: Clock, cleanup: list[str]
) -> None:
    session_id, capacity = await free_session(db, "capacity IS NOT NULL", cleanup)
    starts_at: datetime = await db.fetchval(
        "SELECT starts_at FROM session WHERE id = $1", session_id
    )
    late, on_time = [await long_lived(db, await people.make("ATTENDEE")) for _ in range(2)]
    before = await registration_table(db)
    for moment in (starts_at, starts_at + timedelta(minutes=5)):
        fair_clock.freeze(moment)
        assert await gql_http.error_codes(REGISTER, {"id": session_id}, as_=late) == ["CONFLICT"]
        assert await registration_table(db) == before
    fair_clock.freeze(starts_at - timedelta(minutes=1))
    assert capacity is not None
    assert await register(gql_http, on_time, session_id) == place(
        session_id, "REGISTERED", None, capacity - 1
    )


async def test_registering_for_an_unknown_session_is_not_found_and_changes_nothing(
    gql_http: GraphQLClient, people: People, db: Db
) -> None:
    person = await people.make("ATTENDEE")
    before = await registration_table(db)
    for unknown in ("ses-does-not-exist", "", "0"):
        assert await gql_http.error_codes(REGISTER, {"id": unknown}, as_=person) == ["NOT_FOUND"]
        assert await gql_http.error_codes(CANCEL, {"id": unknown}, as_=person) == ["NOT_FOUND"]
    assert await registration_table(db) == before


async def test_anonymous_people_cannot_register_or_cancel(
    gql_http: GraphQLClient, people: People, db: Db, cleanup: list[str]
) -> None:
    session_id, capacity = await free_session(db, "capacity IS NOT NULL", cleanup)
    registered = await people.make("ATTENDEE")
    await register(gql_http, registered, session_id)
    before = await registration_table(db)
    assert await gql_http.error_codes(REGISTER, {"id": session_id}) == ["UNAUTHENTICATED"]
    assert await gql_http.error_codes(CANCEL, {"id": session_id}) == ["UNAUTHENTICATED"]
    assert await registration_table(db) == before
    assert capacity is not None
    assert await seen_by(gql_http, None, session_id) == {
        "seatsLeft": capacity - 1,
        "viewerRegistration": None,
    }


async def test_viewer_registration_and_schedule_follow_the_viewers_registrations(
    gql_http: GraphQLClient, people: People, db: Db, cleanup: list[str]
) -> None:
    limited, capacity = await free_session(db, "capacity IS NOT NULL", cleanup)
    unlimited, _ = await free_session(db, "capacity IS NULL", cleanup)
    assert capacity is not None
    seated, (person,) = await fill(gql_http, people, limited, capacity, waiting=1)
    assert await gql_http.data(SCHEDULE, as_=person) == {
        "me": {"schedule": {"sessions": [{"id": limited, "viewerRegistration": "WAITLISTED"}]}}
    }

    await register(gql_http, person, unlimited)
    by_start = [
        r["id"]
        for r in await db.fetch(
            "SELECT id FROM session WHERE id = any($1::text[]) ORDER BY starts_at, id",
            [limited, unlimited],
        )
    ]
    status = {limited: "WAITLISTED", unlimited: "REGISTERED"}
    assert await gql_http.data(SCHEDULE, as_=person) == {
        "me": {
            "schedule": {"sessions": [{"id": s, "viewerRegistration": status[s]} for s in by_start]}
        }
    }
    assert await seen_by(gql_http, person, limited) == {
        "seatsLeft": 0,
        "viewerRegistration": "WAITLISTED",
    }
    assert await seen_by(gql_http, seated[0], limited) == {
        "seatsLeft": 0,
        "viewerRegistration": "REGISTERED",
    }

    assert await cancel(gql_http, seated[0], limited) is True
    assert await seen_by(gql_http, person, limited) == {
        "seatsLeft": 0,
        "viewerRegistration": "REGISTERED",
    }
    assert await cancel(gql_http, person, unlimited) is True
    assert await gql_http.data(SCHEDULE, as_=person) == {
        "me": {"schedule": {"sessions": [{"id": limited, "viewerRegistration": "REGISTERED"}]}}
    }
    assert await gql_http.data(SCHEDULE, as_=seated[0]) == {"me": {"schedule": {"sessions": []}}}
