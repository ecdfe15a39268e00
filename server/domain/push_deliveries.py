"""Each notice's pushes, as the push worker (workers/push.py) plans, claims and records
them. Planning writes one row per device of the audience once the notice is published;
a row is SENT only after the push service accepted it, so a restarted worker sends
what is left and nothing twice (the service worker drops the rare repeat of a push
whose acceptance was not yet recorded when the worker died)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import datetime, timedelta

from server.db.queries import push as sql
from server.db.queries.push import DueDelivery as DueDelivery
from server.db.queries.push import PushNotice as PushNotice
from server.domain.plans import Pool as Pool

#: A push whose notice is URGENT goes out even to people who have the app open.
_ALWAYS = "URGENT"
#: Devices planned per transaction.
PLAN_CHUNK = 2000


async def plan_published(
    db: Pool,
    online: Callable[[Sequence[int]], Awaitable[Collection[int]]],
    now: datetime,
    *,
    limit: int = 50,
    on_chunk: Callable[[], None] | None = None,
) -> int:
    """Plan the pushes of published notices not planned yet, in cursor order; returns
    how many devices were covered. `online(people)` says who has a live socket now: the
    socket shows them a NORMAL notice already, so their devices are SKIPPED. Each chunk
    of PLAN_CHUNK devices is committed on its own and `on_chunk` hears of it, so sending
    starts before a large audience is planned whole; a notice is marked planned last
    (a worker that dies midway plans the rest next time)."""
    covered = 0
    for notice in await sql.unplanned(db, limit):
        people = await sql.audience_people(db, notice.id)
        skipped = [] if notice.priority == _ALWAYS or not people else list(await online(people))
        after = 0
        # A small first chunk: the first phones buzz while the rest are planned.
        limit = max(1, PLAN_CHUNK // 8)
        while True:
            count, last = await sql.plan_deliveries(
                db, notice.id, skipped, now, after=after, limit=limit
            )
            covered += count
            if count and on_chunk is not None:
                on_chunk()
            if count < limit or last is None:
                break
            after, limit = last, PLAN_CHUNK
        await sql.mark_planned(db, notice.id, now)
    return covered


async def claim_due(db: Pool, now: datetime, lease: timedelta, limit: int) -> list[DueDelivery]:
    return await sql.claim_due(db, now, lease, limit)


async def notices(db: Pool, ids: Collection[int]) -> dict[int, PushNotice]:
    """The notices of a claimed batch, by id (a notice deleted meanwhile is absent)."""
    return {notice.id: notice for notice in await sql.push_notices(db, list(ids))}


async def record_sent(
    db: Pool, keys: Sequence[tuple[int, int]], status: int, now: datetime
) -> None:
    if keys:
        await sql.mark_sent(db, keys, status, now)


async def record_retry(
    db: Pool, delivery: DueDelivery, due_at: datetime, status: int | None
) -> None:
    await sql.mark_retry(db, delivery.notice_id, delivery.subscription_id, due_at, status)


async def record_failed(db: Pool, delivery: DueDelivery, status: int | None) -> None:
    await sql.mark_final(db, delivery.notice_id, delivery.subscription_id, "FAILED", status)


async def record_expired(db: Pool, delivery: DueDelivery) -> None:
    await sql.mark_final(db, delivery.notice_id, delivery.subscription_id, "EXPIRED", None)


async def forget_device(db: Pool, delivery: DueDelivery) -> None:
    """The push service says the subscription is gone (404/410): so are its deliveries."""
    await sql.forget_device(db, delivery.subscription_id)


async def delivery_states(db: Pool, notice_id: int) -> dict[str, int]:
    return await sql.delivery_states(db, notice_id)
