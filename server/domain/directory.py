"""Reading the fair's directory: exhibitors and speakers, with filters and pages.

Rows the schema maps, and lookups its DataLoaders batch, are the queries' own (nothing
to decide on the way): re-exported here (`import … as …`), so that nothing above the
domain imports server.db.
"""

from __future__ import annotations

from dataclasses import replace

from server.db.queries import exhibitors as sql
from server.db.queries.common import Executor
from server.db.queries.exhibitors import ExhibitorQuery as ExhibitorQuery
from server.db.queries.exhibitors import ExhibitorRow as ExhibitorRow
from server.db.queries.exhibitors import SpeakerRow as SpeakerRow
from server.db.queries.exhibitors import exhibitors_by_ids as exhibitors_by_ids
from server.db.queries.exhibitors import speakers_by_ids as speakers_by_ids
from server.domain.agenda import check_search_text
from server.domain.errors import bad_input
from server.domain.pagination import Page, check_first, decode_cursor, encode_cursor, make_page


def check_exhibitor_query(query: ExhibitorQuery) -> ExhibitorQuery:
    countries = query.countries
    if countries is not None:
        countries = [c.strip().upper() for c in countries]
        bad = [c for c in countries if len(c) != 2 or not c.isascii() or not c.isalpha()]
        if bad:
            raise bad_input(f"Countries are ISO 3166-1 alpha-2 codes such as MA or SN, not {bad}.")
    return replace(query, countries=countries, search=check_search_text(query.search))


async def exhibitor_page(
    db: Executor, query: ExhibitorQuery, *, first: int, after: str | None
) -> Page[ExhibitorRow]:
    check_first(first)
    query = check_exhibitor_query(query)
    rows, total = await sql.exhibitor_page(db, query, limit=first + 1, after=decode_cursor(after))
    return make_page(rows, total, first, lambda e: encode_cursor(e.name, e.id))


async def speaker_page(
    db: Executor, search: str | None, *, first: int, after: str | None
) -> Page[SpeakerRow]:
    check_first(first)
    rows, total = await sql.speaker_page(
        db, check_search_text(search), limit=first + 1, after=decode_cursor(after)
    )
    return make_page(rows, total, first, lambda s: encode_cursor(s.name, s.id))
