"""What a notice becomes as a push to one device: a Declarative Web Push message in the
device's language (Safari shows it without running our service worker; ours shows it
elsewhere), and the delivery headers that keep it from arriving after it stopped
mattering: TTL until the change is moot, Urgency, and a Topic per session (or B2B
meeting) so that a second change replaces an undelivered first one at the push
service."""

from __future__ import annotations

import hashlib
import re
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson

from server.db.queries.push import PushNotice

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


def plan_push(notice: PushNotice, lang: str, public_url: str, now: datetime) -> PushPlan | None:
    """The push of this notice to a device in `lang`, or None when its moment has passed."""
    deadline = _deadline(notice)
    ttl = int((deadline - now).total_seconds())
    if ttl <= 0:
        return None
    return PushPlan(
        payload=payload(notice, lang, public_url),
        ttl=max(MIN_TTL, min(ttl, MAX_TTL)),
        urgency="high" if notice.priority == "URGENT" else "normal",
        topic=_topic(notice),
    )


def payload(notice: PushNotice, lang: str, public_url: str) -> bytes:
    english = lang == "EN"
    title = (english and notice.title_en) or notice.title_fr
    body = (english and notice.body_en) or notice.body_fr
    if len(body) > MAX_BODY_CHARS:
        body = body[: MAX_BODY_CHARS - 1].rstrip() + "…"
    data = {"notice": str(notice.seq), "kind": notice.kind, "priority": notice.priority}
    if notice.session_id:
        data["sessionId"] = notice.session_id
    if notice.meeting_id is not None:
        data["meetingId"] = str(notice.meeting_id)
    message = {
        "web_push": 8030,
        # Our service worker may still show it its own way (icon, renotify, repeats).
        "mutable": True,
        "notification": {
            "title": title,
            "body": body,
            "lang": "en" if english else "fr",
            "navigate": public_url.rstrip("/") + _screen(notice),
            "tag": _tag(notice),
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


def _deadline(notice: PushNotice) -> datetime:
    if notice.meeting_id is not None and notice.meeting_starts_at and notice.meeting_ends_at:
        if notice.kind == "MEETING_REMINDER":
            return notice.meeting_starts_at + REMINDER_GRACE
        return notice.meeting_ends_at  # a request, an answer: until the slot is over
    starts, ends = notice.session_starts_at, notice.session_ends_at
    if notice.kind == "REMINDER" and starts is not None:
        return starts + REMINDER_GRACE
    if ends is not None:
        return ends  # a change, a cancellation, a demo, a seat: until the session is over
    return notice.send_at + ANNOUNCEMENT_LIFE


def _screen(notice: PushNotice) -> str:
    if notice.meeting_id is not None:
        return "/b2b"  # the app's list of one's meetings
    if notice.session_id:
        return f"/session/{notice.session_id}"
    if notice.exhibitor_id:
        return f"/exhibitor/{notice.exhibitor_id}"
    return "/notices"


def _tag(notice: PushNotice) -> str:
    """The lock screen keeps one notification per session or meeting: a second change
    replaces it."""
    if notice.meeting_id is not None:
        return f"meeting-{notice.meeting_id}"
    if notice.session_id:
        return f"session-{notice.session_id}"
    return f"notice-{notice.seq}"


def _topic(notice: PushNotice) -> str | None:
    """At most 32 characters of the base64url alphabet (RFC 8030 §5.4)."""
    if notice.meeting_id is not None:
        return f"{'mr' if notice.kind == 'MEETING_REMINDER' else 'm'}-{notice.meeting_id}"
    if not notice.session_id:
        return None
    group = "r" if notice.kind == "REMINDER" else "s"
    if _TOPIC_SAFE.fullmatch(notice.session_id):
        return f"{group}-{notice.session_id}"
    digest = hashlib.sha256(notice.session_id.encode()).digest()
    return f"{group}-" + urlsafe_b64encode(digest).decode()[:29]
