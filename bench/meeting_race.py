"""B2B meetings under a race: 200 people ask one exhibitor for 100 slots at once (two
askers per slot), then the exhibitor accepts the 100 requests at once.

    make bench-meetings                      # = .venv/bin/python -m bench.meeting_race
    .venv/bin/python -m bench.meeting_race --rounds 5

One uvicorn process (the real app) on core 0; this process, on core 1, fires every
request of a burst at once over HTTP (one connection each) and waits for all answers.
The verdict is about correctness first: exactly one REQUESTED meeting per slot, the
99 other requests of a burst CONFLICT, every accept ACCEPTED with no table used twice
in a slot. Speed: the time until the last answer of each burst, against a bare
baseline in the same run that writes the same rows with plain asyncpg INSERTs (the
same exclusion constraints, no checks, no notices, no HTTP), fired at once through a
pool as large as the app's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from asyncpg.exceptions import ExclusionViolationError
from starlette.applications import Starlette

from bench import harness
from bench.harness import CLIENT_CORE, BenchError, Server, Workspace
from server.auth.signin import issue_token
from server.db.pool import create_pool
from server.db.queries import meetings as meetings_sql
from server.db.queries.meetings import DayRow, NewProfile, TableRow
from server.domain.meetings.capabilities import terms_of
from server.settings import Settings

PROG = "bench.meeting_race"
APP_FACTORY = "bench.meeting_race:create_bench_app"
ASKERS = 200
SLOTS = 100
SLOT_MINUTES = 10
TABLES = 4
#: The server's clock: the day before the fair, so that every slot is ahead.
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
DAYS = [datetime(2026, 12, d, 10, 0, tzinfo=UTC) for d in (3, 4, 5)]
REQUEST = """mutation($input: MeetingRequestInput!) { requestMeeting(input: $input) { id } }"""
ACCEPT = "mutation($id: ID!) { acceptMeeting(id: $id) { id table { id } } }"


def create_bench_app() -> Starlette:
    return harness.create_app_with([])


@dataclass(frozen=True, slots=True)
class Fair:
    invitee_token: str
    invitee_profile: int
    asker_tokens: list[str]
    asker_profiles: list[int]
    slots: list[datetime]


@dataclass(frozen=True, slots=True)
class Round:
    request_s: float
    accept_s: float
    raw_s: float


async def setup(conn: asyncpg.Connection[Any]) -> Fair:
    """The plan (three days of 10-minute slots, four tables) and 201 people with
    profiles and tokens."""
    days = [DayRow(d.date(), d, d.replace(hour=17, minute=30)) for d in DAYS]
    tables = [TableRow(f"table-{n:02d}", n, None, float(n), 0.0) for n in range(1, TABLES + 1)]
    await meetings_sql.save_plan(conn, SLOT_MINUTES, ASKERS, days, tables)
    step = timedelta(minutes=SLOT_MINUTES)
    slots = [d.opens_at + i * step for d in days for i in range(45)][:SLOTS]
    tokens, profiles = [], []
    for n in range(ASKERS + 1):
        person_id = await conn.fetchval(
            "INSERT INTO person (email, name, calendar_token) VALUES ($1, $2, $3) RETURNING id",
            f"race-{n}@bench.example",
            f"Race {n}",
            f"race-calendar-{n}",
        )
        tokens.append(await issue_token(conn, person_id, NOW, timedelta(days=30)))
        offers = ["usinage CNC"] if n == 0 else ["achat"]
        profile = await meetings_sql.save_profile(
            conn,
            NewProfile(
                person_id=person_id,
                exhibitor_id=None,
                company=f"Entreprise {n}",
                company_key=f"entreprise {n}",
                country="MA",
                sectors=[],
                offers=offers,
                needs=[],
                offer_terms=terms_of(offers),
                need_terms=[],
                summary=None,
                open_to_meetings=True,
            ),
            NOW,
        )
        profiles.append(profile.id)
    return Fair(tokens[0], profiles[0], tokens[1:], profiles[1:], slots)


async def burst(
    client: httpx.AsyncClient, calls: list[tuple[str, dict[str, Any], str]]
) -> tuple[float, list[dict[str, Any]]]:
    """Every call at once; the time until the last answer."""
    gate = asyncio.Event()

    async def one(query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        await gate.wait()
        response = await client.post(
            harness.GRAPHQL_PATH,
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        body: dict[str, Any] = response.json()
        return body

    tasks = [asyncio.create_task(one(*call)) for call in calls]
    await asyncio.sleep(0)  # every task waits at the gate
    started = time.perf_counter()
    gate.set()
    answers = await asyncio.gather(*tasks)
    return time.perf_counter() - started, answers


def outcome(body: dict[str, Any]) -> str:
    errors = body.get("errors")
    return errors[0]["extensions"]["code"] if errors else "OK"


async def raw_side(dsn: str, fair: Fair) -> float:
    """The same rows by bare INSERTs, all at once through a pool like the app's."""
    pool = await create_pool(dsn, min_size=Settings().db_pool_max, max_size=Settings().db_pool_max)
    step = timedelta(minutes=SLOT_MINUTES)
    gate = asyncio.Event()

    async def insert(asker: int, start: datetime) -> bool:
        await gate.wait()
        try:
            await meetings_sql.insert_meeting(
                pool, asker, fair.invitee_profile, start, start + step, None, NOW
            )
        except ExclusionViolationError:
            return False
        return True

    try:
        await pool.execute("DELETE FROM meeting")
        tasks = [
            asyncio.create_task(insert(a, fair.slots[i % SLOTS]))
            for i, a in enumerate(fair.asker_profiles)
        ]
        await asyncio.sleep(0)
        started = time.perf_counter()
        gate.set()
        made = await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
        if sum(made) != SLOTS:
            raise BenchError(f"the bare inserts made {sum(made)} meetings, not {SLOTS}")
        await pool.execute("DELETE FROM meeting")
        return elapsed
    finally:
        await pool.close()


async def one_round(server: Server, dsn: str, fair: Fair) -> Round:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("DELETE FROM meeting")
    finally:
        await conn.close()
    limits = httpx.Limits(max_connections=ASKERS, max_keepalive_connections=ASKERS)
    async with httpx.AsyncClient(base_url=server.base_url, limits=limits, timeout=60) as client:
        asked = [
            (
                REQUEST,
                {"input": {"profileId": str(fair.invitee_profile), "startsAt": start.isoformat()}},
                token,
            )
            for token, start in zip(
                fair.asker_tokens, [fair.slots[i % SLOTS] for i in range(ASKERS)], strict=True
            )
        ]
        request_s, answers = await burst(client, asked)
        counted = Counter(outcome(a) for a in answers)
        if counted != {"OK": SLOTS, "CONFLICT": ASKERS - SLOTS}:
            raise BenchError(f"requests answered {dict(counted)}")
        ids = [a["data"]["requestMeeting"]["id"] for a in answers if outcome(a) == "OK"]
        accept_s, accepted = await burst(
            client, [(ACCEPT, {"id": i}, fair.invitee_token) for i in ids]
        )
        counted = Counter(outcome(a) for a in accepted)
        if counted != {"OK": SLOTS}:
            raise BenchError(f"accepts answered {dict(counted)}")
    await check_plan(dsn)
    return Round(request_s, accept_s, await raw_side(dsn, fair))


async def check_plan(dsn: str) -> None:
    """Zero double bookings, as the rows say."""
    conn = await asyncpg.connect(dsn)
    try:
        doubled = await conn.fetchval(
            """SELECT count(*) FROM (
                   SELECT lower(during), invitee_id::text FROM meeting
                    WHERE status IN ('REQUESTED', 'ACCEPTED') GROUP BY 1, 2 HAVING count(*) > 1
                   UNION ALL
                   SELECT lower(during), table_id FROM meeting
                    WHERE status = 'ACCEPTED' GROUP BY 1, 2 HAVING count(*) > 1) d"""
        )
    finally:
        await conn.close()
    if doubled:
        raise BenchError(f"{doubled} double bookings")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=harness.bounded(1, 15), default=3)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def body(space: Workspace) -> int:
        os.sched_setaffinity(0, {int(CLIENT_CORE)})
        dsn, fair = asyncio.run(harness.prepare_database(space, setup))
        env = {"SALON_NOW": NOW.isoformat()}
        with harness.running_server(space, dsn, APP_FACTORY, extra_env=env) as server:
            print(f"{ASKERS} people asking for {SLOTS} slots of one exhibitor, at once:")
            print("  round   requests   accepts   bare inserts   requests/bare")
            rounds = []
            for number in range(args.rounds + 1):  # the first is a warm-up
                result = asyncio.run(one_round(server, dsn, fair))
                label = "warm-up" if number == 0 else str(number)
                print(
                    f"{label:>7} {result.request_s:>9.3f}s {result.accept_s:>8.3f}s "
                    f"{result.raw_s:>12.3f}s {result.request_s / result.raw_s:>12.1f}x",
                    flush=True,
                )
                if number:
                    rounds.append(result)
        requests = statistics.median(r.request_s for r in rounds)
        accepts = statistics.median(r.accept_s for r in rounds)
        ratio = statistics.median(r.request_s / r.raw_s for r in rounds)
        print(
            f"\nmedian over {len(rounds)} rounds: every request answered in {requests:.3f} s "
            f"({ratio:.1f}x the bare inserts), every accept in {accepts:.3f} s; "
            "zero double bookings"
        )
        harness.save_results(
            "meeting_race",
            {
                "askers": ASKERS,
                "slots": SLOTS,
                "rounds": [vars_of(r) for r in rounds],
                "request_s_median": requests,
                "accept_s_median": accepts,
                "request_over_bare_median": ratio,
            },
        )
        return 0

    return harness.run(PROG, body)


def vars_of(result: Round) -> dict[str, float]:
    return {"request_s": result.request_s, "accept_s": result.accept_s, "raw_s": result.raw_s}


if __name__ == "__main__":
    sys.exit(main())
