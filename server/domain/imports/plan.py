"""From a checked file and the fair as it is, the rows to write: only those that differ.

A field the file leaves empty (None, or no sectors, booths or speakers) keeps what the
fair holds: a CSV without an English column must not wipe the English titles, and a
schedule format that knows no capacities must not wipe the seats. Every other field
becomes what the file says.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar

from server.db.queries.agenda import EventRow, SessionRow, TrackRow
from server.db.queries.exhibitors import ExhibitorRow, SpeakerRow
from server.db.queries.imports import RoomFacts
from server.domain.changes import describe_change
from server.domain.imports.current import Current
from server.domain.imports.model import (
    ImportedEvent,
    ImportedExhibitor,
    ImportedFair,
    ImportedSession,
)
from server.domain.imports.references import Resolved
from server.domain.imports.report import ImportReport, KindReport
from server.domain.source_ids import id_from_source

T = TypeVar("T")


@dataclass(slots=True)
class Plan:
    report: ImportReport
    event: EventRow | None = None
    tracks: list[TrackRow] = field(default_factory=list)
    rooms: list[RoomFacts] = field(default_factory=list)
    speakers: list[SpeakerRow] = field(default_factory=list)
    exhibitors: list[ExhibitorRow] = field(default_factory=list)
    #: (booth id, exhibitor id or None: the booth becomes free)
    booths: list[tuple[str, str | None]] = field(default_factory=list)
    #: (before, after): before None for a new session.
    sessions: list[tuple[SessionRow | None, SessionRow]] = field(default_factory=list)
    unlink: list[tuple[str, str]] = field(default_factory=list)
    link: list[tuple[str, str, int]] = field(default_factory=list)
    #: Omitted by a file complete for their kind: cancel (sessions), or, with prune,
    #: delete when nobody holds them.
    omitted_sessions: list[str] = field(default_factory=list)
    omitted_exhibitors: list[str] = field(default_factory=list)
    omitted_speakers: list[str] = field(default_factory=list)
    #: Omitted sessions cancelled already (nothing more to tell anyone).
    cancelled_before: set[str] = field(default_factory=set)


def _keep(value: T | None, before: T | None) -> T | None:
    return before if value is None else value


def _sort(report: KindReport, row_id: str, before: T | None, after: T, writes: list[T]) -> None:
    """Count the row as added, changed or unchanged; write it unless unchanged."""
    if before is None:
        report.added.append(row_id)
    elif before == after:
        report.unchanged.append(row_id)
        return
    else:
        report.changed.append(row_id)
    writes.append(after)


def plan_import(
    fair: ImportedFair, current: Current, resolved: Resolved, report: ImportReport, now: datetime
) -> Plan:
    plan = Plan(report)
    kinds = report.kinds
    if fair.event is not None:
        plan.event = _event(fair.event, current.event, kinds["event"])
    for track in fair.tracks:
        was = current.tracks.get(track.id)
        after = TrackRow(
            track.id,
            track.name_fr,
            _keep(track.name_en, was.name_en if was else None),
            _keep(track.color, was.color if was else None),
        )
        _sort(kinds["tracks"], track.id, was, after, plan.tracks)
    for room in fair.rooms:
        old_room = current.rooms.get(room.id)
        new_room = RoomFacts(
            room.id, room.name, _keep(room.capacity, old_room.capacity if old_room else None)
        )
        _sort(kinds["rooms"], room.id, old_room, new_room, plan.rooms)
    for speaker in fair.speakers:
        old = current.speakers.get(speaker.id)
        new = SpeakerRow(
            speaker.id,
            speaker.name,
            _keep(speaker.organisation, old.organisation if old else None),
            _keep(speaker.job_title, old.job_title if old else None),
            _keep(speaker.bio_fr, old.bio_fr if old else None),
            _keep(speaker.bio_en, old.bio_en if old else None),
        )
        _sort(kinds["speakers"], speaker.id, old, new, plan.speakers)
    _exhibitors(fair, current, resolved, plan)
    room_names = {r.id: r.name for r in current.rooms.values()} | {r.id: r.name for r in fair.rooms}
    for session in fair.sessions:
        _session(session, current, resolved, room_names, now, plan)
    _omitted(fair, current, plan)
    return plan


def _event(event: ImportedEvent, was: EventRow | None, report: KindReport) -> EventRow | None:
    """The fair as the file says it. A new fair's venue and city stay empty when the
    file does not name them (no schedule format does), for the organisers to fill."""
    after = EventRow(
        id=was.id if was else id_from_source("event", None, event.acronym or event.name) or "event",
        name_fr=event.name,
        name_en=was.name_en if was else None,
        edition=was.edition if was else None,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        # The fair's zone is the venue's, whatever zone a file's times were written in
        # (they are instants already): a new fair takes the file's.
        timezone=was.timezone if was else event.timezone,
        venue_name=event.venue_name or (was.venue_name if was else ""),
        city=event.city or (was.city if was else ""),
        address=was.address if was else None,
    )
    writes: list[EventRow] = []
    _sort(report, after.id, was, after, writes)
    return writes[0] if writes else None


def _exhibitors(fair: ImportedFair, current: Current, resolved: Resolved, plan: Plan) -> None:
    report = plan.report.kinds["exhibitors"]
    booths_of = current.booths_of()
    claimed = {b: e.id for e in fair.exhibitors for b in resolved.booths.get(e.id, ())}
    freed: dict[str, str | None] = {}
    for exhibitor in fair.exhibitors:
        was = current.exhibitors.get(exhibitor.id)
        after = _exhibitor(exhibitor, was, resolved.sectors.get(exhibitor.id, ()))
        booths = resolved.booths.get(exhibitor.id, ())
        moved = False
        if booths:
            for booth_id in booths_of.get(exhibitor.id, set()) - set(booths):
                if booth_id not in claimed:
                    freed[booth_id] = None
            moved = set(booths) != booths_of.get(exhibitor.id, set())
        if was is not None and was == after and moved:
            report.changed.append(exhibitor.id)  # its booths only
        else:
            _sort(report, exhibitor.id, was, after, plan.exhibitors)
    wanted = {**freed, **claimed}
    plan.booths = sorted(
        (booth_id, owner)
        for booth_id, owner in wanted.items()
        if current.booths[booth_id].exhibitor_id != owner
    )


def _exhibitor(
    exhibitor: ImportedExhibitor, was: ExhibitorRow | None, sectors: tuple[str, ...]
) -> ExhibitorRow:
    kept_sectors = list(was.sectors) if was else []
    if sectors and set(sectors) != set(kept_sectors):
        kept_sectors = list(sectors)
    return ExhibitorRow(
        id=exhibitor.id,
        name=exhibitor.name,
        country=exhibitor.country,
        sectors=kept_sectors,
        description_fr=_keep(exhibitor.description_fr, was.description_fr if was else None),
        description_en=_keep(exhibitor.description_en, was.description_en if was else None),
        website=_keep(exhibitor.website, was.website if was else None),
    )


def _session(
    session: ImportedSession,
    current: Current,
    resolved: Resolved,
    room_names: dict[str, str],
    now: datetime,
    plan: Plan,
) -> None:
    report = plan.report.kinds["sessions"]
    was = current.sessions.get(session.id)
    if was is not None and was.status == "CANCELLED":
        report.kept.append(session.id)
        return
    target = SessionRow(
        id=session.id,
        kind=session.kind,
        track_id=_keep(session.track_id, was.track_id if was else None),
        title_fr=session.title_fr,
        title_en=_keep(session.title_en, was.title_en if was else None),
        abstract_fr=_keep(session.abstract_fr, was.abstract_fr if was else None),
        abstract_en=_keep(session.abstract_en, was.abstract_en if was else None),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        room_id=_keep(session.room_id, was.room_id if was else None),
        booth_id=_keep(resolved.session_booths.get(session.id), was.booth_id if was else None),
        exhibitor_id=_keep(session.exhibitor_id, was.exhibitor_id if was else None),
        capacity=_keep(session.capacity, was.capacity if was else None),
        status=was.status if was else "SCHEDULED",
        version=was.version if was else 1,
        updated_at=was.updated_at if was else now,
        cancellation_reason=was.cancellation_reason if was else None,
    )
    speakers_changed = _speakers(session, current.speakers_of.get(session.id, ()), plan)
    if was is None:
        plan.sessions.append((None, target))
        report.added.append(session.id)
        return
    after = target
    if after == was:
        (report.changed if speakers_changed else report.unchanged).append(session.id)
        return
    told = describe_change(was, after, room_names.get(after.room_id or ""))
    # Like updateSession: CHANGED when attendees are told, the row's version always.
    status = "CHANGED" if told else was.status
    plan.sessions.append(
        (was, replace(after, status=status, version=was.version + 1, updated_at=now))
    )
    report.changed.append(session.id)


def _speakers(session: ImportedSession, billed: tuple[str, ...], plan: Plan) -> bool:
    """Plan the session's billing when the file names speakers; whether it changes."""
    wanted = session.speaker_ids
    if not wanted or wanted == billed:
        return False
    plan.unlink.extend((session.id, s) for s in billed if s not in wanted)
    positions = {s: i for i, s in enumerate(billed)}
    plan.link.extend((session.id, s, i) for i, s in enumerate(wanted) if positions.get(s) != i)
    return True


def _omitted(fair: ImportedFair, current: Current, plan: Plan) -> None:
    if "sessions" in fair.prunable:
        listed = {s.id for s in fair.sessions}
        plan.omitted_sessions = sorted(set(current.sessions) - listed)
        plan.cancelled_before = {
            i for i in plan.omitted_sessions if current.sessions[i].status == "CANCELLED"
        }
    if "exhibitors" in fair.prunable:
        listed = {e.id for e in fair.exhibitors}
        plan.omitted_exhibitors = sorted(set(current.exhibitors) - listed)
    if "speakers" in fair.prunable:
        listed = {s.id for s in fair.speakers}
        plan.omitted_speakers = sorted(set(current.speakers) - listed)
