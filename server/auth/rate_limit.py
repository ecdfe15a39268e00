"""Quotas counted in Redis (shared by all processes), taken before the work they guard.

A quota allows `hits` per window of `seconds`; the window starts at its first hit.
`Limiter.take` checks every quota asked for and counts one hit on each, all or none,
in one Lua script: Redis runs it atomically, so a burst of concurrent requests can
never get more hits through than a quota allows (no check-then-count race).

On a Redis Cluster a script's keys must share a slot: the keys then live under the hash
tag `{<ns>:limit}`, so every quota of a deployment is counted on one master.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

# KEYS[i] is counted against ARGV[2i-1] hits per ARGV[2i] seconds. Returns {0, 0} after
# counting one hit on every key, or {i, ttl}: quota i (the one that frees up last) is used
# up for ttl more seconds, and nothing was counted.
_TAKE = """
local worst, wait = 0, 0
for i, key in ipairs(KEYS) do
  local used = tonumber(redis.call('GET', key) or '0')
  if used >= tonumber(ARGV[2 * i - 1]) then
    local ttl = redis.call('TTL', key)
    if ttl < 0 then
      ttl = tonumber(ARGV[2 * i])
      if used > 0 then redis.call('EXPIRE', key, ttl) end
    end
    if ttl > wait then worst, wait = i, ttl end
  end
end
if worst > 0 then return {worst, wait} end
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, ARGV[2 * i]) end
end
return {0, 0}
"""

# Gives one hit back, if the window it was counted in is still open.
_GIVE_BACK = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used > 0 then redis.call('DECR', KEYS[1]) end
return used
"""


@dataclass(frozen=True, slots=True)
class Quota:
    """At most `hits` per window of `seconds`, per subject (an address, a mailbox…)."""

    name: str
    hits: int
    seconds: int


@dataclass(frozen=True, slots=True)
class Refused:
    """The quota that is used up, and in how many seconds it frees up."""

    quota: Quota
    retry_after: int

    @property
    def retry_after_text(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        return f"Try again in {minutes} minute{'' if minutes == 1 else 's'}."


@dataclass(frozen=True, slots=True)
class Limiter:
    redis: Redis | RedisCluster
    #: Keeps deployments (and test runs) sharing one Redis apart.
    namespace: str

    def key(self, quota: Quota, subject: str) -> str:
        if isinstance(self.redis, RedisCluster):  # one slot for the script's keys
            return f"{{{self.namespace}:limit}}:{quota.name}:{subject}"
        return f"{self.namespace}:limit:{quota.name}:{subject}"

    async def take(self, *wanted: tuple[Quota, str]) -> Refused | None:
        """One hit on each (quota, subject), or none at all when one is used up."""
        keys = [self.key(quota, subject) for quota, subject in wanted]
        args: list[int] = []
        for quota, _ in wanted:
            args += [quota.hits, quota.seconds]
        answer: Any = await self.redis.eval(_TAKE, len(keys), *keys, *args)
        index, ttl = int(answer[0]), int(answer[1])
        if index == 0:
            return None
        return Refused(quota=wanted[index - 1][0], retry_after=max(ttl, 1))

    async def give_back(self, quota: Quota, subject: str) -> None:
        """Undo one hit of `take` (e.g. a badge that was right after all)."""
        await self.redis.eval(_GIVE_BACK, 1, self.key(quota, subject))

    async def forget(self, quotas: Sequence[Quota], subject: str) -> None:
        await self.redis.delete(*(self.key(quota, subject) for quota in quotas))
