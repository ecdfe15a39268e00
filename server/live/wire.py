"""What travels on the Redis channel: one JSON message per sequenced notice."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

import orjson

from server.domain.notices import NoticeRow


def channel(namespace: str) -> str:
    """The pub/sub channel of a deployment's notices."""
    return f"{namespace}:notices"


def namespace_of(notices_channel: str) -> str:
    return notices_channel.removesuffix(":notices")


def revocations_channel(namespace: str) -> str:
    """Where a revoked token's hash (hex) is published, on the hub's same connection."""
    return f"{namespace}:revoked-tokens"


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
