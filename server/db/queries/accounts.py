"""SQL of people: accounts, roles, sign-in codes, bearer tokens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from server.db.queries.common import Executor


@dataclass(frozen=True, slots=True)
class PersonRow:
    id: int
    email: str | None
    name: str | None
    badge_code: str | None
    speaker_id: str | None
    exhibitor_id: str | None
    calendar_token: str
    roles: list[str]
    #: Grows at every change of what `me` shows this person (see migration 0004).
    plan_version: int


_PERSON = """p.id, p.email, p.name, p.badge_code, p.speaker_id, p.exhibitor_id, p.calendar_token,
    coalesce((SELECT array_agg(r.role ORDER BY r.role) FROM person_role r
               WHERE r.person_id = p.id), '{}') AS roles, p.plan_version"""


async def person_by_id(db: Executor, person_id: int) -> PersonRow | None:
    row = await db.fetchrow(f"SELECT {_PERSON} FROM person p WHERE p.id = $1", person_id)
    return PersonRow(**row) if row else None


async def person_by_email(db: Executor, email: str) -> PersonRow | None:
    row = await db.fetchrow(f"SELECT {_PERSON} FROM person p WHERE p.email = $1", email)
    return PersonRow(**row) if row else None


async def person_by_badge(db: Executor, badge_code: str) -> PersonRow | None:
    row = await db.fetchrow(
        f"SELECT {_PERSON} FROM person p WHERE upper(p.badge_code) = upper($1)", badge_code
    )
    return PersonRow(**row) if row else None


async def person_by_calendar_token(db: Executor, token: str) -> PersonRow | None:
    row = await db.fetchrow(f"SELECT {_PERSON} FROM person p WHERE p.calendar_token = $1", token)
    return PersonRow(**row) if row else None


async def person_by_token_hash(
    db: Executor, token_hash: bytes, now: datetime
) -> tuple[PersonRow, datetime] | None:
    """The person a live (unexpired, unrevoked) token belongs to, and when it expires."""
    row = await db.fetchrow(
        f"""SELECT {_PERSON}, t.expires_at AS token_expires_at
              FROM auth_token t JOIN person p ON p.id = t.person_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2""",
        token_hash,
        now,
    )
    if row is None:
        return None
    values = dict(row)
    expires_at: datetime = values.pop("token_expires_at")
    return PersonRow(**values), expires_at


async def upsert_person(
    db: Executor,
    *,
    email: str | None,
    name: str | None,
    badge_code: str | None,
    speaker_id: str | None,
    exhibitor_id: str | None,
    calendar_token: str,
) -> int:
    """Create the person, or fill in what is given for an existing email; return the id."""
    person_id: int = await db.fetchval(
        """INSERT INTO person (email, name, badge_code, speaker_id, exhibitor_id, calendar_token)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (email) DO UPDATE SET
               name = coalesce(excluded.name, person.name),
               badge_code = coalesce(excluded.badge_code, person.badge_code),
               speaker_id = coalesce(excluded.speaker_id, person.speaker_id),
               exhibitor_id = coalesce(excluded.exhibitor_id, person.exhibitor_id)
           RETURNING id""",
        email,
        name,
        badge_code,
        speaker_id,
        exhibitor_id,
        calendar_token,
    )
    return person_id


async def insert_person_if_new(
    db: Executor,
    *,
    email: str,
    name: str | None,
    badge_code: str | None,
    speaker_id: str | None,
    exhibitor_id: str | None,
    calendar_token: str,
) -> int | None:
    """Create the person unless someone has that address; the new id, or None."""
    person_id: int | None = await db.fetchval(
        """INSERT INTO person (email, name, badge_code, speaker_id, exhibitor_id, calendar_token)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING RETURNING id""",
        email,
        name,
        badge_code,
        speaker_id,
        exhibitor_id,
        calendar_token,
    )
    return person_id


async def add_roles(db: Executor, person_id: int, roles: Sequence[str]) -> None:
    await db.execute(
        """INSERT INTO person_role (person_id, role) SELECT $1, unnest($2::text[])
           ON CONFLICT DO NOTHING""",
        person_id,
        roles,
    )


async def set_calendar_token(db: Executor, person_id: int, token: str) -> None:
    await db.execute("UPDATE person SET calendar_token = $2 WHERE id = $1", person_id, token)


async def insert_sign_in_code(
    db: Executor, email: str, code_hash: bytes, created_at: datetime, expires_at: datetime
) -> None:
    await db.execute(
        """INSERT INTO sign_in_code (email, code_hash, created_at, expires_at)
           VALUES ($1, $2, $3, $4)""",
        email,
        code_hash,
        created_at,
        expires_at,
    )


@dataclass(frozen=True, slots=True)
class CodeGuess:
    """One guess compared with a sign-in code."""

    matched: bool
    #: Guesses compared with this code so far, this one included.
    attempts: int


async def guess_sign_in_code(
    db: Executor, email: str, code_hash: bytes, now: datetime, max_attempts: int
) -> CodeGuess | None:
    """Compare one guess with the newest code of `email` and count it, in one statement.

    None when nothing was compared: no code, or the newest one is used, expired or has
    had `max_attempts` guesses (older codes are superseded by a newer one). Concurrent
    guesses queue on the row's lock and PostgreSQL re-checks `used_at` and `attempts`
    on the row version each one finds, so no more than `max_attempts` are ever compared.
    Run it on the pool, outside any transaction, so that a wrong guess stays counted.
    """
    row = await db.fetchrow(
        """UPDATE sign_in_code
              SET attempts = attempts + 1,
                  used_at = CASE WHEN code_hash = $2 THEN $3::timestamptz END
            WHERE id = (SELECT id FROM sign_in_code WHERE email = $1
                         ORDER BY id DESC LIMIT 1)
              AND used_at IS NULL AND expires_at > $3 AND attempts < $4
        RETURNING used_at IS NOT NULL AS matched, attempts""",
        email,
        code_hash,
        now,
        max_attempts,
    )
    return CodeGuess(matched=row["matched"], attempts=row["attempts"]) if row else None


async def insert_token(
    db: Executor, token_hash: bytes, person_id: int, created_at: datetime, expires_at: datetime
) -> None:
    await db.execute(
        """INSERT INTO auth_token (token_hash, person_id, created_at, expires_at)
           VALUES ($1, $2, $3, $4)""",
        token_hash,
        person_id,
        created_at,
        expires_at,
    )


async def revoke_token(db: Executor, token_hash: bytes, now: datetime) -> None:
    await db.execute(
        "UPDATE auth_token SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
        token_hash,
        now,
    )


async def revoked_tokens(db: Executor, token_hashes: list[bytes]) -> list[bytes]:
    """Which of these tokens were revoked (the live sockets check after a Redis outage)."""
    rows = await db.fetch(
        """SELECT token_hash FROM auth_token
            WHERE token_hash = ANY($1::bytea[]) AND revoked_at IS NOT NULL""",
        token_hashes,
    )
    return [bytes(r["token_hash"]) for r in rows]
