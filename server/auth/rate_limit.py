"""Counters in Redis that lock a key after too many failures (shared by all processes)."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis


@dataclass(frozen=True, slots=True)
class FailureLimit:
    """`attempts` failures lock the key for `lock_seconds` (counted from the last one)."""

    name: str
    attempts: int
    lock_seconds: int


@dataclass(frozen=True, slots=True)
class Limiter:
    redis: Redis
    #: Keeps deployments (and test runs) sharing one Redis apart.
    namespace: str

    def key(self, limit: FailureLimit, subject: str) -> str:
        return f"{self.namespace}:limit:{limit.name}:{subject}"

    async def seconds_locked(self, limit: FailureLimit, subject: str) -> int:
        """How long `subject` stays locked; 0 when it is not."""
        key = self.key(limit, subject)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(key)
            pipe.ttl(key)
            failures, ttl = await pipe.execute()
        if failures is None or int(failures) < limit.attempts:
            return 0
        return max(int(ttl), 1)

    async def record_failure(self, limit: FailureLimit, subject: str) -> None:
        key = self.key(limit, subject)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, limit.lock_seconds)
            await pipe.execute()

    async def reset(self, limit: FailureLimit, subject: str) -> None:
        await self.redis.delete(self.key(limit, subject))
