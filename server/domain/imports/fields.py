"""Each row on its own: ids, texts, kinds, times, capacities, countries (what needs no
other row and no database)."""

from __future__ import annotations

import re
from datetime import date

from server import clock
from server.domain.changes import MAX_TITLE
from server.domain.imports import bounds
from server.domain.imports.model import ImportedEvent, ImportedFair, Where
from server.domain.imports.refusals import Refusals
from server.domain.instants import EARLIEST, LATEST

SESSION_KINDS = ("KEYNOTE", "CONFERENCE", "PANEL", "WORKSHOP", "DEMO", "B2B", "CEREMONY", "OTHER")
_COUNTRY = re.compile(r"[A-Z]{2}")


def check_fields(fair: ImportedFair, refusals: Refusals) -> None:
    if fair.event is not None:
        _event(fair.event, refusals)
    whole = Where(refusals.file)
    bounds.check_ids(refusals, "track", [(t.id, whole) for t in fair.tracks])
    bounds.check_ids(refusals, "room", [(r.id, whole) for r in fair.rooms])
    bounds.check_ids(refusals, "speaker", [(s.id, whole) for s in fair.speakers])
    bounds.check_ids(refusals, "session", [(s.id, s.where) for s in fair.sessions])
    bounds.check_ids(refusals, "exhibitor", [(e.id, e.where) for e in fair.exhibitors])
    for track in fair.tracks:
        name = f"track {track.id}"
        bounds.check_text(
            refusals, whole, f"{name}: name_fr", track.name_fr, bounds.MAX_NAME, required=True
        )
        bounds.check_text(refusals, whole, f"{name}: name_en", track.name_en, bounds.MAX_NAME)
        bounds.check_color(refusals, whole, track.color, f"{name}: color")
    for room in fair.rooms:
        name = f"room {room.id}"
        bounds.check_text(
            refusals, whole, f"{name}: name", room.name, bounds.MAX_NAME, required=True
        )
        bounds.check_capacity(refusals, whole, room.capacity, f"{name}: capacity")
    for speaker in fair.speakers:
        for what, value, limit in (
            ("name", speaker.name, bounds.MAX_NAME),
            ("organisation", speaker.organisation, bounds.MAX_NAME),
            ("job_title", speaker.job_title, bounds.MAX_NAME),
            ("bio_fr", speaker.bio_fr, bounds.MAX_LONG_TEXT),
            ("bio_en", speaker.bio_en, bounds.MAX_LONG_TEXT),
        ):
            bounds.check_text(
                refusals,
                whole,
                f"speaker {speaker.id}: {what}",
                value,
                limit,
                required=what == "name",
            )
    _sessions(fair, refusals)
    _exhibitors(fair, refusals)


def _sessions(fair: ImportedFair, refusals: Refusals) -> None:
    for session in fair.sessions:
        at = session.where
        for what, value, limit in (
            ("title_fr", session.title_fr, MAX_TITLE),
            ("title_en", session.title_en, MAX_TITLE),
            ("abstract_fr", session.abstract_fr, bounds.MAX_LONG_TEXT),
            ("abstract_en", session.abstract_en, bounds.MAX_LONG_TEXT),
        ):
            bounds.check_text(refusals, at, what, value, limit, required=what == "title_fr")
        if session.kind not in SESSION_KINDS:
            refusals.add(
                at,
                "BAD_KIND",
                f"`{session.kind[:30]}` n'est pas un type de session ({', '.join(SESSION_KINDS)})",
                f"`{session.kind[:30]}` is not a kind of session ({', '.join(SESSION_KINDS)})",
            )
        if session.starts_at.tzinfo is None or session.ends_at.tzinfo is None:
            refusals.add(
                at,
                "BAD_DATETIME",
                "une heure sans fuseau ni décalage",
                "a time without a zone or an offset",
            )
        elif session.ends_at <= session.starts_at:
            refusals.add(
                at,
                "BAD_TIMES",
                "la session finit avant de commencer",
                "the session ends before it starts",
            )
        bounds.check_capacity(refusals, at, session.capacity)
        bounds.check_many(
            refusals, at, "speakers", session.speaker_ids, bounds.MAX_SPEAKERS_PER_SESSION
        )


def _exhibitors(fair: ImportedFair, refusals: Refusals) -> None:
    for exhibitor in fair.exhibitors:
        at = exhibitor.where
        bounds.check_text(refusals, at, "name", exhibitor.name, bounds.MAX_NAME, required=True)
        for what, value in (
            ("description_fr", exhibitor.description_fr),
            ("description_en", exhibitor.description_en),
        ):
            bounds.check_text(refusals, at, what, value, bounds.MAX_LONG_TEXT)
        bounds.check_website(refusals, at, exhibitor.website)
        if not _COUNTRY.fullmatch(exhibitor.country):
            refusals.add(
                at,
                "BAD_COUNTRY",
                f"`{exhibitor.country[:10]}` n'est pas un code pays ISO à deux lettres (MA, FR…)",
                f"`{exhibitor.country[:10]}` is not a two-letter ISO country code (MA, FR…)",
            )
        bounds.check_many(
            refusals, at, "sectors", exhibitor.sectors, bounds.MAX_SECTORS_PER_EXHIBITOR
        )
        bounds.check_many(
            refusals, at, "booths", exhibitor.booth_codes, bounds.MAX_BOOTHS_PER_EXHIBITOR
        )


def _event(event: ImportedEvent, refusals: Refusals) -> None:
    at = Where(refusals.file)
    bounds.check_text(refusals, at, "event: name", event.name, bounds.MAX_NAME, required=True)
    bounds.check_text(refusals, at, "event: venue", event.venue_name, bounds.MAX_NAME)
    bounds.check_text(refusals, at, "event: city", event.city, bounds.MAX_NAME)
    if not all(EARLIEST.date() <= d <= LATEST.date() for d in (event.starts_on, event.ends_on)):
        refusals.add(
            at,
            "BAD_DATE",
            f"les jours du salon tombent entre {EARLIEST.year} et {LATEST.year}",
            f"the fair's days fall between {EARLIEST.year} and {LATEST.year}",
        )
    elif event.ends_on < event.starts_on:
        refusals.add(
            at,
            "BAD_DATES",
            f"le salon finit ({_day(event.ends_on)}) avant de commencer ({_day(event.starts_on)})",
            f"the fair ends ({_day(event.ends_on)}) before it starts ({_day(event.starts_on)})",
        )
    try:
        clock.zone(event.timezone)
    except clock.UnknownZone:
        refusals.add(
            at,
            "BAD_TIMEZONE",
            f"`{event.timezone[:60]}` n'est pas un fuseau horaire IANA (Africa/Casablanca…)",
            f"`{event.timezone[:60]}` is not an IANA time zone (Africa/Casablanca…)",
        )


def _day(day: date) -> str:
    return day.isoformat()
