"""The fair as the database holds it when an import starts: read once, inside the
import's transaction and under its lock, so that what the import compares with is what
it writes over."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from server.db.queries import agenda as agenda_sql
from server.db.queries import imports as sql
from server.db.queries.agenda import EventRow, SessionRow, TrackRow
from server.db.queries.exhibitors import ExhibitorRow, SpeakerRow
from server.db.queries.imports import BoothFacts, RoomFacts, SectorRow
from server.domain.imports.model import ImportedFair


@dataclass(frozen=True, slots=True)
class Current:
    event: EventRow | None
    tracks: dict[str, TrackRow]
    rooms: dict[str, RoomFacts]
    sectors: list[SectorRow]
    booths: dict[str, BoothFacts]
    speakers: dict[str, SpeakerRow]
    exhibitors: dict[str, ExhibitorRow]
    sessions: dict[str, SessionRow]
    #: Billed speakers of each session, in billing order.
    speakers_of: dict[str, tuple[str, ...]]
    #: Seats taken (REGISTERED) per session.
    registered: dict[str, int]

    def booth_by_code(self) -> dict[str, BoothFacts]:
        """Booths by their code upper-cased: a code is matched whatever its case."""
        return {b.code.upper(): b for b in self.booths.values()}

    def booths_of(self) -> dict[str, set[str]]:
        """Booth ids of each exhibitor."""
        held: dict[str, set[str]] = defaultdict(set)
        for booth in self.booths.values():
            if booth.exhibitor_id is not None:
                held[booth.exhibitor_id].add(booth.id)
        return held


async def read_current(conn: Any, fair: ImportedFair) -> Current:
    """What `fair` is compared with. A file that names no session nor speaker (an
    exhibitor sheet) is compared with no programme: nothing of it is read, written or
    locked."""
    programme = bool(fair.sessions or fair.speakers or {"sessions", "speakers"} & fair.prunable)
    links: dict[str, list[str]] = defaultdict(list)
    for session_id, speaker_id, _ in await sql.speaker_links(conn) if programme else ():
        links[session_id].append(speaker_id)
    return Current(
        event=await agenda_sql.event(conn),
        tracks={t.id: t for t in await sql.tracks(conn)},
        rooms={r.id: r for r in await sql.rooms(conn)},
        sectors=await sql.sectors(conn),
        booths={b.id: b for b in await sql.booths(conn)},
        speakers={s.id: s for s in await sql.speakers(conn)} if programme else {},
        exhibitors={e.id: e for e in await sql.exhibitors(conn)},
        sessions={s.id: s for s in await sql.sessions(conn)} if programme else {},
        speakers_of={k: tuple(v) for k, v in links.items()},
        registered=await sql.registered_counts(conn) if programme else {},
    )
