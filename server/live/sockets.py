"""How many websockets each person and each client address holds, across every server
process of a deployment, so that a cap holds however many connect at once.

Each process keeps its own counts in memory and mirrors them in Redis, in a hash of
its own (`<ns>:sockets:<process>`); a sorted set (`<ns>:sockets:processes`) says which
processes are alive (a heartbeat every HEARTBEAT seconds). Admitting a socket is one
Lua script: it sums the counts of the live processes and increments this process's
only when every cap holds, so concurrent connects to any processes are counted one
at a time. A process that dies stops counting after STALE seconds; the heartbeat
rewrites the process's hash from its memory, so a lost release or a Redis restart
heals within one beat. On a Redis Cluster the prefix is a hash tag (`{<ns>:sockets}`):
every key the script reads is in one slot, on one master.

When Redis cannot be reached, each process enforces the caps on its own sockets
only (and says so in the log): a cap then holds per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from server.live.redis_client import REDIS_FAILURES, RedisClient, connect, slot_tag

log = logging.getLogger(__name__)


def counts_prefix(namespace: str, *, cluster: bool = False) -> str:
    """Where a deployment's socket counts live in Redis (one hash slot on a cluster)."""
    return slot_tag(f"{namespace}:sockets", cluster=cluster)


#: Seconds between two heartbeats of a process.
HEARTBEAT = 10.0
#: A process silent this long no longer counts.
STALE = 3 * HEARTBEAT

# KEYS: processes, this process's hash. ARGV: now, stale before, process id, hash
# prefix, ttl, then (field, cap) pairs. Returns the first field whose cap is reached,
# or nil once every field was incremented. Other processes' hashes are read by name:
# on a cluster they share the prefix's hash tag, so they are in the script's slot.
_ADMIT = """
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2])
local alive = redis.call('ZRANGE', KEYS[1], 0, -1)
for i = 6, #ARGV, 2 do
  local total = 0
  for _, process in ipairs(alive) do
    total = total + tonumber(redis.call('HGET', ARGV[4] .. process, ARGV[i]) or '0')
  end
  if total >= tonumber(ARGV[i + 1]) then return ARGV[i] end
end
for i = 6, #ARGV, 2 do redis.call('HINCRBY', KEYS[2], ARGV[i], 1) end
redis.call('EXPIRE', KEYS[2], ARGV[5])
return false
"""

_RELEASE = """
for i = 1, #ARGV do
  if redis.call('HINCRBY', KEYS[1], ARGV[i], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[i]) end
end
"""


@dataclass(eq=False, slots=True)
class Ticket:
    """What one admitted socket counts against; give it back with `release`."""

    fields: tuple[str, ...]
    released: bool = False


@dataclass(eq=False)
class SocketCounter:
    redis: RedisClient
    #: Key prefix, e.g. `salon:sockets`.
    prefix: str
    process: str = field(default_factory=lambda: secrets.token_hex(8))
    _counts: Counter[str] = field(default_factory=Counter)
    _task: asyncio.Task[None] | None = None
    _redis_failing: bool = False

    def __post_init__(self) -> None:
        self._admit = self.redis.register_script(_ADMIT)
        self._release = self.redis.register_script(_RELEASE)

    @property
    def _processes(self) -> str:
        return f"{self.prefix}:processes"

    @property
    def _own(self) -> str:
        return f"{self.prefix}:{self.process}"

    def start(self) -> None:
        self._task = asyncio.create_task(self._beat(), name="salon-socket-counts")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(*REDIS_FAILURES):
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.delete(self._own)
                pipe.zrem(self._processes, self.process)
                await pipe.execute()

    async def admit(
        self, caps: Sequence[tuple[str, int]], *, into: Ticket | None = None
    ) -> Ticket | str:
        """A ticket when every `(field, cap)` holds with one more socket (caps of 0 or
        less do not count); else the field whose cap is reached. With `into` (a socket's
        ticket so far), the fields join it: one ticket per socket, released at once."""
        admitted = await self._admit_fields(caps)
        if into is None or isinstance(admitted, str):
            return admitted
        if into.released:  # the socket was let go while Redis answered
            await self.release(admitted)
        else:
            into.fields += admitted.fields
        return into

    async def _admit_fields(self, caps: Sequence[tuple[str, int]]) -> Ticket | str:
        counted = [(f, cap) for f, cap in caps if cap > 0]
        for name, cap in counted:
            if self._counts[name] >= cap:
                return name  # this process alone is at the cap
        ticket = Ticket(tuple(name for name, _ in counted))
        # Counted here first (one step, no await): the next connect sees it, and so
        # does a heartbeat taken while Redis answers.
        self._counts.update(ticket.fields)
        if not counted:
            return ticket
        now = time.time()
        args: list[str | float] = [now, now - STALE, self.process, f"{self.prefix}:", int(STALE)]
        for name, cap in counted:
            args += [name, cap]
        try:
            refused = await self._admit(keys=[self._processes, self._own], args=args)
        except REDIS_FAILURES as error:
            self._failing(error)
            return ticket  # per process only, until Redis answers again
        self._redis_failing = False
        if refused is not None:
            self._uncount(ticket.fields)
            return refused.decode() if isinstance(refused, bytes) else str(refused)
        return ticket

    async def release(self, ticket: Ticket) -> None:
        if ticket.released:
            return
        ticket.released = True
        self._uncount(ticket.fields)
        if not ticket.fields:
            return
        try:
            await self._release(keys=[self._own], args=list(ticket.fields))
        except REDIS_FAILURES as error:  # the next heartbeat puts it right
            self._failing(error)

    def count(self, name: str) -> int:
        """This process's own count (for tests and metrics)."""
        return self._counts[name]

    def _uncount(self, fields: tuple[str, ...]) -> None:
        self._counts.subtract(fields)
        for name in fields:
            if self._counts[name] <= 0:
                del self._counts[name]

    def _failing(self, error: BaseException) -> None:
        if not self._redis_failing:
            log.warning("socket caps hold per process while Redis fails (%s)", error)
        self._redis_failing = True

    async def _beat(self) -> None:
        while True:
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.delete(self._own)
                    if self._counts:
                        pipe.hset(self._own, mapping={k: v for k, v in self._counts.items()})
                    pipe.expire(self._own, int(STALE))
                    pipe.zadd(self._processes, {self.process: time.time()})
                    await pipe.execute()
            except REDIS_FAILURES as error:
                self._failing(error)
            await asyncio.sleep(HEARTBEAT)


#: People looked up per Redis round trip by `people_online`.
_ONLINE_BATCH = 1000


class Presence:
    """Reads, for another process (the push worker), who is connected right now."""

    def __init__(self, redis: RedisClient, namespace: str, *, cluster: bool = False) -> None:
        self.redis = redis
        self.prefix = counts_prefix(namespace, cluster=cluster)

    @classmethod
    def connect(cls, redis_url: str, namespace: str, *, cluster: bool = False) -> Presence:
        return cls(connect(redis_url, cluster=cluster), namespace, cluster=cluster)

    async def online(self, people: Sequence[int]) -> set[int]:
        return await people_online(self.redis, self.prefix, people)

    async def aclose(self) -> None:
        await self.redis.aclose()


async def people_online(redis: RedisClient, prefix: str, people: Sequence[int]) -> set[int]:
    """Who among `people` holds a live socket on any server process now (the counts
    `SocketCounter` keeps under `prefix`): the push worker skips their NORMAL pushes.
    Read-only; when Redis fails it raises, and the caller pushes to everyone."""
    alive = await redis.zrangebyscore(f"{prefix}:processes", time.time() - STALE, "+inf")
    online: set[int] = set()
    for start in range(0, len(people), _ONLINE_BATCH):
        batch = people[start : start + _ONLINE_BATCH]
        fields = [f"person:{person}" for person in batch]
        async with redis.pipeline(transaction=False) as pipe:
            for process in alive:
                name = process.decode() if isinstance(process, bytes) else str(process)
                pipe.hmget(f"{prefix}:{name}", fields)
            answers = await pipe.execute()
        for counts in answers:
            online.update(p for p, n in zip(batch, counts, strict=True) if n and int(n) > 0)
    return online
