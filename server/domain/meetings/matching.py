"""Meeting matches: the open profiles that fit a person's profile best, and why.

The ranking is the SQL's (server/db/queries/matches.py: a two-way fit first, then the
one-way fits, the viewer's needs met counting most, then shared sectors; never the
viewer's own profile, company or stand, never a profile closed to meetings). This
module bounds the request and words the reasons in French or English.

A person without a profile has no matches: an empty list, not an error, so the app can
ask before the profile exists and show its invitation to write one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from server.db.queries import matches as sql
from server.db.queries.common import Executor
from server.db.queries.matches import CandidateRow
from server.db.queries.meetings import ProfileRow as ProfileRow
from server.domain.errors import bad_input
from server.domain.meetings.capabilities import Lang as Lang
from server.domain.meetings.capabilities import label, vocabulary

#: The most matches one request may ask for.
MAX_MATCHES = 100


@dataclass(frozen=True, slots=True)
class Match:
    profile: ProfileRow
    #: 0..1, higher is better.
    score: float
    reasons: list[str]


def check_first(first: int) -> int:
    if first < 1:
        raise bad_input(f"`first` must be at least 1 (got {first}).")
    if first > MAX_MATCHES:
        raise bad_input(f"`first` can be at most {MAX_MATCHES} (got {first}).")
    return first


async def meeting_matches(db: Executor, person_id: int, first: int, lang: Lang) -> list[Match]:
    """The `first` best counterparts of the person's profile, best first, each with its
    score and reasons in `lang`; [] when the person has no profile. BAD_USER_INPUT when
    `first` is not between 1 and MAX_MATCHES."""
    rows = await sql.candidates(db, person_id, check_first(first), lang)
    return [Match(profile=r.profile, score=r.score, reasons=reasons(r, lang)) for r in rows]


# --------------------------------------------------------------------------------------
# Reasons
# --------------------------------------------------------------------------------------

_GIVES = {"fr": "propose {}, dont vous avez besoin", "en": "offers {}, which you need"}
_TAKES = {"fr": "cherche {}, que vous proposez", "en": "needs {}, which you offer"}
_SECTOR = {"fr": "secteur commun : {}", "en": "shared sector: {}"}
_SECTORS = {"fr": "secteurs communs : {}", "en": "shared sectors: {}"}
_AND = {"fr": "et", "en": "and"}


def enumeration(items: Sequence[str], lang: Lang) -> str:
    """ "a", "a et b", "a, b et c" ("and" in English)."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {_AND[lang]} {items[-1]}"


def capability_names(terms: Iterable[str], phrases: Sequence[str], lang: Lang) -> list[str]:
    """The names of the most specific of `terms` ("usinage CNC", not also "usinage"),
    each once, in alphabetical order; a phrase the vocabulary does not know as the
    profile typed it (`phrases`)."""
    names = {label(t, lang, phrases) for t in vocabulary().most_specific(terms)}
    return sorted(names, key=lambda name: (name.casefold(), name))


def reasons(row: CandidateRow, lang: Lang) -> list[str]:
    """Why `row` fits the viewer: what it offers that they need, what it needs that
    they offer, the sectors both are in."""
    found = []
    if row.gives:
        offered = capability_names(row.gives, row.profile.offers, lang)
        found.append(_GIVES[lang].format(enumeration(offered, lang)))
    if row.takes:
        needed = capability_names(row.takes, row.profile.needs, lang)
        found.append(_TAKES[lang].format(enumeration(needed, lang)))
    if row.shared_sectors:
        wording = _SECTOR if len(row.shared_sectors) == 1 else _SECTORS
        found.append(wording[lang].format(enumeration(row.shared_sectors, lang)))
    return found
