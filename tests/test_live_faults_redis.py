"""Live notices when Redis restarts: nothing lost, nothing repeated."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from server.services import ServiceUrls
from server.settings import Settings
from tests.announcements import broadcast, latest_cursor, title, written
from tests.conftest import People
from tests.live_client import NOTICES, live_client
from tests.own_services import fair_database, in_process, own_redis


async def test_redis_restart_loses_no_notice_and_repeats_none(
    settings: Settings, service_urls: ServiceUrls, tmp_path: Path
) -> None:
    # A database of its own: a relay elsewhere (the suite's worker) must not publish
    # these notices to another Redis, and no other test sees them.
    async with (
        fair_database(service_urls) as dsn,
        own_redis(tmp_path) as redis,
        in_process(replace(settings, database_url=dsn, redis_url=redis.url)) as (served, _),
    ):
        people = People(dsn)
        organiser, attendee = await people.make("ORGANISER"), await people.make("ATTENDEE")
        async with live_client(served.ws_url, attendee.token) as client:
            await client.subscribe(NOTICES, {"after": await latest_cursor(dsn)})
            before = title("Avant la coupure")
            answered = await broadcast(served.graphql_url, organiser.token, before)
            _, expected_before = await written(dsn, before)
            assert (answered, await client.notices(1)) == (expected_before, [expected_before])

            await redis.kill()
            missed = [title("Pendant la coupure"), title("Pendant la coupure")]
            answers = [await broadcast(served.graphql_url, organiser.token, t) for t in missed]

            await redis.start()  # same port: the hub and the relay find it again
            got = await client.notices(2, timeout=20)
            expected = [await written(dsn, t) for t in missed]
            assert got == [notice for _, notice in expected]
            for answer, (internal_id, notice) in zip(answers, expected, strict=True):
                # The write was durable; its cursor may not have been known to this
                # process yet when the mutation answered.
                assert answer["id"] in (notice["id"], f"pending-{internal_id}")
                assert {**answer, "id": notice["id"]} == notice
            after = title("Après la coupure")
            await broadcast(served.graphql_url, organiser.token, after)
            _, expected_after = await written(dsn, after)
            # The very next message: nothing repeated in between.
            assert await client.notices(1) == [expected_after]
            assert [int(n["id"]) for _, n in expected] == sorted(int(n["id"]) for _, n in expected)
