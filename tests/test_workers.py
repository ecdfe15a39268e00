"""The worker's jobs: reminders (once, even with two workers), demo nudges, held
announcements, waitlist promotions — all driven by the fair's clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from server.clock import Clock
from server.db.pool import create_pool
from tests.conftest import GraphQLClient, LiveServer, People, Person
from tests.live_client import LiveClient, live_client
from workers.reminders import ReminderJob

pytestmark = pytest.mark.usefixtures("worker")

BROADCAST = """mutation($input: AnnouncementInput!) {
  broadcastAnnouncement(input: $input) { id createdAt } }"""


async def barrier(gql: GraphQLClient, organiser: Person) -> str:
    sent = await gql.data(
        BROADCAST,
        {"input": {"title": "Barrière", "body": "—", "audience": {"everyone": True}}},
        as_=organiser,
    )
    notice_id: str = sent["broadcastAnnouncement"]["id"]
    return notice_id


async def next_ids(client: LiveClient, count: int) -> list[str]:
    return [n["id"] for n in await client.notices(count)]


async def untouched_session(db: asyncpg.Connection[Any], kind_sql: str) -> dict[str, Any]:
    row = await db.fetchrow(
        f"""SELECT id, starts_at, exhibitor_id FROM session s
             WHERE {kind_sql} AND status = 'SCHEDULED'
               AND NOT EXISTS (SELECT 1 FROM reminder_sent r WHERE r.session_id = s.id)
               AND NOT EXISTS (SELECT 1 FROM session o WHERE o.id <> s.id
                               AND abs(extract(epoch FROM o.starts_at - s.starts_at)) < 1800)
             ORDER BY starts_at DESC LIMIT 1"""
    )
    assert row is not None
    return dict(row)


async def test_one_reminder_per_person_even_with_two_workers(
    live: LiveServer,
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    people: People,
    database_url: str,
    fair_clock: Clock,
) -> None:
    session = await untouched_session(db, "kind <> 'DEMO'")
    person, organiser = await people.make(), await people.make("ORGANISER")
    await gql_http.data(
        "mutation($s: ID!) { bookmarkSession(sessionId: $s) { id } }",
        {"s": session["id"]},
        as_=person,
    )
    # Two workers' reminder jobs, each with a pool of its own, racing round after round.
    pools = [await create_pool(database_url, min_size=1, max_size=2) for _ in range(2)]
    jobs = [ReminderJob(pool, fair_clock) for pool in pools]
    try:
        async with live_client(live.ws_url, person.token) as ws:
            await ws.subscribe()
            fair_clock.set(session["starts_at"] - timedelta(minutes=9))
            for _ in range(3):
                await asyncio.gather(*(job.round() for job in jobs))
            [reminder] = await ws.notices(1)
            title = await db.fetchval("SELECT title_fr FROM session WHERE id = $1", session["id"])
            assert (reminder["kind"], reminder["session"], reminder["title"]) == (
                "REMINDER",
                {"id": session["id"]},
                f"Dans 9 min : « {title} »",
            )
            fence = await barrier(gql_http, organiser)
            assert await next_ids(ws, 1) == [fence]
    finally:
        for pool in pools:
            await pool.close()
    reminders = await db.fetch(
        """SELECT n.id FROM notice n JOIN notice_recipient r ON r.notice_id = n.id
            WHERE n.kind = 'REMINDER' AND n.session_id = $1 AND r.person_id = $2""",
        session["id"],
        person.id,
    )
    assert len(reminders) == 1


async def test_followers_hear_that_a_demo_is_starting(
    live: LiveServer,
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    people: People,
    fair_clock: Clock,
) -> None:
    demo = await untouched_session(db, "kind = 'DEMO'")
    follower = await people.make()
    await gql_http.data(
        "mutation($e: ID!) { followExhibitor(exhibitorId: $e) { id } }",
        {"e": demo["exhibitor_id"]},
        as_=follower,
    )
    async with live_client(live.ws_url, follower.token) as ws:
        await ws.subscribe()
        fair_clock.set(demo["starts_at"] - timedelta(minutes=5))
        [nudge] = await ws.notices(1)
    assert (nudge["kind"], nudge["session"], nudge["exhibitor"]) == (
        "DEMO_STARTING",
        {"id": demo["id"]},
        {"id": demo["exhibitor_id"]},
    )


async def test_held_announcements_go_out_when_due_and_withdrawn_ones_never(
    live: LiveServer,
    gql_http: GraphQLClient,
    people: People,
    fair_clock: Clock,
) -> None:
    person, organiser = await people.make(), await people.make("ORGANISER")
    due = (fair_clock.now() + timedelta(hours=1)).isoformat()

    async def hold(title: str) -> str:
        sent = await gql_http.data(
            BROADCAST,
            {
                "input": {
                    "title": title,
                    "body": "…",
                    "sendAt": due,
                    "audience": {"userIds": [str(person.id)]},
                }
            },
            as_=organiser,
        )
        notice_id: str = sent["broadcastAnnouncement"]["id"]
        assert notice_id.startswith("pending-")
        return notice_id

    await hold("Fermeture Hall B à 18:00")
    withdrawn = await hold("Annulé avant l'heure")
    assert await gql_http.data(
        "mutation($id: ID!) { withdrawAnnouncement(id: $id) }", {"id": withdrawn}, as_=organiser
    ) == {"withdrawAnnouncement": True}
    assert await gql_http.error_codes(
        "mutation($id: ID!) { withdrawAnnouncement(id: $id) }", {"id": withdrawn}, as_=organiser
    ) == ["CONFLICT"]
    async with live_client(live.ws_url, person.token) as ws:
        await ws.subscribe()
        fence = await barrier(gql_http, organiser)
        assert await next_ids(ws, 1) == [fence]  # not due yet: nothing before the fence
        fair_clock.reset(timedelta(hours=1, minutes=1))
        [notice] = await ws.notices(1)
        assert notice["title"] == "Fermeture Hall B à 18:00"
        fence = await barrier(gql_http, organiser)
        assert await next_ids(ws, 1) == [fence]  # the withdrawn one never came
    assert await gql_http.error_codes(
        "mutation($id: ID!) { withdrawAnnouncement(id: $id) }", {"id": notice["id"]}, as_=organiser
    ) == ["CONFLICT"]


async def test_a_freed_seat_tells_the_first_in_line(
    live: LiveServer,
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    people: People,
) -> None:
    workshop = await db.fetchrow(
        """SELECT id, capacity FROM session s WHERE capacity <= 30 AND status = 'SCHEDULED'
             AND NOT EXISTS (SELECT 1 FROM registration r WHERE r.session_id = s.id)
           ORDER BY capacity, id DESC LIMIT 1"""
    )
    seated = await people.many(workshop["capacity"])
    waiting = await people.make()
    register = "mutation($s: ID!) { registerForSession(sessionId: $s) { status } }"
    try:
        for person in seated:
            await gql_http.data(register, {"s": workshop["id"]}, as_=person)
        assert (await gql_http.data(register, {"s": workshop["id"]}, as_=waiting)) == {
            "registerForSession": {"status": "WAITLISTED"}
        }
        async with live_client(live.ws_url, waiting.token) as ws:
            await ws.subscribe()
            await gql_http.data(
                "mutation($s: ID!) { cancelRegistration(sessionId: $s) }",
                {"s": workshop["id"]},
                as_=seated[0],
            )
            [notice] = await ws.notices(1)
        assert (notice["kind"], notice["priority"], notice["session"]) == (
            "WAITLIST_PROMOTED",
            "URGENT",
            {"id": workshop["id"]},
        )
    finally:
        await db.execute("DELETE FROM registration WHERE session_id = $1", workshop["id"])
