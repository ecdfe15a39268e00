"""Putting sequenced notices on the deployment's Redis channel (the relay's way out):
every server process's hub hears them there. On a Redis Cluster each notice goes by
SPUBLISH on its shard's channel (wire.notice_shard), the batch split over the masters
by the cluster pipeline."""

from __future__ import annotations

from collections.abc import Sequence

from redis.exceptions import RedisError

from server.live import wire
from server.live.redis_client import RedisClient, connect, is_cluster
from server.live.wire import LiveNotice

#: What a failed publish raises: the caller retries later (publishing is at-least-once).
PUBLISH_ERRORS: tuple[type[Exception], ...] = (RedisError,)


class Publisher:
    def __init__(self, redis: RedisClient, channel: str = wire.channel("salon")) -> None:
        self.redis = redis
        self.channel = channel
        self._namespace = wire.namespace_of(channel)
        self._sharded = is_cluster(redis)

    @classmethod
    def connect(
        cls, redis_url: str, channel: str = wire.channel("salon"), *, cluster: bool = False
    ) -> Publisher:
        return cls(connect(redis_url, cluster=cluster), channel)

    async def publish(self, notices: Sequence[LiveNotice]) -> None:
        """All of them, in order, in one round trip (per master, on a cluster)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for live in notices:
                if self._sharded:
                    pipe.spublish(wire.notice_shard(self._namespace, live.seq), wire.encode(live))
                else:
                    pipe.publish(self.channel, wire.encode(live))
            await pipe.execute()

    async def aclose(self) -> None:
        await self.redis.aclose()
