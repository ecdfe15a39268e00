"""Accounts made by operators and by the demo loader (sign-in makes attendees itself)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from server.db.queries import accounts as sql
from server.db.queries import exhibitors as directory_sql
from server.db.queries.accounts import PersonRow as PersonRow
from server.db.queries.common import Executor
from server.domain.errors import bad_input, not_found
from server.domain.viewer import ROLES

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def check_email(email: str) -> str:
    normalised = email.strip().lower()
    if len(normalised) > 254 or not _EMAIL.match(normalised):
        raise bad_input(f"{email!r} is not an e-mail address.")
    return normalised


def new_calendar_token() -> str:
    """The secret of a personal calendar feed URL."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True, slots=True)
class NewPerson:
    email: str
    roles: Sequence[str]
    name: str | None = None
    speaker_id: str | None = None
    exhibitor_id: str | None = None
    badge_code: str | None = None


async def person_with_email(db: Executor, email: str) -> PersonRow | None:
    """The person with this address; BAD_USER_INPUT when it is not an address."""
    return await sql.person_by_email(db, check_email(email))


async def check_new_person(db: Executor, person: NewPerson) -> NewPerson:
    unknown = sorted(set(person.roles) - set(ROLES))
    if unknown or not person.roles:
        raise bad_input(f"Roles are {', '.join(ROLES)}; got {list(person.roles)}.")
    if person.speaker_id and not await directory_sql.speakers_by_ids(db, [person.speaker_id]):
        raise not_found(f"There is no speaker {person.speaker_id!r}.")
    if person.exhibitor_id and not await directory_sql.exhibitors_by_ids(db, [person.exhibitor_id]):
        raise not_found(f"There is no exhibitor {person.exhibitor_id!r}.")
    return NewPerson(
        email=check_email(person.email),
        roles=sorted(set(person.roles)),
        name=person.name,
        speaker_id=person.speaker_id,
        exhibitor_id=person.exhibitor_id,
        badge_code=person.badge_code,
    )


async def add_person(db: Executor, person: NewPerson) -> int:
    """Create the person or add to an existing one (roles accumulate); return the id.
    Run it inside a transaction: it writes two tables."""
    person_id = await _add(db, person, sql.upsert_person)
    if person_id is None:  # an upsert always returns its row
        raise LookupError(f"no id came back for {person.email}")
    return person_id


async def add_person_if_new(db: Executor, person: NewPerson) -> int | None:
    """Create the person unless someone has that address (an existing account, which
    its owner or an operator may have changed, is left alone); the new id, or None.
    Run it inside a transaction: it writes two tables."""
    return await _add(db, person, sql.insert_person_if_new)


async def _add(
    db: Executor, person: NewPerson, insert: Callable[..., Awaitable[int | None]]
) -> int | None:
    person = await check_new_person(db, person)
    person_id = await insert(
        db,
        email=person.email,
        name=person.name,
        badge_code=person.badge_code,
        speaker_id=person.speaker_id,
        exhibitor_id=person.exhibitor_id,
        calendar_token=new_calendar_token(),
    )
    if person_id is not None:
        await sql.add_roles(db, person_id, person.roles)
    return person_id


async def renew_calendar_token(db: Executor, person_id: int) -> str:
    """A new secret calendar URL; the old one stops working at once."""
    token = new_calendar_token()
    await sql.set_calendar_token(db, person_id, token)
    return token
