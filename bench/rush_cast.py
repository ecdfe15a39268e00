"""Who takes part in `bench.rush`, made straight in the run's database.

- one organiser, who moves sessions (capacity changes, so nothing ever collides);
- one attendee per socket, each bookmarking one of the `CHANGED` sessions: a change of
  one of them reaches a known share of the sockets (a targeted notice, not everyone);
- readers with a schedule of ten bookmarks, for `me.schedule`;
- for every side of the run, its own writers, each with its own sessions to bookmark
  and register for, so each side's writes are real inserts, not repeats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from bench.harness import BenchError
from server.auth.signin import issue_token
from server.db.queries import plans as plans_sql
from server.domain.people import NewPerson, add_person

#: The fair's clock during the run: opening morning, before the first session, so every
#: session can still be booked and changed (and the run never depends on today's date).
RUSH_NOW = datetime.fromisoformat("2026-12-03T08:30:00+00:00")
TOKEN_LIFETIME = timedelta(days=1)
CHANGED = 8  # sessions the organiser changes, in turn
READERS = 40
READER_BOOKMARKS = 10
WRITERS_PER_SIDE = 20


@dataclass(frozen=True, slots=True)
class Changed:
    session: str
    capacity: int  # as loaded; changes go to capacity + 1 and back
    sockets: int  # how many sockets' people bookmarked it


@dataclass(frozen=True, slots=True)
class Cast:
    organiser: str
    socket_tokens: list[str]
    reader_tokens: list[str]
    #: Per side: [{"kind": "bookmark"|"register", "token": …, "session": …}, …]
    writes: list[list[dict[str, str]]]
    changed: list[Changed]


async def _person(conn: asyncpg.Connection[Any], email: str, roles: list[str]) -> tuple[int, str]:
    person = await add_person(conn, NewPerson(email=email, roles=roles))
    return person, await issue_token(conn, person, RUSH_NOW, TOKEN_LIFETIME)


async def make_cast(conn: asyncpg.Connection[Any], sockets: int, sides: int, writes: int) -> Cast:
    """Everyone the run needs; `writes` per side (bookmarks and registrations, half each)."""
    rows = await conn.fetch(
        "SELECT id, capacity FROM session WHERE capacity IS NOT NULL AND status <> 'CANCELLED' "
        "AND starts_at > $1 ORDER BY id LIMIT $2",
        RUSH_NOW,
        CHANGED,
    )
    others = [
        r["id"]
        for r in await conn.fetch(
            "SELECT id FROM session WHERE status <> 'CANCELLED' AND starts_at > $1 "
            "AND NOT (id = any($2::text[])) ORDER BY starts_at, id",
            RUSH_NOW,
            [r["id"] for r in rows],
        )
    ]
    if len(rows) < CHANGED or len(others) < READER_BOOKMARKS:
        raise BenchError("the demo fair has too few sessions with a capacity for the rush")
    per_writer = -(-writes // WRITERS_PER_SIDE)
    if per_writer > 2 * len(others):
        raise BenchError(f"{writes} writes per side need more sessions than the fair has")
    async with conn.transaction():
        _, organiser_token = await _person(conn, "organiser@rush.example", ["ORGANISER"])
        socket_tokens = []
        for index in range(sockets):
            person, token = await _person(conn, f"socket{index}@rush.example", ["ATTENDEE"])
            await plans_sql.add_bookmark(conn, person, rows[index % CHANGED]["id"])
            socket_tokens.append(token)
        reader_tokens = []
        for index in range(READERS):
            person, token = await _person(conn, f"reader{index}@rush.example", ["ATTENDEE"])
            for step in range(READER_BOOKMARKS):
                session = others[(index + step * len(others) // READER_BOOKMARKS) % len(others)]
                await plans_sql.add_bookmark(conn, person, session)
            reader_tokens.append(token)
        side_writes = []
        for side in range(sides):
            tokens = [
                (await _person(conn, f"writer{side}-{i}@rush.example", ["ATTENDEE"]))[1]
                for i in range(WRITERS_PER_SIDE)
            ]
            side_writes.append(_writes(tokens, others, writes))
    changed = [
        Changed(r["id"], r["capacity"], len(range(i, sockets, CHANGED))) for i, r in enumerate(rows)
    ]
    return Cast(organiser_token, socket_tokens, reader_tokens, side_writes, changed)


def _writes(tokens: list[str], sessions: list[str], count: int) -> list[dict[str, str]]:
    """`count` writes over the writers in turn, no (writer, kind, session) twice."""
    writes = []
    for index in range(count):
        writer, round_ = index % len(tokens), index // len(tokens)
        kind = "bookmark" if round_ % 2 == 0 else "register"
        session = sessions[(writer * 7 + round_ // 2) % len(sessions)]
        writes.append({"kind": kind, "token": tokens[writer], "session": session})
    return writes
