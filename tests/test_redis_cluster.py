"""Salon on a Redis Cluster (SALON_REDIS_CLUSTER): the notices on sharded pub/sub over
three masters, a master's restart, and socket caps and rate limits in one slot each.

The cluster is this module's own (tests/redis_cluster.py), and so is the database:
a relay elsewhere (the suite's worker) must not publish these notices elsewhere.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from collections.abc import AsyncIterator, Hashable
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot

from server.db.pool import connect, create_pool
from server.db.queries.notices import NoticeDraft
from server.domain import notice_log, notices
from server.live import wire
from server.live.hub import Hub
from server.live.publisher import Publisher
from server.live.sockets import Presence
from server.live.wire import LiveNotice
from server.services import ServiceUrls
from server.settings import Settings
from tests.announcements import broadcast, latest_cursor, title, written
from tests.conftest import GraphQLClient, LiveServer, People, start_server, stop_server
from tests.databases import empty_database
from tests.live_client import (
    NOTICES,
    LiveClient,
    closed_with,
    connect_and_init,
    eventually,
    live_client,
)
from tests.own_services import fair_database, in_process
from tests.redis_cluster import ClusterNode, RedisClusterUnderTest, redis_cluster


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RedisClusterUnderTest]:
    async with redis_cluster(tmp_path_factory.mktemp("redis-cluster")) as running:
        yield running


@dataclass
class Deployment:
    served: LiveServer
    settings: Settings
    dsn: str

    @property
    def namespace(self) -> str:
        return self.settings.redis_namespace


@pytest.fixture(scope="module")
async def on_cluster(
    settings: Settings, service_urls: ServiceUrls, cluster: RedisClusterUnderTest
) -> AsyncIterator[Deployment]:
    """The app and `salon worker`'s jobs, configured for the cluster (REDIS_URL is one
    of its nodes), on a database of their own."""
    async with fair_database(service_urls) as dsn:
        clustered = replace(
            settings,
            database_url=dsn,
            redis_url=cluster.url,
            redis_cluster=True,
            redis_namespace=f"{settings.redis_namespace}-cluster",
        )
        async with in_process(clustered) as (served, _):
            yield Deployment(served, clustered, dsn)


async def shard_subscribers(cluster: RedisClusterUnderTest, channel: str) -> int:
    """PUBSUB SHARDNUMSUB, asked of the master that serves the channel's slot."""
    node = await cluster.node_of_slot(key_slot(channel.encode()))
    out = (await node.cli_output("pubsub", "shardnumsub", channel)).split()
    assert out[0] == channel, out
    return int(out[1])


async def master_of_notice(cluster: RedisClusterUnderTest, namespace: str, seq: int) -> ClusterNode:
    """The master whose shard channel carries notice `seq`."""
    return await cluster.node_of_slot(key_slot(wire.notice_shard(namespace, seq).encode()))


def ids(got: list[dict[str, Any]]) -> list[int]:
    return [int(n["id"]) for n in got]


# --- 1. the relay's notice, to a real third-party client ------------------------------


async def test_a_relayed_notice_reaches_a_gql_subscriber_over_sharded_pubsub(
    on_cluster: Deployment, cluster: RedisClusterUnderTest
) -> None:
    people = People(on_cluster.dsn)
    organiser, attendee = await people.make("ORGANISER"), await people.make("ATTENDEE")
    served = on_cluster.served
    # The hub listens on every shard, each on the master that serves it, by SSUBSCRIBE.
    channels = [
        *wire.notice_shards(on_cluster.namespace),
        wire.revocations_channel(on_cluster.namespace),
    ]
    assert [await shard_subscribers(cluster, c) for c in channels] == [1] * len(channels)
    assert len({await cluster.node_of_slot(key_slot(c.encode())) for c in channels}) == 3
    async with httpx.AsyncClient(base_url=served.url, timeout=10) as http:
        ready = await http.get("/readyz")
    assert (ready.status_code, ready.json()["checks"]) == (200, {"postgres": "ok", "redis": "ok"})

    transport = WebsocketsTransport(
        url=served.ws_url,
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        init_payload={"authorization": f"Bearer {attendee.token}"},
    )
    async with Client(transport=transport) as session:
        request = gql("subscription($after: ID) { notices(after: $after) { id title } }")
        request.variable_values = {"after": await latest_cursor(on_cluster.dsn)}
        stream = session.subscribe(request)
        sent = title("Par le cluster")
        first = asyncio.ensure_future(anext(stream))
        await broadcast(served.graphql_url, organiser.token, sent)
        _, expected = await written(on_cluster.dsn, sent)
        assert await asyncio.wait_for(first, 10) == {
            "notices": {"id": expected["id"], "title": sent}
        }
        await stream.aclose()


# --- 2. notices spread over the shards: each once, in cursor order --------------------


async def test_notices_on_every_master_arrive_once_each_in_cursor_order(
    on_cluster: Deployment, cluster: RedisClusterUnderTest
) -> None:
    people = People(on_cluster.dsn)
    organiser, attendee = await people.make("ORGANISER"), await people.make("ATTENDEE")
    served = on_cluster.served
    after = await latest_cursor(on_cluster.dsn)
    async with (
        live_client(served.ws_url, attendee.token) as one,
        live_client(served.ws_url, attendee.token) as two,
    ):
        for client in (one, two):
            await client.subscribe(NOTICES, {"after": after})
        # At once: the relay takes them in one batch, split over the masters.
        titles = [title(f"Rafale {n}") for n in range(24)]
        await asyncio.gather(*(broadcast(served.graphql_url, organiser.token, t) for t in titles))
        expected = sorted(
            [notice for _, notice in [await written(on_cluster.dsn, t) for t in titles]],
            key=lambda n: int(n["id"]),
        )
        masters = {
            await master_of_notice(cluster, on_cluster.namespace, int(n["id"])) for n in expected
        }
        assert len(masters) == 3, "24 consecutive cursors cover every shard"
        for client in (one, two):
            got = await client.notices(len(titles), timeout=20)
            assert got == expected
        await no_repeats(served, organiser.token, on_cluster.dsn, one, two)


async def no_repeats(served: LiveServer, token: str, dsn: str, *clients: LiveClient) -> None:
    """One more notice is the very next message of every client: nothing came twice."""
    last = title("Et la suivante")
    await broadcast(served.graphql_url, token, last)
    _, expected = await written(dsn, last)
    for client in clients:
        assert await client.notices(1) == [expected]


# --- 3. a master restarts while notices are committed -------------------------------


async def test_a_master_restart_loses_no_notice_and_repeats_none(
    on_cluster: Deployment, cluster: RedisClusterUnderTest
) -> None:
    people = People(on_cluster.dsn)
    organiser, attendee = await people.make("ORGANISER"), await people.make("ATTENDEE")
    served = on_cluster.served
    after = await latest_cursor(on_cluster.dsn)
    async with (
        live_client(served.ws_url, attendee.token) as one,
        live_client(served.ws_url, attendee.token) as two,
    ):
        for client in (one, two):
            await client.subscribe(NOTICES, {"after": after})
        before = title("Avant la panne")
        await broadcast(served.graphql_url, organiser.token, before)
        _, expected_before = await written(on_cluster.dsn, before)
        for client in (one, two):
            assert await client.notices(1) == [expected_before]

        # The master of the next notice's shard: it is down when that notice is published.
        next_seq = int(expected_before["id"]) + 1
        down = await master_of_notice(cluster, on_cluster.namespace, next_seq)
        await down.kill()
        missed = [title(f"Pendant la panne {n}") for n in range(6)]
        for sent in missed:
            await broadcast(served.graphql_url, organiser.token, sent)
        await down.start()  # same port, same nodes.conf: it rejoins with its slots
        await cluster.wait_ok()

        expected = [notice for _, notice in [await written(on_cluster.dsn, t) for t in missed]]
        assert ids(expected) == sorted(ids(expected))
        masters = {await master_of_notice(cluster, on_cluster.namespace, n) for n in ids(expected)}
        assert down in masters, "some of them belong on the master that was down"
        for client in (one, two):
            assert await client.notices(len(missed), timeout=30) == expected
        await no_repeats(served, organiser.token, on_cluster.dsn, one, two)


# --- 4. socket caps and rate limits: their keys in one slot ----------------------------


async def test_the_socket_cap_holds_over_two_processes_on_the_cluster(
    on_cluster: Deployment, cluster: RedisClusterUnderTest
) -> None:
    capped = replace(
        on_cluster.settings,
        ws_max_sockets_per_person=3,
        redis_namespace=f"{on_cluster.namespace}-{secrets.token_hex(3)}",
    )
    person = await People(on_cluster.dsn).make()
    first, server_a, task_a = await start_server(capped)
    second, server_b, task_b = await start_server(capped)
    try:
        async with AsyncExitStack() as stack:
            outcomes = await asyncio.gather(
                *(
                    connect_and_init(stack, url, person.token)
                    for url in [first.ws_url, second.ws_url] * 6
                )
            )
            assert Counter(map(str, outcomes)) == {
                "ack": 3,
                str((4429, "Too many sockets for this account")): 9,
            }
            # Both processes count under one hash tag: one slot, one master.
            redis = RedisCluster.from_url(cluster.url)
            try:
                prefix = f"{{{capped.redis_namespace}:sockets}}"
                assert await redis.zcard(f"{prefix}:processes") == 2
            finally:
                await redis.aclose()
            # The push worker reads them the same way.
            presence = Presence.connect(cluster.url, capped.redis_namespace, cluster=True)
            try:
                assert await presence.online([person.id, -1]) == {person.id}
            finally:
                await presence.aclose()
        hubs = (first.runtime.hub.sockets, second.runtime.hub.sockets)
        await eventually(lambda: all(h.count(f"person:{person.id}") == 0 for h in hubs))
    finally:
        await stop_server(server_a, task_a)
        await stop_server(server_b, task_b)


async def test_a_sign_out_on_one_process_closes_its_sockets_on_another(
    on_cluster: Deployment,
) -> None:
    """The revocation goes by SPUBLISH on the deployment's revocations channel."""
    person = await People(on_cluster.dsn).make()
    served, server, task = await start_server(on_cluster.settings)  # a second process
    try:
        async with live_client(served.ws_url, person.token) as elsewhere:
            await elsewhere.subscribe("subscription { notices { title } }")
            sockets = served.runtime.hub.sockets
            await eventually(lambda: sockets.count(f"person:{person.id}") == 1)
            async with httpx.AsyncClient(base_url=on_cluster.served.url, timeout=10) as http:
                signed_out = await GraphQLClient(http).data("mutation { signOut }", as_=person)
            assert signed_out == {"signOut": True}
            assert await closed_with(elsewhere.ws) == (4403, "Signed out")
    finally:
        await stop_server(server, task)


BADGE = "mutation($b: String!) { signInWithBadge(badgeCode: $b) { token me { name } } }"


async def test_the_wrong_badge_quota_holds_on_the_cluster(on_cluster: Deployment) -> None:
    limited = replace(
        on_cluster.settings,
        wrong_badges_per_client=5,
        redis_namespace=f"{on_cluster.namespace}-{secrets.token_hex(3)}",
    )
    served, server, task = await start_server(limited)
    try:
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as http:
            gql_http = GraphQLClient(http)
            bodies = await asyncio.gather(
                *(gql_http(BADGE, {"b": f"SIS26-NOPE-{n:04d}"}) for n in range(20))
            )
        codes = Counter(b["errors"][0]["extensions"]["code"] for b in bodies)
        assert codes == {"UNAUTHENTICATED": 5, "RATE_LIMITED": 15}
    finally:
        await stop_server(server, task)


# --- the hub's reordering, notice by notice -------------------------------------------


async def test_notices_overtaking_each_other_are_held_then_handed_over_in_order(
    service_urls: ServiceUrls, cluster: RedisClusterUnderTest
) -> None:
    """Published by hand, out of order: a notice ahead of the cursor waits for those
    before it; one whose predecessor never comes is read back from PostgreSQL."""
    namespace = f"salon-reorder-{secrets.token_hex(3)}"
    async with empty_database(service_urls) as dsn:
        pool = await create_pool(dsn, min_size=1, max_size=2)
        conn = await connect(dsn)
        frames: list[int] = []

        async def renderer(group: Hashable, live: LiveNotice) -> str:
            return str(live.seq)

        hub = Hub(
            cluster.url,
            pool,
            renderer=renderer,
            framer=lambda operation_id, payload: payload,
            channel=wire.channel(namespace),
            redis_cluster=True,
            reorder_seconds=60,  # held until its predecessors come, in this part
        )

        async def send(frame: str) -> None:
            frames.append(int(frame))

        hub.new_subscriber(
            person_id=None,
            roles=frozenset(),
            group="all",
            operation_id="1",
            send=send,
            on_overflow=lambda: None,
        ).go_live(0)
        publisher = Publisher.connect(cluster.url, wire.channel(namespace), cluster=True)

        async def sequenced(count: int) -> list[LiveNotice]:
            now = datetime.now(UTC)
            for n in range(count):
                draft = NoticeDraft(
                    kind="ANNOUNCEMENT", title_fr=f"n{n}", body_fr="b", everyone=True
                )
                await notices.record(conn, draft, recipients=[], now=now)
            await notice_log.sequence_due(conn, now)
            rows = await notice_log.unpublished(conn, 100)
            await notice_log.mark_published(conn, [n.id for n, _ in rows], now)
            return [LiveNotice(n, tuple(to)) for n, to in rows]

        try:
            await hub.start()
            await asyncio.wait_for(hub.connected.wait(), 10)
            lives = await sequenced(8)
            seqs = [live.seq for live in lives]
            assert len({await master_of_notice(cluster, namespace, s) for s in seqs}) >= 2
            await publisher.publish(lives[:0:-1])  # all but the first, newest first
            await eventually(lambda: len(hub._ahead) == 7)
            assert frames == []
            await publisher.publish(lives[:1])
            await eventually(lambda: len(frames) == 8)
            assert frames == seqs

            hub.reorder_seconds = 0.05
            gap, ahead = await sequenced(2)
            await publisher.publish([ahead])  # `gap` is never published
            await eventually(lambda: len(frames) == 10)
            assert frames == [*seqs, gap.seq, ahead.seq]
            await publisher.publish([gap, ahead])  # late repeats: dropped
            await publisher.publish(await sequenced(1))
            await eventually(lambda: len(frames) == 11)
            assert frames == [*seqs, gap.seq, ahead.seq, ahead.seq + 1]
        finally:
            await hub.stop()
            await publisher.aclose()
            await conn.close()
            await pool.close()
