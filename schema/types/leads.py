"""GraphQL types of leads: what a stand captured, and who captured the viewer.

Never cached (VOLATILE): a stand's leads change when any of its staff scans a badge,
which moves neither the agenda version nor the reader's plan version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import strawberry

from schema.context import Info
from schema.types.directory import Exhibitor
from schema.visibility import VOLATILE
from server.auth.rate_limit import Limiter, Quota
from server.domain import leads as leads_domain
from server.domain.leads import CaptureRow, LeadRow
from server.domain.people import PersonRow

#: Unknown badge codes one staff member may type (server/domain/leads.py).
WRONG_BADGES = Quota("lead-badge", leads_domain.WRONG_BADGES_PER_STAFF, leads_domain.WINDOW_SECONDS)


@strawberry.type(description="A badge the viewer's stand scanned.")
class Lead:
    id: strawberry.ID = strawberry.field(metadata=VOLATILE)
    name: str | None = strawberry.field(metadata=VOLATILE)
    email: str | None = strawberry.field(metadata=VOLATILE)
    company: str | None = strawberry.field(
        description="From their business profile, when they have one.", metadata=VOLATILE
    )
    note: str | None = strawberry.field(description="The stand's own note.", metadata=VOLATILE)
    captured_at: datetime = strawberry.field(
        description="The first scan (a later one keeps it).", metadata=VOLATILE
    )

    @classmethod
    def from_row(cls, row: LeadRow) -> Lead:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            email=row.email,
            company=row.company,
            note=row.note,
            captured_at=row.captured_at,
        )


@strawberry.type(description="A stand that scanned the viewer's badge.")
class LeadCapture:
    exhibitor: Exhibitor = strawberry.field(metadata=VOLATILE)
    captured_at: datetime = strawberry.field(metadata=VOLATILE)

    @classmethod
    def from_row(cls, row: CaptureRow) -> LeadCapture:
        return cls(exhibitor=Exhibitor.from_row(row.exhibitor), captured_at=row.captured_at)


@dataclass(frozen=True, slots=True)
class StaffBadgeLookups:
    """The domain's BadgeLookups, counted by the sign-in rate limiter's Redis."""

    limiter: Limiter

    async def take(self, staff_id: int) -> int | None:
        refused = await self.limiter.take((WRONG_BADGES, str(staff_id)))
        return None if refused is None else refused.retry_after

    async def give_back(self, staff_id: int) -> None:
        await self.limiter.give_back(WRONG_BADGES, str(staff_id))


def badge_lookups(info: Info) -> StaffBadgeLookups:
    return StaffBadgeLookups(info.context.runtime.auth.limiter)


async def leads_of(info: Info, person: PersonRow) -> list[Lead]:
    rows = await leads_domain.leads_of_stand(info.context.db, person)
    return [Lead.from_row(r) for r in rows]


async def captures_of(info: Info, person: PersonRow) -> list[LeadCapture]:
    rows = await leads_domain.captured_by_exhibitors(info.context.db, person.id)
    return [LeadCapture.from_row(r) for r in rows]
