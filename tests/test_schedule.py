"""Bookmarks and the personal schedule: sorted, idempotent, with every conflict found."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.conftest import GraphQLClient, People, Person

BOOKMARK = "mutation($s: ID!) { bookmarkSession(sessionId: $s) { id viewerHasBookmarked } }"
SCHEDULE = """{ me { schedule {
  sessions { id startsAt }
  conflicts { kind walkingMinutes first { id } second { id } } } } }"""

# A session's hall, whether it is in a room or at a booth.
PLACED = """SELECT s.id, s.starts_at, s.ends_at, coalesce(r.hall_id, b.hall_id) AS hall
              FROM session s LEFT JOIN room r ON r.id = s.room_id
              LEFT JOIN booth b ON b.id = s.booth_id WHERE s.status <> 'CANCELLED'"""


async def bookmark(gql: GraphQLClient, person: Person, *session_ids: str) -> None:
    for session_id in session_ids:
        got = await gql.data(BOOKMARK, {"s": session_id}, as_=person)
        assert got == {"bookmarkSession": {"id": session_id, "viewerHasBookmarked": True}}


async def schedule(gql: GraphQLClient, person: Person) -> dict[str, Any]:
    result: dict[str, Any] = (await gql.data(SCHEDULE, as_=person))["me"]["schedule"]
    return result


async def test_schedule_is_sorted_by_start_and_bookmarks_are_idempotent(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    person = await people.make()
    picked = [
        r["id"]
        for r in await db.fetch(
            "SELECT id FROM session WHERE kind = 'KEYNOTE' ORDER BY starts_at DESC LIMIT 3"
        )
    ]
    await bookmark(gql_http, person, *picked, picked[0])
    assert await db.fetchval("SELECT count(*) FROM bookmark WHERE person_id = $1", person.id) == 3
    ordered = [
        r["id"]
        for r in await db.fetch(
            "SELECT id FROM session WHERE id = any($1) ORDER BY starts_at, id", picked
        )
    ]
    assert [s["id"] for s in (await schedule(gql_http, person))["sessions"]] == ordered
    await gql_http.data(
        "mutation($s: ID!) { removeBookmark(sessionId: $s) { id } }", {"s": picked[1]}, as_=person
    )
    await gql_http.data(
        "mutation($s: ID!) { removeBookmark(sessionId: $s) { id } }", {"s": picked[1]}, as_=person
    )
    assert [s["id"] for s in (await schedule(gql_http, person))["sessions"]] == [
        i for i in ordered if i != picked[1]
    ]


async def test_overlapping_talk_and_demo_conflict(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    talk, demo = await db.fetchrow(
        """SELECT t.id, d.id FROM session t JOIN session d ON d.kind = 'DEMO'
            AND t.kind <> 'DEMO' AND t.starts_at < d.ends_at AND d.starts_at < t.ends_at
            ORDER BY t.id, d.id LIMIT 1"""
    )
    person = await people.make()
    await bookmark(gql_http, person, talk, demo)
    rows = await db.fetch(
        "SELECT id FROM session WHERE id = any($1) ORDER BY starts_at, id", [talk, demo]
    )
    first, second = rows[0]["id"], rows[1]["id"]
    assert (await schedule(gql_http, person))["conflicts"] == [
        {
            "kind": "OVERLAP",
            "walkingMinutes": None,
            "first": {"id": first},
            "second": {"id": second},
        }
    ]


async def test_back_to_back_in_different_halls_is_too_far_to_walk(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    first, second = await db.fetchrow(
        f"""WITH p AS ({PLACED}) SELECT a.id, b.id FROM p a JOIN p b
             ON a.hall <> b.hall AND b.starts_at = a.ends_at ORDER BY a.id, b.id LIMIT 1"""
    )
    person = await people.make()
    await bookmark(gql_http, person, first, second)
    conflicts = (await schedule(gql_http, person))["conflicts"]
    assert [(c["kind"], c["first"]["id"], c["second"]["id"]) for c in conflicts] == [
        ("TOO_FAR_TO_WALK", first, second)
    ]
    # The minutes of the walk between the two places, as `route` gives them.
    places = await db.fetch(
        "SELECT coalesce(room_id, booth_id) AS place FROM session WHERE id = any($1::text[])"
        " ORDER BY starts_at",
        [first, second],
    )
    walk = await gql_http.data(
        "query($a: ID!, $b: ID!) { route(fromId: $a, toId: $b) { walkingMinutes } }",
        {"a": places[0]["place"], "b": places[1]["place"]},
    )
    assert conflicts[0]["walkingMinutes"] == round(walk["route"]["walkingMinutes"], 1)


async def test_back_to_back_in_one_hall_and_distant_times_do_not_conflict(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    same_hall = await db.fetchrow(
        f"""WITH p AS ({PLACED}) SELECT a.id, b.id FROM p a JOIN p b
             ON a.hall = b.hall AND b.starts_at = a.ends_at ORDER BY a.id, b.id LIMIT 1"""
    )
    far_apart = await db.fetchrow(
        f"""WITH p AS ({PLACED}) SELECT a.id, b.id FROM p a JOIN p b
             ON a.hall <> b.hall AND b.starts_at >= a.ends_at + interval '2 hours'
             ORDER BY a.id, b.id LIMIT 1"""
    )
    person = await people.make()
    await bookmark(gql_http, person, *same_hall, *far_apart)
    assert (await schedule(gql_http, person))["conflicts"] == []


async def test_cancelled_sessions_conflict_with_nothing(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    talk, demo = await db.fetchrow(
        """SELECT t.id, d.id FROM session t JOIN session d ON d.kind = 'DEMO'
            AND t.kind <> 'DEMO' AND t.starts_at < d.ends_at AND d.starts_at < t.ends_at
            ORDER BY t.id DESC, d.id LIMIT 1"""
    )
    person = await people.make()
    await bookmark(gql_http, person, talk, demo)
    await db.execute("UPDATE session SET status = 'CANCELLED' WHERE id = $1", demo)
    try:
        assert (await schedule(gql_http, person))["conflicts"] == []
    finally:
        await db.execute("UPDATE session SET status = 'SCHEDULED' WHERE id = $1", demo)


async def test_bookmarking_an_unknown_session_is_not_found_and_changes_nothing(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    person = await people.make()
    for document in (
        BOOKMARK,
        "mutation($s: ID!) { removeBookmark(sessionId: $s) { id } }",
        "mutation($s: ID!) { registerForSession(sessionId: $s) { status } }",
        "mutation($s: ID!) { cancelRegistration(sessionId: $s) }",
    ):
        assert await gql_http.error_codes(document, {"s": "ses-nope"}, as_=person) == ["NOT_FOUND"]
    for document in (
        "mutation($e: ID!) { followExhibitor(exhibitorId: $e) { id } }",
        "mutation($e: ID!) { unfollowExhibitor(exhibitorId: $e) { id } }",
    ):
        assert await gql_http.error_codes(document, {"e": "exh-nope"}, as_=person) == ["NOT_FOUND"]
    assert (
        await db.fetchval(
            "SELECT (SELECT count(*) FROM bookmark WHERE person_id = $1)"
            " + (SELECT count(*) FROM follow WHERE person_id = $1)",
            person.id,
        )
        == 0
    )


async def test_following_exhibitors(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    person = await people.make()
    picked = [
        r["id"] for r in await db.fetch("SELECT id FROM exhibitor ORDER BY name DESC LIMIT 2")
    ]
    for exhibitor in (*picked, picked[0]):
        got = await gql_http.data(
            "mutation($e: ID!) { followExhibitor(exhibitorId: $e) { id viewerFollows } }",
            {"e": exhibitor},
            as_=person,
        )
        assert got == {"followExhibitor": {"id": exhibitor, "viewerFollows": True}}
    followed = await gql_http.data("{ me { followedExhibitors { id } } }", as_=person)
    assert followed == {"me": {"followedExhibitors": [{"id": i} for i in reversed(picked)]}}
    got = await gql_http.data(
        "mutation($e: ID!) { unfollowExhibitor(exhibitorId: $e) { id viewerFollows } }",
        {"e": picked[0]},
        as_=person,
    )
    assert got == {"unfollowExhibitor": {"id": picked[0], "viewerFollows": False}}
