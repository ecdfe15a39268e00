"""Who may do what: each mutation so far, for anonymous people and every role."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from server.clock import Clock
from tests.conftest import GraphQLClient, People, Person

ROLES = ["ATTENDEE", "SPEAKER", "EXHIBITOR", "ORGANISER"]
BEFORE_THE_FAIR = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

# name -> (document, what it returns when allowed)
PERSONAL = {
    "bookmarkSession": ("mutation($s: ID!) { bookmarkSession(sessionId: $s) { id } }", "session"),
    "removeBookmark": ("mutation($s: ID!) { removeBookmark(sessionId: $s) { id } }", "session"),
    "registerForSession": (
        "mutation($s: ID!) { registerForSession(sessionId: $s) { status } }",
        "session",
    ),
    "cancelRegistration": ("mutation($s: ID!) { cancelRegistration(sessionId: $s) }", "session"),
    "followExhibitor": (
        "mutation($e: ID!) { followExhibitor(exhibitorId: $e) { id } }",
        "exhibitor",
    ),
    "unfollowExhibitor": (
        "mutation($e: ID!) { unfollowExhibitor(exhibitorId: $e) { id } }",
        "exhibitor",
    ),
    "signOut": ("mutation { signOut }", None),
    "renewCalendarUrl": ("mutation { renewCalendarUrl }", None),
}

PLAN_TABLES = ["bookmark", "registration", "follow", "auth_token"]


async def table_counts(db: asyncpg.Connection[Any]) -> dict[str, int]:
    return {t: await db.fetchval(f"SELECT count(*) FROM {t}") for t in PLAN_TABLES}


async def ids(db: asyncpg.Connection[Any]) -> dict[str, str]:
    session = await db.fetchval(
        "SELECT id FROM session WHERE capacity IS NULL AND kind = 'CONFERENCE' ORDER BY id LIMIT 1"
    )
    exhibitor = await db.fetchval("SELECT id FROM exhibitor ORDER BY id LIMIT 1")
    return {"s": session, "e": exhibitor}


@pytest.mark.parametrize("mutation", sorted(PERSONAL))
async def test_anonymous_people_must_sign_in_and_nothing_changes(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], mutation: str
) -> None:
    document, _ = PERSONAL[mutation]
    before = await table_counts(db)
    assert await gql_http.error_codes(document, await ids(db)) == ["UNAUTHENTICATED"]
    assert await table_counts(db) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("mutation", sorted(PERSONAL))
async def test_every_role_may_plan_its_own_fair(
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    people: People,
    fair_clock: Clock,
    role: str,
    mutation: str,
) -> None:
    fair_clock.set(BEFORE_THE_FAIR)  # a seat is taken only before the session starts
    person = await people.make(role)
    document, _ = PERSONAL[mutation]
    body = await gql_http(document, await ids(db), as_=person)
    assert "errors" not in body, body
    assert list(body["data"]) == [mutation]


async def test_nobody_sees_another_persons_plan(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    alice, bob = await people.make(), await people.make()
    target = await ids(db)
    await gql_http.data(PERSONAL["bookmarkSession"][0], target, as_=alice)
    await gql_http.data(PERSONAL["followExhibitor"][0], target, as_=alice)

    async def view(person: Person | None) -> dict[str, Any]:
        return await gql_http.data(
            """query($s: ID!, $e: ID!) { session(id: $s) { viewerHasBookmarked }
                 exhibitor(id: $e) { viewerFollows }
                 me { schedule { sessions { id } } followedExhibitors { id } } }""",
            target,
            as_=person,
        )

    assert await view(alice) == {
        "session": {"viewerHasBookmarked": True},
        "exhibitor": {"viewerFollows": True},
        "me": {
            "schedule": {"sessions": [{"id": target["s"]}]},
            "followedExhibitors": [{"id": target["e"]}],
        },
    }
    assert await view(bob) == {
        "session": {"viewerHasBookmarked": False},
        "exhibitor": {"viewerFollows": False},
        "me": {"schedule": {"sessions": []}, "followedExhibitors": []},
    }
    assert await view(None) == {
        "session": {"viewerHasBookmarked": False},
        "exhibitor": {"viewerFollows": False},
        "me": None,
    }
    # bob removing "his" bookmark of it leaves alice's alone
    await gql_http.data(PERSONAL["removeBookmark"][0], target, as_=bob)
    assert (await view(alice))["session"] == {"viewerHasBookmarked": True}


async def test_roles_and_links_show_on_me(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    speaker_id = await db.fetchval("SELECT speaker_id FROM session_speaker ORDER BY 1 LIMIT 1")
    exhibitor_id = await db.fetchval("SELECT id FROM exhibitor ORDER BY id LIMIT 1")
    person = await people.make(
        "SPEAKER",
        "EXHIBITOR",
        speaker_id=speaker_id,
        exhibitor_id=exhibitor_id,
        name="Salma Idrissi",
    )
    me = (
        await gql_http.data(
            "{ me { name roles speaker { id sessions { id } } exhibitor { id } } }", as_=person
        )
    )["me"]
    talks = await db.fetch(
        "SELECT s.id FROM session s JOIN session_speaker ss ON ss.session_id = s.id"
        " WHERE ss.speaker_id = $1 ORDER BY s.starts_at, s.id",
        speaker_id,
    )
    assert me == {
        "name": "Salma Idrissi",
        "roles": ["EXHIBITOR", "SPEAKER"],
        "speaker": {"id": speaker_id, "sessions": [{"id": t["id"]} for t in talks]},
        "exhibitor": {"id": exhibitor_id},
    }
