"""Full agenda over GraphQL against a plain Starlette endpoint, interleaved, on loopback.

Run from the repository root: `python -m bench.agenda --help` (see bench/README.md).

One uvicorn process, pinned to core 0, serves the real app plus `/plain/agenda`: the
same SQL functions on the same pool, the same JSON document, no cache. wrk, pinned to
core 1, loads the two in turn (plain, GraphQL, plain, GraphQL …); the figure of merit
is the median of the per-pair ratios GraphQL rps ÷ plain rps. The machine is shared
and noisy, so only ratios measured side by side mean anything. The machinery (database,
server, wrk, pairs, report) is in bench/harness/; this module is the agenda's part.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import harness
from bench.harness import BenchError, Endpoints, Load, Server, Workspace, by_ids
from bench.harness.cpu import CPU_TABLE_HEADER, interleave_cpu, print_cpu_verdict
from schema.context import lang_from_header
from schema.types.enums import Lang, pick
from server.clock import in_fair_time
from server.db.queries import agenda as agenda_sql
from server.db.queries import exhibitors as people_sql
from server.db.queries import venue as venue_sql
from server.db.queries.agenda import SessionQuery, SessionRow, TrackRow
from server.db.queries.common import Executor
from server.db.queries.exhibitors import SpeakerRow
from server.db.queries.venue import HallRow, RoomRow
from server.domain.pagination import MAX_PAGE_SIZE
from server.runtime import runtime_of

PROG = "bench.agenda"
#: The whole agenda is one page; 200 is the largest page the API serves.
PAGE_SIZE = MAX_PAGE_SIZE
AGENDA_QUERY = (
    "{ sessions(first: 200) { nodes { id title startsAt endsAt kind track { id name } "
    "room { id name hall { id name } } speakers { id name organisation } } } }"
)
REQUEST_BODY = orjson.dumps({"query": AGENDA_QUERY})
PLAIN_PATH = "/plain/agenda"
ENDPOINTS = Endpoints(plain=PLAIN_PATH)
#: The uncached comparison's baseline: one statement, the way one would write it by hand.
ONE_STATEMENT_PATH = "/plain/agenda-one-statement"
ONE_STATEMENT_ENDPOINTS = Endpoints(plain=ONE_STATEMENT_PATH)
APP_FACTORY = "bench.agenda:create_bench_app"
#: Each round of synthetic copies starts this much later than the talk it copies.
COPY_SHIFT = timedelta(minutes=10)
GOAL = 1.0
#: GraphQL executing the query (no response cache) against the one-statement endpoint.
UNCACHED_GOAL = 0.5


# --------------------------------------------------------------------------------------
# The plain endpoint and the app factory (this half runs inside the uvicorn process)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgendaRows:
    """What the full-agenda query reads, as the DataLoaders would fetch it."""

    sessions: list[SessionRow]
    tracks: dict[str, TrackRow]
    rooms: dict[str, RoomRow]
    halls: dict[str, HallRow]
    speaker_ids: dict[str, list[str]]
    speakers: dict[str, SpeakerRow]


async def read_agenda(db: Executor) -> AgendaRows:
    rows, _total = await agenda_sql.session_page(
        db, SessionQuery(), limit=PAGE_SIZE + 1, after=None
    )
    sessions = rows[:PAGE_SIZE]  # the extra row only tells GraphQL there is a next page
    # The three batches the resolvers start together, then the two that need their results.
    tracks, rooms, links = await asyncio.gather(
        by_ids(agenda_sql.tracks_by_ids, db, (s.track_id for s in sessions)),
        by_ids(venue_sql.rooms_by_ids, db, (s.room_id for s in sessions)),
        by_ids(agenda_sql.speaker_links_for_sessions, db, (s.id for s in sessions)),
    )
    halls, speakers = await asyncio.gather(
        by_ids(venue_sql.halls_by_ids, db, (r.hall_id for r in rooms)),
        by_ids(people_sql.speakers_by_ids, db, (speaker for _, speaker in links)),
    )
    speaker_ids: dict[str, list[str]] = defaultdict(list)
    for session_id, speaker_id in links:  # already in billing order
        speaker_ids[session_id].append(speaker_id)
    return AgendaRows(
        sessions=sessions,
        tracks={t.id: t for t in tracks},
        rooms={r.id: r for r in rooms},
        halls={h.id: h for h in halls},
        speaker_ids=speaker_ids,
        speakers={p.id: p for p in speakers},
    )


def _instant(value: datetime) -> str:
    return in_fair_time(value).isoformat()  # as the DateTime scalar serializes it


def _session_node(session: SessionRow, rows: AgendaRows, lang: Lang) -> dict[str, Any]:
    track = rows.tracks.get(session.track_id) if session.track_id else None
    room = rows.rooms.get(session.room_id) if session.room_id else None
    hall = rows.halls.get(room.hall_id) if room and room.hall_id else None
    speakers = [rows.speakers.get(i) for i in rows.speaker_ids.get(session.id, [])]
    return {
        "id": session.id,
        "title": pick(lang, session.title_fr, session.title_en),
        "startsAt": _instant(session.starts_at),
        "endsAt": _instant(session.ends_at),
        "kind": session.kind,
        "track": track and {"id": track.id, "name": pick(lang, track.name_fr, track.name_en)},
        "room": room
        and {"id": room.id, "name": room.name, "hall": hall and {"id": hall.id, "name": hall.name}},
        "speakers": [
            {"id": p.id, "name": p.name, "organisation": p.organisation}
            for p in speakers
            if p is not None
        ],
    }


async def plain_agenda(request: Request) -> Response:
    """The baseline: the full-agenda GraphQL document built by hand, never cached."""
    rows = await read_agenda(runtime_of(request).pool)
    lang = lang_from_header(request.headers.get("accept-language"))
    nodes = [_session_node(s, rows, lang) for s in rows.sessions]
    body = orjson.dumps({"data": {"sessions": {"nodes": nodes}}})
    return Response(body, media_type="application/json")


#: The whole page in one statement: sessions joined to their track, room and hall, each
#: session's speakers aggregated as JSON in billing order (parsed by the pool's orjson
#: codec).
ONE_STATEMENT_SQL = """
    SELECT s.id, s.kind, s.title_fr, s.title_en, s.starts_at, s.ends_at,
           t.id AS track_id, t.name_fr AS track_name_fr, t.name_en AS track_name_en,
           r.id AS room_id, r.name AS room_name, h.id AS hall_id, h.name AS hall_name,
           (SELECT coalesce(json_agg(json_build_object('id', p.id, 'name', p.name,
                                                       'organisation', p.organisation)
                                     ORDER BY ss.position, ss.speaker_id), '[]')
              FROM session_speaker ss JOIN speaker p ON p.id = ss.speaker_id
             WHERE ss.session_id = s.id) AS speakers
      FROM session s
      LEFT JOIN track t ON t.id = s.track_id
      LEFT JOIN room r ON r.id = s.room_id
      LEFT JOIN hall h ON h.id = r.hall_id
     ORDER BY s.starts_at, s.id
     LIMIT $1"""


def _one_statement_node(row: asyncpg.Record, lang: Lang) -> dict[str, Any]:
    track_id, room_id, hall_id = row["track_id"], row["room_id"], row["hall_id"]
    return {
        "id": row["id"],
        "title": pick(lang, row["title_fr"], row["title_en"]),
        "startsAt": _instant(row["starts_at"]),
        "endsAt": _instant(row["ends_at"]),
        "kind": row["kind"],
        "track": track_id
        and {"id": track_id, "name": pick(lang, row["track_name_fr"], row["track_name_en"])},
        "room": room_id
        and {
            "id": room_id,
            "name": row["room_name"],
            "hall": hall_id and {"id": hall_id, "name": row["hall_name"]},
        },
        "speakers": row["speakers"],  # the pool's json codec parsed it (orjson)
    }


async def plain_agenda_one_statement(request: Request) -> Response:
    """The uncached comparison's baseline: one statement, rows straight to JSON."""
    rows = await runtime_of(request).pool.fetch(ONE_STATEMENT_SQL, PAGE_SIZE)
    lang = lang_from_header(request.headers.get("accept-language"))
    nodes = [_one_statement_node(r, lang) for r in rows]
    body = orjson.dumps({"data": {"sessions": {"nodes": nodes}}})
    return Response(body, media_type="application/json")


def create_bench_app() -> Starlette:
    """uvicorn factory: the real app plus the plain endpoints, inside the same middleware."""
    return harness.create_app_with(
        [
            Route(PLAIN_PATH, plain_agenda, methods=["GET", "POST"]),
            Route(ONE_STATEMENT_PATH, plain_agenda_one_statement, methods=["GET", "POST"]),
        ]
    )


# --------------------------------------------------------------------------------------
# The fair: the demo one, topped up with synthetic sessions on request
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fair:
    sessions: int  # in the database, synthetic copies included
    synthetic: int
    speaker_links: int


COPY_SESSIONS = """
    INSERT INTO session (id, kind, track_id, title_fr, title_en, abstract_fr, abstract_en,
                         starts_at, ends_at, room_id, booth_id, exhibitor_id, capacity)
    SELECT c.new_id, s.kind, s.track_id, s.title_fr, s.title_en, s.abstract_fr,
           s.abstract_en, s.starts_at + c.shift, s.ends_at + c.shift, s.room_id, s.booth_id,
           s.exhibitor_id, s.capacity
      FROM unnest($1::text[], $2::text[], $3::interval[]) AS c(new_id, source_id, shift)
      JOIN session s ON s.id = c.source_id"""

COPY_SPEAKER_LINKS = """
    INSERT INTO session_speaker (session_id, speaker_id, position)
    SELECT c.new_id, ss.speaker_id, ss.position
      FROM unnest($1::text[], $2::text[]) AS c(new_id, source_id)
      JOIN session_speaker ss ON ss.session_id = c.source_id"""


async def add_synthetic_sessions(conn: asyncpg.Connection[Any], count: int) -> int:
    """`count` copies of the fair's talks (demos too if there are no talks), each round of
    copies a little later than the last, billed with the same speakers."""
    rows = await conn.fetch("SELECT id, kind FROM session ORDER BY starts_at, id")
    talks = [r["id"] for r in rows if r["kind"] != "DEMO"] or [r["id"] for r in rows]
    if count <= 0 or not talks:
        return 0
    new_ids = [f"bench-ses-{i + 1:04d}" for i in range(count)]
    source_ids = [talks[i % len(talks)] for i in range(count)]
    shifts = [COPY_SHIFT * (i // len(talks) + 1) for i in range(count)]
    async with conn.transaction():
        await conn.execute(COPY_SESSIONS, new_ids, source_ids, shifts)
        await conn.execute(COPY_SPEAKER_LINKS, new_ids, source_ids)
    return count


async def top_up(conn: asyncpg.Connection[Any], target_sessions: int | None) -> Fair:
    """After the demo fair is loaded: top it up to `target_sessions`, count what is there."""
    loaded: int = await conn.fetchval("SELECT count(*) FROM session")
    wanted = 0 if target_sessions is None else target_sessions - loaded
    synthetic = await add_synthetic_sessions(conn, wanted)
    sessions: int = await conn.fetchval("SELECT count(*) FROM session")
    links: int = await conn.fetchval("SELECT count(*) FROM session_speaker")
    return Fair(sessions=sessions, synthetic=synthetic, speaker_links=links)


# --------------------------------------------------------------------------------------
# Checking that both endpoints say the same thing
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Check:
    nodes: int
    plain_bytes: int
    graphql_bytes: int
    byte_identical: bool
    graphql_cached: bool  # the repeat came with the cache's ETag


def _first_difference(plain: Any, graphql: Any) -> str:
    try:
        plain_nodes = plain["data"]["sessions"]["nodes"]
        graphql_nodes = graphql["data"]["sessions"]["nodes"]
    except (KeyError, TypeError):
        return f"plain: {str(plain)[:400]}\ngraphql: {str(graphql)[:400]}"
    if len(plain_nodes) != len(graphql_nodes):
        return f"{len(plain_nodes)} sessions in plain, {len(graphql_nodes)} in GraphQL"
    for index, (a, b) in enumerate(zip(plain_nodes, graphql_nodes, strict=True)):
        if a != b:
            return f"session #{index}:\n  plain:   {a}\n  graphql: {b}"
    return "the documents differ outside the session list"


def check_same_document(server: Server, plain_path: str = PLAIN_PATH) -> Check:
    """Both endpoints must return equal JSON, or the comparison is meaningless."""
    headers = {"content-type": "application/json"}
    with server.client() as client:
        plain = client.post(plain_path, content=REQUEST_BODY, headers=headers)
        client.post(ENDPOINTS.graphql, content=REQUEST_BODY, headers=headers)  # fills the cache
        graphql = client.post(ENDPOINTS.graphql, content=REQUEST_BODY, headers=headers)
    plain_doc, graphql_doc = harness.ok_json(plain), harness.ok_json(graphql)
    if "errors" in graphql_doc:
        raise BenchError(f"the GraphQL query failed: {graphql_doc['errors']}")
    if plain_doc != graphql_doc:
        raise BenchError(
            "the plain endpoint and GraphQL return different JSON; "
            f"first difference, {_first_difference(plain_doc, graphql_doc)}"
        )
    return Check(
        nodes=len(graphql_doc["data"]["sessions"]["nodes"]),
        plain_bytes=len(plain.content),
        graphql_bytes=len(graphql.content),
        byte_identical=plain.content == graphql.content,
        graphql_cached="etag" in graphql.headers,
    )


# --------------------------------------------------------------------------------------
# The run and the report
# --------------------------------------------------------------------------------------


def print_header(args: argparse.Namespace, fair: Fair, check: Check) -> None:
    synthetic = f" ({fair.synthetic} synthetic copies)" if fair.synthetic else ""
    print(
        f"Full agenda: {check.nodes} sessions in the response, {fair.sessions} in the database"
        f"{synthetic}, {fair.speaker_links} speaker links"
    )
    print(harness.describe_server())
    print(harness.describe_load(args.connections, args.seconds, "same POST body to both"))
    print(
        f"A = {PLAIN_PATH} (same SQL, same pool, orjson, no cache)   "
        f"B = {ENDPOINTS.graphql} (response cache on)"
    )
    identical = "byte-identical" if check.byte_identical else "equal once parsed"
    print(
        f"Responses checked equal: {check.plain_bytes} vs {check.graphql_bytes} bytes, "
        f"{identical}; GraphQL repeat served from cache: {check.graphql_cached}"
    )
    print(f"{args.pairs} interleaved pairs A, B after {args.warmup} s warm-up of each\n")
    print(harness.TABLE_HEADER)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.agenda",
        description="Full agenda: GraphQL vs a plain Starlette endpoint, interleaved.",
    )
    harness.add_load_arguments(parser)
    parser.add_argument(
        "--sessions",
        type=harness.bounded(1, 10_000),
        default=None,
        help="top the agenda up to this many sessions with shifted copies of "
        f"its talks (at most {PAGE_SIZE}, the one-page limit)",
    )
    parser.add_argument(
        "--uncached-pairs",
        type=harness.bounded(1, 50),
        default=3,
        help="interleaved pairs of the uncached comparison (response cache off, against "
        "the one-statement endpoint)",
    )
    return parser.parse_args(argv)


def cap_sessions(args: argparse.Namespace) -> None:
    if args.sessions is not None and args.sessions > PAGE_SIZE:
        print(
            f"--sessions {args.sessions} capped to {PAGE_SIZE}: the full agenda is one page "
            f"and the API serves at most {PAGE_SIZE} per page."
        )
        args.sessions = PAGE_SIZE


def benchmark(args: argparse.Namespace, space: Workspace) -> int:
    cap_sessions(args)
    dsn, fair = asyncio.run(
        harness.prepare_database(space, partial(top_up, target_sessions=args.sessions))
    )
    script = harness.write_wrk_script(space.workdir, "agenda", [REQUEST_BODY])
    load = Load(script=script, seconds=args.seconds, connections=args.connections)
    with harness.running_server(space, dsn, APP_FACTORY) as server:
        check = check_same_document(server)
        print_header(args, fair, check)
        harness.warm_up(server, ENDPOINTS, load, args.warmup)
        pairs = harness.interleave(server, ENDPOINTS, load, args.pairs)
    ratio = harness.print_verdict(pairs, GOAL)

    # GraphQL executing the query on every request (response cache off) against one
    # statement serialised by hand: what a cache miss costs, e.g. after an agenda write.
    no_cache = {"SALON_RESPONSE_CACHE_SIZE": "0"}
    with harness.running_server(space, dsn, APP_FACTORY, extra_env=no_cache) as server:
        uncached_check = check_same_document(server, ONE_STATEMENT_PATH)
        print(
            f"\nuncached: separate server with response_cache_size=0;   "
            f"A = {ONE_STATEMENT_PATH} (one statement, orjson)   B = {ENDPOINTS.graphql} "
            f"(executed every request)\n{CPU_TABLE_HEADER}"
        )
        harness.warm_up(server, ONE_STATEMENT_ENDPOINTS, load, args.warmup)
        uncached = interleave_cpu(server, ONE_STATEMENT_ENDPOINTS, load, args.uncached_pairs)
    uncached_ratio, uncached_cpu_ratio = print_cpu_verdict(uncached, UNCACHED_GOAL)

    harness.save_results(
        "agenda",
        {
            "benchmark": "agenda",
            "finished_at": datetime.now(UTC).isoformat(),
            "args": vars(args),
            "pinning": harness.pinning(),
            "fair": asdict(fair),
            "check": asdict(check),
            "query": AGENDA_QUERY,
            "pairs": [p.document() for p in pairs],
            "median_ratio": ratio,
            "uncached": {
                "check": asdict(uncached_check),
                "pairs": [p.document() for p in uncached],
                "median_ratio": uncached_ratio,
                "median_cpu_ratio": uncached_cpu_ratio,
            },
        },
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return harness.run(PROG, partial(benchmark, args))


if __name__ == "__main__":
    sys.exit(main())
