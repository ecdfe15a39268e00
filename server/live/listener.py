"""How a hub hears Redis: the messages of its channels, as one stream.

On a plain Redis that is one pub/sub connection (SUBSCRIBE). On a Redis Cluster it is
one plain connection per master that serves one of the channels, each SSUBSCRIBEd to
the channels whose slots that master owns (read from the cluster client's slot map,
refreshed at every connect). redis-py's own ClusterPubSub is not used: it reads its
node connections in turn with a timeout each (`get_sharded_message`), so a message
on one master waits while the others are polled; here every connection has a reader
of its own, and all of them feed one bounded queue (a slow hub slows its readers, as
a slow `listen()` would, until Redis cuts it off as a slow subscriber).

Losing any connection ends the whole stream with its error (`Inbox.get` raises it): the
hub reconnects everything and catches up from PostgreSQL. A master that no longer owns
a slot tells its subscribers with an SUNSUBSCRIBE (slot migrated, failover): that too
ends the stream, and the reconnect reads the new slot map.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.connection import ConnectionPool, parse_url
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisClusterException

#: (channel, data) of one message.
Message = tuple[bytes, bytes]
#: Messages read ahead of the hub, over all connections.
QUEUE_SIZE = 1024
#: Seconds the subscriptions may take to be confirmed.
SUBSCRIBE_TIMEOUT = 5.0


class Inbox:
    def __init__(self) -> None:
        self._queue: asyncio.Queue[Message | BaseException] = asyncio.Queue(QUEUE_SIZE)

    async def get(self, timeout: float | None = None) -> Message | None:  # noqa: ASYNC109
        """The next message; None when none came within `timeout` seconds; raises the
        error that lost a connection."""
        try:
            # What has come already is taken first, even once `timeout` has run out (a
            # held notice's predecessor may be waiting here behind a busy hub).
            item = self._queue.get_nowait()
        except asyncio.QueueEmpty:
            try:
                item = await asyncio.wait_for(self._queue.get(), timeout)
            except TimeoutError:
                return None
        if isinstance(item, BaseException):
            raise item
        return item

    async def put(self, item: Message | BaseException) -> None:
        await self._queue.put(item)


@contextlib.asynccontextmanager
async def listening(
    redis_url: str, channels: Sequence[str], *, cluster: RedisCluster | None = None
) -> AsyncIterator[Inbox]:
    """Subscribed to `channels` (sharded, through `cluster`'s masters, when given) once
    Redis has confirmed every subscription; unsubscribed and closed on leaving."""
    inbox = Inbox()
    if cluster is None:
        groups = {redis_url: list(channels)}
    else:
        groups = await _by_master(cluster, channels)
    clients = [_client(address, redis_url) for address in groups]
    pubsubs: list[PubSub] = []
    readers: list[asyncio.Task[None]] = []
    try:
        confirmed: list[asyncio.Event] = []
        for client, wanted in zip(clients, groups.values(), strict=True):
            pubsub = client.pubsub()
            pubsubs.append(pubsub)
            if cluster is None:
                await pubsub.subscribe(*wanted)
            else:
                for channel in wanted:  # one SSUBSCRIBE per slot (no CROSSSLOT)
                    await pubsub.ssubscribe(channel)
            ready = asyncio.Event()
            confirmed.append(ready)
            readers.append(
                asyncio.create_task(_read(pubsub, len(wanted), ready, inbox, sharded=bool(cluster)))
            )
        await _confirmed(confirmed, readers)
        yield inbox
    finally:
        for reader in readers:
            reader.cancel()
        for reader in readers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
        for pubsub in pubsubs:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]
        for client in clients:
            with contextlib.suppress(Exception):
                await client.aclose()


def _client(address: str, redis_url: str) -> Redis:
    """A client for `address`: `redis_url` itself, or one master (host:port) reached
    with the URL's other options (password, TLS)."""
    if address == redis_url:
        return Redis.from_url(redis_url)
    host, _, port = address.rpartition(":")
    options: dict[str, Any] = {**parse_url(redis_url), "host": host, "port": int(port)}
    # No retries of its own: reconnected by itself, it would SSUBSCRIBE every channel in
    # one command (CROSSSLOT) and miss what was published meanwhile; the hub reconnects
    # everything instead, and catches up.
    options["retry"] = Retry(NoBackoff(), 0)
    return Redis.from_pool(ConnectionPool(**options))


async def _by_master(cluster: RedisCluster, channels: Sequence[str]) -> dict[str, list[str]]:
    """host:port of each master -> the channels whose slots it owns, read from a fresh
    slot map (after a failover or a migration the old one is wrong)."""
    try:
        await cluster.initialize()  # a no-op once initialised...
        await cluster.nodes_manager.initialize()  # ...so the slot map is read again here
    except RedisClusterException as error:  # e.g. slots not covered: retried like a loss
        raise RedisConnectionError(f"no slot map from the cluster: {error}") from error
    groups: dict[str, list[str]] = defaultdict(list)
    for channel in channels:
        node = cluster.get_node_from_key(channel)
        if node is None:
            raise RedisConnectionError(f"no master serves {channel!r} now")
        groups[f"{node.host}:{node.port}"].append(channel)
    return dict(groups)


async def _confirmed(confirmed: list[asyncio.Event], readers: list[asyncio.Task[None]]) -> None:
    """Until every connection confirmed its subscriptions; a reader that failed first
    (a refused SSUBSCRIBE: MOVED, CLUSTERDOWN) raises its error here."""
    waits = [asyncio.ensure_future(ready.wait()) for ready in confirmed]
    try:
        async with asyncio.timeout(SUBSCRIBE_TIMEOUT):
            pending: set[asyncio.Future[Any]] = {*waits, *readers}
            while not all(ready.is_set() for ready in confirmed):
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    if task in readers:
                        task.result()  # its error
                        raise RedisConnectionError("a Redis subscription ended")
    except TimeoutError:
        raise RedisConnectionError("Redis did not confirm the subscriptions") from None
    finally:
        for wait in waits:
            wait.cancel()


async def _read(
    pubsub: PubSub, expected: int, ready: asyncio.Event, inbox: Inbox, *, sharded: bool
) -> None:
    data_type, confirm_type = ("smessage", "ssubscribe") if sharded else ("message", "subscribe")
    seen = 0
    try:
        async for message in pubsub.listen():
            kind = message["type"]
            if kind == data_type:
                await inbox.put((message["channel"], message["data"]))
            elif kind == confirm_type:
                seen += 1
                if seen >= expected:
                    ready.set()
            elif kind in ("sunsubscribe", "unsubscribe"):
                # Never asked for: the slot moved to another master (or the server
                # dropped us): the map must be read again.
                raise RedisConnectionError(f"Redis unsubscribed {message['channel']!r}")
        raise RedisConnectionError("a Redis subscription ended")
    except asyncio.CancelledError:
        raise
    except Exception as error:
        await inbox.put(error)
        raise
