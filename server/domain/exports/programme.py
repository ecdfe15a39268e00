"""The whole public programme read in one snapshot, for the schedule exports.

One REPEATABLE READ transaction reads the agenda's version and every row, so the rows
are exactly those of that version (a write committing meanwhile is the next version's).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TypeVar

from server.db.queries import agenda as agenda_sql
from server.db.queries import exports as sql
from server.db.queries import venue as venue_sql
from server.db.queries.agenda import EventRow, SessionRow, TrackRow
from server.db.queries.exhibitors import SpeakerRow
from server.db.queries.exports import Stamp
from server.domain.errors import DomainError, ErrorCode
from server.domain.ical import Places
from server.domain.plans import Pool

# Far above the largest fair Salon is sized for (1,500 sessions, 400 exhibitors, 600
# speakers): what an export holds stays bounded, and a fair past it is told so.
MAX_SESSIONS = 10_000
MAX_SPEAKERS = 10_000
MAX_SPEAKER_LINKS = 50_000
MAX_EXHIBITORS = 10_000
MAX_PLACES = 10_000

T = TypeVar("T")


class ExportTooLarge(Exception):
    """The fair holds more rows than an export carries; nothing is cut silently."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"more than {limit} {what}")
        self.fr = f"Le salon compte plus de {limit} {what} : cet export ne les contient pas."
        self.en = f"The fair has more than {limit} {what}: this export cannot hold them."


@dataclass(frozen=True, slots=True)
class Programme:
    stamp: Stamp
    event: EventRow
    tracks: dict[str, TrackRow]
    #: In the agenda's order (start, id), cancelled ones included.
    sessions: list[SessionRow]
    speakers: dict[str, SpeakerRow]
    #: Session id → its speakers' ids, in billing order.
    speakers_of: dict[str, list[str]]
    places: Places
    exhibitor_names: dict[str, str]


def bounded(rows: list[T], limit: int, what: str) -> list[T]:
    """`rows`, read with `limit + 1`; ExportTooLarge when the extra row came back."""
    if len(rows) > limit:
        raise ExportTooLarge(what, limit)
    return rows


async def stamp(pool: Pool) -> Stamp:
    """Which agenda and notice log an export would show now (one cheap statement)."""
    return await sql.stamp(pool)


async def read_programme(pool: Pool) -> Programme:
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        now_stamp = await sql.stamp(conn)
        event = await agenda_sql.event(conn)
        if event is None:
            raise DomainError(ErrorCode.NOT_FOUND, "No fair is loaded yet: run `salon demo`.")
        sessions = bounded(await sql.all_sessions(conn, MAX_SESSIONS + 1), MAX_SESSIONS, "sessions")
        speakers = bounded(await sql.all_speakers(conn, MAX_SPEAKERS + 1), MAX_SPEAKERS, "speakers")
        links = bounded(
            await sql.all_speaker_links(conn, MAX_SPEAKER_LINKS + 1),
            MAX_SPEAKER_LINKS,
            "speaker billings",
        )
        rooms = bounded(await venue_sql.rooms(conn), MAX_PLACES, "rooms")
        booths = bounded(await venue_sql.booths(conn), MAX_PLACES, "booths")
        halls = await venue_sql.halls(conn)
        tracks = await agenda_sql.tracks(conn)
        names = await sql.exhibitor_names(conn, MAX_EXHIBITORS + 1)
        bounded(list(names), MAX_EXHIBITORS, "exhibitors")
    speakers_of: dict[str, list[str]] = defaultdict(list)
    for session_id, speaker_id in links:
        speakers_of[session_id].append(speaker_id)
    return Programme(
        stamp=now_stamp,
        event=event,
        tracks={t.id: t for t in tracks},
        sessions=sessions,
        speakers={p.id: p for p in speakers},
        speakers_of=dict(speakers_of),
        places=Places(
            rooms={r.id: r for r in rooms},
            booths={b.id: b for b in booths},
            halls={h.id: h.name for h in halls},
        ),
        exhibitor_names=names,
    )
