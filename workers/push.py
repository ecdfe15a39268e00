"""The push worker: turns each published notice into Web Push messages for the devices
of its audience, and sends them.

A round plans what the relay published (one delivery row per device; people with a
live socket are skipped for NORMAL notices, the socket shows it), then claims due
deliveries in batches under a lease and sends them with bounded concurrency. A SENT
mark is written soon after each acceptance, in small batches; a worker that dies
leaves its unconfirmed claims to come due again when the lease ends. 404/410 forget
the device; 429, 5xx and network errors retry with backoff, honouring Retry-After,
a bounded number of times.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from server.clock import Clock
from server.domain import push_deliveries
from server.domain.push_deliveries import DueDelivery, Pool
from server.domain.push_messages import plan_push
from server.push.addresses import is_public_address
from server.push.sender import Device, Outcome, PushMessage, PushSender, Result

log = logging.getLogger(__name__)

#: Deliveries claimed per batch (claimed and not yet sent: at most about one and a half).
BATCH = 500
#: SENT marks written together, at most FLUSH_AFTER seconds after the first of them
#: (a dying worker may repeat the pushes it sent but had not recorded yet).
FLUSH = 50
FLUSH_AFTER = 0.1
#: Longest wait before a retry, whatever the push service asks.
MAX_BACKOFF = 600.0
#: How long a checked host's addresses are trusted.
RESOLVED_FOR = 300.0


#: A batch's messages by (notice id, device language).
Messages = dict[tuple[int, str], PushMessage | None]


@dataclass(frozen=True, slots=True)
class SendRules:
    public_url: str
    allow_insecure: bool = False
    max_attempts: int = 5
    lease: timedelta = timedelta(seconds=60)


class PushJob:
    def __init__(
        self,
        pool: Pool,
        sender: PushSender,
        online: Callable[[Sequence[int]], Awaitable[Collection[int]]],
        clock: Clock,
        rules: SendRules,
        *,
        poll_seconds: float = 1.0,
    ) -> None:
        self.pool = pool
        self.sender = sender
        self.online = online
        self.clock = clock
        self.rules = rules
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._checked_hosts: dict[str, float] = {}

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._wake.clear()
            try:
                await self.round()
            except Exception:
                log.exception("push round failed; the next one retries")
            waits = [asyncio.ensure_future(w) for w in (self._wake.wait(), stop.wait())]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait(waits, timeout=self.poll_seconds, return_when="FIRST_COMPLETED")
            for wait in waits:
                wait.cancel()

    async def round(self) -> int:
        """Plan what was published and send every due push, sending from the first
        planned chunk on; returns how many were accepted."""
        sending = Sending(self)
        sending.planning = asyncio.create_task(
            push_deliveries.plan_published(
                self.pool, self._online, self.clock.now(), on_chunk=sending.planned.set
            )
        )
        try:
            return await sending.run()
        finally:
            sending.planning.cancel()

    async def _online(self, people: Sequence[int]) -> Collection[int]:
        try:
            return await self.online(people)
        except Exception as error:  # no presence: better a buzz too many than none
            log.warning("presence unknown (%s); pushing to everyone", error)
            return ()

    async def messages_for(self, due: Sequence[DueDelivery]) -> Messages:
        """The push of each notice in each language these deliveries need, made once
        for the batch (a broadcast is two messages for thousands of devices); None
        when it is no longer worth sending, or its notice is gone."""
        notices = await push_deliveries.notices(self.pool, {d.notice_id for d in due})
        now = self.clock.now()
        messages: Messages = {}
        for notice_id, lang in {(d.notice_id, d.lang) for d in due}:
            notice = notices.get(notice_id)
            plan = plan_push(notice, lang, self.rules.public_url, now) if notice else None
            messages[notice_id, lang] = (
                PushMessage(plan.payload, plan.ttl, plan.urgency, plan.topic) if plan else None
            )
        return messages

    async def push(self, delivery: DueDelivery, message: PushMessage | None) -> Result | None:
        """The push service's answer, or None when there was nothing to send."""
        if message is None:
            await push_deliveries.record_expired(self.pool, delivery)
            return None
        if not await self._may_reach(delivery.endpoint):
            log.warning("push endpoint resolves to a local address; dropped")
            await push_deliveries.record_failed(self.pool, delivery, None)
            return None
        device = Device(delivery.endpoint, delivery.p256dh, delivery.auth)
        return await self.sender.send(device, message)

    async def settle(self, delivery: DueDelivery, result: Result) -> None:
        if result.outcome is Outcome.GONE:
            await push_deliveries.forget_device(self.pool, delivery)
        elif result.outcome is Outcome.RETRY and delivery.attempts < self.rules.max_attempts:
            wait = result.retry_after
            if wait is None:
                wait = 5.0 * 2 ** (delivery.attempts - 1)
            due_at = self.clock.now() + timedelta(seconds=min(wait, MAX_BACKOFF))
            await push_deliveries.record_retry(self.pool, delivery, due_at, result.status)
        else:
            log.warning("push given up: %s (attempt %d)", result.detail, delivery.attempts)
            await push_deliveries.record_failed(self.pool, delivery, result.status)

    async def _may_reach(self, endpoint: str) -> bool:
        """The endpoint's host resolves to public addresses only (checked again here,
        not just at registration: a name can be pointed at a private address later)."""
        if self.rules.allow_insecure:
            return True
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
        if self._checked_hosts.get(host, 0.0) > time.monotonic():
            return True
        try:
            found = await asyncio.get_running_loop().getaddrinfo(
                host, parts.port or 443, type=socket.SOCK_STREAM
            )
        except OSError:
            return True  # unresolvable: the send fails as a network error, and retries
        if all(is_public_address(ipaddress.ip_address(info[4][0])) for info in found):
            self._checked_hosts[host] = time.monotonic() + RESOLVED_FOR
            return True
        return False


class Sending:
    """One round's sends: a claimer takes due deliveries in batches into a short queue,
    and as many senders as the sender allows in flight take them from it, so the slots
    never wait for a batch's slowest push or for the next claim. Acceptances are
    recorded FLUSH at a time, and at most FLUSH_AFTER seconds late."""

    def __init__(self, job: PushJob) -> None:
        self.job = job
        # Unbounded, but the claimer waits for `room` (under half a batch left) before
        # claiming more: a full bounded queue would wake the claimer once per push.
        self.queue: asyncio.Queue[tuple[DueDelivery, PushMessage | None] | None] = asyncio.Queue()
        self.room = asyncio.Event()
        self.sent: list[tuple[int, int]] = []
        self.flushing = asyncio.Lock()
        self.accepted = 0
        self.senders: list[asyncio.Task[None]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._late_flushes: set[asyncio.Task[None]] = set()
        #: Planning running beside the sends, and its signal that a chunk is committed.
        self.planning: asyncio.Task[int] | None = None
        self.planned = asyncio.Event()

    async def run(self) -> int:
        try:
            await self._claim()
            for _ in self.senders:
                self.queue.put_nowait(None)
            await asyncio.gather(*self.senders)
        finally:
            for task in self.senders:  # stopping: unconfirmed claims come back after the lease
                task.cancel()
            if self._timer is not None:
                self._timer.cancel()
        await asyncio.gather(*self._late_flushes, return_exceptions=True)
        await self._flush()
        return self.accepted

    async def _claim(self) -> None:
        job, planning = self.job, self.planning
        while True:
            # Looked at before claiming: once planning is over, this claim sees it all.
            planning_over = planning is None or planning.done()
            self.planned.clear()
            due = await push_deliveries.claim_due(job.pool, job.clock.now(), job.rules.lease, BATCH)
            if due and not self.senders:  # a round with nothing due starts none
                count = job.sender.max_in_flight
                self.senders = [asyncio.create_task(self._sender()) for _ in range(count)]
            messages = await job.messages_for(due) if due else {}
            for delivery in due:
                self.queue.put_nowait((delivery, messages[delivery.notice_id, delivery.lang]))
            if len(due) == BATCH:
                if self.queue.qsize() >= BATCH // 2:
                    self.room.clear()
                    await self.room.wait()
                continue
            if planning is None or planning_over:
                if planning is not None:
                    planning.result()  # a failed planning fails the round (retried)
                return
            chunk = asyncio.ensure_future(self.planned.wait())
            await asyncio.wait({chunk, planning}, return_when="FIRST_COMPLETED")
            chunk.cancel()

    async def _sender(self) -> None:
        while (item := await self.queue.get()) is not None:
            if self.queue.qsize() < BATCH // 2:
                self.room.set()
            delivery, message = item
            try:
                result = await self.job.push(delivery, message)
            except Exception:  # one bad row must not stop the round (nor fill the queue)
                log.exception("push %d/%d failed", delivery.notice_id, delivery.subscription_id)
                await push_deliveries.record_failed(self.job.pool, delivery, None)
                continue
            if result is None:
                continue
            if result.outcome is Outcome.SENT:
                self.accepted += 1
                self.sent.append((delivery.notice_id, delivery.subscription_id))
                if len(self.sent) >= FLUSH:
                    await self._flush()
                elif self._timer is None:
                    loop = asyncio.get_running_loop()
                    self._timer = loop.call_later(FLUSH_AFTER, self._flush_late)
            else:
                await self.job.settle(delivery, result)

    def _flush_late(self) -> None:
        self._timer = None
        task = asyncio.create_task(self._flush())
        self._late_flushes.add(task)
        task.add_done_callback(self._flushed_late)

    def _flushed_late(self, task: asyncio.Task[None]) -> None:
        self._late_flushes.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # Unrecorded acceptances come due again after the lease: a repeat, not a loss.
            log.warning("recording sent pushes failed: %s", task.exception())

    async def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        async with self.flushing:
            keys = self.sent[:]
            del self.sent[:]
            await push_deliveries.record_sent(self.job.pool, keys, 201, self.job.clock.now())
