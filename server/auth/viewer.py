"""Who is asking: the bearer token of a request, resolved once, and role checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.auth.tokens import hash_secret
from server.db.queries import accounts as sql
from server.db.queries.accounts import PersonRow
from server.db.queries.common import Executor
from server.domain.errors import DomainError, ErrorCode

ROLES = ("ATTENDEE", "SPEAKER", "EXHIBITOR", "ORGANISER")


@dataclass(frozen=True, slots=True)
class Viewer:
    person: PersonRow
    token_hash: bytes
    #: When the token stops being valid (a socket opened with it is closed then).
    token_expires_at: datetime | None = None

    @property
    def id(self) -> int:
        return self.person.id

    def has_role(self, role: str) -> bool:
        return role in self.person.roles


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value; None when absent."""
    if authorization is None or not authorization.strip():
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise DomainError(
            ErrorCode.UNAUTHENTICATED, "Send the token as `Authorization: Bearer <token>`."
        )
    return token.strip()


async def authenticate(db: Executor, authorization: str | None, now: datetime) -> Viewer | None:
    """The viewer, None when anonymous; UNAUTHENTICATED for a bad, expired or revoked token."""
    token = bearer_token(authorization)
    if token is None:
        return None
    token_hash = hash_secret(token)
    found = await sql.person_by_token_hash(db, token_hash, now)
    if found is None:
        raise DomainError(
            ErrorCode.UNAUTHENTICATED,
            "Your session has expired or was signed out; please sign in again.",
        )
    person, expires_at = found
    return Viewer(person=person, token_hash=token_hash, token_expires_at=expires_at)


def require_viewer(viewer: Viewer | None) -> Viewer:
    if viewer is None:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "Please sign in first.")
    return viewer


def require_role(viewer: Viewer | None, *roles: str) -> Viewer:
    """The viewer when they hold one of `roles`; UNAUTHENTICATED or FORBIDDEN otherwise."""
    signed_in = require_viewer(viewer)
    if not any(signed_in.has_role(r) for r in roles):
        wanted = " or ".join(r.lower() for r in roles)
        raise DomainError(ErrorCode.FORBIDDEN, f"Only {wanted}s can do this.")
    return signed_in
