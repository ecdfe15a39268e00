"""Organisers broadcast announcements; exhibitors announce their demos."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from server.db.queries import exhibitors as directory_sql
from server.db.queries import notices as notices_sql
from server.db.queries import session_changes as sql
from server.db.queries import venue as venue_sql
from server.db.queries.agenda import SessionRow, lock_agenda
from server.db.queries.notices import NoticeDraft, NoticeRow
from server.domain import instants, notices, wording
from server.domain.errors import DomainError, ErrorCode, bad_input, not_found
from server.domain.notices import Audience
from server.domain.plans import Pool
from server.domain.viewer import Viewer, require_role

MAX_TITLE = 200
MAX_BODY = 4000


@dataclass(frozen=True, slots=True)
class Announcement:
    title: str
    body: str
    audience: Audience
    priority: str = "NORMAL"
    send_at: datetime | None = None
    title_en: str | None = None
    body_en: str | None = None


def _text(
    value: str | None, limit: int, what: str, *, required: bool, of: str = "An announcement"
) -> str | None:
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise bad_input(f"{of} needs a {what}.")
        return None
    if len(cleaned) > limit:
        raise bad_input(f"A {what} has at most {limit} characters.")
    return cleaned


@dataclass(frozen=True, slots=True)
class CheckedAnnouncement:
    """An announcement whose texts are trimmed and whose sending time is set."""

    title: str
    body: str
    title_en: str | None
    body_en: str | None
    priority: str
    audience: Audience
    send_at: datetime


def check_announcement(announcement: Announcement, now: datetime) -> CheckedAnnouncement:
    """BAD_USER_INPUT for a missing or long text, an unknown priority, a `send_at` in the
    past; `send_at` becomes now unless the announcement is held."""
    title = _text(announcement.title, MAX_TITLE, "title", required=True) or ""
    body = _text(announcement.body, MAX_BODY, "body", required=True) or ""
    if announcement.priority not in ("NORMAL", "URGENT"):
        raise bad_input("Priority is NORMAL or URGENT.")
    return CheckedAnnouncement(
        title=title,
        body=body,
        title_en=_text(announcement.title_en, MAX_TITLE, "title", required=False),
        body_en=_text(announcement.body_en, MAX_BODY, "body", required=False),
        priority=announcement.priority,
        audience=announcement.audience,
        send_at=instants.check_send_at(announcement.send_at, now),
    )


async def broadcast(
    db: Pool,
    actor: Viewer,
    announcement: Announcement,
    now: datetime,
    on_written: Callable[[int], None] | None = None,
) -> NoticeRow:
    """Write the announcement for its audience; with `send_at` in the future it is
    held, and the relay sends it when due. `on_written` hears the notice's id before
    the commit (so a waiter cannot miss it going by)."""
    checked = check_announcement(announcement, now)
    async with db.acquire() as conn, conn.transaction():
        # Every check before the first write, in the transaction that writes.
        if checked.send_at > now:  # held: it must fall near the fair
            (await instants.fair_window(conn)).check(checked.send_at, "sendAt")
        audience = await notices.resolve(conn, checked.audience)
        draft = NoticeDraft(
            kind="ANNOUNCEMENT",
            priority=checked.priority,
            title_fr=checked.title,
            body_fr=checked.body,
            title_en=checked.title_en,
            body_en=checked.body_en,
            everyone=audience.everyone,
            roles=audience.roles,
        )
        send_at = checked.send_at
        notice_id = await notices.record(
            conn, draft, recipients=audience.recipients, now=now, send_at=send_at, actor_id=actor.id
        )
        await notices_sql.audit(
            conn,
            at=now,
            actor_id=actor.id,
            action="announcement.broadcast",
            subject=str(notice_id),
            details={
                "title": checked.title,
                "send_at": send_at.isoformat(),
                "recipients": len(audience.recipients),
                "everyone": audience.everyone,
                "roles": audience.roles,
            },
        )
        if on_written is not None:
            on_written(notice_id)
    return NoticeRow(
        id=notice_id,
        seq=None,
        kind=draft.kind,
        priority=draft.priority,
        title_fr=draft.title_fr,
        title_en=draft.title_en,
        body_fr=draft.body_fr,
        body_en=draft.body_en,
        session_id=None,
        exhibitor_id=None,
        everyone=draft.everyone,
        roles=list(draft.roles),
        send_at=send_at,
    )


async def withdraw(db: Pool, actor: Viewer, notice_id: int, now: datetime) -> None:
    """Take back a scheduled announcement before it is due."""
    async with db.acquire() as conn, conn.transaction():
        found = await notices_sql.notice_by_id(conn, notice_id)
        if found is None or found.kind != "ANNOUNCEMENT":
            raise not_found("There is no such announcement.")
        if not await notices_sql.withdraw(conn, notice_id, now):
            raise DomainError(ErrorCode.CONFLICT, "This announcement was already sent.")
        await notices_sql.audit(
            conn,
            at=now,
            actor_id=actor.id,
            action="announcement.withdraw",
            subject=str(notice_id),
            details={},
        )


@dataclass(frozen=True, slots=True)
class Demo:
    exhibitor_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    booth_id: str | None = None


def may_schedule_demo(viewer: Viewer | None, exhibitor_id: str) -> Viewer:
    """Organisers, or staff of that very exhibitor."""
    signed_in = require_role(viewer, "ORGANISER", "EXHIBITOR")
    if signed_in.has_role("ORGANISER") or signed_in.person.exhibitor_id == exhibitor_id:
        return signed_in
    raise DomainError(ErrorCode.FORBIDDEN, "You can only schedule demos of your own stand.")


async def schedule_demo(db: Pool, viewer: Viewer | None, demo: Demo, now: datetime) -> SessionRow:
    actor = may_schedule_demo(viewer, demo.exhibitor_id)
    title = _text(demo.title, MAX_TITLE, "title", required=True, of="A demo") or ""
    if demo.ends_at <= demo.starts_at:
        raise bad_input("A demo ends after it starts.")
    if demo.starts_at <= now:
        raise bad_input("A demo is scheduled in the future.")
    async with db.acquire() as conn, conn.transaction():
        await lock_agenda(conn)  # before the stand's rows: see lock_agenda
        window = await instants.fair_window(conn)
        window.check(demo.starts_at, "startsAt")
        window.check(demo.ends_at, "endsAt")
        exhibitors = await directory_sql.exhibitors_by_ids(conn, [demo.exhibitor_id])
        if not exhibitors:
            raise not_found(f"There is no exhibitor {demo.exhibitor_id!r}.")
        booths = await venue_sql.booths_of_exhibitors(conn, [demo.exhibitor_id])
        booth = (
            next((b for b in booths if b.id == demo.booth_id), None)
            if demo.booth_id
            else (booths[0] if booths else None)
        )
        if booth is None:
            raise bad_input(
                "That booth is not this exhibitor's."
                if demo.booth_id
                else "This exhibitor has no booth to demonstrate at."
            )
        taken = await sql.busy_at_booth(conn, booth.id, demo.starts_at, demo.ends_at)
        if taken:
            raise DomainError(ErrorCode.CONFLICT, f"The booth is busy then (session {taken}).")
        session = await sql.insert_demo(
            conn,
            exhibitor_id=demo.exhibitor_id,
            booth_id=booth.id,
            title=title,
            starts_at=demo.starts_at,
            ends_at=demo.ends_at,
            now=now,
        )
        when = wording.when(demo.starts_at)
        draft = NoticeDraft(
            kind="DEMO_SCHEDULED",
            title_fr=f"Démo : {title}",
            title_en=f"Demo: {title}",
            body_fr=f"{exhibitors[0].name}, stand {booth.code} — {when.fr}",
            body_en=f"{exhibitors[0].name}, booth {booth.code} — {when.en}",
            session_id=session.id,
            exhibitor_id=demo.exhibitor_id,
        )
        await notices.record(
            conn,
            draft,
            recipients=await notices_sql.exhibitor_audience(conn, [demo.exhibitor_id]),
            now=now,
            actor_id=actor.id,
        )
        await notices_sql.audit(
            conn,
            at=now,
            actor_id=actor.id,
            action="demo.schedule",
            subject=session.id,
            details={"booth": booth.code},
        )
    return session
