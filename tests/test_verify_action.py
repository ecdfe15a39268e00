"""Zulip's verify_action: the schedule a phone held, plus the notices it received,
gives the schedule the server shows afterwards."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.conftest import GraphQLClient, LiveServer, People, Person
from tests.live_client import live_client

pytestmark = pytest.mark.usefixtures("worker")

SESSION = "id version status startsAt room { id } viewerRegistration"
SCHEDULE = f"{{ me {{ schedule {{ sessions {{ {SESSION} }} }} }} }}"


async def schedule(gql: GraphQLClient, person: Person) -> dict[str, dict[str, Any]]:
    sessions = (await gql.data(SCHEDULE, as_=person))["me"]["schedule"]["sessions"]
    return {s["id"]: s for s in sessions}


async def test_state_before_plus_notices_equals_state_after(
    live: LiveServer,
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    people: People,
) -> None:
    person, organiser = await people.make(), await people.make("ORGANISER")
    talks = [
        r["id"]
        for r in await db.fetch(
            """SELECT id FROM session s WHERE kind = 'CONFERENCE' AND status = 'SCHEDULED'
             AND NOT EXISTS (SELECT 1 FROM notice n WHERE n.session_id = s.id)
           ORDER BY starts_at DESC LIMIT 2 OFFSET 3"""
        )
    ]
    workshop = await db.fetchrow(
        """SELECT id, capacity FROM session s WHERE capacity <= 30 AND status = 'SCHEDULED'
             AND NOT EXISTS (SELECT 1 FROM registration r WHERE r.session_id = s.id)
           ORDER BY capacity DESC, id LIMIT 1"""
    )
    others = await people.many(workshop["capacity"])
    register = "mutation($s: ID!) { registerForSession(sessionId: $s) { status } }"
    try:
        for other in others:
            await gql_http.data(register, {"s": workshop["id"]}, as_=other)
        for talk in talks:
            await gql_http.data(
                "mutation($s: ID!) { bookmarkSession(sessionId: $s) { id } }",
                {"s": talk},
                as_=person,
            )
        await gql_http.data(register, {"s": workshop["id"]}, as_=person)  # waitlisted
        held = await schedule(gql_http, person)
        assert held[workshop["id"]]["viewerRegistration"] == "WAITLISTED"

        async with live_client(live.ws_url, person.token) as ws:
            await ws.subscribe()
            later = "2026-12-06T17:00:00+00:00"  # after the last talk: the room is free
            await gql_http.data(
                """mutation($id: ID!, $at: DateTime!) { updateSession(id: $id,
                     input: {startsAt: $at, note: "Créneau avancé"}) { id } }""",
                {"id": talks[0], "at": later},
                as_=organiser,
            )
            await gql_http.data(
                'mutation($id: ID!) { cancelSession(id: $id, reason: "Salle fermée") { id } }',
                {"id": talks[1]},
                as_=organiser,
            )
            await gql_http.data(
                "mutation($id: ID!, $c: Int!) { updateSession(id: $id, input: {capacity: $c})"
                " { id } }",
                {"id": workshop["id"], "c": workshop["capacity"] + 1},
                as_=organiser,
            )
            received = await ws.notices(4)  # moved, cancelled, resized, promoted

        # The phone applies each notice by refetching the session it names.
        for notice in received:
            fresh = await gql_http.data(
                f"query($id: ID!) {{ session(id: $id) {{ {SESSION} }} }}",
                {"id": notice["session"]["id"]},
                as_=person,
            )
            held[notice["session"]["id"]] = fresh["session"]
        assert sorted(n["kind"] for n in received) == [
            "SESSION_CANCELLED",
            "SESSION_CHANGED",
            "SESSION_CHANGED",
            "WAITLIST_PROMOTED",
        ]
        assert held == await schedule(gql_http, person)
        assert held[workshop["id"]]["viewerRegistration"] == "REGISTERED"
        assert held[talks[1]]["status"] == "CANCELLED"
        assert held[talks[0]]["startsAt"] == later
    finally:
        await db.execute("DELETE FROM registration WHERE session_id = $1", workshop["id"])
        await db.execute(
            "UPDATE session SET status = 'SCHEDULED', cancellation_reason = NULL WHERE id = $1",
            talks[1],
        )
