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
from server.domain.push_devices import is_public_address
from server.domain.push_messages import plan_push
from server.push.sender import Device, Outcome, PushMessage, PushSender, Result

log = logging.getLogger(__name__)

#: Deliveries claimed per batch.
BATCH = 500
#: SENT marks written together (a dying worker may repeat at most these, in flight).
FLUSH = 50
#: Longest wait before a retry, whatever the push service asks.
MAX_BACKOFF = 600.0
#: How long a checked host's addresses are trusted.
RESOLVED_FOR = 300.0


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
        """Plan, then send every due push; returns how many were accepted."""
        await push_deliveries.plan_published(self.pool, self._online, self.clock.now())
        accepted = 0
        while due := await push_deliveries.claim_due(
            self.pool, self.clock.now(), self.rules.lease, BATCH
        ):
            accepted += await self._send_batch(due)
            if len(due) < BATCH:
                break
        return accepted

    async def _online(self, people: Sequence[int]) -> Collection[int]:
        try:
            return await self.online(people)
        except Exception as error:  # no presence: better a buzz too many than none
            log.warning("presence unknown (%s); pushing to everyone", error)
            return ()

    async def _send_batch(self, due: list[DueDelivery]) -> int:
        sent: list[tuple[int, int]] = []
        flushing = asyncio.Lock()

        async def flush() -> None:
            async with flushing:
                keys = sent[:]
                del sent[:]
                await push_deliveries.record_sent(self.pool, keys, 201, self.clock.now())

        async def one(delivery: DueDelivery) -> bool:
            result = await self._send(delivery)
            if result is None:
                return False
            if result.outcome is Outcome.SENT:
                sent.append((delivery.notice_id, delivery.subscription_id))
                if len(sent) >= FLUSH:
                    await flush()
                return True
            await self._settle(delivery, result)
            return False

        outcomes = await asyncio.gather(*(one(d) for d in due))
        await flush()
        return sum(outcomes)

    async def _send(self, delivery: DueDelivery) -> Result | None:
        """The push service's answer, or None when there was nothing to send."""
        plan = plan_push(delivery, self.rules.public_url, self.clock.now())
        if plan is None:
            await push_deliveries.record_expired(self.pool, delivery)
            return None
        if not await self._may_reach(delivery.endpoint):
            log.warning("push endpoint resolves to a local address; dropped")
            await push_deliveries.record_failed(self.pool, delivery, None)
            return None
        device = Device(delivery.endpoint, delivery.p256dh, delivery.auth)
        message = PushMessage(plan.payload, plan.ttl, plan.urgency, plan.topic)
        return await self.sender.send(device, message)

    async def _settle(self, delivery: DueDelivery, result: Result) -> None:
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
