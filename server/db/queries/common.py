"""Shared pieces of SQL: the executor type and the forgiving text-match fragment."""

from __future__ import annotations

from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

#: A pool (acquires per statement) or a connection (inside a transaction).
Executor: TypeAlias = (
    "asyncpg.Pool[asyncpg.Record] | asyncpg.Connection[Any] | PoolConnectionProxy[Any]"
)


def text_match(alias: str, param: int) -> str:
    """WHERE fragment: `alias` matches the search text in parameter `param`.

    Full-text in French, English and plain words (accents folded on both sides),
    or a trigram word similarity for typos ("electromecaniqe").
    """
    folded = f"salon_fold(${param}::text)"
    return (
        f"({alias}.search_vector @@ websearch_to_tsquery('french', {folded})"
        f" OR {alias}.search_vector @@ websearch_to_tsquery('english', {folded})"
        f" OR {alias}.search_vector @@ websearch_to_tsquery('simple', {folded})"
        f" OR {folded} <% {alias}.search_text)"
    )


def text_rank(alias: str, param: int) -> str:
    """Rank expression to go with `text_match`: higher is better."""
    folded = f"salon_fold(${param}::text)"
    return (
        f"(ts_rank({alias}.search_vector, websearch_to_tsquery('french', {folded})"
        f" || websearch_to_tsquery('english', {folded})"
        f" || websearch_to_tsquery('simple', {folded}))"
        f" + word_similarity({folded}, {alias}.search_text))"
    )


def keyset_page(sort_column: str, sort_type: str, param: int) -> str:
    """Tail of a `WITH matching AS (...)` query: one page by (sort_column, id).

    Parameters `param`, `param + 1` are the keyset to start after (NULL: from the
    start), `param + 2` the page size. Every row carries `total`, the count of
    all matching rows; an empty page is one row of NULLs with that count.
    """
    after, after_id, limit = f"${param}", f"${param + 1}", f"${param + 2}"
    return f""", page AS (
            SELECT * FROM matching
             WHERE {after}::{sort_type} IS NULL
                OR ({sort_column}, id) > ({after}::{sort_type}, {after_id}::text)
             ORDER BY {sort_column}, id LIMIT {limit})
        SELECT t.total, page.*
          FROM (SELECT count(*) AS total FROM matching) t LEFT JOIN page ON true
         ORDER BY page.{sort_column}, page.id"""


def page_rows(rows: list[asyncpg.Record]) -> tuple[list[dict[str, Any]], int]:
    """Split the rows of a `keyset_page` query into row dicts and the total."""
    items = [{k: v for k, v in r.items() if k != "total"} for r in rows if r["id"] is not None]
    return items, rows[0]["total"]
