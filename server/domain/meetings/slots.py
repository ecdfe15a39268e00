"""When two people are both free for a meeting: no live meeting of either, no session
either holds a seat in, and time to walk between the B2B area and that session's room
before and after it (the venue's walkway graph knows the minutes)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from server.db.queries import meetings as sql
from server.db.queries.common import Executor
from server.domain.errors import bad_input, not_found
from server.domain.ids import parse_bigint_id
from server.domain.meetings.plan import MeetingPlan, meeting_plan
from server.domain.routing import WalkwayCache

Span = tuple[datetime, datetime]


async def taken_spans(
    db: Executor, walkways: WalkwayCache, person_ids: Sequence[int], start: datetime, end: datetime
) -> list[Span]:
    """When these people cannot be at a table, in [start, end): their live meetings,
    and their sessions widened by the walk to the B2B area and back."""
    area = await sql.b2b_area(db)
    graph = await walkways.graph(db)
    spans = []
    # A session that ends (or starts) within a walk of the span still counts.
    reach = timedelta(hours=2)
    for busy in await sql.busy(db, person_ids, start - reach, end + reach):
        walk = timedelta(0)
        if busy.place_id is not None and area is not None:
            route = graph.shortest(area[0], busy.place_id)
            if route is not None:
                walk = timedelta(minutes=math.ceil(route.walking_minutes))
        spans.append((busy.starts_at - walk, busy.ends_at + walk))
    return spans


def overlaps(slot: Span, spans: Sequence[Span]) -> bool:
    return any(s < slot[1] and slot[0] < e for s, e in spans)


async def common_free_slots(
    db: Executor,
    walkways: WalkwayCache,
    plan: MeetingPlan,
    person_ids: Sequence[int],
    day: date | None,
    now: datetime,
) -> list[Span]:
    """Slots still ahead in which all these people are free and a table is."""
    found: list[Span] = []
    for meeting_day in plan.days_on(day):
        slots = [s for s in plan.slots(meeting_day) if s[0] > now]
        if not slots:
            continue
        spans = await taken_spans(db, walkways, person_ids, slots[0][0], slots[-1][1])
        taken = await sql.accepted_counts(db, slots[0][0], slots[-1][1])
        found += [
            s for s in slots if not overlaps(s, spans) and taken.get(s[0], 0) < len(plan.tables)
        ]
    return found


async def free_slots_with(
    db: Executor,
    walkways: WalkwayCache,
    person_id: int,
    profile_id: str,
    day: date | None,
    now: datetime,
) -> list[Span]:
    """`me.commonFreeSlots`: the viewer's own open profile and another open one
    (NOT_FOUND otherwise). Someone with no open profile of their own would learn, from
    their empty calendar, exactly when anyone is busy: only those who can be met may
    look for a slot."""
    own = await sql.profile_of_person(db, person_id)
    if own is None or not own.open_to_meetings:
        raise bad_input("Open your business profile to meetings before looking for a slot.")
    number = parse_bigint_id(profile_id)
    found = await sql.profiles_by_ids(db, [number]) if number is not None else []
    if not found or not found[0].open_to_meetings:
        raise not_found(f"There is no open business profile {profile_id[:40]!r}.")
    if found[0].person_id == person_id:
        raise bad_input("Pick someone else's profile to meet.")
    plan = await meeting_plan(db)
    return await common_free_slots(db, walkways, plan, [person_id, found[0].person_id], day, now)
