"""What the import tests share: a fair of their own (the app, `salon worker` beside it on
a Redis channel of its own, so its notices reach only its sockets), the fair written as
a file (ImportedFair) to change row by row, and the whole tables to compare.

A test module takes the fixtures by assignment (`import_fair = import_fixtures.import_fair`).
"""

from __future__ import annotations

import asyncio
import csv
import io
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any, TypeAlias

import asyncpg
import pytest

from server.clock import in_fair_time
from server.db.pool import connect
from server.domain.imports.apply import Operator, apply_import
from server.domain.imports.model import (
    ImportedExhibitor,
    ImportedFair,
    ImportedRoom,
    ImportedSession,
    ImportedSpeaker,
    ImportedTrack,
    Where,
)
from server.domain.imports.report import ImportReport
from server.services import ServiceUrls
from server.settings import Settings
from tests.conftest import People, Person
from tests.databases import fair_database
from tests.live_client import LiveClient
from tests.offline_copy import OwnFair, app_on
from workers.main import run_worker

Db: TypeAlias = "asyncpg.Connection[Any]"

BROADCAST = """mutation($input: AnnouncementInput!) {
  broadcastAnnouncement(input: $input) { id } }"""
#: Every table an import may write, or must leave alone.
TABLES = (
    "event",
    "track",
    "room",
    "speaker",
    "session",
    "session_speaker",
    "exhibitor",
    "booth",
    "bookmark",
    "registration",
    "follow",
    "notice",
    "notice_recipient",
    "audit_log",
    "agenda_state",
    "agenda_change",
)


@dataclass
class ImportFair:
    own: OwnFair
    people: People

    @property
    def pool(self) -> asyncpg.Pool[asyncpg.Record]:
        return self.own.live.runtime.pool

    @property
    def ws_url(self) -> str:
        return self.own.live.ws_url

    async def barrier(self, organiser: Person) -> str:
        """A notice for everyone: whoever gets it next got nothing in between."""
        body = await self.own.gql.data(
            BROADCAST,
            {"input": {"title": "Barrière", "body": "—", "audience": {"everyone": True}}},
            as_=organiser,
        )
        notice_id: str = body["broadcastAnnouncement"]["id"]
        return notice_id

    async def next_is_barrier(self, organiser: Person, *clients: LiveClient) -> None:
        """Each client's next notice is a barrier sent now: nothing came before it."""
        barrier_id = await self.barrier(organiser)
        for client in clients:
            [notice] = await client.notices(1)
            assert notice["id"] == barrier_id


@pytest.fixture(scope="module")
async def import_fair(settings: Settings, service_urls: ServiceUrls) -> AsyncIterator[ImportFair]:
    own_settings = replace(
        settings, redis_namespace=f"{settings.redis_namespace}-imports-{secrets.token_hex(3)}"
    )
    async with fair_database(service_urls, "salon_import") as dsn, app_on(own_settings, dsn) as own:
        stop = asyncio.Event()
        fast = replace(
            own_settings, database_url=dsn, relay_poll_seconds=0.2, reminder_poll_seconds=0.2
        )
        worker = asyncio.create_task(run_worker(fast, stop, clock=own.live.runtime.clock))
        try:
            yield ImportFair(own=own, people=People(dsn))
        finally:
            stop.set()
            await asyncio.wait_for(worker, timeout=10)


@pytest.fixture
async def own_db(import_fair: ImportFair) -> AsyncIterator[Db]:
    conn = await connect(import_fair.own.dsn)
    yield conn
    await conn.close()


@pytest.fixture
async def organiser(import_fair: ImportFair) -> Person:
    return await import_fair.people.make("ORGANISER")


#: What the worker writes on its own as the fair's hours go by: reminders of the demo
#: people's sessions and meetings (imports write none of these).
_ON_ITS_OWN = {
    "notice": "WHERE t.kind NOT IN ('REMINDER', 'DEMO_STARTING', 'MEETING_REMINDER')",
    "notice_recipient": "WHERE t.notice_id IN (SELECT id FROM notice WHERE kind NOT IN "
    "('REMINDER', 'DEMO_STARTING', 'MEETING_REMINDER'))",
}


#: What the worker stamps on a notice after it was written (the relay marks it
#: published, the push job planned, half a second after publishing): not an import's.
_STAMPED_LATER = {"notice": " - 'published_at' - 'push_planned_at'"}


async def tables(db: Db) -> dict[str, list[str]]:
    """Every row of every table an import touches, as JSON text, in a stable order
    (but the reminders and the stamps the worker writes meanwhile)."""
    found = {}
    for table in TABLES:
        only = _ON_ITS_OWN.get(table, "")
        row = f"to_jsonb(t){_STAMPED_LATER.get(table, '')}"
        rows = await db.fetch(f"SELECT ({row})::text AS row FROM {table} t {only} ORDER BY 1")
        found[table] = [r["row"] for r in rows]
    return found


async def agenda_version(db: Db) -> int:
    version: int = await db.fetchval("SELECT version FROM agenda_state")
    return version


async def schedule_file(
    db: Db, file: str = "schedule.csv", prunable: frozenset[str] = frozenset({"sessions"})
) -> ImportedFair:
    """The fair's programme as it stands, written as a file would say it."""
    sessions = await db.fetch(
        """SELECT s.*, b.code AS booth_code,
                  coalesce((SELECT array_agg(ss.speaker_id ORDER BY ss.position)
                              FROM session_speaker ss WHERE ss.session_id = s.id), '{}')
                      AS speaker_ids
             FROM session s LEFT JOIN booth b ON b.id = s.booth_id ORDER BY s.id"""
    )
    return ImportedFair(
        source="csv",
        prunable=prunable,
        tracks=tuple(
            ImportedTrack(r["id"], r["name_fr"], r["name_en"], r["color"])
            for r in await db.fetch("SELECT * FROM track ORDER BY id")
        ),
        rooms=tuple(
            ImportedRoom(r["id"], r["name"], r["capacity"])
            for r in await db.fetch("SELECT * FROM room ORDER BY id")
        ),
        speakers=tuple(
            ImportedSpeaker(
                r["id"], r["name"], r["organisation"], r["job_title"], r["bio_fr"], r["bio_en"]
            )
            for r in await db.fetch("SELECT * FROM speaker ORDER BY id")
        ),
        sessions=tuple(
            ImportedSession(
                id=r["id"],
                kind=r["kind"],
                title_fr=r["title_fr"],
                starts_at=r["starts_at"],
                ends_at=r["ends_at"],
                where=Where(file, line=line),
                title_en=r["title_en"],
                abstract_fr=r["abstract_fr"],
                abstract_en=r["abstract_en"],
                room_id=r["room_id"],
                track_id=r["track_id"],
                booth_code=r["booth_code"],
                exhibitor_id=r["exhibitor_id"],
                capacity=r["capacity"],
                speaker_ids=tuple(r["speaker_ids"]),
            )
            for line, r in enumerate(sessions, start=2)
        ),
    )


async def exhibitor_file(
    db: Db, file: str = "exhibitors.xlsx", prunable: frozenset[str] = frozenset({"exhibitors"})
) -> ImportedFair:
    """The fair's exhibitors as they stand, as an exhibitor sheet says them."""
    rows = await db.fetch(
        """SELECT e.*, coalesce((SELECT array_agg(b.code ORDER BY b.code) FROM booth b
                                  WHERE b.exhibitor_id = e.id), '{}') AS booth_codes
             FROM exhibitor e ORDER BY e.id"""
    )
    return ImportedFair(
        source="xlsx",
        prunable=prunable,
        exhibitors=tuple(
            ImportedExhibitor(
                id=r["id"],
                name=r["name"],
                country=r["country"],
                where=Where(file, line=line),
                sectors=tuple(r["sectors"]),
                booth_codes=tuple(r["booth_codes"]),
                description_fr=r["description_fr"],
                description_en=r["description_en"],
                website=r["website"],
            )
            for line, r in enumerate(rows, start=2)
        ),
    )


def session_of(fair: ImportedFair, session_id: str) -> ImportedSession:
    [found] = [s for s in fair.sessions if s.id == session_id]
    return found


def with_session(fair: ImportedFair, session: ImportedSession) -> ImportedFair:
    """The file with this session's row replaced (or added at the end)."""
    rows = [session if s.id == session.id else s for s in fair.sessions]
    if all(s.id != session.id for s in fair.sessions):
        rows.append(session)
    return replace(fair, sessions=tuple(rows))


def without_sessions(fair: ImportedFair, *session_ids: str) -> ImportedFair:
    return replace(fair, sessions=tuple(s for s in fair.sessions if s.id not in session_ids))


SHEET_COLUMNS = (
    "id",
    "title_fr",
    "title_en",
    "kind",
    "track",
    "room",
    "start",
    "end",
    "speakers",
    "capacity",
    "abstract_fr",
    "abstract_en",
    "booth",
    "exhibitor",
)


async def schedule_csv(db: Db, changes: dict[str, dict[str, str]] | None = None) -> bytes:
    """The fair's programme as a session sheet (docs/imports.md), one row per session,
    times on the fair's clocks; `changes`: cells to write instead, by session id (a
    session id unknown to the fair adds a row)."""
    rows = await db.fetch(
        """SELECT s.*, b.code AS booth_code,
                  coalesce((SELECT string_agg(ss.speaker_id, '; ' ORDER BY ss.position)
                              FROM session_speaker ss WHERE ss.session_id = s.id), '')
                      AS speakers
             FROM session s LEFT JOIN booth b ON b.id = s.booth_id ORDER BY s.id"""
    )
    table: dict[str, dict[str, str]] = {}
    for r in rows:
        table[r["id"]] = {
            "id": r["id"],
            "title_fr": r["title_fr"],
            "title_en": r["title_en"] or "",
            "kind": r["kind"],
            "track": r["track_id"] or "",
            "room": r["room_id"] or "",
            "start": in_fair_time(r["starts_at"]).strftime("%Y-%m-%d %H:%M"),
            "end": in_fair_time(r["ends_at"]).strftime("%Y-%m-%d %H:%M"),
            "speakers": r["speakers"],
            "capacity": str(r["capacity"] or ""),
            "abstract_fr": r["abstract_fr"] or "",
            "abstract_en": r["abstract_en"] or "",
            "booth": r["booth_code"] or "",
            "exhibitor": r["exhibitor_id"] or "",
        }
    for session_id, cells in (changes or {}).items():
        table[session_id] = {**table.get(session_id, dict.fromkeys(SHEET_COLUMNS, "")), **cells}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SHEET_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table.values())
    return out.getvalue().encode()


def sheet_line(data: bytes, session_id: str) -> int:
    """The line of the sheet on which this session's row starts."""
    reader = csv.reader(io.StringIO(data.decode()))
    start = 1
    for row in reader:
        if row and row[0] == session_id:
            return start
        start = reader.line_num + 1
    raise LookupError(session_id)


#: The actor of the tests' imports: the command line's.
OPERATOR = Operator("salon import")


async def apply(
    fair: ImportFair, file: ImportedFair, *, dry_run: bool = False, prune: bool = False
) -> ImportReport:
    return await apply_import(
        fair.pool, OPERATOR, file, fair.own.live.runtime.clock.now(), dry_run=dry_run, prune=prune
    )


def counts(report: ImportReport, kind: str) -> dict[str, int]:
    return report.kinds[kind].counts()


def nothing_but(unchanged: int, **others: int) -> dict[str, int]:
    return {
        "added": 0,
        "changed": 0,
        "unchanged": unchanged,
        "cancelled": 0,
        "deleted": 0,
        "kept": 0,
    } | others


async def bookmark(fair: ImportFair, person: Person, session_id: str) -> None:
    await fair.own.gql.data(
        "mutation($s: ID!) { bookmarkSession(sessionId: $s) { id } }", {"s": session_id}, as_=person
    )
