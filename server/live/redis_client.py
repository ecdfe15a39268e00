"""The one place a Redis client is made from the settings: a plain `Redis`, or a
`RedisCluster` when `redis_url` is one node of a Redis Cluster (`redis_cluster`).

Everything else takes the client it is given, and asks `is_cluster` only where a
cluster needs something else: keys that one Lua script or transaction touches together
share a hash tag (`slot_tag`), and notices travel on sharded pub/sub.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, TypeAlias

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisClusterException, RedisError

log = logging.getLogger(__name__)

#: Seconds the start of a process waits for the cluster's slot map.
WARM_UP_SECONDS = 5.0

#: What a process's Redis client is, in either mode.
RedisClient: TypeAlias = Redis | RedisCluster
#: What a command raises when Redis cannot answer now. On a cluster, a slot that no
#: master serves for the moment is a RedisClusterException, which is no RedisError.
REDIS_FAILURES: tuple[type[Exception], ...] = (RedisError, OSError, RedisClusterException)


def connect(url: str, *, cluster: bool, **options: Any) -> RedisClient:
    """A client for `url`: with `cluster`, the cluster it is a node of (the other nodes
    are discovered from it on first use)."""
    if cluster:
        return RedisCluster.from_url(url, **options)
    return Redis.from_url(url, **options)


def is_cluster(client: RedisClient) -> bool:
    return isinstance(client, RedisCluster)


def slot_tag(prefix: str, *, cluster: bool) -> str:
    """`prefix` as a hash tag on a cluster (`{salon:sockets}`), so that every key under
    it lands in one slot; unchanged on a plain Redis (today's key names)."""
    return f"{{{prefix}}}" if cluster else prefix


async def warm_up(client: RedisClient) -> None:
    """On a cluster, read the slot map now, before commands come concurrently: redis-py's
    async cluster client, initialised by a burst of first commands at once, can break
    a connection under one of them (an AttributeError, not a RedisError). A cluster
    that does not answer yet is left to the first command, as a plain Redis is."""
    if isinstance(client, RedisCluster):
        try:
            async with asyncio.timeout(WARM_UP_SECONDS):
                await client.initialize()
        except REDIS_FAILURES as error:  # TimeoutError is an OSError
            log.warning("the Redis Cluster does not answer yet (%s)", error)
