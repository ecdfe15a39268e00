"""The relay on its own: it numbers committed notices in write order, publishes each one
once in cursor order, marks them published a moment later, and what a relay could not
finish (a crash, Redis away) the next round or the next relay sends, nothing lost."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from server.clock import Clock
from server.db.pool import connect
from server.db.queries.notices import NoticeDraft
from server.domain import notice_log, notices
from server.live import wire
from server.live.listener import Inbox, listening
from server.live.publisher import Publisher
from server.services import ServiceUrls
from tests.conftest import People
from tests.databases import fair_database
from workers import relay as relay_module
from workers.relay import Relay

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
async def dsn(service_urls: ServiceUrls) -> AsyncIterator[str]:
    # A database of its own: the suite's worker must not sequence these notices.
    async with fair_database(service_urls, prefix="salon_relay") as own:
        yield own


@pytest.fixture
def channel() -> str:
    return wire.channel(f"salon-relay-test-{secrets.token_hex(4)}")


@pytest.fixture
async def heard(service_urls: ServiceUrls, channel: str) -> AsyncIterator[Inbox]:
    """What is published on the test's channel, as a hub hears it."""
    async with listening(service_urls.redis_url, [channel]) as inbox:
        yield inbox


@contextlib.asynccontextmanager
async def relay_on(dsn: str, redis_url: str, channel: str, **options: Any) -> AsyncIterator[Relay]:
    publisher = Publisher.connect(redis_url, channel)
    relay = Relay(dsn, publisher, Clock.starting_at(NOW), **options)
    try:
        yield relay
    finally:
        await relay._drop_connection()
        await publisher.aclose()


async def write(dsn: str, title: str, *, send_at: datetime = NOW, to: Sequence[int] = ()) -> int:
    conn = await connect(dsn)
    try:
        async with conn.transaction():
            draft = NoticeDraft("ANNOUNCEMENT", title, "corps", everyone=not to)
            return await notices.record(conn, draft, recipients=to, now=NOW, send_at=send_at)
    finally:
        await conn.close()


async def published(inbox: Inbox, count: int) -> list[tuple[int, str, tuple[int, ...]]]:
    """The next `count` messages: (cursor, title, recipients) each."""
    got = []
    for _ in range(count):
        message = await inbox.get(timeout=10)
        assert message is not None, f"only {len(got)} of {count} published"
        live = wire.decode(message[1])
        got.append((live.seq, live.notice.title_fr, live.recipients))
    return got


async def nothing_more(inbox: Inbox) -> None:
    assert await inbox.get(timeout=0.5) is None


async def states(dsn: str) -> dict[str, tuple[int | None, bool]]:
    """Title -> (cursor, marked published) of every notice of the test."""
    conn = await connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT title_fr, seq, published_at IS NOT NULL AS marked FROM notice "
            "WHERE body_fr = 'corps'"
        )
    finally:
        await conn.close()
    return {r["title_fr"]: (r["seq"], r["marked"]) for r in rows}


async def test_one_round_numbers_in_write_order_and_publishes_each_notice_once(
    dsn: str, service_urls: ServiceUrls, channel: str, heard: Inbox
) -> None:
    person = (await People(dsn).make()).id
    await write(dsn, "un")
    await write(dsn, "plus tard", send_at=NOW + timedelta(hours=1))
    await write(dsn, "deux", to=[person])
    async with relay_on(dsn, service_urls.redis_url, channel) as relay:
        assert await relay.round() == 2
        [(first, *one), (second, *two)] = await published(heard, 2)
        assert (second - first, one, two) == (1, ["un", ()], ["deux", (person,)])
        # Published, not marked yet: the next rounds send nothing again meanwhile.
        assert await relay.round() == 0
        await write(dsn, "trois")
        assert await relay.round() == 1
        assert await published(heard, 1) == [(second + 1, "trois", ())]
        await nothing_more(heard)
        assert await states(dsn) == {
            "un": (first, False),
            "deux": (second, False),
            "trois": (second + 1, False),
            "plus tard": (None, False),
        }


async def test_what_was_published_is_marked_a_moment_later_and_the_push_job_told(
    dsn: str, service_urls: ServiceUrls, channel: str, heard: Inbox
) -> None:
    await write(dsn, "un")
    told = asyncio.Event()
    stop = asyncio.Event()
    async with relay_on(
        dsn, service_urls.redis_url, channel, poll_seconds=30, on_published=told.set
    ) as relay:
        running = asyncio.create_task(relay.run(stop))
        try:
            [(seq, _, _)] = await published(heard, 1)
            await asyncio.wait_for(told.wait(), timeout=relay_module.MARK_DELAY + 10)
            assert await states(dsn) == {"un": (seq, True)}
        finally:
            stop.set()
            await asyncio.wait_for(running, timeout=10)
        await nothing_more(heard)


async def test_a_relay_that_stops_marks_what_it_published(
    dsn: str, service_urls: ServiceUrls, channel: str, heard: Inbox
) -> None:
    await write(dsn, "un")
    stop = asyncio.Event()
    async with relay_on(dsn, service_urls.redis_url, channel, poll_seconds=30) as relay:
        running = asyncio.create_task(relay.run(stop))
        [(seq, _, _)] = await published(heard, 1)
        stop.set()  # well before MARK_DELAY
        await asyncio.wait_for(running, timeout=10)
    assert await states(dsn) == {"un": (seq, True)}


async def test_a_relay_that_dies_before_marking_leaves_its_notices_to_the_next(
    dsn: str, service_urls: ServiceUrls, channel: str, heard: Inbox
) -> None:
    await write(dsn, "un")
    await write(dsn, "deux")
    async with relay_on(dsn, service_urls.redis_url, channel) as first:
        assert await first.round() == 2
        sent = await published(heard, 2)
        assert first._conn is not None
        first._conn.terminate()  # as if its process died: no marking, lock released
    await write(dsn, "trois")
    async with relay_on(dsn, service_urls.redis_url, channel) as second:
        assert await second.round() == 3
        # Again what was not marked (receivers drop repeats by cursor), then the new one.
        again = await published(heard, 3)
        assert again == [*sent, (sent[-1][0] + 1, "trois", ())]


async def test_notices_published_while_redis_is_away_go_out_later_in_order(
    dsn: str, service_urls: ServiceUrls, channel: str, heard: Inbox
) -> None:
    await write(dsn, "un")
    nowhere = "redis://127.0.0.1:1/0"  # nothing listens there
    async with relay_on(dsn, nowhere, channel) as failing:
        with pytest.raises(relay_module.PUBLISH_ERRORS):
            await failing.round()
    await write(dsn, "deux")
    async with relay_on(dsn, service_urls.redis_url, channel) as relay:
        assert await relay.round() == 2
        [(first, *one), (second, *two)] = await published(heard, 2)
        assert (second - first, one, two) == (1, ["un", ()], ["deux", ()])


async def test_a_backlog_goes_out_whole_before_what_is_numbered_after_it(
    dsn: str,
    service_urls: ServiceUrls,
    channel: str,
    heard: Inbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(relay_module, "BATCH", 2)
    for title in ("a", "b", "c"):
        await write(dsn, title)
    # Numbered by a relay that then lost Redis for a while: three unpublished notices.
    conn = await connect(dsn)
    try:
        assert await notice_log.sequence_due(conn, NOW) == 3
    finally:
        await conn.close()
    await write(dsn, "d")
    async with relay_on(dsn, service_urls.redis_url, channel) as relay:
        assert await relay.round() == 4
        got = await published(heard, 4)
    assert [title for _, title, _ in got] == ["a", "b", "c", "d"]
    assert [seq for seq, _, _ in got] == list(range(got[0][0], got[0][0] + 4))


async def test_a_standby_relay_publishes_nothing_while_another_leads(
    dsn: str, service_urls: ServiceUrls, channel: str, heard: Inbox
) -> None:
    await write(dsn, "un")
    async with (
        relay_on(dsn, service_urls.redis_url, channel) as leader,
        relay_on(dsn, service_urls.redis_url, channel) as standby,
    ):
        assert await leader.round() == 1
        await write(dsn, "deux")
        assert await standby.round() == 0
        assert await leader.round() == 1
        assert [t for _, t, _ in await published(heard, 2)] == ["un", "deux"]
        await nothing_more(heard)
