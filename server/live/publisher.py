"""Putting sequenced notices on the deployment's Redis channel (the relay's way out):
every server process's hub hears them there."""

from __future__ import annotations

from collections.abc import Sequence

from redis.asyncio import Redis
from redis.exceptions import RedisError

from server.live import wire
from server.live.wire import LiveNotice

#: What a failed publish raises: the caller retries later (publishing is at-least-once).
PUBLISH_ERRORS: tuple[type[Exception], ...] = (RedisError,)


class Publisher:
    def __init__(self, redis: Redis, channel: str = wire.channel("salon")) -> None:
        self.redis = redis
        self.channel = channel

    @classmethod
    def connect(cls, redis_url: str, channel: str = wire.channel("salon")) -> Publisher:
        return cls(Redis.from_url(redis_url), channel)

    async def publish(self, notices: Sequence[LiveNotice]) -> None:
        """All of them, in order, in one round trip."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for live in notices:
                pipe.publish(self.channel, wire.encode(live))
            await pipe.execute()

    async def aclose(self) -> None:
        await self.redis.aclose()
