"""The personal schedule as a secret, revocable RFC 5545 feed at /calendar/{secret}.ics."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeAlias

import asyncpg
import httpx
import icalendar
import pytest

from server.clock import Clock, zone
from tests.conftest import GraphQLClient, People, Person
from tests.fair_data import demo_sessions

Db: TypeAlias = "asyncpg.Connection[Any]"

PUBLIC_URL = "http://127.0.0.1:8000"
CASABLANCA = "Africa/Casablanca"
#: Part of every UID: changing it would duplicate every event in subscribed calendars.
UID_DOMAIN = "sistep2026.salon.example"

BOOKMARK = "mutation($id: ID!) { bookmarkSession(sessionId: $id) { id } }"
REMOVE_BOOKMARK = "mutation($id: ID!) { removeBookmark(sessionId: $id) { id } }"
REGISTER = "mutation($id: ID!) { registerForSession(sessionId: $id) { status } }"
RENEW = "mutation { renewCalendarUrl }"


@pytest.fixture
async def planners(people: People, db: Db) -> AsyncIterator[list[Person]]:
    """Make people with `await make()`; their bookmarks and registrations go at the end."""
    made: list[Person] = []
    yield made
    ids = [p.id for p in made]
    await db.execute("DELETE FROM registration WHERE person_id = any($1::bigint[])", ids)
    await db.execute("DELETE FROM bookmark WHERE person_id = any($1::bigint[])", ids)


async def planner(people: People, made: list[Person]) -> Person:
    person = await people.make("ATTENDEE")
    made.append(person)
    return person


async def session_where(db: Db, where: str) -> str:
    """The first scheduled session (by start) matching `where`."""
    found: str | None = await db.fetchval(
        f"SELECT id FROM session WHERE {where} AND status = 'SCHEDULED' ORDER BY starts_at, id"
    )
    assert found is not None, f"the demo fair has no scheduled session with {where}"
    return found


async def talk_and_demo(db: Db) -> tuple[str, str]:
    """A talk in a room and a demo at a stand, neither limited in seats."""
    talk = await session_where(
        db, "kind = 'CONFERENCE' AND room_id IS NOT NULL AND capacity IS NULL"
    )
    demo = await session_where(db, "kind = 'DEMO' AND booth_id IS NOT NULL")
    return talk, demo


async def plan(gql: GraphQLClient, person: Person, mutation: str, session_id: str) -> None:
    await gql.data(mutation, {"id": session_id}, as_=person)


async def calendar_url(gql: GraphQLClient, person: Person) -> str:
    url: str = (await gql.data("{ me { calendarUrl } }", as_=person))["me"]["calendarUrl"]
    return url


async def calendar_path(gql: GraphQLClient, person: Person) -> str:
    """The path of the person's feed, after checking its URL has the expected shape."""
    url = await calendar_url(gql, person)
    found = re.fullmatch(re.escape(PUBLIC_URL) + r"(/calendar/[A-Za-z0-9_-]+\.ics)", url)
    assert found is not None, url
    return found[1]


async def feed(http: httpx.AsyncClient, path: str) -> tuple[httpx.Response, icalendar.Calendar]:
    response = await http.get(path)
    assert (response.status_code, response.headers["content-type"]) == (
        200,
        "text/calendar; charset=utf-8",
    )
    return response, icalendar.Calendar.from_ical(response.content)


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    found = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(found) == len(calendar.walk("VEVENT")), "two events share a UID"
    return found


def uid(session_id: str) -> str:
    return f"{session_id}@{UID_DOMAIN}"


def as_read(event: icalendar.Event) -> dict[str, Any]:
    """The fields of an event that a calendar app shows or acts on."""
    return {
        "uid": str(event["UID"]),
        "summary": str(event["SUMMARY"]),
        # (instant, its offset, the TZID an app could reinterpret): UTC leaves none.
        "dtstart": utc_reading(event["DTSTART"]),
        "dtend": utc_reading(event["DTEND"]),
        "sequence": int(event["SEQUENCE"]),
        "last_modified": event["LAST-MODIFIED"].dt,
        "status": str(event["STATUS"]),
        "location": str(event["LOCATION"]),
    }


def utc_reading(prop: Any) -> tuple[datetime, timedelta | None, str | None]:
    return prop.dt, prop.dt.utcoffset(), prop.params.get("TZID")


async def as_stored(db: Db, session_ids: list[str]) -> dict[str, dict[str, Any]]:
    """What as_read must give for each session, straight from the database."""
    rows = await db.fetch(
        """SELECT s.id, s.title_fr, s.starts_at, s.ends_at, s.version, s.updated_at, s.status,
                  coalesce(r.name || ', ' || rh.name, 'Stand ' || b.code || ', ' || bh.name)
                      AS location
             FROM session s
             LEFT JOIN room r ON r.id = s.room_id LEFT JOIN hall rh ON rh.id = r.hall_id
             LEFT JOIN booth b ON b.id = s.booth_id LEFT JOIN hall bh ON bh.id = b.hall_id
            WHERE s.id = any($1::text[])""",
        session_ids,
    )
    assert len(rows) == len(session_ids)
    return {
        uid(r["id"]): {
            "uid": uid(r["id"]),
            "summary": r["title_fr"],
            "dtstart": (r["starts_at"], timedelta(0), None),
            "dtend": (r["ends_at"], timedelta(0), None),
            "sequence": r["version"],
            # iCalendar times have whole seconds.
            "last_modified": r["updated_at"].replace(microsecond=0),
            "status": "CANCELLED" if r["status"] == "CANCELLED" else "CONFIRMED",
            "location": r["location"],
        }
        for r in rows
    }


async def test_calendar_url_is_an_unguessable_secret_under_the_public_url(
    gql_http: GraphQLClient, people: People, db: Db
) -> None:
    person, other = await people.make("ATTENDEE"), await people.make("ATTENDEE")
    tokens = {
        p.id: await db.fetchval("SELECT calendar_token FROM person WHERE id = $1", p.id)
        for p in (person, other)
    }
    assert await calendar_url(gql_http, person) == f"{PUBLIC_URL}/calendar/{tokens[person.id]}.ics"
    assert await calendar_url(gql_http, other) == f"{PUBLIC_URL}/calendar/{tokens[other.id]}.ics"
    assert tokens[person.id] != tokens[other.id]
    # URL-safe, and long enough to hold at least 128 random bits.
    for token in tokens.values():
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", token) is not None, token


async def test_feed_has_one_event_per_planned_session_as_in_the_database(
    gql_http: GraphQLClient,
    http: httpx.AsyncClient,
    people: People,
    db: Db,
    planners: list[Person],
    fair_clock: Clock,
) -> None:
    fair_clock.set(datetime(2026, 12, 1, 12, 0, tzinfo=UTC))  # seats: before the sessions
    person = await planner(people, planners)
    talk, demo = await talk_and_demo(db)
    keynote = await session_where(db, "kind = 'KEYNOTE' AND capacity IS NULL")
    await plan(gql_http, person, BOOKMARK, talk)
    await plan(gql_http, person, BOOKMARK, demo)
    await plan(gql_http, person, REGISTER, keynote)
    await plan(gql_http, person, BOOKMARK, keynote)  # bookmarked and registered: one event

    _, calendar = await feed(http, await calendar_path(gql_http, person))

    found = {u: as_read(e) for u, e in events(calendar).items()}
    assert found == await as_stored(db, [talk, demo, keynote])


async def test_feed_times_read_the_same_in_every_calendar_app(
    gql_http: GraphQLClient,
    http: httpx.AsyncClient,
    people: People,
    db: Db,
    planners: list[Person],
) -> None:
    person = await planner(people, planners)
    talk, demo = await talk_and_demo(db)
    for session_id in (talk, demo):
        await plan(gql_http, person, BOOKMARK, session_id)

    response, calendar = await feed(http, await calendar_path(gql_http, person))

    assert (str(calendar["VERSION"]), str(calendar["X-WR-TIMEZONE"])) == ("2.0", CASABLANCA)
    refresh = calendar["REFRESH-INTERVAL"]
    assert (dict(refresh.params), refresh.dt > timedelta(0)) == ({"VALUE": "DURATION"}, True)
    # An app that reads the feed's VTIMEZONE and one that applies its own zone data to
    # a known TZID disagree when their rules differ (Morocco, 2026): give them neither.
    assert calendar.walk("VTIMEZONE") == []
    times = re.findall(r"^(DTSTART|DTEND)([;:].*)$", response.text, flags=re.MULTILINE)
    assert len(times) == 4
    assert all(re.fullmatch(r":\d{8}T\d{6}Z\r?", value) for _, value in times), times
    # Shown on the fair's clocks by current rules, each is the hour the programme prints.
    printed = {s["id"]: s for s in demo_sessions()}
    found = events(calendar)
    for session_id in (talk, demo):
        event = found[uid(session_id)]
        shown = [
            event[name].dt.astimezone(zone(CASABLANCA)).strftime("%Y-%m-%dT%H:%M")
            for name in ("DTSTART", "DTEND")
        ]
        assert shown == [printed[session_id]["starts_at"], printed[session_id]["ends_at"]]


async def test_uids_are_stable_and_sequence_follows_the_session_version(
    gql_http: GraphQLClient,
    http: httpx.AsyncClient,
    people: People,
    db: Db,
    planners: list[Person],
) -> None:
    person = await planner(people, planners)
    talk, demo = await talk_and_demo(db)
    for session_id in (talk, demo):
        await plan(gql_http, person, BOOKMARK, session_id)
    path = await calendar_path(gql_http, person)
    first, first_calendar = await feed(http, path)
    second, second_calendar = await feed(http, path)
    assert (
        sorted(events(first_calendar))
        == sorted(events(second_calendar))
        == [uid(s) for s in sorted((talk, demo))]
    )
    assert second.headers["etag"] == first.headers["etag"]

    version: int = await db.fetchval("SELECT version FROM session WHERE id = $1", talk)
    await db.execute("UPDATE session SET version = version + 1 WHERE id = $1", talk)
    try:
        bumped, calendar = await feed(http, path)
        assert {u: int(e["SEQUENCE"]) for u, e in events(calendar).items()} == {
            uid(talk): version + 1,
            uid(demo): await db.fetchval("SELECT version FROM session WHERE id = $1", demo),
        }
        assert bumped.headers["etag"] != first.headers["etag"]
    finally:
        await db.execute("UPDATE session SET version = $2 WHERE id = $1", talk, version)


async def test_a_cancelled_session_stays_in_the_feed_with_status_cancelled(
    gql_http: GraphQLClient,
    http: httpx.AsyncClient,
    people: People,
    db: Db,
    planners: list[Person],
) -> None:
    person = await planner(people, planners)
    talk, demo = await talk_and_demo(db)
    for session_id in (talk, demo):
        await plan(gql_http, person, BOOKMARK, session_id)
    path = await calendar_path(gql_http, person)
    before, _ = await feed(http, path)

    await db.execute("UPDATE session SET status = 'CANCELLED' WHERE id = $1", talk)
    try:
        cancelled, calendar = await feed(http, path)
        assert {u: str(e["STATUS"]) for u, e in events(calendar).items()} == {
            uid(talk): "CANCELLED",
            uid(demo): "CONFIRMED",
        }
        assert {u: as_read(e) for u, e in events(calendar).items()} == await as_stored(
            db, [talk, demo]
        )
        assert cancelled.headers["etag"] != before.headers["etag"]
    finally:
        await db.execute("UPDATE session SET status = 'SCHEDULED' WHERE id = $1", talk)


async def test_an_unchanged_feed_answers_304_and_the_etag_follows_the_schedule(
    gql_http: GraphQLClient,
    http: httpx.AsyncClient,
    people: People,
    db: Db,
    planners: list[Person],
    fair_clock: Clock,
) -> None:
    person = await planner(people, planners)
    talk, demo = await talk_and_demo(db)
    await plan(gql_http, person, BOOKMARK, talk)
    path = await calendar_path(gql_http, person)
    first, _ = await feed(http, path)
    etag = first.headers["etag"]
    assert re.fullmatch(r'"[^"]+"', etag) is not None, etag

    not_modified = await http.get(path, headers={"If-None-Match": etag})
    assert (not_modified.status_code, not_modified.content, not_modified.headers["etag"]) == (
        304,
        b"",
        etag,
    )
    other_etag = await http.get(path, headers={"If-None-Match": '"something-else"'})
    assert (other_etag.status_code, other_etag.headers["etag"]) == (200, etag)

    # DTSTAMP says when the feed was made; that alone is no change.
    fair_clock.set(datetime.now(UTC) + timedelta(hours=3))
    later = await http.get(path, headers={"If-None-Match": etag})
    assert (later.status_code, later.content) == (304, b"")

    await plan(gql_http, person, BOOKMARK, demo)
    changed = await http.get(path, headers={"If-None-Match": etag})
    assert (changed.status_code, changed.headers["etag"] == etag) == (200, False)
    assert sorted(events(icalendar.Calendar.from_ical(changed.content))) == sorted(
        [uid(talk), uid(demo)]
    )

    await plan(gql_http, person, REMOVE_BOOKMARK, demo)
    back = await http.get(path, headers={"If-None-Match": etag})
    assert (back.status_code, back.content, back.headers["etag"]) == (304, b"", etag)


async def test_renewing_the_calendar_url_revokes_the_old_one(
    gql_http: GraphQLClient,
    http: httpx.AsyncClient,
    people: People,
    db: Db,
    planners: list[Person],
) -> None:
    person = await planner(people, planners)
    talk, _ = await talk_and_demo(db)
    await plan(gql_http, person, BOOKMARK, talk)
    old_url = await calendar_url(gql_http, person)
    old_path = old_url.removeprefix(PUBLIC_URL)
    await feed(http, old_path)

    new_url: str = (await gql_http.data(RENEW, as_=person))["renewCalendarUrl"]

    token = await db.fetchval("SELECT calendar_token FROM person WHERE id = $1", person.id)
    assert new_url == f"{PUBLIC_URL}/calendar/{token}.ics"
    assert new_url != old_url
    assert await calendar_url(gql_http, person) == new_url
    gone = await http.get(old_path)
    assert (gone.status_code, gone.text) == (404, "This calendar link is not valid (any more).")
    _, calendar = await feed(http, new_url.removeprefix(PUBLIC_URL))
    assert sorted(events(calendar)) == [uid(talk)]


async def test_an_unknown_calendar_token_is_not_found(
    http: httpx.AsyncClient, people: People, db: Db
) -> None:
    person = await people.make("ATTENDEE")
    token = await db.fetchval("SELECT calendar_token FROM person WHERE id = $1", person.id)
    for path in (
        "/calendar/not-a-token.ics",
        f"/calendar/{token[:-1]}.ics",
        f"/calendar/{token.upper()}.ics",
        f"/calendar/{person.id}.ics",
    ):
        response = await http.get(path)
        assert (response.status_code, response.text) == (
            404,
            "This calendar link is not valid (any more).",
        ), path


async def test_anonymous_people_cannot_renew_a_calendar_url(gql_http: GraphQLClient) -> None:
    assert await gql_http.error_codes(RENEW) == ["UNAUTHENTICATED"]


async def test_a_feed_shows_its_owners_sessions_only(
    gql_http: GraphQLClient,
    http: httpx.AsyncClient,
    people: People,
    db: Db,
    planners: list[Person],
) -> None:
    mine, theirs, nobody = [await planner(people, planners) for _ in range(3)]
    talk, demo = await talk_and_demo(db)
    await plan(gql_http, mine, BOOKMARK, talk)
    await plan(gql_http, theirs, BOOKMARK, demo)
    feeds = {}
    for person in (mine, theirs, nobody):
        _, calendar = await feed(http, await calendar_path(gql_http, person))
        feeds[person.id] = sorted(events(calendar))
    assert feeds == {mine.id: [uid(talk)], theirs.id: [uid(demo)], nobody.id: []}
