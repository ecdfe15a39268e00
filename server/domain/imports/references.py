"""Each row against the rest of the file and the fair in the database: the rooms, tracks,
booths, sectors, exhibitors and speakers it names, the fair's days, the seats already
taken. Names are resolved to ids on the way (a booth by its code, a sector by its id or
either of its names)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from server.clock import in_fair_time
from server.db.queries.imports import BoothFacts
from server.domain.imports.current import Current
from server.domain.imports.model import ImportedFair, ImportedSession, Where
from server.domain.imports.refusals import Refusals
from server.domain.instants import FairWindow, window_of


@dataclass(slots=True)
class Resolved:
    """What the file names, as the database's ids."""

    #: Session id → the id of the booth its `booth_code` names.
    session_booths: dict[str, str] = field(default_factory=dict)
    #: Exhibitor id → sector ids, in the file's order.
    sectors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Exhibitor id → booth ids, in the file's order.
    booths: dict[str, tuple[str, ...]] = field(default_factory=dict)


def check_references(fair: ImportedFair, current: Current, refusals: Refusals) -> Resolved:
    resolved = Resolved()
    booths = current.booth_by_code()
    _sessions(fair, current, booths, resolved, refusals)
    _exhibitors(fair, current, booths, resolved, refusals)
    if fair.event is None and current.event is None:
        refusals.add(
            None,
            "NO_EVENT",
            "aucun salon n'est chargé : importez d'abord un fichier qui décrit le salon",
            "no fair is loaded: first import a file that describes the fair",
        )
    return resolved


def _unknown(
    refusals: Refusals, where: Where, code: str, name: tuple[str, str], value: str
) -> None:
    shown = value[:70]
    refusals.add(
        where,
        code,
        f"{name[0]} `{shown}` n'est ni dans le fichier ni dans le salon",
        f"{name[1]} `{shown}` is neither in the file nor in the fair",
    )


def _sessions(
    fair: ImportedFair,
    current: Current,
    booths: dict[str, BoothFacts],
    resolved: Resolved,
    refusals: Refusals,
) -> None:
    rooms = {r.id for r in fair.rooms} | set(current.rooms)
    tracks = {t.id for t in fair.tracks} | set(current.tracks)
    exhibitors = {e.id for e in fair.exhibitors} | set(current.exhibitors)
    speakers = {s.id for s in fair.speakers} | set(current.speakers)
    window = _window(fair, current)
    for session in fair.sessions:
        at = session.where
        if session.room_id is not None and session.room_id not in rooms:
            _unknown(
                refusals, _at(at, "room"), "UNKNOWN_ROOM", ("la salle", "the room"), session.room_id
            )
        if session.track_id is not None and session.track_id not in tracks:
            _unknown(
                refusals,
                _at(at, "track"),
                "UNKNOWN_TRACK",
                ("le parcours", "the track"),
                session.track_id,
            )
        if session.exhibitor_id is not None and session.exhibitor_id not in exhibitors:
            _unknown(
                refusals,
                _at(at, "exhibitor"),
                "UNKNOWN_EXHIBITOR",
                ("l'exposant", "the exhibitor"),
                session.exhibitor_id,
            )
        for speaker_id in session.speaker_ids:
            if speaker_id not in speakers:
                _unknown(
                    refusals,
                    _at(at, "speakers"),
                    "UNKNOWN_SPEAKER",
                    ("l'intervenant", "the speaker"),
                    speaker_id,
                )
        if session.booth_code is not None:
            booth = booths.get(session.booth_code.strip().upper())
            if booth is None:
                _no_booth(refusals, _at(at, "booth"), session.booth_code)
            else:
                resolved.session_booths[session.id] = booth.id
        registered = current.registered.get(session.id, 0)
        if session.capacity is not None and 0 < session.capacity < registered:
            refusals.add(
                _at(at, "capacity"),
                "CAPACITY_BELOW_REGISTERED",
                f"{registered} personnes sont déjà inscrites : la capacité ne peut pas "
                f"descendre à {session.capacity}",
                f"{registered} people are already registered: the capacity cannot go down "
                f"to {session.capacity}",
            )
        if window is not None and _moves(session, current):
            _within(refusals, session, window)


def _at(where: Where, column: str) -> Where:
    """The row's place, at the column named for the field (the parsers' column names:
    a sheet's header, the same word in a schedule), unless the parser named one."""
    return where if where.column is not None else replace(where, column=column)


def _no_booth(refusals: Refusals, where: Where, code: str) -> None:
    refusals.add(
        where,
        "UNKNOWN_BOOTH",
        f"le stand `{code[:30]}` n'est pas sur le plan du salon",
        f"the booth `{code[:30]}` is not on the fair's floor plan",
    )


def _exhibitors(
    fair: ImportedFair,
    current: Current,
    booths: dict[str, BoothFacts],
    resolved: Resolved,
    refusals: Refusals,
) -> None:
    sectors: dict[str, str] = {}
    for sector in current.sectors:
        for name in (sector.id, sector.name_fr, sector.name_en):
            if name:
                sectors.setdefault(name.strip().casefold(), sector.id)
    claimed: dict[str, str] = {}
    for exhibitor in fair.exhibitors:
        at = exhibitor.where
        found_sectors = []
        for sector_name in exhibitor.sectors:
            sector_id = sectors.get(sector_name.strip().casefold())
            if sector_id is None:
                _unknown(
                    refusals,
                    _at(at, "sectors"),
                    "UNKNOWN_SECTOR",
                    ("le secteur", "the sector"),
                    sector_name,
                )
            else:
                found_sectors.append(sector_id)
        resolved.sectors[exhibitor.id] = tuple(dict.fromkeys(found_sectors))
        found_booths = []
        for code in exhibitor.booth_codes:
            booth = booths.get(code.strip().upper())
            if booth is None:
                _no_booth(refusals, _at(at, "booth"), code)
                continue
            booth_id = booth.id
            other = claimed.setdefault(booth_id, exhibitor.id)
            if other != exhibitor.id:
                refusals.add(
                    _at(at, "booth"),
                    "BOOTH_TWICE",
                    f"le stand `{code[:30]}` est aussi donné à `{other}` dans ce fichier",
                    f"the booth `{code[:30]}` is also given to `{other}` in this file",
                )
            found_booths.append(booth_id)
        resolved.booths[exhibitor.id] = tuple(found_booths)


def _window(fair: ImportedFair, current: Current) -> FairWindow | None:
    event = fair.event or current.event
    if event is None:
        return None
    zone = current.event.timezone if current.event else event.timezone  # as plan._event
    try:
        return window_of(event.starts_on, event.ends_on, zone)
    except ValueError:  # a bad zone or dates: refused with the event
        return None


def _moves(session: ImportedSession, current: Current) -> bool:
    """A new session, or one whose times change: the only ones held to the fair's days
    (as `updateSession` checks times only when they change)."""
    if session.starts_at.tzinfo is None or session.ends_at.tzinfo is None:
        return False
    before = current.sessions.get(session.id)
    return before is None or (before.starts_at, before.ends_at) != (
        session.starts_at,
        session.ends_at,
    )


def _within(refusals: Refusals, session: ImportedSession, window: FairWindow) -> None:
    if all(window.opens <= t <= window.closes for t in (session.starts_at, session.ends_at)):
        return
    opens, closes = _shown(window.opens), _shown(window.closes)
    starts = _shown(session.starts_at)
    refusals.add(
        _at(session.where, "start"),
        "OUTSIDE_FAIR",
        f"la session ({starts}) tombe hors des jours du salon : entre {opens} et {closes}",
        f"the session ({starts}) falls outside the fair's days: between {opens} and {closes}",
    )


def _shown(instant: datetime) -> str:
    """An instant as the fair's clocks read it."""
    return in_fair_time(instant).strftime("%Y-%m-%d %H:%M")
