"""Leads: exhibitors' staff scan (or type) an attendee's badge at their stand.

The attendee showing the badge is the consent; they see in their account which stands
captured them (never the stands' notes). A stand's staff read its leads, and download
them as a spreadsheet (`GET /exhibitor/leads.csv`).

Badge codes are secrets of a kind (one signs in with them): a staff member who types
codes at random gets `NOT_FOUND` with no hint, and after `WRONG_BADGES_PER_STAFF`
unknown codes in `WINDOW_SECONDS`, `RATE_LIMITED` whatever they type. Each lookup is
counted before it is made, so a burst gets no more than the quota; a badge that was
found gives its count back.

Scanned again, a badge gives the same lead (first capture's time and staff member):
a note replaces the stand's note, no note (null) keeps it, an empty one clears it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from server.clock import in_fair_time
from server.db.queries import accounts as accounts_sql
from server.db.queries import leads as sql
from server.db.queries.accounts import PersonRow
from server.db.queries.leads import CaptureRow as CaptureRow
from server.db.queries.leads import LeadRow as LeadRow
from server.domain.errors import DomainError, ErrorCode, bad_input, not_found
from server.domain.exports.directory_csv import spreadsheet
from server.domain.plans import Pool
from server.domain.viewer import Viewer, require_viewer

MAX_NOTE = 1_000
#: As sign-in by badge takes them.
MAX_BADGE_CODE = 64
WRONG_BADGES_PER_STAFF = 20
WINDOW_SECONDS = 15 * 60

CSV_COLUMNS = ("name", "email", "company", "note", "captured_at")

UNKNOWN_BADGE = "No badge has that code."


class BadgeLookups(Protocol):
    """One staff member's badge lookups, counted where every process sees them (the
    app's Redis rate limiter)."""

    async def take(self, staff_id: int) -> int | None:
        """Count one lookup: None, or the seconds until the quota frees up (then
        nothing was counted)."""

    async def give_back(self, staff_id: int) -> None:
        """Undo one `take`: the badge was found."""


def stand_of(person: PersonRow) -> str:
    """The exhibitor whose staff `person` is; FORBIDDEN for anyone else (an organiser,
    an EXHIBITOR account not linked to a stand)."""
    if "EXHIBITOR" not in person.roles or person.exhibitor_id is None:
        raise DomainError(ErrorCode.FORBIDDEN, "Only an exhibitor's stand staff capture leads.")
    return person.exhibitor_id


def check_badge_code(value: str) -> str:
    badge_code = value.strip()
    if not badge_code or len(badge_code) > MAX_BADGE_CODE or "\x00" in badge_code:
        raise bad_input("Type the code printed under the QR code of the badge.")
    return badge_code


def check_note(value: str | None) -> str | None:
    """The note trimmed, None when there is none; BAD_USER_INPUT when too long or
    holding a NUL (which PostgreSQL cannot store)."""
    if value is None:
        return None
    if "\x00" in value:
        raise bad_input("A note may not contain NUL characters (U+0000).")
    note = value.strip()
    if len(note) > MAX_NOTE:
        raise bad_input(f"A note has at most {MAX_NOTE} characters.")
    return note or None


def _too_many(retry_after: int) -> DomainError:
    minutes = max(1, math.ceil(retry_after / 60))
    return DomainError(
        ErrorCode.RATE_LIMITED,
        f"Too many unknown badge codes. Try again in {minutes} minute"
        f"{'' if minutes == 1 else 's'}.",
    )


async def capture_lead(
    db: Pool,
    lookups: BadgeLookups,
    viewer: Viewer | None,
    badge_code: str,
    note: str | None,
    now: datetime,
) -> LeadRow:
    """The stand's lead on the badge's holder, made or found (see the module's
    docstring for a second scan). UNAUTHENTICATED, FORBIDDEN (not stand staff),
    BAD_USER_INPUT (a malformed code or note, one's own badge), NOT_FOUND (no such
    badge), RATE_LIMITED (too many of those)."""
    staff = require_viewer(viewer)
    exhibitor_id = stand_of(staff.person)
    badge_code = check_badge_code(badge_code)
    checked_note = check_note(note)
    retry_after = await lookups.take(staff.id)
    if retry_after is not None:
        raise _too_many(retry_after)
    async with db.acquire() as conn, conn.transaction():
        holder = await accounts_sql.person_by_badge(conn, badge_code)
        if holder is None:
            raise not_found(UNKNOWN_BADGE)  # the lookup stays counted
        await lookups.give_back(staff.id)
        if holder.id == staff.id:
            raise bad_input("That is your own badge: scan a visitor's.")
        lead_id = await sql.save_lead(
            conn,
            exhibitor_id=exhibitor_id,
            person_id=holder.id,
            captured_by=staff.id,
            note=checked_note,
            replace_note=note is not None,
            now=now,
        )
        lead = await sql.lead_by_id(conn, lead_id)
    if lead is None:  # written in this same transaction
        raise LookupError(f"lead {lead_id} vanished")
    return lead


async def leads_of_stand(db: Pool, person: PersonRow) -> list[LeadRow]:
    """Every lead of the person's stand, newest first; FORBIDDEN unless stand staff."""
    return await sql.leads_of_exhibitor(db, stand_of(person))


async def captured_by_exhibitors(db: Pool, person_id: int) -> list[CaptureRow]:
    """The stands that captured this person, newest first: what they consented to."""
    return await sql.captures_of_person(db, person_id)


def csv_rows(leads: Sequence[LeadRow]) -> list[list[str]]:
    """The cells of each lead (a name, a company or a note is anyone's text: the
    spreadsheet writer shows one that starts a formula as text)."""
    return [
        [
            lead.name or "",
            lead.email or "",
            lead.company or "",
            lead.note or "",
            in_fair_time(lead.captured_at).isoformat(timespec="seconds"),
        ]
        for lead in leads
    ]


def render_csv(leads: Sequence[LeadRow]) -> bytes:
    """As /exhibitors.csv is written (exports/directory_csv.py)."""
    return spreadsheet(CSV_COLUMNS, csv_rows(leads))


async def stand_leads_csv(db: Pool, viewer: Viewer | None) -> bytes:
    """The viewer's stand's leads as a CSV file; UNAUTHENTICATED or FORBIDDEN."""
    staff = require_viewer(viewer)
    return render_csv(await leads_of_stand(db, staff.person))
