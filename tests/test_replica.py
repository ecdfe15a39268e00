"""Public queries read from a real streaming replica; what must see the viewer's own
writes reads from the primary; a lagging or stopped replica changes no answer.

The primary and its replica are clusters of this module's own (tests/pg_replica.py);
the app runs with DATABASE_URL on the primary and DATABASE_REPLICA_URL on the replica.
Which pool ran what is told by each pool's statement counter (the settings count
statements), and the replica pool's server is checked to be in recovery.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from gql import Client, gql
from gql.transport.httpx import HTTPXAsyncTransport

from server.db.pool import connect
from server.runtime import Replica
from server.services import ServiceUrls, with_database
from server.settings import Settings
from tests.conftest import GraphQLClient, LiveServer, People, start_server, stop_server
from tests.databases import fair_database
from tests.pg_replica import ReplicatedServers, cannot_replicate, replicated_servers
from tests.processes import free_port

SESSION = "query($id: ID!) { session(id: $id) { id title status } }"
DEMOS = """query($e: ID!, $first: Int = 50) {
  sessions(filter: {exhibitorId: $e}, first: $first) { nodes { id title } } }"""
SCHEDULE_DEMO = "mutation($d: DemoInput!) { scheduleDemo(input: $d) { id } }"
BOOKMARK = "mutation($s: ID!) { bookmarkSession(sessionId: $s) { id } }"
MY_SCHEDULE = "{ me { id schedule { sessions { id } } } }"


@pytest.fixture(scope="module")
async def servers() -> AsyncIterator[ReplicatedServers]:
    why = cannot_replicate()
    if why is not None:
        print(f"tests/test_replica.py skipped: {why}")
        pytest.skip(why)
    async with replicated_servers() as made:
        yield made


@dataclass
class ReplicaFair:
    servers: ReplicatedServers
    live: LiveServer
    gql: GraphQLClient
    people: People
    #: The app's database on the primary.
    dsn: str

    @property
    def replica(self) -> Replica:
        replica = self.live.runtime.replica
        assert replica is not None
        return replica

    def reads(self) -> Reads:
        return Reads(self)

    async def one(self, sql: str, *args: Any) -> Any:
        conn = await connect(self.dsn)
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()


class Reads:
    """The statements each pool sends from now on."""

    def __init__(self, fair: ReplicaFair) -> None:
        runtime = fair.live.runtime
        assert runtime.statements is not None
        assert fair.replica.statements is not None
        self._primary, self._replica = runtime.statements, fair.replica.statements
        self._since = (self._primary.count, self._replica.count)

    @property
    def primary(self) -> list[str]:
        return self._primary.statements[self._since[0] :]

    @property
    def replica(self) -> list[str]:
        return self._replica.statements[self._since[1] :]


def only_the_version(statements: list[str]) -> bool:
    """Nothing but agenda version reads (the replica is asked how far it replayed)."""
    return all("agenda_state" in s for s in statements)


@pytest.fixture(scope="module")
async def fair(servers: ReplicatedServers, settings: Settings) -> AsyncIterator[ReplicaFair]:
    assert settings.redis_url is not None
    urls = ServiceUrls(admin_dsn=servers.primary.dsn(), redis_url=settings.redis_url)
    async with fair_database(urls, "salon_replica") as dsn:
        await servers.caught_up()  # the database and its fair are on the replica too
        name = dsn.rsplit("/", 1)[1]
        own = replace(
            settings,
            database_url=dsn,
            database_replica_url=with_database(servers.replica.dsn(), name),
        )
        served, server, task = await start_server(own)
        try:
            async with httpx.AsyncClient(base_url=served.url, timeout=10) as http:
                yield ReplicaFair(servers, served, GraphQLClient(http), People(dsn), dsn)
        finally:
            await stop_server(server, task)


def uncached(query: str) -> str:
    """`query` as a document of its own (a comment of its own): the response cache has
    no answer for it, so it runs."""
    return f"{query} # {secrets.token_hex(6)}"


async def a_session(fair: ReplicaFair) -> str:
    """A session no other test of this module changes."""
    session_id: str = await fair.one(
        "SELECT id FROM session WHERE kind = 'CONFERENCE' ORDER BY random() LIMIT 1"
    )
    return session_id


async def retitle_on_the_primary(fair: ReplicaFair, session_id: str) -> str:
    """A new title, written straight in the primary's database (it bumps the version)."""
    title = f"Retitled {secrets.token_hex(4)}"
    await fair.one("UPDATE session SET title_fr = $2 WHERE id = $1 RETURNING id", session_id, title)
    return title


async def test_the_replica_pool_reads_from_a_streaming_standby(fair: ReplicaFair) -> None:
    assert await fair.replica.pool.fetchval("SELECT pg_is_in_recovery()") is True
    assert await fair.servers.on_replica("SELECT status FROM pg_stat_wal_receiver") == "streaming"
    name = await fair.replica.pool.fetchval(
        "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()"
    )
    assert name == "salon-replica"


async def test_public_agenda_queries_run_on_the_replica(fair: ReplicaFair) -> None:
    cache = fair.live.app.state.graphql_view.cache
    assert cache.is_cacheable(SESSION, None)  # EVERYONE: the response cache's own verdict
    session_id = await a_session(fair)
    reads = fair.reads()
    data = await fair.gql.data(uncached(SESSION), {"id": session_id})
    assert data["session"]["id"] == session_id
    assert any("FROM session" in s for s in reads.replica), reads.replica
    # The primary gave the agenda version of the cache key, nothing else.
    assert reads.primary
    assert only_the_version(reads.primary), reads.primary

    # A signed-in attendee's public query too: it reads nothing they wrote.
    attendee = await fair.people.make()
    other = await a_session(fair)
    reads = fair.reads()
    assert (await fair.gql.data(uncached(SESSION), {"id": other}, as_=attendee))["session"][
        "id"
    ] == other
    assert any("FROM session" in s for s in reads.replica)


async def test_organisers_read_the_public_agenda_from_the_primary(fair: ReplicaFair) -> None:
    organiser = await fair.people.make("ORGANISER")
    reads = fair.reads()
    await fair.gql.data(uncached(SESSION), {"id": await a_session(fair)}, as_=organiser)
    assert reads.replica == []
    assert any("FROM session" in s for s in reads.primary)


async def test_me_and_mutations_run_on_the_primary(fair: ReplicaFair) -> None:
    attendee = await fair.people.make()
    session_id = await a_session(fair)
    reads = fair.reads()
    await fair.gql.data(BOOKMARK, {"s": session_id}, as_=attendee)
    mine = await fair.gql.data(MY_SCHEDULE, as_=attendee)
    assert mine["me"]["id"] == str(attendee.id)
    # One VIEWER field in a public object is enough to read from the primary.
    marked = "query($id: ID!) { session(id: $id) { id viewerHasBookmarked } }"
    seen = await fair.gql.data(uncached(marked), {"id": session_id}, as_=attendee)
    assert seen["session"]["viewerHasBookmarked"] is True
    assert reads.replica == []
    assert any("bookmark" in s for s in reads.primary)


async def test_a_viewer_reads_their_own_writes_while_the_replica_lags(fair: ReplicaFair) -> None:
    attendee = await fair.people.make()
    exhibitor_id = await fair.one(
        "SELECT exhibitor_id FROM booth WHERE exhibitor_id IS NOT NULL ORDER BY random() LIMIT 1"
    )
    staff = await fair.people.make("EXHIBITOR", exhibitor_id=exhibitor_id)
    session_id = await a_session(fair)
    demo = {
        "exhibitorId": exhibitor_id,
        "title": f"Démo {secrets.token_hex(4)}",
        "startsAt": "2026-12-05T20:00:00+00:00",
        "endsAt": "2026-12-05T20:20:00+00:00",
    }
    async with fair.servers.replay_paused():
        # Their own data: `me` always reads the primary.
        await fair.gql.data(BOOKMARK, {"s": session_id}, as_=attendee)
        mine = await fair.gql.data(MY_SCHEDULE, as_=attendee)
        assert session_id in [s["id"] for s in mine["me"]["schedule"]["sessions"]]

        # Public data an exhibitor (not an organiser) just wrote: the replica has not
        # replayed the agenda version the primary is at, so the primary answers.
        created = (await fair.gql.data(SCHEDULE_DEMO, {"d": demo}, as_=staff))["scheduleDemo"]
        reads = fair.reads()
        listed = await fair.gql.data(DEMOS, {"e": exhibitor_id}, as_=staff)
        assert created["id"] in [s["id"] for s in listed["sessions"]["nodes"]]
        assert only_the_version(reads.replica), reads.replica
        # Anyone else asking meanwhile gets the new agenda as well.
        anonymous = await fair.gql.data(DEMOS, {"e": exhibitor_id})
        assert anonymous == listed


async def test_a_lagging_replica_does_not_poison_the_response_cache(fair: ReplicaFair) -> None:
    session_id = await a_session(fair)
    before = (await fair.gql.data(SESSION, {"id": session_id}))["session"]["title"]
    async with fair.servers.replay_paused():
        title = await retitle_on_the_primary(fair, session_id)
        assert (
            await fair.replica.pool.fetchval(
                "SELECT title_fr FROM session WHERE id = $1", session_id
            )
            == before
        )  # the replica does lag
        reads = fair.reads()
        first = await fair.gql.data(SESSION, {"id": session_id})
        again = await fair.gql.data(SESSION, {"id": session_id})  # from the cache
        assert first["session"]["title"] == again["session"]["title"] == title
        assert only_the_version(reads.replica), reads.replica
    # Replayed: the replica answers again, and with the new title.
    other = await a_session(fair)
    reads = fair.reads()
    assert (await fair.gql.data(SESSION, {"id": session_id}))["session"]["title"] == title
    await fair.gql.data(uncached(SESSION), {"id": other})
    assert any("FROM session" in s for s in reads.replica)


async def test_a_stopped_replica_leaves_the_primary_to_answer(
    fair: ReplicaFair, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tried again at once after a failure, so that the test sees it come back.
    monkeypatch.setattr(fair.replica, "retry_seconds", 0.0)
    session_id = await a_session(fair)
    async with fair.servers.replica_down():
        title = await retitle_on_the_primary(fair, session_id)
        body = await fair.gql(SESSION, {"id": session_id})
        assert "errors" not in body, body
        assert body["data"]["session"]["title"] == title
        ready = await fair.gql.http.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"]["replica"].startswith("unavailable")
    reads = fair.reads()
    await fair.gql.data(uncached(SESSION), {"id": await a_session(fair)})
    assert any("FROM session" in s for s in reads.replica)
    assert (await fair.gql.http.get("/readyz")).json()["checks"]["replica"] == "ok"


async def test_a_failed_replica_is_left_alone_for_a_while(
    fair: ReplicaFair, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Put back afterwards: the replica is tried again at once by the next tests.
    monkeypatch.setattr(fair.replica, "skip_until", fair.replica.skip_until)
    async with fair.servers.replica_down():
        await fair.gql.data(uncached(SESSION), {"id": await a_session(fair)})
        assert not fair.replica.in_use
        reads = fair.reads()
        await fair.gql.data(uncached(SESSION), {"id": await a_session(fair)})
        assert reads.replica == []


async def test_an_unreachable_replica_at_start_up_is_no_failure(settings: Settings) -> None:
    dead = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"
    served, server, task = await start_server(replace(settings, database_replica_url=dead))
    try:
        async with httpx.AsyncClient(base_url=served.url, timeout=10) as http:
            body = await GraphQLClient(http).data("{ event { name } }")
            assert body["event"]["name"]
            ready = await http.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"]["replica"].startswith("unavailable")
    finally:
        await stop_server(server, task)


async def test_gql_client_sees_its_own_demo_while_the_replica_lags(fair: ReplicaFair) -> None:
    exhibitor_id = await fair.one(
        "SELECT exhibitor_id FROM booth WHERE exhibitor_id IS NOT NULL ORDER BY random() LIMIT 1"
    )
    staff = await fair.people.make("EXHIBITOR", exhibitor_id=exhibitor_id)
    transport = HTTPXAsyncTransport(url=fair.live.graphql_url, headers=staff.headers)
    async with Client(transport=transport) as client:
        async with fair.servers.replay_paused():
            schedule = gql(SCHEDULE_DEMO)
            schedule.variable_values = {
                "d": {
                    "exhibitorId": exhibitor_id,
                    "title": f"Démo gql {secrets.token_hex(4)}",
                    "startsAt": "2026-12-04T19:00:00+00:00",
                    "endsAt": "2026-12-04T19:20:00+00:00",
                }
            }
            created = (await client.execute(schedule))["scheduleDemo"]["id"]
            demos = gql(DEMOS)
            demos.variable_values = {"e": exhibitor_id}
            listed = await client.execute(demos)
            assert created in [s["id"] for s in listed["sessions"]["nodes"]]
        # Caught up: the replica answers (another page size: not the cached answer),
        # with the demo in it.
        demos.variable_values = {"e": exhibitor_id, "first": 49}
        reads = fair.reads()
        again = await client.execute(demos)
        assert created in [s["id"] for s in again["sessions"]["nodes"]]
        assert reads.replica


async def test_a_query_that_fails_on_the_replica_is_answered_by_the_primary(
    fair: ReplicaFair, settings: Settings
) -> None:
    # A replica login that may read the agenda version but no session: the version
    # read succeeds there, the query itself fails there, for real.
    role = f"salon_reader_{secrets.token_hex(3)}"
    await fair.one(f"CREATE ROLE {role} LOGIN")
    await fair.one(f"GRANT SELECT ON agenda_state TO {role}")
    await fair.servers.caught_up()
    database = fair.dsn.rsplit("/", 1)[1]
    reader = f"postgresql://{role}@127.0.0.1:{fair.servers.replica.port}/{database}"
    own = replace(settings, database_url=fair.dsn, database_replica_url=reader)
    served, server, task = await start_server(own)
    try:
        async with httpx.AsyncClient(base_url=served.url, timeout=10) as http:
            session_id = await a_session(fair)
            data = await GraphQLClient(http).data(SESSION, {"id": session_id})
            assert data["session"]["id"] == session_id
            replica = served.runtime.replica
            assert replica is not None
            assert replica.statements is not None
            assert any("FROM session" in s for s in replica.statements.statements)  # tried
    finally:
        await stop_server(server, task)
