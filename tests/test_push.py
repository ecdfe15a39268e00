"""Web Push end to end: devices registered over GraphQL, notices turned into pushes by
the worker, delivered to a real push service on 127.0.0.1 (tests/push_service.py) that
checks the VAPID JWT, TTL, Urgency and Topic and decrypts every message."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from server.db.pool import connect, create_pool
from server.domain import push_deliveries, push_devices
from server.push.keys import b64url_decode
from server.services import ServiceUrls
from server.settings import Settings
from tests.announcements import BOOKMARK, BROADCAST, title
from tests.conftest import GraphQLClient, People, Person
from tests.databases import fair_database
from tests.live_client import connect_and_init
from tests.offline_copy import OwnFair, app_on
from tests.processes import finish, spawn
from tests.push_service import PushService

REGISTER = """mutation($input: PushSubscriptionInput!) {
  registerPushSubscription(input: $input) }"""
UNREGISTER = "mutation($e: String!) { unregisterPushSubscription(endpoint: $e) }"
RENEW = """mutation($old: String!, $auth: String!, $input: PushSubscriptionInput!) {
  renewPushSubscription(oldEndpoint: $old, oldAuth: $auth, input: $input) }"""
KEY = "{ pushPublicKey }"


@dataclass
class PushFair:
    own: OwnFair
    service: PushService
    settings: Settings
    organiser: Person

    @property
    def gql(self) -> GraphQLClient:
        return self.own.gql

    async def device(self, person: Person, lang: str | None = None) -> dict[str, Any]:
        """A new device of `person`, registered; its subscription JSON."""
        subscription = self.service.new_device()
        given = {**subscription, **({"lang": lang} if lang else {})}
        data = await self.gql.data(REGISTER, {"input": given}, as_=person)
        assert data == {"registerPushSubscription": True}
        return subscription

    async def broadcast(self, audience: dict[str, Any], **extra: Any) -> str:
        """An announcement; the title it was given."""
        name = title("Push")
        variables = {"input": {"title": name, "body": f"Corps {name}", "audience": audience}}
        variables["input"].update(extra)
        data = await self.gql.data(BROADCAST, variables, as_=self.organiser)
        assert data["broadcastAnnouncement"]["id"]
        return name


async def worker_settings(settings: Settings, dsn: str) -> Settings:
    return replace(
        settings,
        database_url=dsn,
        push_allow_insecure=True,
        redis_namespace=f"{settings.redis_namespace}-push-{secrets.token_hex(2)}",
        relay_poll_seconds=0.2,
        reminder_poll_seconds=0.2,
        push_poll_seconds=0.2,
        push_lease_seconds=2.0,
    )


@contextlib.asynccontextmanager
async def push_fair_on(
    settings: Settings, service_urls: ServiceUrls, *, in_process_worker: bool = True
) -> AsyncIterator[PushFair]:
    from workers.main import run_worker

    async with fair_database(service_urls, "salon_push") as dsn:
        own_settings = await worker_settings(settings, dsn)
        async with app_on(own_settings, dsn) as own:
            key = (await own.gql.data(KEY))["pushPublicKey"]
            async with PushService.running(key) as service:
                organiser = await People(dsn).make("ORGANISER")
                fair = PushFair(own, service, own_settings, organiser)
                if not in_process_worker:
                    yield fair
                    return
                stop = asyncio.Event()
                task = asyncio.create_task(
                    run_worker(own_settings, stop, clock=own.live.runtime.clock)
                )
                try:
                    yield fair
                finally:
                    stop.set()
                    await asyncio.wait_for(task, timeout=15)


@pytest.fixture(scope="module")
async def fair(settings: Settings, service_urls: ServiceUrls) -> AsyncIterator[PushFair]:
    async with push_fair_on(settings, service_urls) as made:
        yield made


async def states(dsn: str, name: str) -> dict[str, int]:
    conn = await connect(dsn)
    try:
        rows = await conn.fetch(
            """SELECT d.state, count(*) FROM push_delivery d JOIN notice n ON n.id = d.notice_id
                WHERE n.title_fr = $1 GROUP BY d.state""",
            name,
        )
    finally:
        await conn.close()
    return {r[0]: r[1] for r in rows}


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 15) -> None:  # noqa: ASYNC109
    """Wait until `check()` holds; for the delivery log, which no event announces."""
    async with asyncio.timeout(timeout):
        while not await check():  # noqa: ASYNC110 - polled, bounded by the timeout
            await asyncio.sleep(0.05)


async def until_states(dsn: str, name: str, want: dict[str, int], timeout: float = 15) -> None:  # noqa: ASYNC109
    """Wait until the deliveries of the notice titled `name` are in the states `want`."""

    async def reached() -> bool:
        return await states(dsn, name) == want

    await until(reached, timeout)


def for_notice(service: PushService, device: dict[str, Any], name: str) -> list[Any]:
    return [
        r
        for r in service.received_for(PushService.device_id(device))
        if r.payload["notification"]["title"] == name
    ]


# --- the key and the devices ------------------------------------------------------------


async def test_the_public_key_is_a_p256_point_and_stays_the_same(fair: PushFair) -> None:
    first = (await fair.gql.data(KEY))["pushPublicKey"]
    point = b64url_decode(first)
    assert len(point) == 65
    assert point[0] == 4
    answers = await asyncio.gather(*(fair.gql.data(KEY) for _ in range(5)))
    assert {a["pushPublicKey"] for a in answers} == {first}


async def test_concurrent_first_starts_agree_on_one_key(
    settings: Settings, service_urls: ServiceUrls
) -> None:
    async with fair_database(service_urls, "salon_pushkey") as dsn:
        pool = await create_pool(dsn, min_size=1, max_size=10)
        try:
            keys = await asyncio.gather(
                *(push_devices.public_key(pool, datetime.now(UTC)) for _ in range(10))
            )
        finally:
            await pool.close()
    assert len(set(keys)) == 1


async def test_registering_needs_sign_in_and_again_updates(fair: PushFair) -> None:
    subscription = fair.service.new_device()
    assert await fair.gql.error_codes(REGISTER, {"input": subscription}) == ["UNAUTHENTICATED"]
    person = await People(fair.own.dsn).make()
    for lang in ("FR", "EN"):
        data = await fair.gql.data(REGISTER, {"input": {**subscription, "lang": lang}}, as_=person)
        assert data == {"registerPushSubscription": True}
    conn = await connect(fair.own.dsn)
    try:
        rows = await conn.fetch(
            "SELECT lang FROM push_subscription WHERE endpoint = $1", subscription["endpoint"]
        )
    finally:
        await conn.close()
    assert [r["lang"] for r in rows] == ["EN"]
    gone = {"e": subscription["endpoint"]}
    assert await fair.gql.data(UNREGISTER, gone, as_=person) == {"unregisterPushSubscription": True}
    assert await fair.gql.data(UNREGISTER, gone, as_=person) == {
        "unregisterPushSubscription": False
    }


async def test_bad_subscriptions_are_refused_and_change_nothing(fair: PushFair) -> None:
    person = await People(fair.own.dsn).make()
    good = fair.service.new_device()
    bad_inputs = [
        {**good, "keys": {"p256dh": "AAAA", "auth": good["keys"]["auth"]}},
        {**good, "keys": {"p256dh": good["keys"]["p256dh"], "auth": "not base64 !"}},
        {**good, "endpoint": "ftp://push.example.com/x"},
        {**good, "endpoint": "http://127.0.0.1:1/x\x00"},
        {**good, "endpoint": "https://push.example.com/" + "a" * 2000},
        {**good, "expirationTime": 1e300},
        {**good, "endpoint": "not a url at all"},
    ]
    for bad in bad_inputs:
        codes = await fair.gql.error_codes(REGISTER, {"input": bad}, as_=person)
        assert codes == ["BAD_USER_INPUT"], bad
    conn = await connect(fair.own.dsn)
    try:
        count = await conn.fetchval(
            "SELECT count(*) FROM push_subscription WHERE person_id = $1", person.id
        )
    finally:
        await conn.close()
    assert count == 0


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://push.example.com/send/1",
        "https://127.0.0.1/send/1",
        "https://10.1.2.3/send/1",
        "https://192.168.1.20:8443/send/1",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/send/1",
        "https://[::ffff:10.0.0.1]/send/1",
        "https://[fe80::1]/send/1",
        "https://localhost/send/1",
        "https://push.localhost/send/1",
        "https://printer.local/send/1",
        "https://intranet/send/1",
        "https://user:pw@push.example.com/send/1",
    ],
)
async def test_an_endpoint_inside_our_network_is_refused(
    gql_http: GraphQLClient, people: People, endpoint: str
) -> None:
    """On the ordinary server (SALON_PUSH_ALLOW_INSECURE off): no SSRF through push."""
    person = await people.make()
    device = {
        "endpoint": endpoint,
        "keys": {
            "p256dh": (
                "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
            ),
            "auth": "tBHItJI5svbpez7KI4CCXg",
        },
    }
    assert await gql_http.error_codes(REGISTER, {"input": device}, as_=person) == ["BAD_USER_INPUT"]


async def test_the_device_cap_holds_when_registrations_race(fair: PushFair) -> None:
    person = await People(fair.own.dsn).make()
    cap = fair.settings.push_max_devices
    devices = [fair.service.new_device() for _ in range(cap * 3)]
    bodies = await asyncio.gather(*(fair.gql(REGISTER, {"input": d}, as_=person) for d in devices))
    accepted = [b for b in bodies if b.get("data") and b["data"]["registerPushSubscription"]]
    refused = [b["errors"][0]["extensions"]["code"] for b in bodies if b.get("errors")]
    assert len(accepted) == cap
    assert set(refused) == {"RATE_LIMITED"}
    conn = await connect(fair.own.dsn)
    try:
        count = await conn.fetchval(
            "SELECT count(*) FROM push_subscription WHERE person_id = $1", person.id
        )
    finally:
        await conn.close()
    assert count == cap


async def test_a_renewed_subscription_takes_the_old_ones_place(fair: PushFair) -> None:
    person = await People(fair.own.dsn).make()
    old = await fair.device(person)
    new = fair.service.new_device()
    wrong = {"old": old["endpoint"], "auth": new["keys"]["auth"], "input": new}
    assert await fair.gql.error_codes(RENEW, wrong) == ["NOT_FOUND"]
    right = {"old": old["endpoint"], "auth": old["keys"]["auth"], "input": new}
    assert await fair.gql.data(RENEW, right) == {"renewPushSubscription": True}
    name = await fair.broadcast({"userIds": [str(person.id)]})
    await until_states(fair.own.dsn, name, {"SENT": 1})
    assert len(for_notice(fair.service, new, name)) == 1
    assert for_notice(fair.service, old, name) == []


# --- sending ------------------------------------------------------------------------------


async def test_a_broadcast_reaches_every_device_of_its_audience_once(fair: PushFair) -> None:
    speakers = [await People(fair.own.dsn).make("SPEAKER") for _ in range(2)]
    attendee = await People(fair.own.dsn).make("ATTENDEE")
    phones = [await fair.device(speakers[0]), await fair.device(speakers[0], "EN")]
    phones.append(await fair.device(speakers[1]))
    outsider = await fair.device(attendee)
    name = await fair.broadcast({"roles": ["SPEAKER"]}, titleEn=None)
    await until_states(fair.own.dsn, name, {"SENT": 3})
    for phone in phones:
        [got] = for_notice(fair.service, phone, name)
        notification = got.payload["notification"]
        assert got.payload["web_push"] == 8030
        assert notification["body"] == f"Corps {name}"
        assert notification["navigate"].endswith("/notices")
        assert 60 <= got.ttl <= 4 * 3600
        assert got.urgency == "normal"
    assert {
        for_notice(fair.service, p, name)[0].payload["notification"]["lang"] for p in phones
    } == {
        "fr",
        "en",
    }
    assert for_notice(fair.service, outsider, name) == []
    assert fair.service.rejections == []


async def test_a_large_audience_is_planned_and_sent_chunk_by_chunk(
    fair: PushFair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sending starts from the first committed chunk; none is missed or sent twice."""
    monkeypatch.setattr(push_deliveries, "PLAN_CHUNK", 2)
    people = await People(fair.own.dsn).many(7)
    phones = [await fair.device(p) for p in people]
    name = await fair.broadcast({"userIds": [str(p.id) for p in people]})
    await until_states(fair.own.dsn, name, {"SENT": 7})
    for phone in phones:
        assert len(for_notice(fair.service, phone, name)) == 1
    assert fair.service.rejections == []


async def test_a_session_change_goes_out_until_the_session_ends_under_its_topic(
    fair: PushFair,
) -> None:
    person = await People(fair.own.dsn).make()
    await fair.gql.data(BOOKMARK, {"id": "ses-012"}, as_=person)
    phone = await fair.device(person, "EN")
    change = """mutation($id: ID!, $input: SessionChangeInput!) {
      updateSession(id: $id, input: $input) { id title } }"""
    clock = fair.own.live.runtime.clock  # the worker's too
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))  # days before, whatever today is
    try:
        await fair.gql.data(
            change,
            {"id": "ses-012", "input": {"capacity": 77, "note": "Jauge changée"}},
            as_=fair.organiser,
        )
        await fair.service.until(
            lambda service: bool(service.received_for(PushService.device_id(phone)))
        )
    finally:
        clock.reset()
    [got] = fair.service.received_for(PushService.device_id(phone))
    assert got.topic == "s-ses-012"
    assert got.payload["notification"]["navigate"].endswith("/session/ses-012")
    assert got.payload["notification"]["tag"] == "session-ses-012"
    assert got.payload["notification"]["data"]["sessionId"] == "ses-012"
    assert got.ttl > 4 * 3600  # the session is days away: the change matters until it ends


async def test_a_live_socket_spares_a_normal_push_but_not_an_urgent_one(
    fair: PushFair,
) -> None:
    present = await People(fair.own.dsn).make()
    away = await People(fair.own.dsn).make()
    present_phone = await fair.device(present)
    away_phone = await fair.device(away)
    audience = {"userIds": [str(present.id), str(away.id)]}
    async with contextlib.AsyncExitStack() as stack:
        assert await connect_and_init(stack, fair.own.live.ws_url, present.token) == "ack"
        normal = await fair.broadcast(audience)
        await until_states(fair.own.dsn, normal, {"SENT": 1, "SKIPPED": 1})
        urgent = await fair.broadcast(audience, priority="URGENT")
        await until_states(fair.own.dsn, urgent, {"SENT": 2})
    assert len(for_notice(fair.service, away_phone, normal)) == 1
    assert for_notice(fair.service, present_phone, normal) == []
    [loud] = for_notice(fair.service, present_phone, urgent)
    assert loud.urgency == "high"


async def test_gone_subscriptions_are_forgotten(fair: PushFair) -> None:
    person = await People(fair.own.dsn).make()
    phone = await fair.device(person)
    fair.service.gone(PushService.device_id(phone))
    name = await fair.broadcast({"userIds": [str(person.id)]})
    conn = await connect(fair.own.dsn)

    async def forgotten() -> bool:
        return not await conn.fetchval(
            "SELECT count(*) FROM push_subscription WHERE endpoint = $1", phone["endpoint"]
        )

    try:
        await until(forgotten)
    finally:
        await conn.close()
    assert await states(fair.own.dsn, name) == {}  # its deliveries went with it


async def test_too_many_requests_is_retried_after_retry_after_and_delivered_once(
    fair: PushFair,
) -> None:
    person = await People(fair.own.dsn).make()
    phone = await fair.device(person)
    fair.service.answer(PushService.device_id(phone), 429, times=2, retry_after="1")
    name = await fair.broadcast({"userIds": [str(person.id)]})
    await until_states(fair.own.dsn, name, {"SENT": 1}, timeout=30)
    assert len(for_notice(fair.service, phone, name)) == 1
    conn = await connect(fair.own.dsn)
    try:
        attempts = await conn.fetchval(
            """SELECT d.attempts FROM push_delivery d JOIN notice n ON n.id = d.notice_id
                WHERE n.title_fr = $1""",
            name,
        )
    finally:
        await conn.close()
    assert attempts == 3


# --- a worker killed mid-batch --------------------------------------------------------


async def test_a_worker_killed_mid_batch_delivers_every_push_exactly_once(
    settings: Settings, service_urls: ServiceUrls, tmp_path: Any
) -> None:
    async with push_fair_on(settings, service_urls, in_process_worker=False) as fair:
        people = await People(fair.own.dsn).many(60)
        phones = [await fair.device(p) for p in people]
        # The first twenty are accepted at once; the other forty wait at the service.
        gates = [fair.service.hold(PushService.device_id(phone)) for phone in phones[20:]]
        env = worker_env(fair.settings, fair.own.live.runtime.clock.now())
        first = await spawn("worker-1", ["worker"], env, tmp_path)
        name = await fair.broadcast({"userIds": [str(p.id) for p in people]})
        await until_states(fair.own.dsn, name, {"SENT": 20, "PENDING": 40}, timeout=30)
        await fair.service.wait_held(40, timeout=30)
        first.process.kill()
        await first.process.wait()
        for gate in gates:
            gate.set()
        second = await spawn("worker-2", ["worker"], env, tmp_path)
        try:
            await until_states(fair.own.dsn, name, {"SENT": 60}, timeout=60)
        finally:
            await finish(second)
        for phone in phones:
            assert len(for_notice(fair.service, phone, name)) == 1, second.output()


def worker_env(settings: Settings, now: datetime) -> dict[str, str]:
    """`salon worker`'s environment, its clock starting at the fair's `now`."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("SALON_")},
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "SALON_REDIS_NAMESPACE": settings.redis_namespace,
        "SALON_PUSH_ALLOW_INSECURE": "1",
        "SALON_PUSH_LEASE_SECONDS": "2",
        "SALON_PUSH_POLL_SECONDS": "0.2",
        "SALON_RELAY_POLL_SECONDS": "0.2",
        "SALON_LOG_LEVEL": "INFO",
        "SALON_NOW": now.isoformat(),
    }
