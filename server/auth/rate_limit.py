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

    def _key(self, subject: str) -> str:
        return f"salon:limit:{self.name}:{subject}"

    async def seconds_locked(self, redis: Redis, subject: str) -> int:
        """How long `subject` stays locked; 0 when it is not."""
        key = self._key(subject)
        async with redis.pipeline(transaction=False) as pipe:
            pipe.get(key)
            pipe.ttl(key)
            failures, ttl = await pipe.execute()
        if failures is None or int(failures) < self.attempts:
            return 0
        return max(int(ttl), 1)

    async def record_failure(self, redis: Redis, subject: str) -> None:
        key = self._key(subject)
        async with redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.lock_seconds)
            await pipe.execute()

    async def reset(self, redis: Redis, subject: str) -> None:
        await redis.delete(self._key(subject))
