"""What travels on the Redis channels, and their names: one JSON message per
sequenced notice.

On a plain Redis a deployment's notices go on one channel (`<ns>:notices`). On a
Redis Cluster they go, by sharded pub/sub, on NOTICE_SHARDS channels
(`<ns>:notices:{<tag>}`), notice `seq` on shard `seq % NOTICE_SHARDS`: the tags are
chosen so that shard k hashes into the k-th sixteenth of the 16384 slots, which
spreads the shards evenly over however many masters share the slots in ranges.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

import orjson
from redis.crc import REDIS_CLUSTER_HASH_SLOTS, key_slot

from server.domain.notices import NoticeRow

#: Sharded channels a deployment's notices are spread over on a Redis Cluster. Fixed:
#: every process of a deployment must agree on it.
NOTICE_SHARDS = 16


def channel(namespace: str) -> str:
    """The pub/sub channel of a deployment's notices."""
    return f"{namespace}:notices"


def namespace_of(notices_channel: str) -> str:
    return notices_channel.removesuffix(":notices")


def revocations_channel(namespace: str) -> str:
    """Where a revoked token's hash (hex) is published, on the hub's same connection
    (on a cluster: one sharded channel; revocations are rare)."""
    return f"{namespace}:revoked-tokens"


def _shard_tag(shard: int) -> str:
    """The first tag `<shard>-<n>` whose slot falls in the shard's sixteenth."""
    width = REDIS_CLUSTER_HASH_SLOTS // NOTICE_SHARDS
    n = 0
    while key_slot(f"{shard}-{n}".encode()) // width != shard:
        n += 1
    return f"{shard}-{n}"


_SHARD_TAGS = tuple(_shard_tag(k) for k in range(NOTICE_SHARDS))


def notice_shards(namespace: str) -> tuple[str, ...]:
    """A deployment's sharded notice channels on a cluster (each hub hears them all)."""
    return tuple(f"{namespace}:notices:{{{tag}}}" for tag in _SHARD_TAGS)


def notice_shard(namespace: str, seq: int) -> str:
    """The sharded channel notice `seq` is published on."""
    return f"{namespace}:notices:{{{_SHARD_TAGS[seq % NOTICE_SHARDS]}}}"


@dataclass(frozen=True, slots=True)
class LiveNotice:
    """A sequenced notice with its resolved audience, as every server process sees it."""

    notice: NoticeRow
    recipients: tuple[int, ...]

    @property
    def seq(self) -> int:
        return self.notice.seq or 0


def encode(live: LiveNotice) -> bytes:
    body = asdict(live.notice)
    body["send_at"] = live.notice.send_at.isoformat()
    body["recipients"] = list(live.recipients)
    return orjson.dumps(body)


def decode(raw: bytes | str) -> LiveNotice:
    body = orjson.loads(raw)
    recipients = tuple(body.pop("recipients"))
    body["send_at"] = datetime.fromisoformat(body["send_at"])
    return LiveNotice(notice=NoticeRow(**body), recipients=recipients)
