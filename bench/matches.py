"""`me.meetingMatches` over GraphQL against a plain Starlette endpoint, 2,000 profiles.

Run from the repository root: `python -m bench.matches --help` (see bench/README.md).

One uvicorn process, pinned to core 0, serves the real app plus `/plain/matches`, which
checks the same bearer token, runs the same statement of server/db/queries/matches.py
on the same pool, words the reasons with the same function and returns the same JSON
document with orjson. The database holds 2,000 generated business profiles
(bench/matches_fair.py) and the viewer's. Matches are never cached (VOLATILE), so
GraphQL executes the query every time, as the plain endpoint does. wrk, pinned to core
1, loads the two in turn; the figure of merit is the median of the per-pair ratios
GraphQL rps ÷ plain rps (goal ≥ 0.7x). The machinery is in bench/harness/.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import harness
from bench.harness import BenchError, Endpoints, Load, Server, Workspace
from bench.matches_fair import PROFILES, Fair, make_fair
from schema.context import lang_from_header
from schema.types.enums import Lang
from server.db.pool import connect
from server.db.queries import matches as matches_sql
from server.domain.meetings import matching
from server.runtime import runtime_of

PROG = "bench.matches"
APP_FACTORY = "bench.matches:create_bench_app"
FIRST = 20
MATCHES_QUERY = (
    f"{{ me {{ meetingMatches(first: {FIRST}) {{ score reasons profile {{ id company }} }} }} }}"
)
REQUEST_BODY = orjson.dumps({"query": MATCHES_QUERY})
PLAIN_PATH = "/plain/matches"
ENDPOINTS = Endpoints(plain=PLAIN_PATH)
GOAL = 0.7
#: Times the statement alone is run (for the header's PostgreSQL figure).
SQL_RUNS = 50


# --------------------------------------------------------------------------------------
# The plain endpoint and the app factory (this half runs inside the uvicorn process)
# --------------------------------------------------------------------------------------


async def plain_matches(request: Request) -> Response:
    """The baseline of `me { meetingMatches(first: 20) { score reasons profile { id
    company } } }`: the same statement and the same reasons, by hand, never cached."""
    viewer = await harness.bearer_viewer(request)
    lang: matching.Lang = (
        "en" if lang_from_header(request.headers.get("accept-language")) is Lang.EN else "fr"
    )
    rows = await matches_sql.candidates(runtime_of(request).pool, viewer.id, FIRST, lang)
    nodes = [
        {
            "score": r.score,
            "reasons": matching.reasons(r, lang),
            "profile": {"id": str(r.profile.id), "company": r.profile.company},
        }
        for r in rows
    ]
    body = orjson.dumps({"data": {"me": {"meetingMatches": nodes}}})
    return Response(body, media_type="application/json")


def create_bench_app() -> Starlette:
    """uvicorn factory: the real app plus the plain endpoint, inside the same middleware."""
    return harness.create_app_with([Route(PLAIN_PATH, plain_matches, methods=["POST"])])


# --------------------------------------------------------------------------------------
# The statement alone, and checking that both endpoints say the same thing
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statement:
    """The candidates statement timed from one connection, round trip included."""

    median_ms: float
    p90_ms: float
    matches: int


async def time_statement(dsn: str, viewer_id: int) -> Statement:
    conn = await connect(dsn)
    try:
        await matches_sql.candidates(conn, viewer_id, FIRST, "fr")  # prepared once
        times = []
        for _ in range(SQL_RUNS):
            started = time.perf_counter()
            rows = await matches_sql.candidates(conn, viewer_id, FIRST, "fr")
            times.append((time.perf_counter() - started) * 1000)
    finally:
        await conn.close()
    deciles = statistics.quantiles(times, n=10)
    return Statement(median_ms=statistics.median(times), p90_ms=deciles[-1], matches=len(rows))


@dataclass(frozen=True, slots=True)
class Check:
    matches: int
    two_way: int
    plain_bytes: int
    graphql_bytes: int
    byte_identical: bool
    graphql_cached: bool  # an ETag would say the response cache answered


def check_same_document(server: Server, fair: Fair) -> Check:
    """Both endpoints must return equal JSON, with a full page of matches, or the
    comparison is meaningless."""
    headers = {"content-type": "application/json", "authorization": f"Bearer {fair.token}"}
    with server.client() as client:
        plain = client.post(PLAIN_PATH, content=REQUEST_BODY, headers=headers)
        graphql = client.post(ENDPOINTS.graphql, content=REQUEST_BODY, headers=headers)
    plain_doc, graphql_doc = harness.ok_json(plain), harness.ok_json(graphql)
    if "errors" in graphql_doc:
        raise BenchError(f"the GraphQL query failed: {graphql_doc['errors']}")
    difference = harness.first_difference(plain_doc, graphql_doc)
    if difference is not None:
        raise BenchError(f"plain and GraphQL differ at {difference}")
    matches = graphql_doc["data"]["me"]["meetingMatches"]
    if len(matches) != FIRST:
        raise BenchError(f"{len(matches)} matches came back, {FIRST} expected")
    return Check(
        matches=len(matches),
        two_way=sum(m["score"] > 2 / 3 for m in matches),
        plain_bytes=len(plain.content),
        graphql_bytes=len(graphql.content),
        byte_identical=plain.content == graphql.content,
        graphql_cached="etag" in graphql.headers,
    )


# --------------------------------------------------------------------------------------
# The run and the report
# --------------------------------------------------------------------------------------


def print_header(args: argparse.Namespace, fair: Fair, statement: Statement, check: Check) -> None:
    print(
        f"Meeting matches: {fair.profiles} generated profiles ({fair.closed} closed) and the "
        f"viewer's; {check.matches} matches asked and served, {check.two_way} of them two-way"
    )
    print(
        f"Candidates statement alone, one connection: median {statement.median_ms:.2f} ms, "
        f"p90 {statement.p90_ms:.2f} ms over {SQL_RUNS} runs"
    )
    print(harness.describe_server())
    print(
        harness.describe_load(
            args.connections, args.seconds, "same POST body and bearer token to both"
        )
    )
    print(
        f"A = {PLAIN_PATH} (same token check, same SQL, same reasons, orjson)   "
        f"B = {ENDPOINTS.graphql} (never cached: VOLATILE)"
    )
    identical = "byte-identical" if check.byte_identical else "equal once parsed"
    print(
        f"Responses checked equal: {check.plain_bytes} vs {check.graphql_bytes} bytes, "
        f"{identical}; GraphQL served from cache: {check.graphql_cached}"
    )
    print(f"{args.pairs} interleaved pairs A, B after {args.warmup} s warm-up of each\n")
    print(harness.TABLE_HEADER)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.matches",
        description="me.meetingMatches over 2,000 profiles: GraphQL vs a plain Starlette "
        "endpoint running the same SQL, interleaved.",
    )
    harness.add_load_arguments(parser)
    parser.add_argument(
        "--profiles",
        type=harness.bounded(FIRST, 20_000),
        default=PROFILES,
        help=f"generated business profiles (default {PROFILES:,})",
    )
    return parser.parse_args(argv)


def benchmark(args: argparse.Namespace, space: Workspace) -> int:
    setup = partial(make_fair, count=args.profiles)
    dsn, fair = asyncio.run(harness.prepare_database(space, setup))
    statement = asyncio.run(time_statement(dsn, fair.viewer_id))
    headers = {"Authorization": f"Bearer {fair.token}"}
    script = harness.write_wrk_script(space.workdir, "matches", [REQUEST_BODY], headers)
    load = Load(script=script, seconds=args.seconds, connections=args.connections)
    with harness.running_server(space, dsn, APP_FACTORY) as server:
        check = check_same_document(server, fair)
        print_header(args, fair, statement, check)
        harness.warm_up(server, ENDPOINTS, load, args.warmup)
        pairs = harness.interleave(server, ENDPOINTS, load, args.pairs)
    ratio = harness.print_verdict(pairs, GOAL)
    harness.save_results(
        "matches",
        {
            "benchmark": "matches",
            "finished_at": datetime.now(UTC).isoformat(),
            "args": vars(args),
            "pinning": harness.pinning(),
            "fair": fair.document(),
            "statement": asdict(statement),
            "check": asdict(check),
            "query": MATCHES_QUERY,
            "goal": GOAL,
            "pairs": [p.document() for p in pairs],
            "median_ratio": ratio,
        },
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return harness.run(PROG, partial(benchmark, args))


if __name__ == "__main__":
    sys.exit(main())
