"""`salon worker`: the relay, the pushes and the reminder jobs, until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import timedelta

import uvloop

from server.clock import Clock, clock_from_setting, zone_data_facts
from server.collector import tune_collector
from server.db.pool import create_pool
from server.domain import agenda_changes, push_devices
from server.live import wire
from server.live.publisher import Publisher
from server.live.sockets import Presence
from server.push.sender import PushSender
from server.push.vapid import VapidSigner
from server.services import ensure_database, locate_services
from server.settings import Settings
from workers.push import PushJob, SendRules
from workers.relay import Relay
from workers.reminders import ReminderJob

log = logging.getLogger("salon.worker")

#: Seconds between two prunings of the agenda's tombstones (they are kept for days).
PRUNE_SECONDS = 3600.0


async def run_worker(settings: Settings, stop: asyncio.Event, clock: Clock | None = None) -> None:
    clock = clock or clock_from_setting(settings.now)
    urls = locate_services(settings)
    dsn = settings.database_url or await ensure_database(urls, settings.database_name)
    pool = await create_pool(dsn, min_size=1, max_size=4)
    publisher = Publisher.connect(
        urls.redis_url, wire.channel(settings.redis_namespace), cluster=settings.redis_cluster
    )
    presence = Presence.connect(
        urls.redis_url, settings.redis_namespace, cluster=settings.redis_cluster
    )
    key = await push_devices.ensure_key(pool, clock.now())
    sender = PushSender(
        VapidSigner(key.private_pem, settings.push_subject),
        max_in_flight=settings.push_concurrency,
        public_only=not settings.push_allow_insecure,
    )
    pushes = PushJob(
        pool,
        sender,
        presence.online,
        clock,
        SendRules(
            public_url=settings.public_url,
            allow_insecure=settings.push_allow_insecure,
            max_attempts=settings.push_max_attempts,
            lease=timedelta(seconds=settings.push_lease_seconds),
        ),
        poll_seconds=settings.push_poll_seconds,
    )
    relay = Relay(
        dsn, publisher, clock, poll_seconds=settings.relay_poll_seconds, on_published=pushes.wake
    )
    reminders = ReminderJob(
        pool,
        clock,
        session_lead=timedelta(minutes=settings.reminder_minutes),
        demo_lead=timedelta(minutes=settings.demo_reminder_minutes),
    )
    log.info("worker started", extra=zone_data_facts(clock.now()))
    if settings.gc_tuning:
        tune_collector()
    try:
        async with asyncio.TaskGroup() as jobs:
            jobs.create_task(relay.run(stop))
            jobs.create_task(pushes.run(stop))
            jobs.create_task(_every(settings.reminder_poll_seconds, reminders.round, stop))
            jobs.create_task(
                _every(
                    PRUNE_SECONDS,
                    lambda: agenda_changes.prune_tombstones(pool, settings.agenda_tombstone_days),
                    stop,
                )
            )
    finally:
        await sender.aclose()
        await presence.aclose()
        await publisher.aclose()
        await pool.close()
        log.info("worker stopped")


async def _every(seconds: float, job: Callable[[], Awaitable[object]], stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await job()
        except Exception:
            log.exception("job failed; it runs again next round")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)


def main(settings: Settings) -> None:
    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(settings, stop)

    # uvloop, as `salon serve` runs: the relay's wake-up on NOTIFY and its round trips
    # to PostgreSQL and Redis are on every notice's way to the sockets.
    uvloop.run(run())
