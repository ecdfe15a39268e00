"""Search that forgives: accents, typos, French and English, booth codes."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.conftest import GraphQLClient

SEARCH = """query($text: String!, $first: Int) { search(text: $text, first: $first) {
  sessions { id title titleEn: title(lang: EN) abstract abstractEn: abstract(lang: EN) }
  exhibitors { id name description sectors booths { code } }
  speakers { id name organisation } } }"""


async def search(gql: GraphQLClient, text: str, first: int = 10) -> dict[str, Any]:
    result: dict[str, Any] = (await gql.data(SEARCH, {"text": text, "first": first}))["search"]
    return result


def mentions(hit: dict[str, Any], *words: str) -> bool:
    text = " ".join(str(v) for v in hit.values()).lower()
    return any(w in text for w in words)


async def test_accents_are_forgiven(gql_http: GraphQLClient) -> None:
    found = await search(gql_http, "metallurgie", first=50)
    hits = found["sessions"] + found["exhibitors"]
    assert hits
    assert any(mentions(h, "métallurgie", "métallurgique") for h in hits)
    assert all(mentions(h, "métallurg", "metallurg", "metallurgy") for h in found["sessions"])


async def test_small_typos_are_forgiven(gql_http: GraphQLClient) -> None:
    found = await search(gql_http, "electromecaniqe", first=50)
    assert found["exhibitors"]
    assert any(mentions(e, "électromécanique") for e in found["exhibitors"])


async def test_english_words_find_english_text(gql_http: GraphQLClient) -> None:
    found = await search(gql_http, "welding", first=50)
    assert found["sessions"]
    assert all(mentions(s, "weld", "soud") for s in found["sessions"])


async def test_a_booth_code_finds_the_exhibitor_standing_there(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any]
) -> None:
    code, exhibitor = await db.fetchrow(
        "SELECT code, exhibitor_id FROM booth WHERE exhibitor_id IS NOT NULL ORDER BY code LIMIT 1"
    )
    for text in (code, code.lower()):
        found = await search(gql_http, text)
        codes = await db.fetch("SELECT code FROM booth WHERE exhibitor_id = $1", exhibitor)
        assert found["exhibitors"][0]["id"] == exhibitor
        assert sorted(b["code"] for b in found["exhibitors"][0]["booths"]) == sorted(
            r["code"] for r in codes
        )


async def test_speakers_are_found_by_name_despite_a_typo(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any]
) -> None:
    speaker_id, name = await db.fetchrow(
        "SELECT id, name FROM speaker WHERE length(name) > 10 ORDER BY id LIMIT 1"
    )
    last = name.split()[-1]
    typo = last[:-2] + last[-1]  # drop one letter
    for text in (name, last, typo):
        assert speaker_id in [s["id"] for s in (await search(gql_http, text))["speakers"]], text


async def test_results_are_ranked_and_bounded(gql_http: GraphQLClient) -> None:
    found = await search(gql_http, "soudage", first=3)
    assert 1 <= len(found["sessions"]) <= 3
    assert len(found["exhibitors"]) <= 3


async def test_nonsense_finds_nothing(gql_http: GraphQLClient) -> None:
    assert await search(gql_http, "zqxwvjkq") == {"sessions": [], "exhibitors": [], "speakers": []}


@pytest.mark.parametrize(
    ("text", "first"), [("", 10), ("   ", 10), ("soudage", 0), ("soudage", 51), ("x" * 201, 10)]
)
async def test_bad_search_input(gql_http: GraphQLClient, text: str, first: int) -> None:
    assert await gql_http.error_codes(SEARCH, {"text": text, "first": first}) == ["BAD_USER_INPUT"]
