"""What each side of a meeting is told, in both of the fair's languages: the other
company, the slot on the fair's clocks, and the table once there is one."""

from __future__ import annotations

from datetime import datetime

from server.db.queries.common import Executor
from server.db.queries.meetings import MeetingRow, ProfileRow
from server.db.queries.notices import NoticeDraft
from server.domain import notices, wording
from server.domain.wording import Text

_TITLES = {
    "MEETING_REQUESTED": Text("Demande de rendez-vous : {company}", "Meeting request: {company}"),
    "MEETING_ACCEPTED": Text("Rendez-vous accepté : {company}", "Meeting accepted: {company}"),
    "MEETING_DECLINED": Text("Rendez-vous décliné : {company}", "Meeting declined: {company}"),
    "MEETING_CANCELLED": Text("Rendez-vous annulé : {company}", "Meeting cancelled: {company}"),
    "MEETING_REMINDER": Text(
        "Rendez-vous dans 10 minutes : {company}", "Meeting in 10 minutes: {company}"
    ),
}


def slot_text(meeting: MeetingRow, table_number: int | None) -> Text:
    """'jeudi 3 décembre, 10:30–11:00, table 4' / 'Thursday 3 December, 10:30–11:00, table 4'."""
    when = wording.when(meeting.starts_at)
    end = wording.clock_time(meeting.ends_at)
    text = Text(fr=f"{when.fr}–{end}", en=f"{when.en}–{end}")
    if table_number is not None:
        text = Text(
            fr=f"{text.fr}, table {table_number} (espace B2B)",
            en=f"{text.en}, table {table_number} (B2B area)",
        )
    return text


async def tell(
    db: Executor,
    kind: str,
    meeting: MeetingRow,
    *,
    other: ProfileRow,
    recipients: list[int],
    now: datetime,
    table_number: int | None = None,
    note: str | None = None,
    actor_id: int | None = None,
) -> int:
    """Write one notice about `meeting` for `recipients`, naming `other` (the company
    on the far side from them)."""
    title = _TITLES[kind]
    body = wording.with_note(slot_text(meeting, table_number), note)
    draft = NoticeDraft(
        kind=kind,
        priority="URGENT" if kind in ("MEETING_CANCELLED", "MEETING_REMINDER") else "NORMAL",
        title_fr=title.fr.format(company=other.company),
        title_en=title.en.format(company=other.company),
        body_fr=body.fr,
        body_en=body.en,
        meeting_id=meeting.id,
    )
    return await notices.record(db, draft, recipients=recipients, now=now, actor_id=actor_id)
