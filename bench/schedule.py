"""A person's schedule and bookmarkSession over GraphQL against plain Starlette endpoints.

Run from the repository root: `python -m bench.schedule --help` (see bench/README.md).

One uvicorn process, pinned to core 0, serves the real app plus two plain endpoints that
authenticate the same bearer token and run the same SQL on the same pool:

- `/plain/schedule` against `me { schedule { sessions { title room { name } }
  conflicts { first { id } second { id } } } }` for a person with 30 bookmarks spread
  over the fair, some of which conflict. GraphQL answers it from its per-viewer response
  cache (the schedule does not change during the run); one more pair with the cache off
  shows what execution alone costs (for information).
  reads `me`), so GraphQL executes it on every request.
- `/plain/bookmark` against `bookmarkSession(sessionId: $id) { id viewerHasBookmarked }`
  for another person (so the schedule above never changes), the wrk script taking the
  next of several session ids at every request.

wrk, pinned to core 1, loads each pair in turn (plain, GraphQL, plain, GraphQL …); the
figure of merit of each comparison is the median of the per-pair ratios GraphQL rps ÷
plain rps. The machinery is in bench/harness/; this module is the schedule's part.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import harness
from bench.harness import BenchError, Endpoints, Load, Server, Workspace, by_ids
from bench.harness.cpu import CPU_TABLE_HEADER, CpuPair, interleave_cpu, print_cpu_verdict
from schema.context import lang_from_header
from schema.types.enums import Lang, pick
from server.auth.signin import issue_token
from server.db.queries import agenda as agenda_sql
from server.db.queries import plans as plans_sql
from server.db.queries import venue as venue_sql
from server.db.queries.agenda import SessionRow
from server.db.queries.venue import RoomRow
from server.domain import plans
from server.domain import schedule as schedule_domain
from server.domain.errors import DomainError
from server.domain.people import NewPerson, add_person
from server.domain.routing import WalkwayCache
from server.runtime import runtime_of

PROG = "bench.schedule"
APP_FACTORY = "bench.schedule:create_bench_app"
SCHEDULE_QUERY = (
    "{ me { schedule { sessions { title room { name } } "
    "conflicts { first { id } second { id } } } } }"
)
BOOKMARK_MUTATION = (
    "mutation Bookmark($id: ID!) { bookmarkSession(sessionId: $id) { id viewerHasBookmarked } }"
)
PLAIN_SCHEDULE = "/plain/schedule"
PLAIN_BOOKMARK = "/plain/bookmark"
PLAIN_BOOKMARK_WRITE = "/plain/bookmark-write"
SCHEDULE_BOOKMARKS = 30  # the issue's figure
BOOKMARK_CYCLE = 16  # session ids the mutation goes round
TOKEN_LIFETIME = timedelta(days=1)  # longer than any bounded run
GOAL = 0.7
#: Against the handler doing only the work the mutation must do (token, one write).
WRITE_GOAL = 1.0
COMPARISONS = ("schedule", "bookmark", "bookmark-write")


# --------------------------------------------------------------------------------------
# The plain endpoints and the app factory (this half runs inside the uvicorn process)
# --------------------------------------------------------------------------------------


def _json(document: object) -> Response:
    return Response(orjson.dumps(document), media_type="application/json")


def _schedule_session(session: SessionRow, rooms: dict[str, RoomRow], lang: Lang) -> object:
    room = rooms.get(session.room_id) if session.room_id else None
    return {
        "title": pick(lang, session.title_fr, session.title_en),
        "room": room and {"name": room.name},
    }


async def plain_schedule(request: Request) -> Response:
    """The baseline of `me { schedule … }`: the statements the resolvers run, in order."""
    viewer = await harness.bearer_viewer(request)
    runtime = runtime_of(request)
    db = runtime.pool
    sessions = await plans_sql.schedule_sessions(db, viewer.id)
    conflicts = await schedule_domain.conflicts(db, runtime.walkways, sessions)
    # Session.room's DataLoader: one batch for every room of the list.
    rooms = await by_ids(venue_sql.rooms_by_ids, db, (s.room_id for s in sessions))
    by_id = {r.id: r for r in rooms}
    lang = lang_from_header(request.headers.get("accept-language"))
    schedule = {
        "sessions": [_schedule_session(s, by_id, lang) for s in sessions],
        "conflicts": [
            {"first": {"id": c.first.id}, "second": {"id": c.second.id}} for c in conflicts
        ],
    }
    return _json({"data": {"me": {"schedule": schedule}}})


def _session_id_of(body: bytes) -> str:
    """`variables.id` of the same JSON body wrk sends to GraphQL."""
    try:
        session_id = orjson.loads(body)["variables"]["id"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise HTTPException(400, "expected {'variables': {'id': ...}}") from None
    if not isinstance(session_id, str):
        raise HTTPException(400, "variables.id must be a string")
    return session_id


async def plain_bookmark(request: Request) -> Response:
    """The baseline of `bookmarkSession { id viewerHasBookmarked }`: the domain call, then
    the statement of the viewerHasBookmarked DataLoader."""
    viewer = await harness.bearer_viewer(request)
    db = runtime_of(request).pool
    session_id = _session_id_of(await request.body())
    try:
        session = await plans.bookmark(db, viewer.id, session_id)
    except DomainError as refused:
        raise HTTPException(404, refused.message) from None
    marked = await plans_sql.bookmarked_among(db, viewer.id, [session.id])
    node = {"id": session.id, "viewerHasBookmarked": session.id in marked}
    return _json({"data": {"bookmarkSession": node}})


async def plain_bookmark_write(request: Request) -> Response:
    """The least a bookmark can cost: the token checked with one lookup, one
    `INSERT … ON CONFLICT DO NOTHING`, the same JSON (a session that does not exist
    fails the foreign key: a 500, which wrk counts as a failure)."""
    viewer = await harness.bearer_viewer(request)
    session_id = _session_id_of(await request.body())
    await plans_sql.add_bookmark(runtime_of(request).pool, viewer.id, session_id)
    node = {"id": session_id, "viewerHasBookmarked": True}
    return _json({"data": {"bookmarkSession": node}})


def create_bench_app() -> Starlette:
    """uvicorn factory: the real app plus both plain endpoints, inside the same middleware."""
    return harness.create_app_with(
        [
            Route(PLAIN_SCHEDULE, plain_schedule, methods=["POST"]),
            Route(PLAIN_BOOKMARK, plain_bookmark, methods=["POST"]),
            Route(PLAIN_BOOKMARK_WRITE, plain_bookmark_write, methods=["POST"]),
        ]
    )


# --------------------------------------------------------------------------------------
# The two people, made straight in the database (as tests/conftest.py People.make does)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cast:
    fair_sessions: int
    scheduled: list[str]  # what the schedule person bookmarked
    overlaps: int  # conflicts of that schedule, as the domain computes them
    too_far: int
    cycle: list[str]  # the session ids bookmarkSession goes round
    schedule_token: str
    bookmark_token: str

    def document(self) -> dict[str, Any]:
        """For the results file: no tokens (the database is dropped anyway)."""
        return {k: v for k, v in asdict(self).items() if not k.endswith("_token")}


def spread(items: Sequence[str], count: int) -> list[str]:
    """`count` items evenly spaced over `items` (in its order)."""
    if len(items) < count:
        raise BenchError(f"the fair has {len(items)} sessions, {count} are needed")
    return [items[round(i * len(items) / count)] for i in range(count)]


async def _person_with_token(conn: asyncpg.Connection[Any], email: str) -> tuple[int, str]:
    person_id = await add_person(conn, NewPerson(email=email, roles=["ATTENDEE"]))
    token = await issue_token(conn, person_id, datetime.now(UTC), TOKEN_LIFETIME)
    return person_id, token


async def _session_ids_by_start(conn: asyncpg.Connection[Any]) -> list[str]:
    rows = await conn.fetch("SELECT id FROM session ORDER BY starts_at, id")
    return [r["id"] for r in rows]


async def cast_people(conn: asyncpg.Connection[Any]) -> Cast:
    """One person with 30 bookmarks spread evenly over the fair by start time — parallel
    tracks make some overlap and some too far apart to walk between — and another
    person for bookmarkSession. Aborts if the schedule has no conflict of either kind."""
    ids = await _session_ids_by_start(conn)
    scheduled = spread(ids, SCHEDULE_BOOKMARKS)
    async with conn.transaction():
        schedule_person, schedule_token = await _person_with_token(conn, "schedule@bench.example")
        for session_id in scheduled:
            await plans_sql.add_bookmark(conn, schedule_person, session_id)
        _, bookmark_token = await _person_with_token(conn, "bookmark@bench.example")
    # In the order schedule_sessions returns them, as `conflicts` expects.
    chosen = sorted(
        await agenda_sql.sessions_by_ids(conn, scheduled), key=lambda s: (s.starts_at, s.id)
    )
    kinds = Counter(c.kind for c in await schedule_domain.conflicts(conn, WalkwayCache(), chosen))
    overlaps = kinds[schedule_domain.ConflictKind.OVERLAP]
    too_far = kinds[schedule_domain.ConflictKind.TOO_FAR_TO_WALK]
    if not overlaps or not too_far:
        raise BenchError(f"the chosen schedule has {dict(kinds)} conflicts; both kinds wanted")
    return Cast(
        fair_sessions=len(ids),
        scheduled=scheduled,
        overlaps=overlaps,
        too_far=too_far,
        cycle=spread(ids, BOOKMARK_CYCLE),
        schedule_token=schedule_token,
        bookmark_token=bookmark_token,
    )


# --------------------------------------------------------------------------------------
# The two comparisons and their start-up checks
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comparison:
    name: str
    title: str
    endpoints: Endpoints
    token: str
    bodies: list[bytes]  # wrk sends them in turn; the check uses the first
    goal: float = GOAL


def comparisons(cast: Cast) -> list[Comparison]:
    bookmark_bodies = [
        orjson.dumps({"query": BOOKMARK_MUTATION, "variables": {"id": session_id}})
        for session_id in cast.cycle
    ]
    return [
        Comparison(
            name="schedule",
            title=(
                f"(a) me {{ schedule }}   A = {PLAIN_SCHEDULE} (same token check, same SQL, "
                f"same walkway cache, orjson)   B = {harness.GRAPHQL_PATH} "
                "(per-viewer response cache)"
            ),
            endpoints=Endpoints(plain=PLAIN_SCHEDULE),
            token=cast.schedule_token,
            bodies=[orjson.dumps({"query": SCHEDULE_QUERY})],
        ),
        Comparison(
            name="bookmark",
            title=(
                f"(b) bookmarkSession   A = {PLAIN_BOOKMARK} (same token check, plans.bookmark, "
                f"same bookmarked_among, orjson)   B = {harness.GRAPHQL_PATH}"
            ),
            endpoints=Endpoints(plain=PLAIN_BOOKMARK),
            token=cast.bookmark_token,
            bodies=bookmark_bodies,
        ),
        Comparison(
            name="bookmark-write",
            title=(
                f"(c) bookmarkSession   A = {PLAIN_BOOKMARK_WRITE} (one token lookup, one "
                f"INSERT … ON CONFLICT DO NOTHING, orjson)   B = {harness.GRAPHQL_PATH}"
            ),
            endpoints=Endpoints(plain=PLAIN_BOOKMARK_WRITE),
            token=cast.bookmark_token,
            bodies=bookmark_bodies,
            goal=WRITE_GOAL,
        ),
    ]


def _headers(comparison: Comparison) -> dict[str, str]:
    return {"Authorization": f"Bearer {comparison.token}"}


@dataclass(frozen=True, slots=True)
class Check:
    plain_bytes: int
    graphql_bytes: int
    byte_identical: bool
    graphql_cached: bool  # answered from the response cache (it carries an ETag)
    document: Any  # the GraphQL response, parsed


def check_same_document(server: Server, comparison: Comparison) -> Check:
    """Both endpoints must return equal JSON, or the comparison is meaningless."""
    headers = {"content-type": "application/json", **_headers(comparison)}
    body = comparison.bodies[0]
    with server.client() as client:
        plain = client.post(comparison.endpoints.plain, content=body, headers=headers)
        graphql = client.post(comparison.endpoints.graphql, content=body, headers=headers)
    plain_doc, graphql_doc = harness.ok_json(plain), harness.ok_json(graphql)
    if "errors" in graphql_doc:
        raise BenchError(f"GraphQL {comparison.name} failed: {graphql_doc['errors']}")
    difference = harness.first_difference(plain_doc, graphql_doc)
    if difference is not None:
        raise BenchError(
            f"the plain endpoint and GraphQL return different JSON for {comparison.name}; "
            f"first difference at {difference}"
        )
    return Check(
        plain_bytes=len(plain.content),
        graphql_bytes=len(graphql.content),
        byte_identical=plain.content == graphql.content,
        graphql_cached="etag" in graphql.headers,
        document=graphql_doc,
    )


def confirm_schedule(check: Check, cast: Cast) -> None:
    """The served schedule is the one the database was given, conflicts included."""
    schedule = check.document["data"]["me"]["schedule"]
    sessions, conflicts = len(schedule["sessions"]), len(schedule["conflicts"])
    if sessions != len(cast.scheduled) or conflicts != cast.overlaps + cast.too_far:
        raise BenchError(
            f"the schedule served has {sessions} sessions and {conflicts} conflicts; "
            f"expected {len(cast.scheduled)} and {cast.overlaps + cast.too_far}"
        )


# --------------------------------------------------------------------------------------
# The run and the report
# --------------------------------------------------------------------------------------


def print_header(args: argparse.Namespace, cast: Cast, checks: dict[str, Check]) -> None:
    print(
        f"Schedule: 1 person, {len(cast.scheduled)} bookmarks spread over the fair's "
        f"{cast.fair_sessions} sessions; {cast.overlaps + cast.too_far} conflicts "
        f"({cast.overlaps} OVERLAP, {cast.too_far} TOO_FAR_TO_WALK)"
    )
    print(
        f"bookmarkSession: another person, each request the next of {len(cast.cycle)} session "
        "ids in turn (bookmarked from the first turn on: the INSERT … ON CONFLICT DO NOTHING "
        "then writes nothing)"
    )
    print(harness.describe_server())
    print(
        harness.describe_load(
            args.connections, args.seconds, "same POST bodies and bearer token to both"
        )
    )
    for name, check in checks.items():
        identical = "byte-identical" if check.byte_identical else "equal once parsed"
        print(
            f"Responses checked equal, {name}: {check.plain_bytes} vs {check.graphql_bytes} "
            f"bytes, {identical}; GraphQL served from cache: {check.graphql_cached}"
        )
    print(
        f"{args.pairs} interleaved pairs A, B per comparison after {args.warmup} s warm-up "
        "of each endpoint"
    )


def run_comparison(
    server: Server, comparison: Comparison, args: argparse.Namespace, workdir: Path
) -> list[CpuPair]:
    script = harness.write_wrk_script(
        workdir, comparison.name, comparison.bodies, _headers(comparison)
    )
    load = Load(script=script, seconds=args.seconds, connections=args.connections)
    print(f"\n{comparison.title}\n{CPU_TABLE_HEADER}")
    harness.warm_up(server, comparison.endpoints, load, args.warmup)
    return interleave_cpu(server, comparison.endpoints, load, args.pairs)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.schedule",
        description="me { schedule } and bookmarkSession: GraphQL vs plain Starlette "
        "endpoints doing the same SQL, interleaved.",
    )
    harness.add_load_arguments(parser)
    parser.add_argument(
        "--only",
        nargs="+",
        choices=COMPARISONS,
        default=list(COMPARISONS),
        help="run only these comparisons (default: all)",
    )
    return parser.parse_args(argv)


def benchmark(args: argparse.Namespace, space: Workspace) -> int:
    dsn, cast = asyncio.run(harness.prepare_database(space, cast_people))
    results: dict[str, Any] = {}
    with harness.running_server(space, dsn, APP_FACTORY) as server:
        checks = {c.name: check_same_document(server, c) for c in comparisons(cast)}
        confirm_schedule(checks["schedule"], cast)
        print_header(args, cast, checks)
        for comparison in comparisons(cast):
            if comparison.name not in args.only:
                continue
            pairs = run_comparison(server, comparison, args, space.workdir)
            ratio, cpu_ratio = print_cpu_verdict(pairs, comparison.goal)
            check = {k: v for k, v in asdict(checks[comparison.name]).items() if k != "document"}
            results[comparison.name] = {
                "check": check,
                "pairs": [p.document() for p in pairs],
                "median_ratio": ratio,
                "median_cpu_ratio": cpu_ratio,
            }
    medians = ", ".join(
        f"{name} {r['median_ratio']:.2f}x (CPU {r['median_cpu_ratio']:.2f}x)"
        for name, r in results.items()
    )
    print(f"\nmedian ratios graphql/plain: {medians}")
    if "schedule" in args.only:
        results["schedule"]["uncached"] = schedule_uncached(args, space, dsn, cast)
    harness.save_results(
        "schedule",
        {
            "benchmark": "schedule",
            "finished_at": datetime.now(UTC).isoformat(),
            "args": vars(args),
            "pinning": harness.pinning(),
            "cast": cast.document(),
            "queries": {"schedule": SCHEDULE_QUERY, "bookmark": BOOKMARK_MUTATION},
            "goals": {c.name: c.goal for c in comparisons(cast)},
            "comparisons": results,
        },
    )
    return 0


def schedule_uncached(
    args: argparse.Namespace, space: Workspace, dsn: str, cast: Cast
) -> dict[str, Any]:
    """For information only: the schedule with the response cache turned off."""
    schedule = comparisons(cast)[0]
    script = harness.write_wrk_script(
        space.workdir, "schedule-uncached", schedule.bodies, _headers(schedule)
    )
    load = Load(script=script, seconds=args.seconds, connections=args.connections)
    no_cache = {"SALON_RESPONSE_CACHE_SIZE": "0"}
    with harness.running_server(space, dsn, APP_FACTORY, extra_env=no_cache) as server:
        check_same_document(server, schedule)
        harness.warm_up(server, schedule.endpoints, load, args.warmup)
        uncached = harness.measure_pair(server, schedule.endpoints, load)
    print(
        "\nschedule without response cache (separate server, response_cache_size=0, "
        f"one pair):\n{harness.TABLE_HEADER}\n{harness.format_pair('B′', uncached)}"
    )
    return uncached.document()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return harness.run(PROG, partial(benchmark, args))


if __name__ == "__main__":
    sys.exit(main())
