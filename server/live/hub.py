"""One Redis pub/sub connection per process, handing each notice to the local
subscribers in its audience (DESIGN.md §4), and each revoked token to the local
sockets opened with it.

Subscribers are grouped by how they render a notice (same GraphQL document,
variables and language): the hub renders once per group and every subscriber of
the group gets the same payload text (see server/live/subscriber.py for how it
reaches each socket). Rendering and framing are handed in by the app (the schema's):
the hub knows no GraphQL and no protocol, only groups, operation ids and text.

On a Redis Cluster (`redis_cluster`) the hub hears the notices on the deployment's
sharded channels (server/live/wire.py: notice `seq` on shard `seq % 16`), one
connection per master (server/live/listener.py). Consecutive notices then travel on
different connections, and one may overtake its predecessor: instead of reading the
gap from PostgreSQL at once (with a batch of notices spread over the shards, that
would be a catch-up query per hub for most batches), a notice ahead of the cursor
waits up to `reorder_seconds` for those before it; whatever is still missing then is
read from PostgreSQL (the catch-up), in cursor order. Either way every notice is
handed over once, in cursor order: `dispatch` is only ever called with the next
cursor or by the catch-up, which reads what follows the cursor, and what comes at or
below the cursor is dropped as a repeat (so is a held notice the catch-up delivered).
On a plain Redis there is one channel, so no reordering: a gap is caught up at once,
as it always was.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

import asyncpg
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisError

from server.auth.viewer import revoked_tokens
from server.domain import notice_log
from server.live import wire
from server.live.eager import gather_now
from server.live.index import LoneIndex
from server.live.listener import listening
from server.live.metrics import METRICS
from server.live.redis_client import REDIS_FAILURES, RedisClient, connect, warm_up
from server.live.sockets import SocketCounter, counts_prefix
from server.live.subscriber import Frame, Send, Subscriber
from server.live.token_watch import TokenWatch
from server.live.wire import LiveNotice

log = logging.getLogger(__name__)

#: Renders a notice for one group of subscribers; returns the `payload` JSON text, or
#: None when the group has no member left.
Renderer = Callable[[Hashable, LiveNotice], Awaitable[str | None]]
#: Wraps a rendered payload for one operation id: the text sent on its socket.
Framer = Callable[[str, str], str]

RESYNC_BATCH = 500
MAX_BACKOFF = 5.0
#: Seconds a command of this process's own Redis client (publish, socket counts) may take.
REDIS_TIMEOUT = 2.0
#: On a cluster: seconds a notice heard ahead of the cursor waits for the notices before
#: it (on other shards) before they are read from PostgreSQL.
REORDER_SECONDS = 0.2


@dataclass
class Hub:
    redis_url: str
    pool: asyncpg.Pool[asyncpg.Record]
    renderer: Renderer | None = None
    #: Given with `renderer`: how a payload becomes a frame for one operation id.
    framer: Framer | None = None
    queue_size: int = 256
    channel: str = wire.channel("salon")
    #: `redis_url` is one node of a Redis Cluster: sharded pub/sub over its masters.
    redis_cluster: bool = False
    #: On a cluster: how long a notice ahead of the cursor waits for those before it.
    reorder_seconds: float = REORDER_SECONDS
    #: The highest cursor handed out; what comes at or below it is a repeat.
    last_seq: int = 0
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    #: The fair's clock, for the tokens' expiry.
    now: Callable[[], datetime] = field(default=partial(datetime.now, UTC))
    #: The tokens this process's sockets were opened with, told when each ends.
    tokens: TokenWatch = field(init=False)
    _everyone: set[Subscriber] = field(default_factory=set)
    #: Almost everyone has one socket: a lone subscriber is kept without a set.
    _by_person: LoneIndex[int, Subscriber] = field(default_factory=LoneIndex)
    _by_role: dict[str, set[Subscriber]] = field(default_factory=lambda: defaultdict(set))
    #: Everyone, grouped by rendering: a notice for everyone needs no regrouping.
    _by_group: dict[Hashable, set[Subscriber]] = field(default_factory=lambda: defaultdict(set))
    _task: asyncio.Task[None] | None = None
    _waiting: dict[int, asyncio.Future[LiveNotice]] = field(default_factory=dict)
    #: Publishes revocations and counts sockets (the pub/sub connection only listens).
    _client: RedisClient = field(init=False)
    #: On a cluster: the listener's own client, for the slot map only (read again at
    #: each reconnect, which must not disturb `_client`'s commands in flight).
    _slot_map: RedisCluster | None = field(init=False, default=None)
    sockets: SocketCounter = field(init=False)
    _revocations: str = field(init=False)
    #: The channels the hub listens to (the notices' shards on a cluster).
    _channels: tuple[str, ...] = field(init=False)
    #: Notices heard ahead of the cursor, by cursor, waiting for those before them.
    _ahead: dict[int, LiveNotice] = field(default_factory=dict)
    #: When the wait for the notices before `_ahead` ends (loop time), if any.
    _ahead_until: float | None = None

    def __post_init__(self) -> None:
        if (self.renderer is None) != (self.framer is None):
            raise ValueError("a hub renders and frames notices, or does neither")
        namespace = wire.namespace_of(self.channel)
        self._revocations = wire.revocations_channel(namespace)
        self._client = connect(
            self.redis_url,
            cluster=self.redis_cluster,
            socket_timeout=REDIS_TIMEOUT,
            socket_connect_timeout=REDIS_TIMEOUT,
        )
        if self.redis_cluster:
            self._slot_map = RedisCluster.from_url(
                self.redis_url,
                socket_timeout=REDIS_TIMEOUT,
                socket_connect_timeout=REDIS_TIMEOUT,
            )
        notices = wire.notice_shards(namespace) if self.redis_cluster else (self.channel,)
        self._channels = (*notices, self._revocations)
        self.tokens = TokenWatch(self.now)
        self.sockets = SocketCounter(
            self._client, prefix=counts_prefix(namespace, cluster=self.redis_cluster)
        )

    # --- subscribers ------------------------------------------------------------------

    def new_subscriber(
        self,
        *,
        person_id: int | None,
        roles: frozenset[str],
        group: Hashable,
        operation_id: str,
        send: Send,
        on_overflow: Callable[[], None],
    ) -> Subscriber:
        """Register a subscriber; it buffers live notices until `go_live`."""
        subscriber = Subscriber(
            person_id=person_id,
            roles=roles,
            group=group,
            operation_id=operation_id,
            send=send,
            on_overflow=on_overflow,
            backlog_size=self.queue_size,
        )
        self._everyone.add(subscriber)
        self._by_group[subscriber.group].add(subscriber)
        if subscriber.person_id is not None:
            self._by_person.add(subscriber.person_id, subscriber)
        for role in subscriber.roles:
            self._by_role[role].add(subscriber)
        METRICS.active_subscriptions.inc()
        return subscriber

    def remove(self, subscriber: Subscriber) -> None:
        subscriber.close()
        if subscriber not in self._everyone:
            return
        self._everyone.discard(subscriber)
        members = self._by_group[subscriber.group]
        members.discard(subscriber)
        if not members:
            del self._by_group[subscriber.group]
        if subscriber.person_id is not None:
            self._by_person.discard(subscriber.person_id, subscriber)
        for role in subscriber.roles:
            self._by_role[role].discard(subscriber)
        METRICS.active_subscriptions.dec()

    def subscriptions_of(self, person_id: int) -> int:
        """How many live subscriptions this person has in this process."""
        return self._by_person.count(person_id)

    def audience(self, live: LiveNotice) -> dict[Hashable, list[Subscriber]]:
        """The local subscribers a notice is for, by rendering group."""
        if live.notice.everyone:
            return {group: list(members) for group, members in self._by_group.items()}
        found: set[Subscriber] = set()
        for role in live.notice.roles:
            found |= self._by_role.get(role, set())
        for person_id in live.recipients:
            found.update(self._by_person.members(person_id))
        groups: dict[Hashable, list[Subscriber]] = defaultdict(list)
        for subscriber in found:
            groups[subscriber.group].append(subscriber)
        return groups

    # --- the Redis side ---------------------------------------------------------------

    async def start(self) -> None:
        self.last_seq = await notice_log.latest_seq(self.pool)
        await warm_up(self._client)
        self._task = asyncio.create_task(self._run(), name="salon-hub")
        self.sockets.start()
        self.tokens.start()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.sockets.stop()
        await self.tokens.stop()
        await self._client.aclose()
        if self._slot_map is not None:
            await self._slot_map.aclose()

    async def _run(self) -> None:
        backoff = 0.1
        revocations = self._revocations.encode()
        while True:
            try:
                async with listening(
                    self.redis_url, self._channels, cluster=self._slot_map
                ) as inbox:
                    self.connected.set()
                    backoff = 0.1
                    # Whatever was published while we were away is in PostgreSQL.
                    self._ahead.clear()
                    self._ahead_until = None
                    await self._catch_up()
                    await self._check_tokens()
                    while True:
                        message = await inbox.get(self._ahead_wait())
                        if message is None:  # the notices before those held never came
                            await self._catch_up()
                            await self._hand_over_ahead()
                            continue
                        channel, data = message
                        if channel == revocations:
                            self._revoked(data)
                        else:
                            await self._receive_safely(data)
            except REDIS_FAILURES as error:
                self.connected.clear()
                log.warning("hub lost Redis (%s); retrying in %.1fs", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
            except asyncpg.PostgresError as error:  # catching up failed: try again later
                self.connected.clear()
                log.warning("hub could not catch up from PostgreSQL (%s)", error)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)

    async def _receive_safely(self, data: bytes) -> None:
        """One notice from Redis; a failure to deliver it (a bad message, a rendering
        bug) is logged and must not stop the delivery of every later notice."""
        try:
            await self._receive(wire.decode(data))
        except (RedisError, OSError, asyncpg.PostgresError):
            raise  # the connection's problem: reconnect and catch up
        except Exception:
            log.exception("a notice could not be delivered; the hub goes on")

    async def _receive(self, live: LiveNotice) -> None:
        if live.seq <= self.last_seq:
            return  # a repeat: publishing is at-least-once
        if live.seq > self.last_seq + 1:
            if self.redis_cluster:  # its predecessors may be on their way on other shards
                self._hold(live)
                return
            await self._catch_up()  # a gap: what is missing is in PostgreSQL
            if live.seq <= self.last_seq:
                return
        await self.dispatch(live)
        if self._ahead:
            await self._hand_over_ahead()

    def _hold(self, live: LiveNotice) -> None:
        self._ahead[live.seq] = live
        if self._ahead_until is None:
            self._ahead_until = asyncio.get_running_loop().time() + self.reorder_seconds

    def _ahead_wait(self) -> float | None:
        """Seconds until the held notices stop waiting; None when none is held."""
        if self._ahead_until is None:
            return None
        return max(self._ahead_until - asyncio.get_running_loop().time(), 0.0)

    async def _hand_over_ahead(self) -> None:
        """Dispatch the held notices that now follow the cursor, drop those at or below
        it (the catch-up delivered them); the rest wait again, from now."""
        while (live := self._ahead.pop(self.last_seq + 1, None)) is not None:
            await self.dispatch(live)
        for seq in [seq for seq in self._ahead if seq <= self.last_seq]:
            del self._ahead[seq]
        self._ahead_until = None
        if self._ahead:
            self._ahead_until = asyncio.get_running_loop().time() + self.reorder_seconds

    async def _catch_up(self) -> None:
        while True:
            rows = await notice_log.sequenced_after(self.pool, self.last_seq, RESYNC_BATCH)
            if not rows:
                return
            for notice, recipients in rows:
                await self.dispatch(LiveNotice(notice, recipients))

    async def dispatch(self, live: LiveNotice) -> None:
        """Hand one notice, in cursor order, to everyone local who should see it."""
        self.last_seq = max(self.last_seq, live.seq)
        # Left in place for wait_for, which may not have started waiting yet.
        waiting = self._waiting.get(live.notice.id)
        if waiting is not None and not waiting.done():
            waiting.set_result(live)
        groups = self.audience(live)
        if not groups or self.renderer is None or self.framer is None:
            return
        # Rendered at once where no rendering waits: no task, no turn of the loop first.
        payloads = await gather_now([self.renderer(g, live) for g in groups])
        written_at = live.notice.send_at.timestamp()
        sent = 0
        for members, payload in zip(groups.values(), payloads, strict=True):
            if isinstance(payload, BaseException):  # one group's failure, not everyone's
                log.error("rendering notice %d failed", live.seq, exc_info=payload)
                continue
            if payload is None:  # the group emptied while it was being rendered
                continue
            # Most clients of a group use the same operation id: one frame, encoded
            # once, for all of them.
            frames: dict[str, Frame] = {}
            for subscriber in members:
                frame = frames.get(subscriber.operation_id)
                if frame is None:
                    frame = frames[subscriber.operation_id] = Frame(
                        self.framer(subscriber.operation_id, payload)
                    )
                sent += subscriber.deliver(live.seq, frame, written_at)
        # Counted once per broadcast: per-socket metric updates cost as much as the sends.
        # The latency is the last socket's: the broadcast's own time to everyone here.
        METRICS.notices_delivered.inc(sent)
        METRICS.delivery_latency.observe(max(time.time() - written_at, 0.0))

    def expect(self, notice_id: int) -> None:
        """Get ready to hear of this notice (call it before its transaction commits)."""
        self._waiting.setdefault(notice_id, asyncio.get_running_loop().create_future())

    def forget(self, notice_id: int) -> None:
        self._waiting.pop(notice_id, None)

    async def wait_for(self, notice_id: int, seconds: float) -> LiveNotice | None:
        """The notice once this process has seen it sequenced; None after `seconds`.
        `expect` it first, before its transaction commits, so it cannot go by unseen."""
        future = self._waiting.get(notice_id)
        if future is None:
            raise LookupError(f"notice {notice_id} was not expected")
        try:
            return await asyncio.wait_for(asyncio.shield(future), seconds)
        except TimeoutError:
            return None
        finally:
            self._waiting.pop(notice_id, None)

    # --- revoked tokens (their expiry is the watch's own) ---------------------------

    async def revoke_token(self, token_hash: bytes) -> None:
        """The token was revoked (committed): tell this process's sockets now, and every
        other process through Redis. A publish lost while Redis fails is made good when
        each hub reconnects (it asks PostgreSQL about the tokens it watches)."""
        self.tokens.end([token_hash], "revoked")
        try:
            if self.redis_cluster:
                await self._client.spublish(self._revocations, token_hash.hex())
            else:
                await self._client.publish(self._revocations, token_hash.hex())
        except REDIS_FAILURES as error:
            log.warning("could not publish a token revocation (%s)", error)

    def _revoked(self, token_hex: bytes) -> None:
        """A revocation heard on Redis, from any process."""
        try:
            token_hash = bytes.fromhex(token_hex.decode())
        except ValueError:
            log.warning("ignored a malformed revocation %r", token_hex[:80])
            return
        self.tokens.end([token_hash], "revoked")

    async def _check_tokens(self) -> None:
        """After (re)connecting: revocations published while away were not heard."""
        if watched := self.tokens.watched():
            self.tokens.end(await revoked_tokens(self.pool, watched), "revoked")
