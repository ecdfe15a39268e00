"""Seed a fair from its JSON data files (see server/demo/sistep2026/FORMAT.md).

Seeding writes only what is missing: a row whose id exists is left exactly as it is,
whoever wrote it, so that loading again never undoes an organiser's change (it did: a
session they had moved and renamed went back to the file's time and title, silently).
The price: an edit to the data files reaches a database only where the row is missing.
Why not "overwrite what seeding wrote itself and nobody changed since": telling that
apart needs a record of what was seeded in every row of 13 tables (a migration and a
hash per row) and still guesses about changes made outside the app; inserting only
what is missing needs no guess.

The B2B meetings (server/domain/demo_meetings.py) follow the same rule with their own
keys: the plan when there is none, a profile per person, a meeting per pair of profiles.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from importlib import resources
from importlib.abc import Traversable
from typing import Any

import asyncpg

from server.clock import parse_instant, zone
from server.db.queries import demo as sql
from server.domain import demo_meetings
from server.domain.people import NewPerson, add_person_if_new

DEMO_FAIR = "sistep2026"


def _polygon(ring: list[list[float]] | None) -> dict[str, Any] | None:
    return None if ring is None else {"type": "Polygon", "coordinates": [ring]}


def _read(folder: Traversable, name: str) -> Any:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def fair_rows(folder: Traversable) -> dict[str, list[tuple[object, ...]]]:
    """The rows of every table, in load order, from one fair's data folder."""
    event = _read(folder, "event.json")
    venue = _read(folder, "venue.json")
    sessions = _read(folder, "sessions.json")
    # Fair times are written as the hall's clocks read them; the zone's current rules
    # turn them into instants (an explicit offset is an instant already).
    fair_zone = zone(event["timezone"])
    return {
        "event": [
            (
                event["id"],
                event["name_fr"],
                event.get("name_en"),
                event.get("edition"),
                date.fromisoformat(event["starts_on"]),
                date.fromisoformat(event["ends_on"]),
                event["timezone"],
                event["venue_name"],
                event["city"],
                event.get("address"),
            )
        ],
        "sector": [
            (s["id"], s["name_fr"], s.get("name_en")) for s in _read(folder, "sectors.json")
        ],
        "track": [
            (t["id"], t["name_fr"], t.get("name_en"), t.get("color"), position)
            for position, t in enumerate(_read(folder, "tracks.json"))
        ],
        "hall": [(h["id"], h["name"], h["level"], _polygon(h["outline"])) for h in venue["halls"]],
        "room": [
            (
                r["id"],
                r["name"],
                r.get("hall"),
                r.get("capacity"),
                _polygon(r.get("outline")),
                *(r.get("center") or (None, None)),
            )
            for r in venue["rooms"]
        ],
        "exhibitor": [
            (
                e["id"],
                e["name"],
                e["country"],
                e["sectors"],
                e.get("description_fr"),
                e.get("description_en"),
                e.get("website"),
            )
            for e in _read(folder, "exhibitors.json")
        ],
        "booth": [
            (
                b["id"],
                b["code"],
                b["hall"],
                b.get("exhibitor"),
                _polygon(b["outline"]),
                *b["center"],
            )
            for b in venue["booths"]
        ],
        "poi": [
            (p["id"], p["kind"], p["name_fr"], p.get("name_en"), p.get("hall"), *p["location"])
            for p in venue["pois"]
        ],
        "walkway_node": [(n["id"], n.get("hall"), *n["at"]) for n in venue["walkway"]["nodes"]],
        "walkway_edge": [
            (e[0], e[1], float(e[2]) if len(e) > 2 else None) for e in venue["walkway"]["edges"]
        ],
        "speaker": [
            (
                s["id"],
                s["name"],
                s.get("organisation"),
                s.get("job_title"),
                s.get("bio_fr"),
                s.get("bio_en"),
            )
            for s in _read(folder, "speakers.json")
        ],
        "session": [
            (
                s["id"],
                s["kind"],
                s.get("track"),
                s["title_fr"],
                s.get("title_en"),
                s.get("abstract_fr"),
                s.get("abstract_en"),
                parse_instant(s["starts_at"], fair_zone),
                parse_instant(s["ends_at"], fair_zone),
                s.get("room"),
                s.get("booth"),
                s.get("exhibitor"),
                s.get("capacity"),
            )
            for s in sessions
        ],
        "session_speaker": [
            (s["id"], speaker, position)
            for s in sessions
            for position, speaker in enumerate(s.get("speakers", []))
        ],
    }


def demo_people(fair: str = DEMO_FAIR) -> list[NewPerson]:
    """The fair's demo accounts: attendees with badges, speakers, exhibitor staff, organiser."""
    folder = resources.files("server.demo") / fair
    return [
        NewPerson(
            email=p["email"],
            roles=p["roles"],
            name=p.get("name"),
            speaker_id=p.get("speaker"),
            exhibitor_id=p.get("exhibitor"),
            badge_code=p.get("badge_code"),
        )
        for p in _read(folder, "people.json")
    ]


async def load_fair(
    conn: asyncpg.Connection[Any],
    fair: str = DEMO_FAIR,
    *,
    only_if_empty: bool = False,
    now: datetime | None = None,
) -> dict[str, int] | None:
    """Insert the fair's rows, demo accounts and B2B meetings (plan, profiles, meetings)
    that do not exist yet, in one transaction; return how many were inserted per table
    (all zero when nothing was missing). With `only_if_empty`, do nothing (and return
    None) when the database holds a fair already. `now` stamps what is written."""
    folder = resources.files("server.demo") / fair
    rows = fair_rows(folder)
    people = demo_people(fair)
    meetings = _read(folder, "meetings.json")
    profiles = _read(folder, "business_profiles.json")
    fair_zone = zone(_read(folder, "event.json")["timezone"])
    organiser = next(p.email for p in people if "ORGANISER" in p.roles)
    now = now or datetime.now(UTC)
    async with conn.transaction():
        if only_if_empty and await sql.holds_a_fair(conn):
            return None
        inserted = {
            table: await sql.insert_missing(conn, table, rows[table]) for table in sql.TABLES
        }
        inserted["person"] = 0
        for person in people:
            if await add_person_if_new(conn, person) is not None:
                inserted["person"] += 1
        inserted |= await demo_meetings.load_plan(conn, meetings["plan"], organiser, now)
        inserted["business_profile"] = await demo_meetings.load_profiles(conn, profiles, now)
        inserted["meeting"] = await demo_meetings.load_meetings(
            conn, meetings["meetings"], fair_zone, now
        )
    return inserted
