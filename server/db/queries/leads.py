"""SQL of leads: the badges exhibitors' staff scanned at their stands (migration 0009)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.db.queries.common import Executor
from server.db.queries.exhibitors import EXHIBITOR_COLUMNS, ExhibitorRow


@dataclass(frozen=True, slots=True)
class LeadRow:
    """A lead as the stand sees it: who, their company when they have a business
    profile, the stand's note."""

    id: int
    name: str | None
    email: str | None
    company: str | None
    note: str | None
    captured_at: datetime


@dataclass(frozen=True, slots=True)
class CaptureRow:
    """A stand that captured a person, as that person sees it (never the note)."""

    exhibitor: ExhibitorRow
    captured_at: datetime


_LEAD = """l.id, p.name, p.email, b.company, l.note, l.captured_at
      FROM lead l JOIN person p ON p.id = l.person_id
      LEFT JOIN business_profile b ON b.person_id = l.person_id"""


async def save_lead(
    db: Executor,
    *,
    exhibitor_id: str,
    person_id: int,
    captured_by: int,
    note: str | None,
    replace_note: bool,
    now: datetime,
) -> int:
    """The stand's lead on this person, made at the first scan; a later scan replaces
    its note only when `replace_note` (and the note differs: no write, no plan version
    bumped, for nothing). One row however many scans race (the UNIQUE key decides)."""
    lead_id: int | None = await db.fetchval(
        """INSERT INTO lead (exhibitor_id, person_id, captured_by, note, captured_at)
           VALUES ($1, $2, $3, $4, $6)
           ON CONFLICT (exhibitor_id, person_id) DO UPDATE SET note = excluded.note
            WHERE $5::boolean AND lead.note IS DISTINCT FROM excluded.note
           RETURNING id""",
        exhibitor_id,
        person_id,
        captured_by,
        note,
        replace_note,
        now,
    )
    if lead_id is not None:
        return lead_id
    # Already there and left alone: a new statement sees the row the conflict found.
    found: int = await db.fetchval(
        "SELECT id FROM lead WHERE exhibitor_id = $1 AND person_id = $2", exhibitor_id, person_id
    )
    return found


async def lead_by_id(db: Executor, lead_id: int) -> LeadRow | None:
    row = await db.fetchrow(f"SELECT {_LEAD} WHERE l.id = $1", lead_id)
    return LeadRow(**row) if row else None


async def leads_of_exhibitor(db: Executor, exhibitor_id: str) -> list[LeadRow]:
    """Newest first."""
    rows = await db.fetch(
        f"SELECT {_LEAD} WHERE l.exhibitor_id = $1 ORDER BY l.captured_at DESC, l.id DESC",
        exhibitor_id,
    )
    return [LeadRow(**r) for r in rows]


async def captures_of_person(db: Executor, person_id: int) -> list[CaptureRow]:
    """The stands that captured this person, newest first."""
    rows = await db.fetch(
        f"""SELECT {EXHIBITOR_COLUMNS}, l.captured_at
              FROM lead l JOIN exhibitor e ON e.id = l.exhibitor_id
             WHERE l.person_id = $1
             ORDER BY l.captured_at DESC, l.id DESC""",
        person_id,
    )
    return [
        CaptureRow(
            exhibitor=ExhibitorRow(**{k: v for k, v in r.items() if k != "captured_at"}),
            captured_at=r["captured_at"],
        )
        for r in rows
    ]
