"""Sockets share a notice's rendering only when that cannot show anyone stale or someone
else's data: replays of public selections, under the agenda's version
(schema/live_replay.py); and live notices about no meeting, for selections whose only
viewer field is the notice's meeting, as the attendee app's is (schema/live_groups.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from server.clock import Clock
from tests.conftest import GraphQLClient, LiveServer, People, Person
from tests.live_client import LiveClient, live_client

pytestmark = pytest.mark.usefixtures("worker")

PUBLIC = "subscription($after: ID) { notices(after: $after) { id session { id title } } }"
PER_VIEWER = """subscription($after: ID) { notices(after: $after) {
  id session { id title viewerHasBookmarked } } }"""
VOLATILE = """subscription($after: ID) { notices(after: $after) {
  id session { id seatsLeft } } }"""
#: As the attendee app selects: the meeting is its one viewer field.
APP_LIKE = """subscription($after: ID) { notices(after: $after) {
  id title session { id title } meeting { id status } } }"""
BOOKMARKED = """subscription { notices {
  id session { id viewerHasBookmarked } meeting { id } } }"""
RENAME = """mutation($id: ID!, $title: String!) {
  updateSession(id: $id, input: {title: $title}) { id } }"""
BOOKMARK = "mutation($s: ID!) { bookmarkSession(sessionId: $s) { id } }"
BEFORE_THE_FAIR = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Scene:
    def __init__(self, session: str, speaker: str, title: str, start: str) -> None:
        self.session, self.speaker, self.title, self.start = session, speaker, title, start


@pytest.fixture
async def scene(
    db: asyncpg.Connection[Any], gql_http: GraphQLClient, people: People, fair_clock: Clock
) -> AsyncIterator[Scene]:
    """A session with a speaker and seats; its title is put back afterwards. The fair's
    clock (the worker's too) is before the fair: on the fair's days the session's own
    reminder could come among the notices a test counts."""
    fair_clock.set(BEFORE_THE_FAIR)
    row = await db.fetchrow(
        """SELECT s.id, s.title_fr, ss.speaker_id FROM session s
             JOIN session_speaker ss ON ss.session_id = s.id
            WHERE s.status <> 'CANCELLED' AND s.capacity > 1 ORDER BY s.id LIMIT 1"""
    )
    assert row is not None
    start = str(await db.fetchval("SELECT coalesce(max(seq), 0) FROM notice"))
    yield Scene(row["id"], row["speaker_id"], row["title_fr"], start)
    organiser = await people.make("ORGANISER")
    await gql_http.data(RENAME, {"id": row["id"], "title": row["title_fr"]}, as_=organiser)


async def rename(gql_http: GraphQLClient, people: People, scene: Scene, title: str) -> None:
    organiser = await people.make("ORGANISER")
    await gql_http.data(RENAME, {"id": scene.session, "title": title}, as_=organiser)


async def heard_live(watcher: LiveClient) -> dict[str, Any]:
    """The next notice a socket subscribed before the change hears (it is sequenced)."""
    (notice,) = await watcher.notices(1)
    return notice


async def bookmarked(gql_http: GraphQLClient, people: People, scene: Scene) -> Person:
    person = await people.make()
    await gql_http.data(BOOKMARK, {"s": scene.session}, as_=person)
    return person


async def replay(live: LiveServer, person: Person, query: str, after: str, count: int) -> list[Any]:
    async with live_client(live.ws_url, person.token) as ws:
        await ws.subscribe(query, {"after": after})
        return await ws.notices(count)


async def test_a_replay_after_an_agenda_change_renders_the_agenda_as_it_is_now(
    live: LiveServer, gql_http: GraphQLClient, people: People, scene: Scene
) -> None:
    person = await bookmarked(gql_http, people, scene)
    async with live_client(live.ws_url, person.token) as watcher:
        await watcher.subscribe(PUBLIC)
        await rename(gql_http, people, scene, "Titre un")
        first = await heard_live(watcher)
    # Replayed once (and kept for other replays at this agenda version) …
    (early,) = await replay(live, person, PUBLIC, scene.start, 1)
    assert early["session"]["title"] == "Titre un"
    async with live_client(live.ws_url, person.token) as watcher:
        await watcher.subscribe(PUBLIC)
        await rename(gql_http, people, scene, "Titre deux")
        await heard_live(watcher)
    # … then the agenda changed: the same notice now shows the session as it is.
    again, _ = await replay(live, person, PUBLIC, scene.start, 2)
    assert again["id"] == first["id"] == early["id"]
    assert again["session"]["title"] == "Titre deux"


async def test_replays_of_one_public_selection_share_one_rendering(
    live: LiveServer, gql_http: GraphQLClient, people: People, scene: Scene
) -> None:
    one = await bookmarked(gql_http, people, scene)
    other = await bookmarked(gql_http, people, scene)
    async with live_client(live.ws_url, one.token) as watcher:
        await watcher.subscribe(PUBLIC)
        await rename(gql_http, people, scene, "Titre partagé")
        notice = await heard_live(watcher)
    replays = live.app.state.graphql_view.renderer.replays
    kept = len(replays._entries)
    assert await replay(live, one, PUBLIC, scene.start, 1) == [notice]
    assert len(replays._entries) == kept + 1
    assert await replay(live, other, PUBLIC, scene.start, 1) == [notice]
    assert len(replays._entries) == kept + 1  # the second replay took the first's payload


async def test_a_selection_with_a_viewer_field_is_rendered_for_each_replay(
    live: LiveServer, gql_http: GraphQLClient, people: People, scene: Scene
) -> None:
    fan = await bookmarked(gql_http, people, scene)
    speaker = await people.make(speaker_id=scene.speaker)  # told too, without a bookmark
    async with live_client(live.ws_url, fan.token) as watcher:
        await watcher.subscribe(PUBLIC)
        await rename(gql_http, people, scene, "Titre personnel")
        await heard_live(watcher)
    (for_fan,) = await replay(live, fan, PER_VIEWER, scene.start, 1)
    (for_speaker,) = await replay(live, speaker, PER_VIEWER, scene.start, 1)
    assert for_fan["id"] == for_speaker["id"]
    assert for_fan["session"]["viewerHasBookmarked"] is True
    assert for_speaker["session"]["viewerHasBookmarked"] is False


async def test_a_selection_with_a_volatile_field_is_rendered_for_each_replay(
    live: LiveServer,
    gql_http: GraphQLClient,
    people: People,
    scene: Scene,
    db: asyncpg.Connection[Any],
) -> None:
    person = await bookmarked(gql_http, people, scene)
    async with live_client(live.ws_url, person.token) as watcher:
        await watcher.subscribe(PUBLIC)
        await rename(gql_http, people, scene, "Titre des places")
        await heard_live(watcher)
    (before,) = await replay(live, person, VOLATILE, scene.start, 1)
    # Someone takes a seat: the agenda's version does not move, the seats left do.
    other = await people.make()
    await db.execute(
        "INSERT INTO registration (person_id, session_id, status) VALUES ($1, $2, 'REGISTERED')",
        other.id,
        scene.session,
    )
    try:
        (after,) = await replay(live, person, VOLATILE, scene.start, 1)
    finally:
        await db.execute("DELETE FROM registration WHERE person_id = $1", other.id)
    assert after["session"]["seatsLeft"] == before["session"]["seatsLeft"] - 1


async def test_a_notice_about_no_meeting_is_rendered_once_for_app_like_selections(
    live: LiveServer, gql_http: GraphQLClient, people: People, scene: Scene
) -> None:
    one = await bookmarked(gql_http, people, scene)
    other = await bookmarked(gql_http, people, scene)
    renderer = live.app.state.graphql_view.renderer
    async with (
        live_client(live.ws_url, one.token) as one_ws,
        live_client(live.ws_url, other.token) as other_ws,
    ):
        await one_ws.subscribe(APP_LIKE)
        await other_ws.subscribe(APP_LIKE)
        await rename(gql_http, people, scene, "Titre rendu une fois")
        (to_one,) = await one_ws.notices(1)
        (to_other,) = await other_ws.notices(1)
    assert to_one == to_other
    assert to_one["meeting"] is None
    assert to_one["session"]["title"] == "Titre rendu une fois"
    # Two groups (one per viewer), one rendering between them.
    assert renderer._shared_seq == int(to_one["id"])
    assert len(renderer._shared_payloads) == 1
    # Replays share it too, at this agenda version.
    kept = len(renderer.replays._entries)
    assert await replay(live, one, APP_LIKE, scene.start, 1) == [to_one]
    assert await replay(live, other, APP_LIKE, scene.start, 1) == [to_one]
    assert len(renderer.replays._entries) == kept + 1


async def test_another_viewer_field_beside_the_meeting_keeps_rendering_per_viewer(
    live: LiveServer, gql_http: GraphQLClient, people: People, scene: Scene
) -> None:
    fan = await bookmarked(gql_http, people, scene)
    speaker = await people.make(speaker_id=scene.speaker)  # told too, without a bookmark
    async with (
        live_client(live.ws_url, fan.token) as fan_ws,
        live_client(live.ws_url, speaker.token) as speaker_ws,
    ):
        await fan_ws.subscribe(BOOKMARKED)
        await speaker_ws.subscribe(BOOKMARKED)
        await rename(gql_http, people, scene, "Titre à chacun le sien")
        (to_fan,) = await fan_ws.notices(1)
        (to_speaker,) = await speaker_ws.notices(1)
    assert to_fan["session"]["viewerHasBookmarked"] is True
    assert to_speaker["session"]["viewerHasBookmarked"] is False
