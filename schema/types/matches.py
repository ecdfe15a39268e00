"""GraphQL types of meeting matches: `Me.meetingMatches` and what it returns.

Matches are VOLATILE (schema/visibility.py): they move with other people's profiles,
which change neither the agenda version nor the viewer's plan version, so a response
that reads one is never cached.
"""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.types.enums import Lang
from schema.types.meetings import BusinessProfile
from schema.visibility import VOLATILE
from server.domain.meetings import matching
from server.domain.meetings.matching import Match


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


async def meeting_matches_of(info: Info, person_id: int, first: int) -> list[MeetingMatch]:
    """That person's best counterparts (the Me it is asked of, as every Me field: a Me
    just signed in is not the request's viewer yet); reasons in the request's language."""
    lang: matching.Lang = "en" if info.context.lang is Lang.EN else "fr"
    found = await matching.meeting_matches(info.context.db, person_id, first, lang)
    return [MeetingMatch.from_match(m) for m in found]
