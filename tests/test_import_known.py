"""A file imported again is recognised when nothing it reads has changed since: its
report is the one a full run would give, without reading the file again; any real change
to a table it reads, and only that, makes the next import read it again. Imports and the
organisers' mutations take the agenda in one order: racing, both go through."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from server.auth.viewer import authenticate
from server.db.queries.imports import IMPORT_LOG_KEPT
from server.domain.errors import DomainError, ErrorCode
from server.domain.imports.apply import apply_import
from server.domain.imports.files import import_file
from server.domain.imports.formats import parse_file
from server.domain.imports.report import OUTCOMES, ImportReport
from tests import import_fixtures
from tests.conftest import Person
from tests.import_fixtures import (
    OPERATOR,
    Db,
    ImportFair,
    agenda_version,
    bookmark,
    schedule_csv,
)

import_fair = import_fixtures.import_fair
own_db = import_fixtures.own_db
organiser = import_fixtures.organiser

SHEET = "programme.csv"
UPDATE = """mutation($id: ID!, $input: SessionChangeInput!) {
  updateSession(id: $id, input: $input) { id } }"""


async def load(
    fair: ImportFair, data: bytes, *, name: str = SHEET, dry_run: bool = False, prune: bool = False
) -> ImportReport:
    return await import_file(
        fair.pool, OPERATOR, name, data, datetime.now(UTC), dry_run=dry_run, prune=prune
    )


async def full_dry_run(fair: ImportFair, data: bytes, *, name: str = SHEET) -> ImportReport:
    """What reading the file again and comparing every row reports."""
    return await apply_import(
        fair.pool, OPERATOR, parse_file(name, data), datetime.now(UTC), dry_run=True, prune=False
    )


def outcomes(report: ImportReport) -> dict[str, dict[str, list[str]]]:
    return {kind: {o: sorted(getattr(r, o)) for o in OUTCOMES} for kind, r in report.kinds.items()}


async def programme(db: Db, *, stands: bool = True, capacity: int = 77) -> bytes:
    """The fair's programme as a session sheet, one session's capacity set to `capacity`;
    without `stands`, the demos' booth and exhibitor cells left empty (they keep theirs)."""
    changes: dict[str, dict[str, str]] = {"ses-030": {"capacity": str(capacity)}}
    if not stands:
        for row in await db.fetch("SELECT id FROM session WHERE booth_id IS NOT NULL"):
            changes.setdefault(row["id"], {}).update(booth="", exhibitor="")
    return await schedule_csv(db, changes)


async def exhibitor_sheet(db: Db, how_many: int = 5) -> bytes:
    rows = await db.fetch(
        """SELECT e.id, e.name, e.country, array_to_string(e.sectors, ';') AS sectors,
                  coalesce((SELECT string_agg(b.code, ';' ORDER BY b.code) FROM booth b
                             WHERE b.exhibitor_id = e.id), '') AS booths
             FROM exhibitor e ORDER BY e.id LIMIT $1""",
        how_many,
    )
    lines = ["id,name,country,sectors,booth"] + [
        f'{r["id"]},"{r["name"]} (revu)",{r["country"]},"{r["sectors"]}","{r["booths"]}"'
        for r in rows
    ]
    return ("\n".join(lines) + "\n").encode()


async def test_a_file_applied_again_is_known_and_reports_what_a_full_run_would(
    import_fair: ImportFair, own_db: Db
) -> None:
    for data, name in (
        (await programme(own_db, capacity=81), SHEET),
        (await exhibitor_sheet(own_db), "exposants.csv"),
    ):
        first = await load(import_fair, data, name=name)
        assert first.changes_anything
        assert first.same_file_as is None
        version = await agenda_version(own_db)
        notices = await own_db.fetchval("SELECT count(*) FROM notice")

        again = await load(import_fair, data, name=name)
        assert again.same_file_as is not None
        assert not again.changes_anything
        assert again.notices == []
        compared = await full_dry_run(import_fair, data, name=name)
        assert compared.same_file_as is None
        assert not compared.changes_anything
        assert outcomes(again) == outcomes(compared)
        assert again.as_json("fr")["sameFileAs"] == again.same_file_as.isoformat()
        assert await agenda_version(own_db) == version
        assert await own_db.fetchval("SELECT count(*) FROM notice") == notices


# Each a real change to a table a programme with demos at stands reads.
CHANGES = {
    "event": "UPDATE event SET city = city || ' '",
    "track": "UPDATE track SET color = '#123456' WHERE id = (SELECT min(id) FROM track)",
    "room": "UPDATE room SET capacity = coalesce(capacity, 0) + 1 "
    "WHERE id = (SELECT min(id) FROM room)",
    "speaker": "UPDATE speaker SET job_title = 'Ingénieure méthodes' "
    "WHERE id = (SELECT min(id) FROM speaker)",
    "session": "UPDATE session SET abstract_en = 'Changed by hand.' WHERE id = 'ses-031'",
    "session_speaker": "DELETE FROM session_speaker WHERE (session_id, speaker_id) = "
    "(SELECT session_id, speaker_id FROM session_speaker ORDER BY 1, 2 LIMIT 1)",
    "exhibitor": "UPDATE exhibitor SET website = 'https://changed.example' "
    "WHERE id = (SELECT min(id) FROM exhibitor)",
    "booth": "UPDATE booth SET exhibitor_id = NULL WHERE id = "
    "(SELECT min(id) FROM booth WHERE exhibitor_id IS NOT NULL AND id NOT IN "
    "(SELECT booth_id FROM session WHERE booth_id IS NOT NULL))",
    "sector": "UPDATE sector SET name_en = name_en || ' ' WHERE id = 'startup'",
}


@pytest.mark.parametrize("table", sorted(CHANGES))
async def test_a_change_to_what_the_file_reads_makes_it_read_again(
    import_fair: ImportFair, own_db: Db, table: str
) -> None:
    data = await programme(own_db, capacity=60 + sorted(CHANGES).index(table))
    await load(import_fair, data)
    assert (await load(import_fair, data)).same_file_as is not None

    await own_db.execute(CHANGES[table])
    read_again = await load(import_fair, data)
    assert read_again.same_file_as is None
    # Read, compared and remembered anew: known again.
    assert outcomes(await load(import_fair, data)) == outcomes(
        await full_dry_run(import_fair, data)
    )


async def test_what_the_file_does_not_read_leaves_it_known(
    import_fair: ImportFair, own_db: Db, organiser: Person
) -> None:
    data = await programme(own_db, stands=False, capacity=90)
    await load(import_fair, data)
    # Written over with the values they had; the stands, which a programme without
    # demos at stands does not read; people's bookmarks and the notices.
    await own_db.execute("UPDATE session SET title_fr = title_fr")
    await own_db.execute(CHANGES["exhibitor"].replace("changed.example", "other.example"))
    await own_db.execute(CHANGES["booth"])
    await import_fair.barrier(organiser)
    again = await load(import_fair, data)
    assert again.same_file_as is not None
    assert outcomes(again) == outcomes(await full_dry_run(import_fair, data))


async def test_a_dry_run_another_prune_or_a_pruning_that_kept_rows_is_not_remembered(
    import_fair: ImportFair, own_db: Db
) -> None:
    held = "ses-050"
    await bookmark(import_fair, await import_fair.people.make("ATTENDEE"), held)
    data = await programme(own_db, capacity=95)
    assert (await load(import_fair, data, dry_run=True)).changes_anything
    assert (await load(import_fair, data)).same_file_as is None  # the dry run left nothing
    assert (await load(import_fair, data)).same_file_as is not None
    assert (await load(import_fair, data, dry_run=True)).same_file_as is not None

    # With prune, another import: the file omits no session, and nothing is kept.
    pruned = await load(import_fair, data, prune=True)
    assert pruned.same_file_as is None
    assert not pruned.changes_anything
    assert (await load(import_fair, data, prune=True)).same_file_as is not None

    # A session left out and held (bookmarked): cancelled, kept until nobody holds it;
    # such a pruning is read again each time.
    without = b"".join(
        line for line in data.splitlines(keepends=True) if not line.startswith(held.encode())
    )
    assert (await load(import_fair, without, prune=True)).kinds["sessions"].cancelled == [held]
    again = await load(import_fair, without, prune=True)
    assert again.same_file_as is None
    assert again.kinds["sessions"].kept == [held]


async def test_only_organisers_learn_anything_of_a_known_file(
    import_fair: ImportFair, own_db: Db
) -> None:
    data = await programme(own_db, capacity=99)
    await load(import_fair, data)
    attendee = await import_fair.people.make("ATTENDEE")
    for actor, code in (
        (None, ErrorCode.UNAUTHENTICATED),
        (
            await authenticate(import_fair.pool, f"Bearer {attendee.token}", datetime.now(UTC)),
            ErrorCode.FORBIDDEN,
        ),
    ):
        with pytest.raises(DomainError) as refused:
            await import_file(
                import_fair.pool, actor, SHEET, data, datetime.now(UTC), dry_run=True, prune=False
            )
        assert refused.value.code is code


async def test_the_log_keeps_the_newest_files(import_fair: ImportFair, own_db: Db) -> None:
    for capacity in range(100, 100 + IMPORT_LOG_KEPT + 3):
        await load(import_fair, await programme(own_db, capacity=capacity))
    assert await own_db.fetchval("SELECT count(*) FROM import_log") == IMPORT_LOG_KEPT
    newest = await programme(own_db, capacity=100 + IMPORT_LOG_KEPT + 2)
    assert (await load(import_fair, newest)).same_file_as is not None


async def waiting_on_locks(db: Db, count: int) -> None:
    """Until `count` other backends of this database wait for a lock."""

    async def waiting() -> int:
        n: int = await db.fetchval(
            """SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock'"""
        )
        return n

    async with asyncio.timeout(10):
        # PostgreSQL tells nobody that a backend started waiting: ask it until it does.
        while await waiting() < count:  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_an_import_and_an_organisers_change_racing_both_go_through(
    import_fair: ImportFair, own_db: Db, organiser: Person
) -> None:
    """The import waits first, the mutation behind it: were the mutation to lock its
    session before the agenda, the import (which locks every session once it holds the
    agenda) and the mutation would wait for each other until PostgreSQL killed one."""
    data = await programme(own_db, capacity=70)
    moved = "ses-040"
    capacity = await own_db.fetchval("SELECT capacity FROM session WHERE id = $1", moved)
    gate = own_db.transaction()
    await gate.start()
    await own_db.execute("SELECT 1 FROM agenda_state FOR UPDATE")
    importing: asyncio.Task[Any] | None = None
    changing: asyncio.Task[Any] | None = None
    try:
        importing = asyncio.create_task(load(import_fair, data))
        await waiting_on_locks(own_db, 1)
        changing = asyncio.create_task(
            import_fair.own.gql(
                UPDATE,
                {"id": moved, "input": {"capacity": (capacity or 50) + 5}},
                as_=organiser,
            )
        )
        await waiting_on_locks(own_db, 2)
    finally:
        await gate.rollback()
    assert importing is not None
    assert changing is not None
    report, answer = await asyncio.wait_for(asyncio.gather(importing, changing), timeout=30)
    assert report.kinds["sessions"].changed == ["ses-030"]
    assert "errors" not in answer, answer["errors"]
    assert (
        await own_db.fetchval("SELECT capacity FROM session WHERE id = $1", moved)
        == (capacity or 50) + 5
    )
