"""GraphQL types of meeting matches: `Me.meetingMatches` and what it returns.

Matches are VOLATILE (schema/visibility.py): they move with other people's profiles,
which change neither the agenda version nor the viewer's plan version, so a response
that reads one is never cached.
"""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.loaders import load_one
from schema.types.directory import Exhibitor
from schema.types.enums import Lang
from schema.visibility import VOLATILE
from server.domain.meetings import matching
from server.domain.meetings.matching import Match, ProfileRow


# TEMPORARY until schema/types/meetings.py: the business profile as the contract has
# it, for MeetingMatch.profile. Its fields are VOLATILE here (a profile changes with
# neither version); the real type decides for itself.
@strawberry.type
class BusinessProfile:
    id: strawberry.ID = strawberry.field(metadata=VOLATILE)
    company: str = strawberry.field(metadata=VOLATILE)
    country: str = strawberry.field(description="ISO 3166-1 alpha-2.", metadata=VOLATILE)
    sectors: list[str] = strawberry.field(metadata=VOLATILE)
    offers: list[str] = strawberry.field(metadata=VOLATILE)
    needs: list[str] = strawberry.field(metadata=VOLATILE)
    summary: str | None = strawberry.field(metadata=VOLATILE)
    open_to_meetings: bool = strawberry.field(metadata=VOLATILE)
    row: strawberry.Private[ProfileRow]

    @classmethod
    def from_row(cls, row: ProfileRow) -> BusinessProfile:
        return cls(
            id=strawberry.ID(str(row.id)),
            company=row.company,
            country=row.country,
            sectors=row.sectors,
            offers=row.offers,
            needs=row.needs,
            summary=row.summary,
            open_to_meetings=row.open_to_meetings,
            row=row,
        )

    @strawberry.field(metadata=VOLATILE)
    async def exhibitor(self, info: Info) -> Exhibitor | None:
        return await load_one(
            info.context.loaders.exhibitor, self.row.exhibitor_id, Exhibitor.from_row
        )


@strawberry.type
class MeetingMatch:
    profile: BusinessProfile = strawberry.field(metadata=VOLATILE)
    score: float = strawberry.field(description="0..1, higher is better.", metadata=VOLATILE)
    reasons: list[str] = strawberry.field(
        description='Human-readable reasons, e.g. "offers foundry, which you need", in the '
        "request's language (Accept-Language).",
        metadata=VOLATILE,
    )

    @classmethod
    def from_match(cls, match: Match) -> MeetingMatch:
        return cls(
            profile=BusinessProfile.from_row(match.profile),
            score=match.score,
            reasons=match.reasons,
        )


async def meeting_matches_of(info: Info, first: int) -> list[MeetingMatch]:
    """The signed-in viewer's best counterparts; reasons in the request's language."""
    viewer = info.context.signed_in()
    lang: matching.Lang = "en" if info.context.lang is Lang.EN else "fr"
    found = await matching.meeting_matches(info.context.db, viewer.id, first, lang)
    return [MeetingMatch.from_match(m) for m in found]
