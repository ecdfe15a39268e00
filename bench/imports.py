"""Importing a large fair: `salon import`'s work against a bare asyncpg loader.

    make bench-import                              # = .venv/bin/python -m bench.imports
    .venv/bin/python -m bench.imports --sessions 2000 --exhibitors 500 --rounds 5

Two files written for the run: a c3voc schedule JSON (5,000 sessions over the fair's
four days in 100 rooms, 2,500 speakers, 6 tracks, times in Africa/Casablanca) and an
exhibitor sheet (1,000 rows, `;`-separated CSV as Excel in France writes it). Each
round, into fresh migrated databases, one after the other on the same core:

- **raw**: the rows the import writes (tracks, rooms, speakers, sessions, their
  speakers, exhibitors), taken from the parsed files beforehand and written with
  `copy_records_to_table` in one transaction: no parsing, no checks, no comparison;
- **import**: what `salon import` does for both files, in this process: read and parse
  (`parse_file`), check every row and reference, compare with the fair, write in one
  transaction (`apply_import`), all through `import_file`;
- **again**: the same two files imported again into the import's database, as `salon
  import` does: each is known (the same bytes, and nothing they read changed since), so
  neither is read again;
- **compared** (not a goal, for the record): the same two files parsed, checked and
  compared again row by row, as when something else in the fair changed since: nothing
  to change, so nothing written.

Rows per second are the rows written over the side's time; goals: import/raw ≥ 0.5×,
and the unchanged re-import under a tenth of the first import's time. This process is
pinned to core 0; PostgreSQL is not pinned (it works for both sides alike).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench.harness import SERVER_CORE, BenchError, Workspace, bounded, run, save_results
from bench.import_files import exhibitor_sheet, schedule_json
from server.db.migrate import migrate
from server.db.pool import connect, create_pool
from server.domain.imports.apply import Operator, apply_import
from server.domain.imports.files import import_file
from server.domain.imports.formats import parse_file
from server.domain.imports.model import ImportedFair
from server.services import drop_database, ensure_database

GOAL_RATIO = 0.5
GOAL_AGAIN = 0.1
OPERATOR = Operator("bench.imports")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # before the fair: every session is ahead


@dataclass(frozen=True, slots=True)
class Round:
    raw_s: float
    import_s: float
    again_s: float
    compared_s: float

    @property
    def ratio(self) -> float:
        return self.raw_s / self.import_s  # rows/s import over rows/s raw: same rows


def check() -> None:
    if int(SERVER_CORE) not in os.sched_getaffinity(0):
        raise BenchError(f"core {SERVER_CORE} is needed")


def rows_of(schedule: ImportedFair, exhibitors: ImportedFair) -> dict[str, list[tuple[Any, ...]]]:
    """The rows both sides write, by table, in the tables' column order below."""
    return {
        "track": [(t.id, t.name_fr, t.name_en, t.color, n) for n, t in enumerate(schedule.tracks)],
        "room": [(r.id, r.name, r.capacity) for r in schedule.rooms],
        "speaker": [
            (s.id, s.name, s.organisation, s.job_title, s.bio_fr, s.bio_en)
            for s in schedule.speakers
        ],
        "session": [
            (s.id, s.kind, s.track_id, s.title_fr, s.title_en, s.abstract_fr, s.abstract_en,
             s.starts_at, s.ends_at, s.room_id, s.capacity)
            for s in schedule.sessions
        ],
        "session_speaker": [
            (s.id, speaker, position)
            for s in schedule.sessions
            for position, speaker in enumerate(s.speaker_ids)
        ],
        "exhibitor": [
            (e.id, e.name, e.country, list(e.sectors), e.description_fr, e.description_en,
             e.website)
            for e in exhibitors.exhibitors
        ],
    }  # fmt: skip


COLUMNS = {
    "track": ["id", "name_fr", "name_en", "color", "position"],
    "room": ["id", "name", "capacity"],
    "speaker": ["id", "name", "organisation", "job_title", "bio_fr", "bio_en"],
    "session": [
        "id", "kind", "track_id", "title_fr", "title_en", "abstract_fr", "abstract_en",
        "starts_at", "ends_at", "room_id", "capacity",
    ],
    "session_speaker": ["session_id", "speaker_id", "position"],
    "exhibitor": [
        "id", "name", "country", "sectors", "description_fr", "description_en", "website",
    ],
}  # fmt: skip


async def fresh_database(space: Workspace, name: str) -> str:
    await drop_database(space.urls, name)
    dsn = await ensure_database(space.urls, name)
    conn = await connect(dsn)
    try:
        await migrate(conn)
        # The fair itself (its venue and city are not in a schedule file), as after
        # `salon demo` without its programme: both sides write the programme only.
        await conn.execute(
            """INSERT INTO event (id, name_fr, starts_on, ends_on, timezone, venue_name, city)
               VALUES ('sistep2026', 'SISTEP INDUSTRIEL 2026', '2026-12-03', '2026-12-06',
                       'Africa/Casablanca', 'OFEC', 'Casablanca')"""
        )
    finally:
        await conn.close()
    return dsn


async def raw_side(dsn: str, rows: dict[str, list[tuple[Any, ...]]]) -> float:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        async with conn.transaction():
            for table, records in rows.items():
                await conn.copy_records_to_table(table, records=records, columns=COLUMNS[table])
        return time.perf_counter() - started
    finally:
        await conn.close()


async def import_side(dsn: str, files: list[Path], *, compared: bool = False) -> float:
    """`salon import` of each file; `compared`: read and compared whether known or not."""
    pool = await create_pool(dsn, min_size=1, max_size=1)
    try:
        started = time.perf_counter()
        for path in files:
            data = path.read_bytes()
            if compared:
                fair = parse_file(path.name, data)
                await apply_import(pool, OPERATOR, fair, NOW, dry_run=False, prune=False)
            else:
                await import_file(pool, OPERATOR, path.name, data, NOW, dry_run=False, prune=False)
        return time.perf_counter() - started
    finally:
        await pool.close()


async def count_rows(dsn: str) -> dict[str, int]:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        return {table: await conn.fetchval(f"SELECT count(*) FROM {table}") for table in COLUMNS}  # noqa: S608
    finally:
        await conn.close()


async def rounds(space: Workspace, args: argparse.Namespace) -> tuple[list[Round], int]:
    folder = space.workdir
    files = [
        schedule_json(folder / "schedule.json", args.sessions),
        exhibitor_sheet(folder / "exposants.csv", args.exhibitors),
    ]
    rows = rows_of(*(parse_file(path.name, path.read_bytes()) for path in files))
    total = sum(len(records) for records in rows.values())
    raw_db, import_db = f"{space.database}_raw", f"{space.database}_import"
    results: list[Round] = []
    try:
        for number in range(args.rounds + 1):  # the first is a warm-up
            raw_s = await raw_side(await fresh_database(space, raw_db), rows)
            dsn = await fresh_database(space, import_db)
            import_s = await import_side(dsn, files)
            written = await count_rows(dsn)
            if written != {table: len(records) for table, records in rows.items()}:
                raise BenchError(f"the import wrote other rows than the raw side: {written}")
            again_s = await import_side(dsn, files)
            compared_s = await import_side(dsn, files, compared=True)
            if await count_rows(dsn) != written:
                raise BenchError("the unchanged re-import changed the row counts")
            result = Round(raw_s, import_s, again_s, compared_s)
            label = "warm-up" if number == 0 else str(number)
            print(
                f"{label:>7} {total / raw_s:>10,.0f} {total / import_s:>10,.0f} "
                f"{result.ratio:>8.2f}x {import_s:>7.2f}s {again_s:>7.2f}s "
                f"{again_s / import_s:>8.3f} {compared_s:>8.2f}s {compared_s / import_s:>8.3f}",
                flush=True,
            )
            if number:
                results.append(result)
    finally:
        await drop_database(space.urls, raw_db)
        await drop_database(space.urls, import_db)
    return results, total


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.imports", description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=bounded(100, 10_000), default=5000)
    parser.add_argument("--exhibitors", type=bounded(10, 10_000), default=1000)
    parser.add_argument("--rounds", type=bounded(1, 15), default=3)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def body(space: Workspace) -> int:
        os.sched_setaffinity(0, {int(SERVER_CORE)})
        print(f"{args.sessions} sessions, {args.exhibitors} exhibitors; rows per second:")
        print(
            "  round        raw     import   import/raw   first   again   again/first"
            "  compared  compared/first"
        )
        results, total = asyncio.run(rounds(space, args))
        ratio = statistics.median(r.ratio for r in results)
        again = statistics.median(r.again_s / r.import_s for r in results)
        compared = statistics.median(r.compared_s / r.import_s for r in results)
        met = ratio >= GOAL_RATIO and again < GOAL_AGAIN
        print(
            f"\nmedian over {len(results)} rounds ({total:,} rows): import/raw {ratio:.2f}x "
            f"(goal >= {GOAL_RATIO}x), unchanged re-import {again:.3f} of the first "
            f"(goal < {GOAL_AGAIN}): {'met' if met else 'NOT met'}; read and compared "
            f"again: {compared:.3f} of the first"
        )
        print(f"this process pinned to core {SERVER_CORE}; PostgreSQL not pinned")
        save_results(
            "imports",
            {
                "sessions": args.sessions,
                "exhibitors": args.exhibitors,
                "rows": total,
                "rounds": [vars_of(r) for r in results],
                "import_over_raw_median": ratio,
                "again_over_first_median": again,
                "compared_over_first_median": compared,
            },
        )
        return 0 if met else 3

    return run("bench.imports", body, check)


def vars_of(result: Round) -> dict[str, float]:
    return {
        "raw_s": result.raw_s,
        "import_s": result.import_s,
        "again_s": result.again_s,
        "compared_s": result.compared_s,
    }


if __name__ == "__main__":
    sys.exit(main())
