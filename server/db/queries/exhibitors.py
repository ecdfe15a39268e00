"""SQL of exhibitors and speakers (the fair's people and companies)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.db.queries.common import Executor, keyset_page, page_rows, text_match, text_rank


@dataclass(frozen=True, slots=True)
class ExhibitorRow:
    id: str
    name: str
    country: str
    sectors: list[str]
    description_fr: str | None
    description_en: str | None
    website: str | None


@dataclass(frozen=True, slots=True)
class SpeakerRow:
    id: str
    name: str
    organisation: str | None
    job_title: str | None
    bio_fr: str | None
    bio_en: str | None


@dataclass(frozen=True, slots=True)
class ExhibitorQuery:
    sectors: Sequence[str] | None = None
    countries: Sequence[str] | None = None
    hall_id: str | None = None
    search: str | None = None


EXHIBITOR_COLUMNS = (
    "e.id, e.name, e.country, e.sectors, e.description_fr, e.description_en, e.website"
)
SPEAKER_COLUMNS = "p.id, p.name, p.organisation, p.job_title, p.bio_fr, p.bio_en"


async def exhibitors_by_ids(db: Executor, ids: Sequence[str]) -> list[ExhibitorRow]:
    rows = await db.fetch(
        f"SELECT {EXHIBITOR_COLUMNS} FROM exhibitor e WHERE e.id = any($1::text[])", ids
    )
    return [ExhibitorRow(**r) for r in rows]


async def speakers_by_ids(db: Executor, ids: Sequence[str]) -> list[SpeakerRow]:
    rows = await db.fetch(
        f"SELECT {SPEAKER_COLUMNS} FROM speaker p WHERE p.id = any($1::text[])", ids
    )
    return [SpeakerRow(**r) for r in rows]


async def exhibitor_page(
    db: Executor, query: ExhibitorQuery, *, limit: int, after: tuple[str, str] | None
) -> tuple[list[ExhibitorRow], int]:
    """Exhibitors matching `query` in (name, id) order after the keyset `after`."""
    rows = await db.fetch(
        f"""WITH matching AS (
                SELECT {EXHIBITOR_COLUMNS} FROM exhibitor e
                 WHERE ($1::text[] IS NULL OR e.sectors && $1::text[])
                   AND ($2::text[] IS NULL OR e.country = any($2::text[]))
                   AND ($3::text IS NULL OR EXISTS (
                        SELECT 1 FROM booth b WHERE b.exhibitor_id = e.id AND b.hall_id = $3))
                   AND ($4::text IS NULL OR {text_match("e", 4)}
                        OR EXISTS (SELECT 1 FROM booth b
                                    WHERE b.exhibitor_id = e.id AND upper(b.code) = upper($4))))
            {keyset_page("name", "text", 5)}""",
        query.sectors,
        query.countries,
        query.hall_id,
        query.search,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )
    items, total = page_rows(rows)
    return [ExhibitorRow(**r) for r in items], total


async def speaker_page(
    db: Executor, search: str | None, *, limit: int, after: tuple[str, str] | None
) -> tuple[list[SpeakerRow], int]:
    """Speakers (optionally matching `search`) in (name, id) order after `after`."""
    rows = await db.fetch(
        f"""WITH matching AS (
                SELECT {SPEAKER_COLUMNS} FROM speaker p
                 WHERE $1::text IS NULL OR {text_match("p", 1)})
            {keyset_page("name", "text", 2)}""",
        search,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )
    items, total = page_rows(rows)
    return [SpeakerRow(**r) for r in items], total


async def search_exhibitors(db: Executor, text: str, limit: int) -> list[ExhibitorRow]:
    """Best matches first; a booth code standing for an exhibitor ranks on top."""
    rows = await db.fetch(
        f"""SELECT {EXHIBITOR_COLUMNS},
                   {text_rank("e", 1)}
                   + CASE WHEN EXISTS (SELECT 1 FROM booth b WHERE b.exhibitor_id = e.id
                                        AND upper(b.code) = upper($1)) THEN 10 ELSE 0 END
                   AS rank
              FROM exhibitor e
             WHERE {text_match("e", 1)}
                OR EXISTS (SELECT 1 FROM booth b
                            WHERE b.exhibitor_id = e.id AND upper(b.code) = upper($1))
             ORDER BY rank DESC, e.name, e.id LIMIT $2""",
        text,
        limit,
    )
    return [ExhibitorRow(**{k: v for k, v in r.items() if k != "rank"}) for r in rows]


async def search_speakers(db: Executor, text: str, limit: int) -> list[SpeakerRow]:
    rows = await db.fetch(
        f"""SELECT {SPEAKER_COLUMNS} FROM speaker p WHERE {text_match("p", 1)}
             ORDER BY {text_rank("p", 1)} DESC, p.name, p.id LIMIT $2""",
        text,
        limit,
    )
    return [SpeakerRow(**r) for r in rows]
