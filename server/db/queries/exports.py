"""SQL of the public exports (/schedule.xml, .json, .ics, /changes.atom, /exhibitors.csv):
the whole programme and directory in the agenda's order, and the public part of the
notice log. Every list takes a `limit`: the caller asks for one row more than it
accepts, to tell a complete answer from a cut one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.db.queries.agenda import SESSION_COLUMNS, SessionRow
from server.db.queries.common import Executor
from server.db.queries.exhibitors import SPEAKER_COLUMNS, SpeakerRow

#: Notices about a session's public state (its time, room, cancellation, a new demo):
#: what they say is on the public agenda already, whoever they were sent to.
PUBLIC_SESSION_KINDS = ("SESSION_CHANGED", "SESSION_CANCELLED", "DEMO_SCHEDULED")


@dataclass(frozen=True, slots=True)
class Stamp:
    """Which agenda (database and version) and which notice log an export shows."""

    #: Names this database (its random origin and its oid), as agendaChanges does.
    origin: str
    version: int
    #: The last sequenced notice, public or not.
    latest_seq: int


@dataclass(frozen=True, slots=True)
class PublicNoticeRow:
    seq: int
    kind: str
    title_fr: str
    title_en: str | None
    body_fr: str
    body_en: str | None
    session_id: str | None
    sequenced_at: datetime


@dataclass(frozen=True, slots=True)
class DirectoryRow:
    id: str
    name: str
    country: str
    sectors: list[str]
    booths: list[str]
    website: str | None
    description_fr: str | None
    description_en: str | None


async def stamp(db: Executor) -> Stamp:
    row = await db.fetchrow(
        """SELECT s.origin || to_hex(d.oid::bigint) AS origin, s.version,
                  coalesce((SELECT max(seq) FROM notice), 0) AS latest_seq
             FROM agenda_state s JOIN pg_database d ON d.datname = current_database()"""
    )
    if row is None:
        raise LookupError("agenda_state has no row: the database is not migrated")
    return Stamp(**row)


async def all_sessions(db: Executor, limit: int) -> list[SessionRow]:
    rows = await db.fetch(
        f"SELECT {SESSION_COLUMNS} FROM session s ORDER BY s.starts_at, s.id LIMIT $1", limit
    )
    return [SessionRow(**r) for r in rows]


async def all_speakers(db: Executor, limit: int) -> list[SpeakerRow]:
    rows = await db.fetch(
        f"SELECT {SPEAKER_COLUMNS} FROM speaker p ORDER BY p.name, p.id LIMIT $1", limit
    )
    return [SpeakerRow(**r) for r in rows]


async def all_speaker_links(db: Executor, limit: int) -> list[tuple[str, str]]:
    """(session id, speaker id) pairs in the order speakers are billed."""
    rows = await db.fetch(
        """SELECT session_id, speaker_id FROM session_speaker
            ORDER BY session_id, position, speaker_id LIMIT $1""",
        limit,
    )
    return [(r["session_id"], r["speaker_id"]) for r in rows]


async def exhibitor_names(db: Executor, limit: int) -> dict[str, str]:
    rows = await db.fetch("SELECT id, name FROM exhibitor ORDER BY id LIMIT $1", limit)
    return {r["id"]: r["name"] for r in rows}


async def directory(db: Executor, limit: int) -> list[DirectoryRow]:
    """Every exhibitor in the directory's order, with its stands' codes."""
    rows = await db.fetch(
        """SELECT e.id, e.name, e.country, e.sectors,
                  coalesce((SELECT array_agg(b.code ORDER BY b.code)
                              FROM booth b WHERE b.exhibitor_id = e.id), '{}') AS booths,
                  e.website, e.description_fr, e.description_en
             FROM exhibitor e ORDER BY e.name, e.id LIMIT $1""",
        limit,
    )
    return [DirectoryRow(**r) for r in rows]


async def public_notices(db: Executor, limit: int) -> list[PublicNoticeRow]:
    """The latest sequenced notices anyone may read, newest first: changes of sessions,
    and announcements to everyone. Never one addressed to roles or to people (an
    announcement to a session's audience, a reminder, a waiting-list promotion)."""
    rows = await db.fetch(
        """SELECT n.seq, n.kind, n.title_fr, n.title_en, n.body_fr, n.body_en, n.session_id,
                  n.sequenced_at
             FROM notice n
            WHERE n.seq IS NOT NULL AND n.sequenced_at IS NOT NULL
              AND (n.kind = any($1::text[])
                   OR (n.kind = 'ANNOUNCEMENT' AND n.everyone AND n.roles = '{}'
                       AND NOT EXISTS (SELECT 1 FROM notice_recipient r
                                        WHERE r.notice_id = n.id)))
            ORDER BY n.seq DESC LIMIT $2""",
        list(PUBLIC_SESSION_KINDS),
        limit,
    )
    return [PublicNoticeRow(**r) for r in rows]
