"""A meeting's notices as pushes: one notification per meeting on the lock screen,
opened on the meeting, and never delivered once they stopped mattering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from server.db.queries.push import PushNotice
from server.domain.push_messages import plan_push

STARTS = datetime(2026, 12, 4, 11, 30, tzinfo=UTC)


def meeting_notice(kind: str) -> PushNotice:
    return PushNotice(
        id=7,
        seq=70,
        kind=kind,
        priority="NORMAL",
        title_fr="Rendez-vous accepté : Forges du Souss",
        title_en="Meeting accepted: Forges du Souss",
        body_fr="vendredi 4 décembre, 11:30–12:00, table 3 (espace B2B)",
        body_en="Friday 4 December, 11:30–12:00, table 3 (B2B area)",
        session_id=None,
        exhibitor_id=None,
        send_at=STARTS - timedelta(days=1),
        session_starts_at=None,
        session_ends_at=None,
        meeting_id=42,
        meeting_starts_at=STARTS,
        meeting_ends_at=STARTS + timedelta(minutes=30),
    )


def test_a_meeting_push_opens_the_meeting_and_replaces_the_last_one() -> None:
    now = STARTS - timedelta(hours=2)
    plan = plan_push(meeting_notice("MEETING_ACCEPTED"), "EN", "https://salon.example", now)
    assert plan is not None
    notification: dict[str, Any] = orjson.loads(plan.payload)["notification"]
    assert notification["navigate"] == "https://salon.example/b2b"
    assert notification["tag"] == "meeting-42"
    assert notification["data"]["meetingId"] == "42"
    assert notification["title"] == "Meeting accepted: Forges du Souss"
    assert plan.topic == "m-42"
    assert plan.ttl == int(timedelta(hours=2, minutes=30).total_seconds())  # until it ends


def test_a_meeting_reminder_matters_until_just_after_it_starts() -> None:
    reminder = meeting_notice("MEETING_REMINDER")
    early = plan_push(reminder, "FR", "https://salon.example", STARTS - timedelta(minutes=10))
    assert early is not None
    assert early.topic == "mr-42"
    assert early.ttl == 15 * 60
    assert plan_push(reminder, "FR", "https://salon.example", STARTS + timedelta(minutes=6)) is None
