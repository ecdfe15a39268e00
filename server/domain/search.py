"""Free-text search across sessions, exhibitors and speakers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from server.db.queries import agenda as agenda_sql
from server.db.queries import exhibitors as directory_sql
from server.db.queries.agenda import SessionRow
from server.db.queries.common import Executor
from server.db.queries.exhibitors import ExhibitorRow, SpeakerRow
from server.domain.agenda import check_search_text
from server.domain.errors import bad_input

MAX_SEARCH_RESULTS = 50


@dataclass(frozen=True, slots=True)
class SearchHits:
    sessions: list[SessionRow]
    exhibitors: list[ExhibitorRow]
    speakers: list[SpeakerRow]


def check_search(text: str, first: int) -> str:
    folded = check_search_text(text)
    if folded is None:
        raise bad_input("Type something to search for.")
    if not 1 <= first <= MAX_SEARCH_RESULTS:
        raise bad_input(f"`first` must be between 1 and {MAX_SEARCH_RESULTS} (got {first}).")
    return folded


async def search(db: Executor, text: str, first: int) -> SearchHits:
    """Each list ranked best first. The three queries run side by side on the pool."""
    text = check_search(text, first)
    sessions, exhibitors, speakers = await asyncio.gather(
        agenda_sql.search_sessions(db, text, first),
        directory_sql.search_exhibitors(db, text, first),
        directory_sql.search_speakers(db, text, first),
    )
    return SearchHits(sessions=sessions, exhibitors=exhibitors, speakers=speakers)
