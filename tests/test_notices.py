"""Each producer reaches exactly its audience, and nobody else; refusals change nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg
import pytest

from server.clock import in_fair_time
from tests.conftest import GraphQLClient, LiveServer, People, Person
from tests.live_client import LiveClient, live_client

BROADCAST = """mutation($input: AnnouncementInput!) {
  broadcastAnnouncement(input: $input) { id kind priority title body } }"""
UPDATE = """mutation($id: ID!, $input: SessionChangeInput!) {
  updateSession(id: $id, input: $input) { id status version room { id } startsAt endsAt } }"""
CANCEL = """mutation($id: ID!, $reason: String!) {
  cancelSession(id: $id, reason: $reason) { id status version } }"""
DEMO = """mutation($input: DemoInput!) {
  scheduleDemo(input: $input) { id kind exhibitor { id } booth { id } startsAt } }"""

pytestmark = pytest.mark.usefixtures("worker")

#: The fair's days as a notice names them.
FAIR_DAYS_FR = {
    date(2026, 12, 3): "jeudi 3 décembre",
    date(2026, 12, 4): "vendredi 4 décembre",
    date(2026, 12, 5): "samedi 5 décembre",
    date(2026, 12, 6): "dimanche 6 décembre",
}


@pytest.fixture
async def organiser(people: People) -> Person:
    return await people.make("ORGANISER")


async def barrier(gql: GraphQLClient, organiser: Person) -> str:
    """A notice for everyone: whoever receives it next received nothing in between."""
    body = await gql.data(
        BROADCAST,
        {"input": {"title": "Barrière", "body": "—", "audience": {"everyone": True}}},
        as_=organiser,
    )
    notice_id: str = body["broadcastAnnouncement"]["id"]
    return notice_id


async def next_is_barrier(client: LiveClient, barrier_id: str) -> None:
    [notice] = await client.notices(1)
    assert notice["id"] == barrier_id


async def notice_count(db: asyncpg.Connection[Any]) -> int:
    count: int = await db.fetchval("SELECT count(*) FROM notice")
    return count


async def fresh_talk(db: asyncpg.Connection[Any]) -> dict[str, Any]:
    """A future talk in a room nobody else's test touches: taken from the end of the fair."""
    row = await db.fetchrow(
        """SELECT s.id, s.room_id, s.starts_at, s.ends_at FROM session s
            WHERE s.kind = 'CONFERENCE' AND s.status = 'SCHEDULED' AND s.room_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM registration r WHERE r.session_id = s.id)
              AND NOT EXISTS (SELECT 1 FROM notice n WHERE n.session_id = s.id)
            ORDER BY s.starts_at DESC, s.id LIMIT 1"""
    )
    return dict(row)


async def test_moving_a_session_tells_speakers_bookmarkers_and_registrants_only(
    live: LiveServer,
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    people: People,
    organiser: Person,
) -> None:
    talk = await fresh_talk(db)
    speaker_id = await db.fetchval(
        "SELECT speaker_id FROM session_speaker WHERE session_id = $1 LIMIT 1", talk["id"]
    )
    speaker = await people.make("SPEAKER", speaker_id=speaker_id)
    bookmarker, registrant, outsider = (
        await people.make(),
        await people.make(),
        await people.make(),
    )
    await gql_http.data(
        "mutation($s: ID!) { bookmarkSession(sessionId: $s) { id } }",
        {"s": talk["id"]},
        as_=bookmarker,
    )
    await gql_http.data(
        "mutation($s: ID!) { registerForSession(sessionId: $s) { status } }",
        {"s": talk["id"]},
        as_=registrant,
    )
    other_room = await db.fetchval(
        """SELECT r.id FROM room r WHERE r.id <> $1 AND NOT EXISTS (
             SELECT 1 FROM session s WHERE s.room_id = r.id AND s.starts_at < $3
                AND s.ends_at > $2) ORDER BY r.capacity DESC NULLS LAST LIMIT 1""",
        talk["room_id"],
        talk["starts_at"],
        talk["ends_at"],
    )
    async with (
        live_client(live.ws_url, speaker.token) as s_ws,
        live_client(live.ws_url, bookmarker.token) as b_ws,
        live_client(live.ws_url, registrant.token) as r_ws,
        live_client(live.ws_url, outsider.token) as o_ws,
    ):
        for client in (s_ws, b_ws, r_ws, o_ws):
            await client.subscribe()
        moved = await gql_http.data(
            UPDATE,
            {"id": talk["id"], "input": {"roomId": other_room, "note": "Plus grande salle"}},
            as_=organiser,
        )
        assert moved["updateSession"]["status"] == "CHANGED"
        assert moved["updateSession"]["version"] == 2
        assert moved["updateSession"]["room"] == {"id": other_room}
        got = [await c.notices(1) for c in (s_ws, b_ws, r_ws)]
        assert got[0] == got[1] == got[2]
        notice = got[0][0]
        room_name = await db.fetchval("SELECT name FROM room WHERE id = $1", other_room)
        title = await db.fetchval("SELECT title_fr FROM session WHERE id = $1", talk["id"])
        assert {k: v for k, v in notice.items() if k != "id"} == {
            "kind": "SESSION_CHANGED",
            "priority": "NORMAL",
            "title": f"« {title} » : changement",
            "body": f"déplacée en {room_name}\nPlus grande salle",
            "session": {"id": talk["id"]},
            "exhibitor": None,
        }
        await next_is_barrier(o_ws, await barrier(gql_http, organiser))


async def test_cancelling_a_session_is_urgent_for_the_same_audience(
    live: LiveServer,
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    people: People,
    organiser: Person,
) -> None:
    talk = await fresh_talk(db)
    bookmarker, outsider = await people.make(), await people.make()
    await gql_http.data(
        "mutation($s: ID!) { bookmarkSession(sessionId: $s) { id } }",
        {"s": talk["id"]},
        as_=bookmarker,
    )
    try:
        async with (
            live_client(live.ws_url, bookmarker.token) as b_ws,
            live_client(live.ws_url, outsider.token) as o_ws,
        ):
            await b_ws.subscribe()
            await o_ws.subscribe()
            cancelled = await gql_http.data(
                CANCEL, {"id": talk["id"], "reason": "Intervenant souffrant"}, as_=organiser
            )
            assert cancelled["cancelSession"]["status"] == "CANCELLED"
            [notice] = await b_ws.notices(1)
            starts = in_fair_time(talk["starts_at"])
            title = await db.fetchval("SELECT title_fr FROM session WHERE id = $1", talk["id"])
            assert {k: v for k, v in notice.items() if k != "id"} == {
                "kind": "SESSION_CANCELLED",
                "priority": "URGENT",
                "title": f"Annulé : « {title} »",
                "body": f"{FAIR_DAYS_FR[starts.date()]}, {starts:%H:%M} — Intervenant souffrant",
                "session": {"id": talk["id"]},
                "exhibitor": None,
            }
            await next_is_barrier(o_ws, await barrier(gql_http, organiser))
        before = await notice_count(db)
        assert await gql_http.error_codes(
            CANCEL, {"id": talk["id"], "reason": "encore"}, as_=organiser
        ) == ["CONFLICT"]
        assert await notice_count(db) == before
    finally:
        await db.execute(
            "UPDATE session SET status = 'SCHEDULED', cancellation_reason = NULL WHERE id = $1",
            talk["id"],
        )


@pytest.mark.parametrize("role", [None, "ATTENDEE", "SPEAKER", "EXHIBITOR"])
async def test_only_organisers_change_sessions_and_broadcast(
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    people: People,
    role: str | None,
) -> None:
    person = await people.make(role) if role else None
    talk = await fresh_talk(db)
    expected = ["FORBIDDEN"] if role else ["UNAUTHENTICATED"]
    before = await notice_count(db)
    version = await db.fetchval("SELECT version FROM session WHERE id = $1", talk["id"])
    assert (
        await gql_http.error_codes(
            UPDATE, {"id": talk["id"], "input": {"title": "Piraté"}}, as_=person
        )
        == expected
    )
    assert (
        await gql_http.error_codes(CANCEL, {"id": talk["id"], "reason": "Piraté"}, as_=person)
        == expected
    )
    assert (
        await gql_http.error_codes(
            BROADCAST,
            {"input": {"title": "Spam", "body": "Spam", "audience": {"everyone": True}}},
            as_=person,
        )
        == expected
    )
    assert await notice_count(db) == before
    assert await db.fetchval("SELECT version FROM session WHERE id = $1", talk["id"]) == version


async def test_refused_changes_write_nothing(
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    people: People,
    organiser: Person,
) -> None:
    talk = await fresh_talk(db)
    busy = await db.fetchrow(
        """SELECT s.room_id, s.starts_at FROM session s WHERE s.room_id <> $1
             AND s.status <> 'CANCELLED' ORDER BY s.id LIMIT 1""",
        talk["room_id"],
    )
    workshop = await db.fetchrow(
        """SELECT id, capacity FROM session WHERE capacity >= 3 AND status = 'SCHEDULED'
             AND NOT EXISTS (SELECT 1 FROM registration r WHERE r.session_id = session.id)
           ORDER BY starts_at DESC LIMIT 1"""
    )
    for person in (await people.make(), await people.make()):
        await gql_http.data(
            "mutation($s: ID!) { registerForSession(sessionId: $s) { status } }",
            {"s": workshop["id"]},
            as_=person,
        )
    cases = [
        (
            {
                "id": talk["id"],
                "input": {"roomId": busy["room_id"], "startsAt": busy["starts_at"].isoformat()},
            },
            "CONFLICT",
        ),
        ({"id": workshop["id"], "input": {"capacity": 1}}, "CONFLICT"),
        ({"id": talk["id"], "input": {}}, "BAD_USER_INPUT"),
        ({"id": talk["id"], "input": {"capacity": 0}}, "BAD_USER_INPUT"),
        ({"id": talk["id"], "input": {"title": "  "}}, "BAD_USER_INPUT"),
        ({"id": talk["id"], "input": {"endsAt": talk["starts_at"].isoformat()}}, "BAD_USER_INPUT"),
        ({"id": talk["id"], "input": {"roomId": "room-nowhere"}}, "NOT_FOUND"),
        ({"id": "ses-nowhere", "input": {"title": "x"}}, "NOT_FOUND"),
    ]
    try:
        for variables, code in cases:
            before_notices = await notice_count(db)
            before = dict(
                await db.fetchrow("SELECT * FROM session WHERE id = $1", variables["id"]) or {}
            )
            assert await gql_http.error_codes(UPDATE, variables, as_=organiser) == [code], variables
            after = dict(
                await db.fetchrow("SELECT * FROM session WHERE id = $1", variables["id"]) or {}
            )
            assert (after, await notice_count(db)) == (before, before_notices), variables
    finally:
        await db.execute("DELETE FROM registration WHERE session_id = $1", workshop["id"])


AUDIENCES = ["roles", "sessions", "exhibitors", "users"]


@pytest.mark.parametrize("kind", AUDIENCES)
async def test_announcements_reach_exactly_their_audience(
    live: LiveServer,
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    people: People,
    organiser: Person,
    kind: str,
) -> None:
    exhibitor_id = await db.fetchval("SELECT id FROM exhibitor ORDER BY id DESC LIMIT 1")
    session_id = (await fresh_talk(db))["id"]
    insider = await people.make("EXHIBITOR" if kind == "roles" else "ATTENDEE")
    outsider = await people.make("ATTENDEE")
    if kind == "sessions":
        await gql_http.data(
            "mutation($s: ID!) { bookmarkSession(sessionId: $s) { id } }",
            {"s": session_id},
            as_=insider,
        )
    if kind == "exhibitors":
        await gql_http.data(
            "mutation($e: ID!) { followExhibitor(exhibitorId: $e) { id } }",
            {"e": exhibitor_id},
            as_=insider,
        )
    audience = {
        "roles": {"roles": ["EXHIBITOR"]},
        "sessions": {"sessionIds": [session_id]},
        "exhibitors": {"exhibitorIds": [exhibitor_id]},
        "users": {"userIds": [str(insider.id)]},
    }[kind]
    async with (
        live_client(live.ws_url, insider.token) as in_ws,
        live_client(live.ws_url, outsider.token) as out_ws,
        live_client(live.ws_url) as anonymous_ws,
    ):
        for client in (in_ws, out_ws, anonymous_ws):
            await client.subscribe()
        sent = (
            await gql_http.data(
                BROADCAST,
                {
                    "input": {
                        "title": "Briefing sécurité déplacé",
                        "body": "Rendez-vous à 17:00, Hall A",
                        "priority": "URGENT",
                        "audience": audience,
                    }
                },
                as_=organiser,
            )
        )["broadcastAnnouncement"]
        assert sent["kind"] == "ANNOUNCEMENT"
        [received] = await in_ws.notices(1)
        assert received["id"] == sent["id"]
        assert (received["title"], received["priority"]) == ("Briefing sécurité déplacé", "URGENT")
        fence = await barrier(gql_http, organiser)
        await next_is_barrier(out_ws, fence)
        await next_is_barrier(anonymous_ws, fence)
        await next_is_barrier(in_ws, fence)


@pytest.mark.parametrize(
    ("audience", "code"),
    [
        ({}, "BAD_USER_INPUT"),
        ({"everyone": False, "roles": []}, "BAD_USER_INPUT"),
        ({"sessionIds": ["ses-nowhere"]}, "NOT_FOUND"),
        ({"exhibitorIds": ["exh-nowhere"]}, "NOT_FOUND"),
        ({"userIds": ["999999999"]}, "NOT_FOUND"),
        ({"userIds": ["bob"]}, "NOT_FOUND"),
    ],
)
async def test_bad_audiences_are_refused(
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    organiser: Person,
    audience: dict[str, Any],
    code: str,
) -> None:
    before = await notice_count(db)
    assert await gql_http.error_codes(
        BROADCAST, {"input": {"title": "x", "body": "y", "audience": audience}}, as_=organiser
    ) == [code]
    assert await notice_count(db) == before


async def test_exhibitor_staff_schedule_their_own_demos_and_followers_hear_of_it(
    live: LiveServer,
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    people: People,
) -> None:
    exhibitor_id, booth_id = await db.fetchrow(
        """SELECT b.exhibitor_id, b.id FROM booth b WHERE b.exhibitor_id IS NOT NULL
           ORDER BY b.code DESC LIMIT 1"""
    )
    other_exhibitor = await db.fetchval(
        "SELECT id FROM exhibitor WHERE id <> $1 ORDER BY id LIMIT 1", exhibitor_id
    )
    staff = await people.make("EXHIBITOR", exhibitor_id=exhibitor_id)
    stranger = await people.make("EXHIBITOR", exhibitor_id=other_exhibitor)
    follower = await people.make()
    await gql_http.data(
        "mutation($e: ID!) { followExhibitor(exhibitorId: $e) { id } }",
        {"e": exhibitor_id},
        as_=follower,
    )
    demo = {
        "exhibitorId": exhibitor_id,
        "title": "Démo live : cobot de soudage",
        "startsAt": "2026-12-05T16:00:00+01:00",
        "endsAt": "2026-12-05T16:20:00+01:00",
    }
    before = await notice_count(db)
    assert await gql_http.error_codes(DEMO, {"input": demo}, as_=stranger) == ["FORBIDDEN"]
    assert await gql_http.error_codes(DEMO, {"input": demo}, as_=follower) == ["FORBIDDEN"]
    assert await gql_http.error_codes(DEMO, {"input": demo}) == ["UNAUTHENTICATED"]
    assert await gql_http.error_codes(
        DEMO, {"input": {**demo, "endsAt": demo["startsAt"]}}, as_=staff
    ) == ["BAD_USER_INPUT"]
    assert await notice_count(db) == before
    async with live_client(live.ws_url, follower.token) as ws:
        await ws.subscribe()
        created = (await gql_http.data(DEMO, {"input": demo}, as_=staff))["scheduleDemo"]
        try:
            assert (created["kind"], created["exhibitor"], created["booth"]) == (
                "DEMO",
                {"id": exhibitor_id},
                {"id": booth_id},
            )
            [notice] = await ws.notices(1)
            assert (notice["kind"], notice["session"], notice["exhibitor"]) == (
                "DEMO_SCHEDULED",
                {"id": created["id"]},
                {"id": exhibitor_id},
            )
            # the booth is now busy at that time
            assert await gql_http.error_codes(DEMO, {"input": demo}, as_=staff) == ["CONFLICT"]
        finally:
            await db.execute("DELETE FROM notice WHERE session_id = $1", created["id"])
            await db.execute("DELETE FROM session WHERE id = $1", created["id"])


async def audit_count(db: asyncpg.Connection[Any]) -> int:
    count: int = await db.fetchval("SELECT count(*) FROM audit_log")
    return count


@pytest.mark.parametrize(
    "send_at",
    ["9999-12-31T23:59Z", "9999-12-31T23:59-05:00", "2027-06-01T10:00Z", "2026-01-01T10:00Z"],
)
async def test_a_refused_send_at_writes_no_announcement(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], organiser: Person, send_at: str
) -> None:
    # Far off, a year from the fair, or months in the past: checked before the write.
    before = (await notice_count(db), await audit_count(db))
    announcement = {"title": "x", "body": "y", "sendAt": send_at, "audience": {"everyone": True}}
    assert await gql_http.error_codes(BROADCAST, {"input": announcement}, as_=organiser) == [
        "BAD_USER_INPUT"
    ]
    assert (await notice_count(db), await audit_count(db)) == before
