"""Who is asking: the bearer token of a request, resolved once into a domain `Viewer`."""

from __future__ import annotations

from datetime import datetime

from server.auth.tokens import hash_secret
from server.db.queries import accounts as sql
from server.db.queries.common import Executor
from server.domain.errors import DomainError, ErrorCode

# What `authenticate` returns is the domain's: auth sits above the domain, never below.
from server.domain.viewer import Viewer as Viewer


async def revoked_tokens(db: Executor, token_hashes: list[bytes]) -> list[bytes]:
    """Which of these tokens were revoked (signed out)."""
    return await sql.revoked_tokens(db, token_hashes)


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
