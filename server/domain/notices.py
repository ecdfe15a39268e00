"""The notice log seen from the product: audiences, writing notices, reading by cursor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from server.db.queries import agenda as agenda_sql
from server.db.queries import exhibitors as directory_sql
from server.db.queries import notices as sql
from server.db.queries import plans as plans_sql
from server.db.queries.common import Executor
from server.db.queries.notices import NoticeDraft as NoticeDraft
from server.db.queries.notices import NoticeRow as NoticeRow
from server.domain.errors import bad_input, not_found
from server.domain.ids import parse_bigint_id
from server.domain.pagination import check_first
from server.domain.viewer import ROLES, Viewer

MAX_NOTICES_PAGE = 200


@dataclass(frozen=True, slots=True)
class Audience:
    everyone: bool = False
    roles: Sequence[str] = ()
    session_ids: Sequence[str] = ()
    exhibitor_ids: Sequence[str] = ()
    user_ids: Sequence[int] = ()


@dataclass(frozen=True, slots=True)
class Resolved:
    """An audience resolved at write time (DESIGN.md §5)."""

    everyone: bool
    roles: list[str]
    recipients: list[int] = field(default_factory=list)


async def resolve(db: Executor, audience: Audience) -> Resolved:
    """Who an audience means, now; NOT_FOUND for unknown ids, BAD_USER_INPUT when empty."""
    if not (
        audience.everyone
        or audience.roles
        or audience.session_ids
        or audience.exhibitor_ids
        or audience.user_ids
    ):
        raise bad_input("Say who should get this: everyone, roles, sessions, exhibitors or people.")
    unknown_roles = sorted(set(audience.roles) - set(ROLES))
    if unknown_roles:
        raise bad_input(f"Unknown roles {unknown_roles}.")
    if audience.everyone:
        return Resolved(everyone=True, roles=[])
    recipients: set[int] = set()
    if audience.session_ids:
        await _all_exist(db, "session", audience.session_ids)
        recipients |= set(await sql.session_audience(db, audience.session_ids))
    if audience.exhibitor_ids:
        await _all_exist(db, "exhibitor", audience.exhibitor_ids)
        recipients |= set(await sql.exhibitor_audience(db, audience.exhibitor_ids))
    if audience.user_ids:
        known = await sql.existing_people(db, audience.user_ids)
        missing = sorted(set(audience.user_ids) - known)
        if missing:
            raise not_found(f"Nobody has the id {missing[0]}.")
        recipients |= known
    return Resolved(
        everyone=False, roles=sorted(set(audience.roles)), recipients=sorted(recipients)
    )


async def _all_exist(db: Executor, kind: str, ids: Sequence[str]) -> None:
    fetch = agenda_sql.sessions_by_ids if kind == "session" else directory_sql.exhibitors_by_ids
    found = {row.id for row in await fetch(db, list(ids))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise not_found(f"There is no {kind} {missing[0]!r}.")


async def record(
    db: Executor,
    draft: NoticeDraft,
    *,
    recipients: Sequence[int],
    now: datetime,
    send_at: datetime | None = None,
    actor_id: int | None = None,
) -> int:
    """Write a notice inside the caller's transaction (the transactional outbox)."""
    return await sql.insert_notice(
        db,
        draft,
        recipients=recipients,
        created_at=now,
        send_at=send_at or now,
        created_by=actor_id,
    )


async def promoted_notice(
    db: Executor, session_title: str, session_id: str, person_id: int, now: datetime
) -> int:
    draft = NoticeDraft(
        kind="WAITLIST_PROMOTED",
        priority="URGENT",
        title_fr=f"Une place s'est libérée : « {session_title} »",
        title_en=f"A seat freed up: “{session_title}”",
        body_fr="Vous êtes désormais inscrit·e. Si vous ne venez plus, libérez la place.",
        body_en="You are now registered. If you can no longer come, please free the seat.",
        session_id=session_id,
    )
    return await record(db, draft, recipients=[person_id], now=now)


def parse_cursor(after: str | None) -> int:
    """A notice cursor is the decimal number the notice's id carries; 0: from the start."""
    if after is None or after == "":
        return 0
    cursor = parse_bigint_id(after)
    if cursor is None:
        raise bad_input("`after` must be the id of a notice you received.")
    return cursor


async def notices_for(
    db: Executor, viewer: Viewer | None, after: str | None, first: int
) -> list[NoticeRow]:
    """The viewer's notices after a cursor, oldest first (anonymous: public ones)."""
    check_first(first, MAX_NOTICES_PAGE)
    return await sql.notices_for_viewer(
        db,
        after=parse_cursor(after),
        limit=first,
        person_id=viewer.id if viewer else None,
        roles=viewer.person.roles if viewer else (),
    )


async def seats_freed(
    db: Executor, session_id: str, title: str, now: datetime, free: int
) -> list[int]:
    """Give up to `free` seats to the first in line, telling each of them."""
    promoted = []
    for _ in range(free):
        person_id = await plans_sql.promote_first_waitlisted(db, session_id)
        if person_id is None:
            break
        await promoted_notice(db, title, session_id, person_id, now)
        promoted.append(person_id)
    return promoted
