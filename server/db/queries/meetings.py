"""SQL of B2B meetings: the plan (days, slot length, tables), business profiles, and the
meetings themselves. Overlaps are refused by the database (migration 0009): an insert
or an accept that would double-book raises asyncpg's ExclusionViolationError."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from server.db.queries.common import Executor, text_match


@dataclass(frozen=True, slots=True)
class PlanRow:
    slot_minutes: int
    requests_per_day: int


@dataclass(frozen=True, slots=True)
class DayRow:
    day: date
    opens_at: datetime
    closes_at: datetime


@dataclass(frozen=True, slots=True)
class TableRow:
    id: str
    number: int
    hall_id: str | None
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class NewProfile:
    """A business profile as it is saved."""

    person_id: int
    exhibitor_id: str | None
    company: str
    company_key: str
    country: str
    sectors: list[str]
    offers: list[str]
    needs: list[str]
    offer_terms: list[str]
    need_terms: list[str]
    summary: str | None
    open_to_meetings: bool


@dataclass(frozen=True, slots=True)
class ProfileRow(NewProfile):
    """A business profile as it is stored: what was saved, its id and its time."""

    id: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class MeetingRow:
    id: int
    requester_id: int
    invitee_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    table_id: str | None
    outcome: str | None
    message: str | None
    reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Busy:
    """A time someone is taken: a live meeting, or a session they registered for (with
    the place it is at, for the walk)."""

    person_id: int
    starts_at: datetime
    ends_at: datetime
    place_id: str | None = None


_PROFILE = """b.id, b.person_id, b.exhibitor_id, b.company, b.company_key, b.country,
    b.sectors, b.offers, b.needs, b.offer_terms, b.need_terms, b.summary, b.open_to_meetings,
    b.updated_at"""
_MEETING = """m.id, m.requester_id, m.invitee_id, lower(m.during) AS starts_at,
    upper(m.during) AS ends_at, m.status, m.table_id, m.outcome, m.message, m.reason,
    m.version, m.created_at, m.updated_at"""


def _written(row: Any) -> Any:
    """The row a write returned (an INSERT or an UPDATE of a locked row always does)."""
    if row is None:
        raise LookupError("the written row was not returned")
    return row


# --- the plan -------------------------------------------------------------------------


async def plan(db: Executor, *, lock: str | None = None) -> PlanRow:
    """`lock`: "SHARE" for a booking that relies on the plan as read (a change of the
    plan waits for it), "UPDATE" for a change of the plan."""
    suffix = {None: "", "SHARE": " FOR SHARE", "UPDATE": " FOR UPDATE"}[lock]
    row = await db.fetchrow(f"SELECT slot_minutes, requests_per_day FROM meeting_plan{suffix}")
    return PlanRow(**row) if row else PlanRow(30, 20)


async def days(db: Executor) -> list[DayRow]:
    rows = await db.fetch("SELECT day, opens_at, closes_at FROM meeting_day ORDER BY day")
    return [DayRow(**r) for r in rows]


async def tables(db: Executor) -> list[TableRow]:
    rows = await db.fetch("SELECT id, number, hall_id, x, y FROM meeting_table ORDER BY number")
    return [TableRow(**r) for r in rows]


async def tables_by_ids(db: Executor, ids: Sequence[str]) -> list[TableRow]:
    rows = await db.fetch(
        "SELECT id, number, hall_id, x, y FROM meeting_table WHERE id = any($1::text[])", ids
    )
    return [TableRow(**r) for r in rows]


async def save_plan(
    db: Executor,
    slot_minutes: int,
    requests_per_day: int,
    meeting_days: Sequence[DayRow],
    meeting_tables: Sequence[TableRow],
) -> None:
    """The whole plan, replaced (inside the caller's transaction, plan row locked)."""
    await db.execute(
        """INSERT INTO meeting_plan (id, slot_minutes, requests_per_day) VALUES (1, $1, $2)
           ON CONFLICT (id) DO UPDATE SET slot_minutes = EXCLUDED.slot_minutes,
               requests_per_day = EXCLUDED.requests_per_day""",
        slot_minutes,
        requests_per_day,
    )
    await db.execute(
        "DELETE FROM meeting_day WHERE day <> all($1::date[])", [d.day for d in meeting_days]
    )
    await db.execute(
        """INSERT INTO meeting_day (day, opens_at, closes_at)
           SELECT * FROM unnest($1::date[], $2::timestamptz[], $3::timestamptz[])
           ON CONFLICT (day) DO UPDATE SET opens_at = EXCLUDED.opens_at,
               closes_at = EXCLUDED.closes_at""",
        [d.day for d in meeting_days],
        [d.opens_at for d in meeting_days],
        [d.closes_at for d in meeting_days],
    )
    await db.execute(
        "DELETE FROM meeting_table WHERE id <> all($1::text[])", [t.id for t in meeting_tables]
    )
    await db.execute(
        """INSERT INTO meeting_table (id, number, hall_id, x, y)
           SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::float8[], $5::float8[])
           ON CONFLICT (id) DO UPDATE SET number = EXCLUDED.number, hall_id = EXCLUDED.hall_id,
               x = EXCLUDED.x, y = EXCLUDED.y""",
        [t.id for t in meeting_tables],
        [t.number for t in meeting_tables],
        [t.hall_id for t in meeting_tables],
        [t.x for t in meeting_tables],
        [t.y for t in meeting_tables],
    )


async def tables_in_use(db: Executor, table_ids: Sequence[str]) -> list[str]:
    """Of these tables, those a meeting has or had (a cancelled one keeps its table on
    record, past ones too)."""
    rows = await db.fetch(
        """SELECT DISTINCT table_id FROM meeting
            WHERE table_id = any($1::text[]) ORDER BY 1""",
        table_ids,
    )
    return [r[0] for r in rows]


async def live_meetings(db: Executor, now: datetime) -> list[MeetingRow]:
    """Every accepted meeting, and every request still waiting for its slot (one whose
    slot began unanswered can no longer happen)."""
    rows = await db.fetch(
        f"""SELECT {_MEETING} FROM meeting m
             WHERE m.status = 'ACCEPTED' OR (m.status = 'REQUESTED' AND lower(m.during) > $1)
             ORDER BY lower(m.during), m.id""",
        now,
    )
    return [MeetingRow(**r) for r in rows]


async def b2b_area(db: Executor) -> tuple[str, str | None, float, float] | None:
    """The B2B area on the map (id, hall, x, y): where the tables are, where walks start."""
    row = await db.fetchrow(
        "SELECT id, hall_id, x, y FROM poi WHERE kind = 'B2B_AREA' ORDER BY id LIMIT 1"
    )
    return (row["id"], row["hall_id"], row["x"], row["y"]) if row else None


# --- profiles -------------------------------------------------------------------------


async def sector_ids(db: Executor) -> set[str]:
    return {r[0] for r in await db.fetch("SELECT id FROM sector")}


async def have_met(db: Executor, profile_id: int, other_id: int) -> bool:
    """Whether the two profiles have any meeting, of any status."""
    return await _meeting_between(db, profile_id, other_id, ALL_STATUSES)


async def in_touch(db: Executor, profile_id: int, other_id: int) -> bool:
    """Whether the two profiles have a meeting asked for or agreed (a declined or
    cancelled request gives no lasting sight of a profile closed since)."""
    return await _meeting_between(db, profile_id, other_id, ("REQUESTED", "ACCEPTED"))


ALL_STATUSES = ("REQUESTED", "ACCEPTED", "DECLINED", "CANCELLED")


async def _meeting_between(
    db: Executor, profile_id: int, other_id: int, statuses: Sequence[str]
) -> bool:
    found: bool = await db.fetchval(
        """SELECT EXISTS (SELECT 1 FROM meeting
                           WHERE (requester_id, invitee_id) IN (($1, $2), ($2, $1))
                             AND status = any($3::text[]))""",
        profile_id,
        other_id,
        list(statuses),
    )
    return found


async def profile_of_person(db: Executor, person_id: int) -> ProfileRow | None:
    row = await db.fetchrow(
        f"SELECT {_PROFILE} FROM business_profile b WHERE b.person_id = $1", person_id
    )
    return ProfileRow(**row) if row else None


async def profiles_by_ids(db: Executor, ids: Sequence[int]) -> list[ProfileRow]:
    rows = await db.fetch(
        f"SELECT {_PROFILE} FROM business_profile b WHERE b.id = any($1::bigint[])", ids
    )
    return [ProfileRow(**r) for r in rows]


async def lock_profile(db: Executor, profile_id: int) -> ProfileRow | None:
    """The profile, locked until the transaction ends: one booking of theirs at a time.
    NO KEY: a meeting another person asks of this profile checks its key (KEY SHARE),
    and must not wait for this lock (two people asking each other would deadlock)."""
    row = await db.fetchrow(
        f"SELECT {_PROFILE} FROM business_profile b WHERE b.id = $1 FOR NO KEY UPDATE", profile_id
    )
    return ProfileRow(**row) if row else None


async def save_profile(db: Executor, profile: NewProfile, now: datetime) -> ProfileRow:
    row = await db.fetchrow(
        f"""INSERT INTO business_profile AS b (person_id, exhibitor_id, company, company_key,
                   country, sectors, offers, needs, offer_terms, need_terms, summary,
                   open_to_meetings, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (person_id) DO UPDATE SET exhibitor_id = EXCLUDED.exhibitor_id,
                company = EXCLUDED.company, company_key = EXCLUDED.company_key,
                country = EXCLUDED.country, sectors = EXCLUDED.sectors,
                offers = EXCLUDED.offers, needs = EXCLUDED.needs,
                offer_terms = EXCLUDED.offer_terms, need_terms = EXCLUDED.need_terms,
                summary = EXCLUDED.summary, open_to_meetings = EXCLUDED.open_to_meetings,
                updated_at = EXCLUDED.updated_at
            RETURNING {_PROFILE}""",
        profile.person_id,
        profile.exhibitor_id,
        profile.company,
        profile.company_key,
        profile.country,
        profile.sectors,
        profile.offers,
        profile.needs,
        profile.offer_terms,
        profile.need_terms,
        profile.summary,
        profile.open_to_meetings,
        now,
    )
    return ProfileRow(**_written(row))


@dataclass(frozen=True, slots=True)
class ProfileQuery:
    """The directory of profiles, already validated: each field narrows; None: any."""

    sectors: Sequence[str] | None = None
    countries: Sequence[str] | None = None
    offer_terms: Sequence[str] | None = None
    need_terms: Sequence[str] | None = None
    search: str | None = None
    #: The viewer's own profile is listed even when closed.
    viewer_profile_id: int | None = None


async def profile_page(
    db: Executor, query: ProfileQuery, after: tuple[str, int] | None, limit: int
) -> tuple[list[ProfileRow], int]:
    """One page ordered by company (folded), then id; and how many match in all."""
    conditions = ["(b.open_to_meetings OR b.id = $1)"]
    values: list[Any] = [query.viewer_profile_id]
    for column, operator, value in (
        ("b.sectors", "&&", query.sectors),
        ("b.offer_terms", "&&", query.offer_terms),
        ("b.need_terms", "&&", query.need_terms),
    ):
        if value is not None:
            values.append(list(value))
            conditions.append(f"{column} {operator} ${len(values)}::text[]")
    if query.countries is not None:
        values.append(list(query.countries))
        conditions.append(f"b.country = any(${len(values)}::text[])")
    if query.search:
        values.append(query.search)
        conditions.append(text_match("b", len(values)))
    where = " AND ".join(conditions)
    values += [after[0] if after else None, after[1] if after else None, limit]
    n = len(values)
    rows = await db.fetch(
        f"""WITH matching AS (SELECT {_PROFILE} FROM business_profile b WHERE {where})
            SELECT (SELECT count(*) FROM matching) AS total, page.*
              FROM (SELECT * FROM matching
                     WHERE ${n - 2}::text IS NULL
                        OR (company_key, id) > (${n - 2}::text, ${n - 1}::bigint)
                     ORDER BY company_key, id LIMIT ${n}) page""",
        *values,
    )
    total = (
        rows[0]["total"]
        if rows
        else await db.fetchval(
            f"SELECT count(*) FROM business_profile b WHERE {where}", *values[: n - 3]
        )
    )
    return [ProfileRow(**{k: v for k, v in r.items() if k != "total"}) for r in rows], total


# --- meetings -------------------------------------------------------------------------


async def insert_meeting(
    db: Executor,
    requester_id: int,
    invitee_id: int,
    starts_at: datetime,
    ends_at: datetime,
    message: str | None,
    now: datetime,
) -> MeetingRow:
    """REQUESTED; ExclusionViolationError when either side is taken then."""
    row = await db.fetchrow(
        f"""WITH m AS (
                INSERT INTO meeting (requester_id, invitee_id, during, message, created_at,
                                     updated_at)
                VALUES ($1, $2, tstzrange($3, $4), $5, $6, $6) RETURNING *)
            SELECT {_MEETING} FROM m""",
        requester_id,
        invitee_id,
        starts_at,
        ends_at,
        message,
        now,
    )
    return MeetingRow(**_written(row))


async def lock_meeting(db: Executor, meeting_id: int) -> MeetingRow | None:
    row = await db.fetchrow(
        f"SELECT {_MEETING} FROM meeting m WHERE m.id = $1 FOR UPDATE", meeting_id
    )
    return MeetingRow(**row) if row else None


async def meetings_by_ids(db: Executor, ids: Sequence[int]) -> list[MeetingRow]:
    rows = await db.fetch(f"SELECT {_MEETING} FROM meeting m WHERE m.id = any($1::bigint[])", ids)
    return [MeetingRow(**r) for r in rows]


async def set_status(
    db: Executor,
    meeting_id: int,
    status: str,
    now: datetime,
    *,
    table_id: str | None = None,
    reason: str | None = None,
) -> MeetingRow:
    """A new status (the table given when accepted, kept otherwise); the version grows.
    ExclusionViolationError when the table is taken then."""
    row = await db.fetchrow(
        f"""WITH m AS (
                UPDATE meeting SET status = $2, table_id = coalesce($3, table_id),
                       reason = coalesce($4, reason), version = version + 1, updated_at = $5
                 WHERE id = $1 RETURNING *)
            SELECT {_MEETING} FROM m""",
        meeting_id,
        status,
        table_id,
        reason,
        now,
    )
    return MeetingRow(**_written(row))


async def set_outcome(db: Executor, meeting_id: int, outcome: str, now: datetime) -> MeetingRow:
    row = await db.fetchrow(
        f"""WITH m AS (
                UPDATE meeting SET outcome = $2, updated_at = $3 WHERE id = $1 RETURNING *)
            SELECT {_MEETING} FROM m""",
        meeting_id,
        outcome,
        now,
    )
    return MeetingRow(**_written(row))


async def requests_sent(
    db: Executor, requester_id: int, starts_at: datetime, ends_at: datetime, now: datetime
) -> tuple[int, int]:
    """Requests this profile sent for that span: still waiting for an answer (their slot
    not begun), and in all (whatever became of them)."""
    row = await db.fetchrow(
        """SELECT count(*) FILTER (WHERE status = 'REQUESTED' AND lower(during) > $4)
                    AS waiting,
                  count(*) AS sent
             FROM meeting WHERE requester_id = $1 AND during && tstzrange($2, $3)""",
        requester_id,
        starts_at,
        ends_at,
        now,
    )
    return (row["waiting"], row["sent"]) if row else (0, 0)


#: Advisory lock space of the slots (with the slot's start in seconds as the key).
SLOT_LOCK = 0x5A10_0009


async def lock_slot(db: Executor, starts_at: datetime) -> None:
    """Wait for any other accept of this slot to end; kept until this transaction ends."""
    await db.execute(
        "SELECT pg_advisory_xact_lock($1, $2)", SLOT_LOCK, int(starts_at.timestamp()) % 2**31
    )


async def free_tables(db: Executor, starts_at: datetime, ends_at: datetime) -> list[str]:
    """Tables no accepted meeting has then, by number."""
    rows = await db.fetch(
        """SELECT t.id FROM meeting_table t
            WHERE NOT EXISTS (
                SELECT 1 FROM meeting m
                 WHERE m.table_id = t.id AND m.status = 'ACCEPTED'
                   AND m.during && tstzrange($1, $2))
            ORDER BY t.number""",
        starts_at,
        ends_at,
    )
    return [r[0] for r in rows]


@dataclass(frozen=True, slots=True)
class TableUse:
    table_id: str
    booked: int
    happened: int
    no_shows: int


async def table_uses(db: Executor, starts_at: datetime, ends_at: datetime) -> list[TableUse]:
    """Per table, its accepted meetings in that span and their outcomes so far."""
    rows = await db.fetch(
        """SELECT t.id AS table_id, count(m.id)::int AS booked,
                  count(m.id) FILTER (WHERE m.outcome = 'HAPPENED')::int AS happened,
                  count(m.id) FILTER (WHERE m.outcome = 'NO_SHOW')::int AS no_shows
             FROM meeting_table t
             LEFT JOIN meeting m ON m.table_id = t.id AND m.status = 'ACCEPTED'
                  AND m.during && tstzrange($1, $2)
            GROUP BY t.id, t.number ORDER BY t.number""",
        starts_at,
        ends_at,
    )
    return [TableUse(**r) for r in rows]


async def accepted_counts(
    db: Executor, starts_at: datetime, ends_at: datetime
) -> dict[datetime, int]:
    """Accepted meetings per start, in that span (tables taken, slot by slot)."""
    rows = await db.fetch(
        """SELECT lower(during) AS start, count(*)::int AS n FROM meeting
            WHERE status = 'ACCEPTED' AND during && tstzrange($1, $2) GROUP BY 1""",
        starts_at,
        ends_at,
    )
    return {r["start"]: r["n"] for r in rows}


async def busy(
    db: Executor, person_ids: Sequence[int], starts_at: datetime, ends_at: datetime
) -> list[Busy]:
    """When these people are taken in that span: their live meetings, and the sessions
    they hold a seat in (with the room, or the stand of a demo)."""
    rows = await db.fetch(
        """SELECT b.person_id, lower(s.during) AS starts_at, upper(s.during) AS ends_at,
                  NULL::text AS place_id
             FROM meeting_side s JOIN business_profile b ON b.id = s.profile_id
            WHERE b.person_id = any($1::bigint[]) AND s.during && tstzrange($2, $3)
           UNION ALL
           SELECT r.person_id, x.starts_at, x.ends_at, coalesce(x.room_id, x.booth_id)
             FROM registration r JOIN session x ON x.id = r.session_id
            WHERE r.person_id = any($1::bigint[]) AND r.status = 'REGISTERED'
              AND x.status <> 'CANCELLED' AND x.starts_at < $3 AND x.ends_at > $2""",
        person_ids,
        starts_at,
        ends_at,
    )
    return [Busy(**r) for r in rows]


async def meetings_of_profile(db: Executor, profile_id: int) -> list[MeetingRow]:
    rows = await db.fetch(
        f"""SELECT {_MEETING} FROM meeting m WHERE m.requester_id = $1 OR m.invitee_id = $1
             ORDER BY lower(m.during), m.id""",
        profile_id,
    )
    return [MeetingRow(**r) for r in rows]


async def meeting_page(
    db: Executor,
    starts_at: datetime | None,
    ends_at: datetime | None,
    after: tuple[datetime, int] | None,
    limit: int,
) -> tuple[list[MeetingRow], int]:
    """Every meeting in a span (None: all), by start then id; and how many in all."""
    span = "($1::timestamptz IS NULL OR m.during && tstzrange($1, $2))"
    rows = await db.fetch(
        f"""SELECT {_MEETING} FROM meeting m
             WHERE {span}
               AND ($3::timestamptz IS NULL OR (lower(m.during), m.id) > ($3, $4::bigint))
             ORDER BY lower(m.during), m.id LIMIT $5""",
        starts_at,
        ends_at,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )
    total: int = await db.fetchval(
        f"SELECT count(*) FROM meeting m WHERE {span}", starts_at, ends_at
    )
    return [MeetingRow(**r) for r in rows], total


async def people_of_profiles(db: Executor, profile_ids: Sequence[int]) -> dict[int, int]:
    """Profile id → its person."""
    rows = await db.fetch(
        "SELECT id, person_id FROM business_profile WHERE id = any($1::bigint[])", profile_ids
    )
    return {r["id"]: r["person_id"] for r in rows}
