"""What a notice becomes as a push to one device: a Declarative Web Push message in the
device's language (Safari shows it without running our service worker; ours shows it
elsewhere), and the delivery headers that keep it from arriving after it stopped
mattering: TTL until the change is moot, Urgency, and a Topic per session so that a
second change replaces an undelivered first one at the push service."""

from __future__ import annotations

import functools
import hashlib
import re
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson

from server.db.queries.push import DueDelivery

#: Push services keep a message at most four weeks; we never ask for less than a minute.
MAX_TTL = 28 * 24 * 3600
MIN_TTL = 60
#: An announcement is news for a few hours, then it is history (the app's Notices list).
ANNOUNCEMENT_LIFE = timedelta(hours=4)
#: A reminder is worth a buzz until shortly after the session starts.
REMINDER_GRACE = timedelta(minutes=5)
#: What a lock screen shows of a body; the whole text is in the app.
MAX_BODY_CHARS = 500
#: RFC 8291 with one 4096-byte record leaves 3993 bytes of plaintext.
MAX_PAYLOAD = 3993

_TOPIC_SAFE = re.compile(r"[A-Za-z0-9_-]{1,24}")


@dataclass(frozen=True, slots=True)
class PushPlan:
    payload: bytes
    ttl: int
    urgency: str
    topic: str | None


def plan_push(delivery: DueDelivery, public_url: str, now: datetime) -> PushPlan | None:
    """The push for this delivery, or None when its moment has passed."""
    deadline = _deadline(delivery)
    ttl = int((deadline - now).total_seconds())
    if ttl <= 0:
        return None
    return PushPlan(
        payload=payload(delivery, public_url),
        ttl=max(MIN_TTL, min(ttl, MAX_TTL)),
        urgency="high" if delivery.priority == "URGENT" else "normal",
        topic=_topic(delivery),
    )


def payload(delivery: DueDelivery, public_url: str) -> bytes:
    english = delivery.lang == "EN"
    title = (english and delivery.title_en) or delivery.title_fr
    body = (english and delivery.body_en) or delivery.body_fr
    return _encoded(
        title,
        body,
        english,
        public_url.rstrip("/") + _screen(delivery),
        _tag(delivery),
        delivery.seq,
        delivery.kind,
        delivery.priority,
        delivery.session_id,
    )


# A broadcast is the same few payloads (one per language) for thousands of devices.
@functools.lru_cache(maxsize=256)
def _encoded(
    title: str,
    body: str,
    english: bool,
    navigate: str,
    tag: str,
    seq: int,
    kind: str,
    priority: str,
    session_id: str | None,
) -> bytes:
    if len(body) > MAX_BODY_CHARS:
        body = body[: MAX_BODY_CHARS - 1].rstrip() + "…"
    data: dict[str, str] = {"notice": str(seq), "kind": kind, "priority": priority}
    if session_id:
        data["sessionId"] = session_id
    message = {
        "web_push": 8030,
        # Our service worker may still show it its own way (icon, renotify, repeats).
        "mutable": True,
        "notification": {
            "title": title,
            "body": body,
            "lang": "en" if english else "fr",
            "navigate": navigate,
            "tag": tag,
            "silent": False,
            "data": data,
        },
    }
    encoded = orjson.dumps(message)
    while len(encoded) > MAX_PAYLOAD:  # four-byte characters all the way: cut more
        body = body[: len(body) // 2].rstrip() + "…"
        message["notification"]["body"] = body  # type: ignore[index]
        encoded = orjson.dumps(message)
    return encoded


def _deadline(delivery: DueDelivery) -> datetime:
    starts, ends = delivery.session_starts_at, delivery.session_ends_at
    if delivery.kind == "REMINDER" and starts is not None:
        return starts + REMINDER_GRACE
    if ends is not None:
        return ends  # a change, a cancellation, a demo, a seat: until the session is over
    return delivery.send_at + ANNOUNCEMENT_LIFE


def _screen(delivery: DueDelivery) -> str:
    if delivery.session_id:
        return f"/session/{delivery.session_id}"
    if delivery.exhibitor_id:
        return f"/exhibitor/{delivery.exhibitor_id}"
    return "/notices"


def _tag(delivery: DueDelivery) -> str:
    """The lock screen keeps one notification per session: a second change replaces it."""
    if delivery.session_id:
        return f"session-{delivery.session_id}"
    return f"notice-{delivery.seq}"


def _topic(delivery: DueDelivery) -> str | None:
    """At most 32 characters of the base64url alphabet (RFC 8030 §5.4)."""
    if not delivery.session_id:
        return None
    group = "r" if delivery.kind == "REMINDER" else "s"
    if _TOPIC_SAFE.fullmatch(delivery.session_id):
        return f"{group}-{delivery.session_id}"
    digest = hashlib.sha256(delivery.session_id.encode()).digest()
    return f"{group}-" + urlsafe_b64encode(digest).decode()[:29]
