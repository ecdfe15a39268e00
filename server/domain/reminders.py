"""REMINDER and DEMO_STARTING notices, a few minutes before sessions start, and
MEETING_REMINDER to both sides of an accepted B2B meeting.

Idempotent and safe with several workers: a round runs in one transaction under
an advisory lock, and `reminder_sent` records who was reminded of what in that
same transaction, so a second worker (or a second round) finds nobody left.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from server.db.queries import meetings as meetings_sql
from server.db.queries import reminders as sql
from server.db.queries.common import Executor
from server.db.queries.notices import NoticeDraft
from server.domain import notices, wording
from server.domain.meetings import meeting_notices
from server.domain.plans import Pool

#: Both sides of a meeting are told this long before it starts.
MEETING_LEAD = timedelta(minutes=10)


async def remind_due(
    pool: Pool,
    now: datetime,
    *,
    session_lead: timedelta,
    demo_lead: timedelta,
    meeting_lead: timedelta = MEETING_LEAD,
) -> int:
    """Remind whoever is due and not reminded yet; return how many notices.
    `session_lead`: bookmarked or registered sessions, this long before the start;
    `demo_lead`: demos, for the exhibitor's followers; `meeting_lead`: accepted
    meetings, for both sides."""
    written = 0
    async with pool.acquire() as conn, conn.transaction():
        await sql.lock_reminders(conn)
        for session in await sql.sessions_starting(conn, now, now + session_lead):
            people = await sql.not_reminded(
                conn, "REMINDER", session.id, await sql.session_planners(conn, session.id)
            )
            if people:
                await _remind(conn, "REMINDER", session, people, now)
                written += 1
        for demo in await sql.sessions_starting(conn, now, now + demo_lead, demos=True):
            people = await sql.not_reminded(
                conn, "DEMO_STARTING", demo.id, await sql.demo_audience(conn, demo.id)
            )
            if people:
                await _remind(conn, "DEMO_STARTING", demo, people, now)
                written += 1
        for meeting_id in await sql.meetings_starting(conn, now, now + meeting_lead):
            written += await _remind_meeting(conn, meeting_id, now)
    return written


async def _remind_meeting(conn: Executor, meeting_id: int, now: datetime) -> int:
    """Each side not reminded yet gets a notice naming the other and the table. The
    meeting's row is locked and read again: a cancellation committed meanwhile (it
    locks the row too) means no reminder, rather than one after the cancellation."""
    meeting = await meetings_sql.lock_meeting(conn, meeting_id)
    if meeting is None or meeting.status != "ACCEPTED":
        return 0
    sides = {
        p.id: p
        for p in await meetings_sql.profiles_by_ids(
            conn, [meeting.requester_id, meeting.invitee_id]
        )
    }
    tables = await meetings_sql.tables_by_ids(conn, [meeting.table_id] if meeting.table_id else [])
    told = await sql.reminded_of_meeting(conn, meeting_id)
    written = 0
    for side, other in (
        (meeting.requester_id, meeting.invitee_id),
        (meeting.invitee_id, meeting.requester_id),
    ):
        person = sides[side].person_id
        if person in told:
            continue
        notice_id = await meeting_notices.tell(
            conn,
            "MEETING_REMINDER",
            meeting,
            other=sides[other],
            recipients=[person],
            now=now,
            table_number=tables[0].number if tables else None,
        )
        await sql.link_meeting(conn, meeting_id, person, notice_id)
        written += 1
    return written


async def _remind(
    conn: Executor, kind: str, session: sql.Starting, people: list[int], now: datetime
) -> None:
    minutes = max(1, round((session.starts_at - now).total_seconds() / 60))
    place = session.place or ""
    if kind == "REMINDER":
        draft = NoticeDraft(
            kind=kind,
            title_fr=f"Dans {minutes} min : « {session.title} »",
            title_en=f"In {minutes} min: “{session.title}”",
            body_fr=f"{wording.clock_time(session.starts_at)}, {place}".rstrip(", "),
            body_en=f"{wording.clock_time(session.starts_at)}, {place}".rstrip(", "),
            session_id=session.id,
        )
    else:
        draft = NoticeDraft(
            kind=kind,
            title_fr=f"Démo dans {minutes} min : {session.title}",
            title_en=f"Demo in {minutes} min: {session.title}",
            body_fr=f"Stand {place}, {wording.clock_time(session.starts_at)}",
            body_en=f"Booth {place}, {wording.clock_time(session.starts_at)}",
            session_id=session.id,
            exhibitor_id=session.exhibitor_id,
        )
    notice_id = await notices.record(conn, draft, recipients=people, now=now)
    await sql.link(conn, kind, session.id, people, notice_id)
