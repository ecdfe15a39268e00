"""SQL of the agenda: event, tracks, sessions and their speakers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

import asyncpg

from server.db.queries.common import Executor, keyset_page, page_rows, text_match, text_rank


@dataclass(frozen=True, slots=True)
class EventRow:
    id: str
    name_fr: str
    name_en: str | None
    edition: int | None
    starts_on: date
    ends_on: date
    timezone: str
    venue_name: str
    city: str
    address: str | None


@dataclass(frozen=True, slots=True)
class TrackRow:
    id: str
    name_fr: str
    name_en: str | None
    color: str | None


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: str
    kind: str
    track_id: str | None
    title_fr: str
    title_en: str | None
    abstract_fr: str | None
    abstract_en: str | None
    starts_at: datetime
    ends_at: datetime
    room_id: str | None
    booth_id: str | None
    exhibitor_id: str | None
    capacity: int | None
    status: str
    version: int
    updated_at: datetime
    cancellation_reason: str | None = None


#: SESSION_COLUMNS are SessionRow's fields, in order: a page's rows are built by position.
_SESSION_FIELDS = tuple(f.name for f in fields(SessionRow))

SESSION_COLUMNS = """s.id, s.kind, s.track_id, s.title_fr, s.title_en, s.abstract_fr,
    s.abstract_en, s.starts_at, s.ends_at, s.room_id, s.booth_id, s.exhibitor_id,
    s.capacity, s.status, s.version, s.updated_at, s.cancellation_reason"""


@dataclass(frozen=True, slots=True)
class SessionQuery:
    """The agenda filter, already validated. Every field narrows; None means any."""

    #: [from, until): a fair day's instants (the day's bounds come from the clock).
    starts_within: tuple[datetime, datetime] | None = None
    track_ids: Sequence[str] | None = None
    kinds: Sequence[str] | None = None
    room_id: str | None = None
    speaker_id: str | None = None
    exhibitor_id: str | None = None
    search: str | None = None
    happening_at: datetime | None = None
    starts_after: datetime | None = None
    include_cancelled: bool = True


async def lock_agenda(db: Executor) -> None:
    """Take the agenda_state row before any agenda row: its triggers take it at the first
    write (migration 0006), and a writer that locked a session row first could wait in a
    cycle with an import, which holds it while it reads and locks the whole fair."""
    await db.execute("SELECT 1 FROM agenda_state FOR UPDATE")


async def agenda_version(db: Executor) -> int:
    version: int = await db.fetchval("SELECT version FROM agenda_state")
    return version


async def event(db: Executor) -> EventRow | None:
    row = await db.fetchrow(
        """SELECT id, name_fr, name_en, edition, starts_on, ends_on, timezone, venue_name,
                  city, address
             FROM event ORDER BY starts_on LIMIT 1"""
    )
    return EventRow(**row) if row else None


async def tracks(db: Executor) -> list[TrackRow]:
    rows = await db.fetch("SELECT id, name_fr, name_en, color FROM track ORDER BY position, id")
    return [TrackRow(**r) for r in rows]


async def tracks_by_ids(db: Executor, ids: Sequence[str]) -> list[TrackRow]:
    rows = await db.fetch(
        "SELECT id, name_fr, name_en, color FROM track WHERE id = any($1::text[])", ids
    )
    return [TrackRow(**r) for r in rows]


async def sessions_by_ids(db: Executor, ids: Sequence[str]) -> list[SessionRow]:
    rows = await db.fetch(
        f"SELECT {SESSION_COLUMNS} FROM session s WHERE s.id = any($1::text[])", ids
    )
    return [SessionRow(**r) for r in rows]


async def session_page(
    db: Executor,
    query: SessionQuery,
    *,
    limit: int,
    after: tuple[datetime, str] | None,
) -> tuple[list[SessionRow], int]:
    """Sessions matching `query` in (start, id) order after the keyset `after`,
    at most `limit` of them, and how many match in all."""
    conditions, params = _session_conditions(query)
    where = " AND ".join(conditions) or "true"
    first_page_param = len(params) + 1
    rows = await db.fetch(
        f"""WITH matching AS (SELECT {SESSION_COLUMNS} FROM session s WHERE {where})
            {keyset_page("starts_at", "timestamptz", first_page_param)}""",
        *params,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )
    if tuple(rows[0].keys()) != ("total", *_SESSION_FIELDS):
        items, total = page_rows(rows)
        return [SessionRow(**r) for r in items], total
    # By position (the full agenda is 200 rows, each read on every uncached request);
    # an empty page is one row of NULLs carrying the total.
    sessions = [SessionRow(*tuple(r)[1:]) for r in rows if r["id"] is not None]
    return sessions, rows[0]["total"]


def session_row(record: asyncpg.Record) -> SessionRow:
    """The row of a record of SESSION_COLUMNS: by position when its columns are exactly
    those (a third of the time by name), else by name."""
    if tuple(record.keys()) == _SESSION_FIELDS:
        return SessionRow(*record.values())
    return SessionRow(**record)


def _session_conditions(query: SessionQuery) -> tuple[list[str], list[object]]:
    conditions: list[str] = []
    params: list[object] = []

    def add(template: str, *values: object) -> None:
        start = len(params) + 1
        params.extend(values)
        conditions.append(template.format(*(f"${start + i}" for i in range(len(values)))))

    if query.starts_within is not None:
        add(
            "s.starts_at >= {}::timestamptz AND s.starts_at < {}::timestamptz", *query.starts_within
        )
    if query.track_ids is not None:
        add("s.track_id = any({}::text[])", list(query.track_ids))
    if query.kinds is not None:
        add("s.kind = any({}::text[])", list(query.kinds))
    if query.room_id is not None:
        add("s.room_id = {}::text", query.room_id)
    if query.exhibitor_id is not None:
        add("s.exhibitor_id = {}::text", query.exhibitor_id)
    if query.speaker_id is not None:
        add(
            "EXISTS (SELECT 1 FROM session_speaker ss"
            " WHERE ss.session_id = s.id AND ss.speaker_id = {}::text)",
            query.speaker_id,
        )
    if query.search is not None:
        params.append(query.search)
        conditions.append(text_match("s", len(params)))
    if query.happening_at is not None:
        add("s.starts_at <= {0}::timestamptz AND s.ends_at > {0}::timestamptz", query.happening_at)
    if query.starts_after is not None:
        add("s.starts_at >= {}::timestamptz", query.starts_after)
    if not query.include_cancelled:
        conditions.append("s.status <> 'CANCELLED'")
    return conditions, params


async def speaker_links_for_sessions(
    db: Executor, session_ids: Sequence[str]
) -> list[tuple[str, str]]:
    """(session id, speaker id) pairs in the order speakers are billed."""
    rows = await db.fetch(
        """SELECT session_id, speaker_id FROM session_speaker
            WHERE session_id = any($1::text[]) ORDER BY session_id, position, speaker_id""",
        session_ids,
    )
    return [(r["session_id"], r["speaker_id"]) for r in rows]


async def sessions_for_speakers(
    db: Executor, speaker_ids: Sequence[str]
) -> list[tuple[str, SessionRow]]:
    rows = await db.fetch(
        f"""SELECT ss.speaker_id, {SESSION_COLUMNS}
              FROM session_speaker ss JOIN session s ON s.id = ss.session_id
             WHERE ss.speaker_id = any($1::text[]) ORDER BY s.starts_at, s.id""",
        speaker_ids,
    )
    return [(r["speaker_id"], _session(r)) for r in rows]


async def demos_for_exhibitors(db: Executor, exhibitor_ids: Sequence[str]) -> list[SessionRow]:
    rows = await db.fetch(
        f"""SELECT {SESSION_COLUMNS} FROM session s
             WHERE s.exhibitor_id = any($1::text[]) AND s.kind = 'DEMO'
             ORDER BY s.starts_at, s.id""",
        exhibitor_ids,
    )
    return [SessionRow(**r) for r in rows]


async def search_sessions(db: Executor, text: str, limit: int) -> list[SessionRow]:
    """Best matches first; cancelled sessions last."""
    rows = await db.fetch(
        f"""SELECT {SESSION_COLUMNS} FROM session s WHERE {text_match("s", 1)}
             ORDER BY s.status = 'CANCELLED', {text_rank("s", 1)} DESC, s.starts_at, s.id
             LIMIT $2""",
        text,
        limit,
    )
    return [SessionRow(**r) for r in rows]


def _session(record: object) -> SessionRow:
    return SessionRow(**{f: record[f] for f in SessionRow.__slots__})  # type: ignore[index]
