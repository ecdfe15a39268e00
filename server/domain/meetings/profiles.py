"""Business profiles: what a company offers and needs, whether its person takes
meetings. One per person; an exhibitor's staff profile speaks for their stand.

Signed-in people see the open profiles (and their own, and those they have meetings
with); a closed profile is hidden and takes no new requests.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import datetime

from server.db.queries import meetings as sql
from server.db.queries.accounts import PersonRow
from server.db.queries.common import Executor
from server.db.queries.meetings import NewProfile, ProfileQuery
from server.db.queries.meetings import ProfileRow as ProfileRow
from server.db.queries.meetings import profiles_by_ids as profiles_by_ids
from server.domain.errors import bad_input
from server.domain.ids import parse_bigint_id
from server.domain.imports.formats.countries import CODES
from server.domain.imports.formats.text import fold
from server.domain.meetings.capabilities import terms_of
from server.domain.pagination import Page, check_first, decode_cursor, encode_cursor, make_page
from server.domain.viewer import Viewer, require_viewer

MAX_COMPANY = 200
MAX_SUMMARY = 2_000
#: Offers or needs one profile lists, and the length of each.
MAX_ITEMS = 30
MAX_ITEM = 120
MAX_SEARCH = 200
MAX_FILTER_ITEMS = 50


@dataclass(frozen=True, slots=True)
class ProfileInput:
    company: str
    country: str
    sectors: Sequence[str]
    offers: Sequence[str]
    needs: Sequence[str]
    summary: str | None
    open_to_meetings: bool


@dataclass(frozen=True, slots=True)
class ProfileFilter:
    sectors: Sequence[str] | None = None
    countries: Sequence[str] | None = None
    offers: Sequence[str] | None = None
    needs: Sequence[str] | None = None
    search: str | None = None


def company_key(company: str) -> str:
    """A company as profiles are told apart: folded, spaces collapsed."""
    return " ".join(fold(company).split())


async def save_profile(
    db: Executor, viewer: Viewer | None, given: ProfileInput, now: datetime
) -> ProfileRow:
    """Creates or replaces the viewer's profile (signed-in people only)."""
    person = require_viewer(viewer).person
    new = profile_of(person, given, await sql.sector_ids(db))
    return await sql.save_profile(db, new, now)


def profile_of(person: PersonRow, given: ProfileInput, known_sectors: Set[str]) -> NewProfile:
    """The profile `person` writes with `given`, checked (BAD_USER_INPUT) and with the
    capabilities its offers and needs name; `known_sectors` are the fair's sector ids."""
    company = _one_line(given.company, MAX_COMPANY, "company", required=True) or ""
    country = given.country.strip().upper()
    if country not in CODES:
        raise bad_input(f"`{given.country[:10]}` is not an ISO 3166-1 alpha-2 country code.")
    sectors = _sectors(known_sectors, given.sectors)
    offers = _items(given.offers, "offers")
    needs = _items(given.needs, "needs")
    summary = (given.summary or "").strip() or None
    if summary is not None and len(summary) > MAX_SUMMARY:
        raise bad_input(f"A summary has at most {MAX_SUMMARY} characters.")
    return NewProfile(
        person_id=person.id,
        exhibitor_id=person.exhibitor_id if "EXHIBITOR" in person.roles else None,
        company=company,
        company_key=company_key(company),
        country=country,
        sectors=sectors,
        offers=offers,
        needs=needs,
        offer_terms=terms_of(offers),
        need_terms=terms_of(needs),
        summary=summary,
        open_to_meetings=given.open_to_meetings,
    )


def _one_line(value: str, limit: int, what: str, *, required: bool) -> str | None:
    cleaned = " ".join(value.split())
    if not cleaned and required:
        raise bad_input(f"Say the {what}.")
    if len(cleaned) > limit:
        raise bad_input(f"A {what} has at most {limit} characters.")
    return cleaned or None


def _items(values: Sequence[str], what: str) -> list[str]:
    """Trimmed, each once (compared folded), in the order given."""
    kept: dict[str, str] = {}
    for value in values:
        item = _one_line(value, MAX_ITEM, f"item of {what}", required=False)
        if item is not None:
            kept.setdefault(company_key(item), item)
    if len(kept) > MAX_ITEMS:
        raise bad_input(f"List at most {MAX_ITEMS} {what}.")
    return list(kept.values())


def _sectors(known: Set[str], given: Sequence[str]) -> list[str]:
    wanted = list(dict.fromkeys(s.strip() for s in given if s.strip()))
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise bad_input(f"Unknown sector {unknown[0][:40]!r}: use the fair's sector ids.")
    return wanted


async def own_profile(db: Executor, person_id: int) -> ProfileRow | None:
    return await sql.profile_of_person(db, person_id)


async def visible_profile(
    db: Executor, viewer: Viewer | None, profile_id: str
) -> ProfileRow | None:
    """An open profile, the viewer's own, or one they have a live meeting with
    (organisers: any). None when there is none the viewer may see."""
    viewer = require_viewer(viewer)
    number = parse_bigint_id(profile_id)
    if number is None:
        return None
    rows = await sql.profiles_by_ids(db, [number])
    if not rows:
        return None
    profile = rows[0]
    if profile.open_to_meetings or profile.person_id == viewer.id or viewer.has_role("ORGANISER"):
        return profile
    own = await sql.profile_of_person(db, viewer.id)
    if own is not None and await sql.in_touch(db, own.id, profile.id):
        return profile
    return None


async def profile_directory(
    db: Executor, viewer: Viewer | None, given: ProfileFilter, first: int, after: str | None
) -> Page[ProfileRow]:
    viewer = require_viewer(viewer)
    check_first(first)
    cursor = decode_cursor(after)
    after_key: tuple[str, int] | None = None
    if cursor is not None:
        number = parse_bigint_id(cursor[1])
        if number is None:
            raise bad_input("`after` is not a cursor this list gave out; start again without it.")
        after_key = (cursor[0], number)
    search = (given.search or "").strip() or None
    if search is not None and len(search) > MAX_SEARCH:
        raise bad_input(f"Search with at most {MAX_SEARCH} characters.")
    for values in (given.sectors, given.countries, given.offers, given.needs):
        if values is not None and len(values) > MAX_FILTER_ITEMS:
            raise bad_input(f"Filter with at most {MAX_FILTER_ITEMS} values per list.")
        # Each phrase is matched against every profile's terms: bound its cost too.
        if values is not None and any(len(value) > MAX_ITEM for value in values):
            raise bad_input(f"A filter value has at most {MAX_ITEM} characters.")
    own = await sql.profile_of_person(db, viewer.id)
    query = ProfileQuery(
        sectors=given.sectors,
        countries=[c.strip().upper() for c in given.countries]
        if given.countries
        else given.countries,
        offer_terms=terms_of(given.offers) if given.offers is not None else None,
        need_terms=terms_of(given.needs) if given.needs is not None else None,
        search=search,
        viewer_profile_id=own.id if own else None,
    )
    rows, total = await sql.profile_page(db, query, after_key, first + 1)
    return make_page(rows, total, first, lambda p: encode_cursor(p.company_key, str(p.id)))
