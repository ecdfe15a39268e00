"""Who is acting, as the domain sees it: a signed-in person with roles, and role checks.

`server.auth` turns a bearer token into a `Viewer`; the domain only reads one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.db.queries.accounts import PersonRow
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
