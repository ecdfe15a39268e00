"""SQL of imports: the fair as it is (read once, under the import lock), and the writes
that bring it to what a file says, each kind in one statement.

Every agenda table bumps the agenda version once per statement, even a statement that
changes no row (migration 0006): callers send a write only when a row differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.db.queries.agenda import SESSION_COLUMNS, EventRow, SessionRow, TrackRow
from server.db.queries.common import Executor
from server.db.queries.exhibitors import (
    EXHIBITOR_COLUMNS,
    SPEAKER_COLUMNS,
    ExhibitorRow,
    SpeakerRow,
)

#: Advisory lock: one import at a time (held until its transaction ends).
IMPORT_LOCK = 0x5A10_0003
#: Files remembered in import_log: the newest ones (an organiser re-imports the last
#: few files, not a hundredth one).
IMPORT_LOG_KEPT = 20


@dataclass(frozen=True, slots=True)
class RoomFacts:
    """What an import may say of a room (its place on the map is the venue's)."""

    id: str
    name: str
    capacity: int | None


@dataclass(frozen=True, slots=True)
class BoothFacts:
    id: str
    code: str
    exhibitor_id: str | None


@dataclass(frozen=True, slots=True)
class SectorRow:
    id: str
    name_fr: str
    name_en: str | None


async def lock_imports(db: Executor) -> None:
    """Wait for any other import to end; kept until this transaction ends."""
    await db.execute("SELECT pg_advisory_xact_lock($1)", IMPORT_LOCK)


async def rooms(db: Executor) -> list[RoomFacts]:
    rows = await db.fetch("SELECT id, name, capacity FROM room ORDER BY id")
    return [RoomFacts(**r) for r in rows]


async def tracks(db: Executor) -> list[TrackRow]:
    rows = await db.fetch("SELECT id, name_fr, name_en, color FROM track ORDER BY id")
    return [TrackRow(**r) for r in rows]


async def sectors(db: Executor) -> list[SectorRow]:
    rows = await db.fetch("SELECT id, name_fr, name_en FROM sector ORDER BY id")
    return [SectorRow(**r) for r in rows]


async def booths(db: Executor) -> list[BoothFacts]:
    rows = await db.fetch("SELECT id, code, exhibitor_id FROM booth ORDER BY id FOR NO KEY UPDATE")
    return [BoothFacts(**r) for r in rows]


async def speakers(db: Executor) -> list[SpeakerRow]:
    rows = await db.fetch(f"SELECT {SPEAKER_COLUMNS} FROM speaker p ORDER BY p.id")
    return [SpeakerRow(**r) for r in rows]


async def exhibitors(db: Executor) -> list[ExhibitorRow]:
    """Locked against other writers (not against follows: FOR NO KEY UPDATE)."""
    rows = await db.fetch(
        f"SELECT {EXHIBITOR_COLUMNS} FROM exhibitor e ORDER BY e.id FOR NO KEY UPDATE"
    )
    return [ExhibitorRow(**r) for r in rows]


async def sessions(db: Executor) -> list[SessionRow]:
    """Locked against `updateSession` and `cancelSession` (which lock a session FOR
    UPDATE), not against bookmarks and registrations (FOR NO KEY UPDATE)."""
    rows = await db.fetch(
        f"SELECT {SESSION_COLUMNS} FROM session s ORDER BY s.id FOR NO KEY UPDATE OF s"
    )
    return [SessionRow(**r) for r in rows]


async def speaker_links(db: Executor) -> list[tuple[str, str, int]]:
    """(session, speaker, position) of every billed speaker."""
    rows = await db.fetch(
        "SELECT session_id, speaker_id, position FROM session_speaker ORDER BY session_id, position"
    )
    return [(r["session_id"], r["speaker_id"], r["position"]) for r in rows]


async def registered_counts(db: Executor) -> dict[str, int]:
    rows = await db.fetch(
        """SELECT session_id, count(*)::int AS n FROM registration
            WHERE status = 'REGISTERED' GROUP BY session_id"""
    )
    return {r["session_id"]: r["n"] for r in rows}


async def save_event(db: Executor, event: EventRow) -> None:
    await db.execute(
        """INSERT INTO event AS e (id, name_fr, name_en, edition, starts_on, ends_on, timezone,
                                  venue_name, city, address)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (id) DO UPDATE SET name_fr = $2, name_en = $3, edition = $4,
               starts_on = $5, ends_on = $6, timezone = $7, venue_name = $8, city = $9,
               address = $10""",
        event.id,
        event.name_fr,
        event.name_en,
        event.edition,
        event.starts_on,
        event.ends_on,
        event.timezone,
        event.venue_name,
        event.city,
        event.address,
    )


# New rows go in by COPY, the fastest way into PostgreSQL; the agenda's triggers see them
# as inserted rows like any others. Only rows the import knows to be new: it read the
# fair holding the agenda_state lock, which every agenda writer takes first, so none
# can have appeared since.


async def add_speakers(db: Executor, rows: Sequence[SpeakerRow]) -> None:
    await db.copy_records_to_table(
        "speaker",
        columns=["id", "name", "organisation", "job_title", "bio_fr", "bio_en"],
        records=[(r.id, r.name, r.organisation, r.job_title, r.bio_fr, r.bio_en) for r in rows],
    )


async def add_exhibitors(db: Executor, rows: Sequence[ExhibitorRow]) -> None:
    await db.copy_records_to_table(
        "exhibitor",
        columns=[
            "id", "name", "country", "sectors", "description_fr", "description_en", "website",
        ],
        records=[
            (r.id, r.name, r.country, list(r.sectors), r.description_fr, r.description_en,
             r.website)
            for r in rows
        ],
    )  # fmt: skip


#: A new session's columns, as SessionRow names them.
_NEW_SESSION = (
    "id", "kind", "track_id", "title_fr", "title_en", "abstract_fr", "abstract_en",
    "starts_at", "ends_at", "room_id", "booth_id", "exhibitor_id", "capacity", "status",
    "version", "updated_at",
)  # fmt: skip


async def add_sessions(db: Executor, rows: Sequence[SessionRow]) -> None:
    await db.copy_records_to_table(
        "session",
        columns=list(_NEW_SESSION),
        records=[tuple(getattr(r, column) for column in _NEW_SESSION) for r in rows],
    )


async def add_links(db: Executor, links: Sequence[tuple[str, str, int]]) -> None:
    """Billings of new sessions: (session, speaker, position)."""
    await db.copy_records_to_table(
        "session_speaker", columns=["session_id", "speaker_id", "position"], records=links
    )


async def save_tracks(db: Executor, rows: Sequence[TrackRow]) -> None:
    """Insert or update; a new track goes after the others."""
    await db.execute(
        """INSERT INTO track AS t (id, name_fr, name_en, color, position)
           SELECT u.id, u.name_fr, u.name_en, u.color,
                  (SELECT coalesce(max(position), -1) FROM track) + u.n
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
                  WITH ORDINALITY AS u(id, name_fr, name_en, color, n)
           ON CONFLICT (id) DO UPDATE SET name_fr = EXCLUDED.name_fr,
               name_en = EXCLUDED.name_en, color = EXCLUDED.color""",
        [r.id for r in rows],
        [r.name_fr for r in rows],
        [r.name_en for r in rows],
        [r.color for r in rows],
    )


async def save_rooms(db: Executor, rows: Sequence[RoomFacts]) -> None:
    """Insert (with no hall nor place on the map) or update name and capacity."""
    await db.execute(
        """INSERT INTO room AS r (id, name, capacity)
           SELECT * FROM unnest($1::text[], $2::text[], $3::int[])
           ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, capacity = EXCLUDED.capacity""",
        [r.id for r in rows],
        [r.name for r in rows],
        [r.capacity for r in rows],
    )


async def save_speakers(db: Executor, rows: Sequence[SpeakerRow]) -> None:
    await db.execute(
        """INSERT INTO speaker AS p (id, name, organisation, job_title, bio_fr, bio_en)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                $6::text[])
           ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,
               organisation = EXCLUDED.organisation, job_title = EXCLUDED.job_title,
               bio_fr = EXCLUDED.bio_fr, bio_en = EXCLUDED.bio_en""",
        [r.id for r in rows],
        [r.name for r in rows],
        [r.organisation for r in rows],
        [r.job_title for r in rows],
        [r.bio_fr for r in rows],
        [r.bio_en for r in rows],
    )


async def save_exhibitors(db: Executor, rows: Sequence[ExhibitorRow]) -> None:
    # Sectors travel as one JSON array of arrays (a text[][] would have to be
    # rectangular), picked by each row's ordinal.
    await db.execute(
        """INSERT INTO exhibitor AS e (id, name, country, sectors, description_fr,
                                      description_en, website)
           SELECT u.id, u.name, u.country,
                  ARRAY(SELECT jsonb_array_elements_text($4::jsonb -> (u.n - 1)::int)),
                  u.description_fr, u.description_en, u.website
             FROM unnest($1::text[], $2::text[], $3::text[], $5::text[], $6::text[],
                         $7::text[])
                  WITH ORDINALITY AS u(id, name, country, description_fr, description_en,
                                       website, n)
           ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, country = EXCLUDED.country,
               sectors = EXCLUDED.sectors, description_fr = EXCLUDED.description_fr,
               description_en = EXCLUDED.description_en, website = EXCLUDED.website""",
        [r.id for r in rows],
        [r.name for r in rows],
        [r.country for r in rows],
        [list(r.sectors) for r in rows],
        [r.description_fr for r in rows],
        [r.description_en for r in rows],
        [r.website for r in rows],
    )


async def assign_booths(db: Executor, assignments: Sequence[tuple[str, str | None]]) -> None:
    """(booth id, exhibitor id or None) pairs."""
    await db.execute(
        """UPDATE booth b SET exhibitor_id = u.exhibitor_id
             FROM unnest($1::text[], $2::text[]) AS u(id, exhibitor_id) WHERE b.id = u.id""",
        [a[0] for a in assignments],
        [a[1] for a in assignments],
    )


async def save_sessions(db: Executor, rows: Sequence[SessionRow]) -> list[SessionRow]:
    """Insert or update whole rows (status, version and updated_at as given)."""
    found = await db.fetch(
        f"""INSERT INTO session AS s (id, kind, track_id, title_fr, title_en, abstract_fr,
                                     abstract_en, starts_at, ends_at, room_id, booth_id,
                                     exhibitor_id, capacity, status, version, updated_at)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                 $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[],
                                 $10::text[], $11::text[], $12::text[], $13::int[], $14::text[],
                                 $15::int[], $16::timestamptz[])
            ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, track_id = EXCLUDED.track_id,
                title_fr = EXCLUDED.title_fr, title_en = EXCLUDED.title_en,
                abstract_fr = EXCLUDED.abstract_fr, abstract_en = EXCLUDED.abstract_en,
                starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
                room_id = EXCLUDED.room_id, booth_id = EXCLUDED.booth_id,
                exhibitor_id = EXCLUDED.exhibitor_id, capacity = EXCLUDED.capacity,
                status = EXCLUDED.status, version = EXCLUDED.version,
                updated_at = EXCLUDED.updated_at
            RETURNING {SESSION_COLUMNS}""",
        [r.id for r in rows],
        [r.kind for r in rows],
        [r.track_id for r in rows],
        [r.title_fr for r in rows],
        [r.title_en for r in rows],
        [r.abstract_fr for r in rows],
        [r.abstract_en for r in rows],
        [r.starts_at for r in rows],
        [r.ends_at for r in rows],
        [r.room_id for r in rows],
        [r.booth_id for r in rows],
        [r.exhibitor_id for r in rows],
        [r.capacity for r in rows],
        [r.status for r in rows],
        [r.version for r in rows],
        [r.updated_at for r in rows],
    )
    return [SessionRow(**r) for r in found]


async def unlink_speakers(db: Executor, pairs: Sequence[tuple[str, str]]) -> None:
    """Remove these (session, speaker) billings."""
    await db.execute(
        """DELETE FROM session_speaker ss USING unnest($1::text[], $2::text[]) AS u(s, p)
            WHERE ss.session_id = u.s AND ss.speaker_id = u.p""",
        [p[0] for p in pairs],
        [p[1] for p in pairs],
    )


async def link_speakers(db: Executor, links: Sequence[tuple[str, str, int]]) -> None:
    """Bill (session, speaker) at a position, or move them to it."""
    await db.execute(
        """INSERT INTO session_speaker (session_id, speaker_id, position)
           SELECT * FROM unnest($1::text[], $2::text[], $3::int[])
           ON CONFLICT (session_id, speaker_id) DO UPDATE SET position = EXCLUDED.position""",
        [link[0] for link in links],
        [link[1] for link in links],
        [link[2] for link in links],
    )


async def cancel_sessions(
    db: Executor, ids: Sequence[str], reason: str, now: datetime
) -> list[SessionRow]:
    found = await db.fetch(
        f"""UPDATE session s SET status = 'CANCELLED', cancellation_reason = $2,
                   version = s.version + 1, updated_at = $3
             WHERE s.id = any($1::text[]) RETURNING {SESSION_COLUMNS}""",
        ids,
        reason,
        now,
    )
    return sorted((SessionRow(**r) for r in found), key=lambda s: s.id)


async def held_sessions(db: Executor, ids: Sequence[str]) -> set[str]:
    """Which of these sessions someone holds (a bookmark, a seat, a place on the
    waitlist). Locks them first, so that nobody takes one between this and a delete."""
    await db.execute("SELECT 1 FROM session WHERE id = any($1::text[]) FOR UPDATE", ids)
    rows = await db.fetch(
        """SELECT session_id FROM bookmark WHERE session_id = any($1::text[])
           UNION SELECT session_id FROM registration WHERE session_id = any($1::text[])""",
        ids,
    )
    return {r[0] for r in rows}


async def held_exhibitors(db: Executor, ids: Sequence[str]) -> set[str]:
    """Which of these exhibitors someone follows, works for, or a session names."""
    await db.execute("SELECT 1 FROM exhibitor WHERE id = any($1::text[]) FOR UPDATE", ids)
    rows = await db.fetch(
        """SELECT exhibitor_id FROM follow WHERE exhibitor_id = any($1::text[])
           UNION SELECT exhibitor_id FROM person WHERE exhibitor_id = any($1::text[])
           UNION SELECT exhibitor_id FROM session WHERE exhibitor_id = any($1::text[])""",
        ids,
    )
    return {r[0] for r in rows}


async def held_speakers(db: Executor, ids: Sequence[str]) -> set[str]:
    """Which of these speakers a session bills or an account is."""
    await db.execute("SELECT 1 FROM speaker WHERE id = any($1::text[]) FOR UPDATE", ids)
    rows = await db.fetch(
        """SELECT speaker_id FROM session_speaker WHERE speaker_id = any($1::text[])
           UNION SELECT speaker_id FROM person WHERE speaker_id = any($1::text[])""",
        ids,
    )
    return {r[0] for r in rows}


async def delete_sessions(db: Executor, ids: Sequence[str]) -> None:
    await db.execute("DELETE FROM session WHERE id = any($1::text[])", ids)


async def delete_exhibitors(db: Executor, ids: Sequence[str]) -> None:
    """Their booths become free first."""
    await db.execute(
        "UPDATE booth SET exhibitor_id = NULL WHERE exhibitor_id = any($1::text[])", ids
    )
    await db.execute("DELETE FROM exhibitor WHERE id = any($1::text[])", ids)


async def delete_speakers(db: Executor, ids: Sequence[str]) -> None:
    await db.execute("DELETE FROM speaker WHERE id = any($1::text[])", ids)


@dataclass(frozen=True, slots=True)
class KnownImport:
    """A file applied before, while nothing it read has changed since."""

    source: str
    file: str
    report: dict[str, dict[str, list[str]]]
    imported_at: datetime


async def known_import(db: Executor, digest: bytes, prune: bool) -> KnownImport | None:
    """The file with this digest, imported with this prune, if every agenda table it read
    is at the version it left (one statement: one snapshot of them all)."""
    row = await db.fetchrow(
        """SELECT l.source, l.file, l.report, l.imported_at FROM import_log l
            WHERE l.digest = $1 AND l.prune = $2
              AND NOT EXISTS (
                  SELECT 1 FROM unnest(l.footprint, l.versions) AS f(tbl, version)
                  LEFT JOIN agenda_table_state s ON s.tbl = f.tbl
                   WHERE s.version IS DISTINCT FROM f.version)""",
        digest,
        prune,
    )
    return KnownImport(**row) if row else None


async def remember_import(
    db: Executor,
    *,
    digest: bytes,
    prune: bool,
    footprint: Sequence[str],
    source: str,
    file: str,
    report: dict[str, Any],
    at: datetime,
) -> None:
    """Record an applied file with its footprint's versions as this transaction leaves
    them; forget all but the newest IMPORT_LOG_KEPT files."""
    await db.execute(
        """INSERT INTO import_log AS l
                  (digest, prune, footprint, versions, source, file, report, imported_at)
           SELECT $1, $2, $3::text[],
                  ARRAY(SELECT s.version FROM unnest($3::text[]) WITH ORDINALITY AS f(tbl, n)
                          JOIN agenda_table_state s ON s.tbl = f.tbl ORDER BY f.n),
                  $4, $5, $6, $7
           ON CONFLICT (digest, prune) DO UPDATE
              SET footprint = EXCLUDED.footprint, versions = EXCLUDED.versions,
                  source = EXCLUDED.source, file = EXCLUDED.file, report = EXCLUDED.report,
                  imported_at = EXCLUDED.imported_at""",
        digest,
        prune,
        list(footprint),
        source,
        file,
        report,
        at,
    )
    await db.execute(
        """DELETE FROM import_log WHERE (digest, prune) NOT IN (
               SELECT digest, prune FROM import_log ORDER BY imported_at DESC LIMIT $1)""",
        IMPORT_LOG_KEPT,
    )
