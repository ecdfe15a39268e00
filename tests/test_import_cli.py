"""`salon import` as a real subprocess (the installed `salon` command) on a fair of its
own: exit 0 applied, 1 refused, 2 a usage error; the refusals or the report printed in
the language asked; a live phone hears what the command changed."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests import import_fixtures
from tests.conftest import Person
from tests.import_fixtures import Db, ImportFair, schedule_csv, sheet_line, tables
from tests.live_client import live_client

import_fair = import_fixtures.import_fair
own_db = import_fixtures.own_db
organiser = import_fixtures.organiser

SALON = Path(sys.executable).parent / "salon"


async def salon_import(
    fair: ImportFair, *args: str, cwd: Path | None = None
) -> tuple[int, str, str]:
    """`salon import ARGS…` against the test's fair: exit status, stdout, stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    env |= {
        "DATABASE_URL": fair.own.dsn,
        "REDIS_URL": fair.own.live.runtime.settings.redis_url or "",
        "SALON_LOG_LEVEL": "WARNING",
        # The command's clock at the fair's: its notices are then due for the fair's relay.
        "SALON_NOW": fair.own.live.runtime.clock.now().isoformat(),
    }
    process = await asyncio.create_subprocess_exec(
        str(SALON),
        "import",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_an_import_from_the_shell_is_heard_on_the_phones(
    import_fair: ImportFair, own_db: Db, organiser: Person, tmp_path: Path
) -> None:
    moved = "ses-016"
    bookmarker = await import_fair.people.make()
    await import_fair.own.gql.data(
        "mutation($s: ID!) { bookmarkSession(sessionId: $s) { id } }",
        {"s": moved},
        as_=bookmarker,
    )
    sheet = tmp_path / "programme.csv"
    sheet.write_bytes(await schedule_csv(own_db, {moved: {"capacity": "120"}}))
    async with live_client(import_fair.ws_url, bookmarker.token) as ws:
        await ws.subscribe()
        assert await salon_import(import_fair, str(sheet)) == (
            0,
            "programme.csv appliqué :\n"
            "  Sessions: 1 modifiés, 129 inchangés\n"
            "  Avis : 1 (1 destinataire, compté par avis)\n"
            f"    SESSION_CHANGED {moved} → 1 personne: 120 places\n",
            "",
        )
        [heard] = await ws.notices(1)
        assert (heard["kind"], heard["session"], heard["body"]) == (
            "SESSION_CHANGED",
            {"id": moved},
            "120 places",
        )
        audit = await own_db.fetchrow("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
        assert (audit["action"], audit["subject"], audit["actor_id"]) == (
            "import.apply",
            "programme.csv",
            None,
        )
        # Again: nothing to change, nothing said; the file is known, not read again.
        version = await own_db.fetchval("SELECT version FROM agenda_state")
        assert await salon_import(import_fair, str(sheet), "--lang", "en") == (
            0,
            "programme.csv: nothing to change.\n"
            "  The same file as an import already applied, and nothing it reads has changed "
            "since: it was not read again.\n"
            "  Sessions: 130 unchanged\n",
            "",
        )
        assert await own_db.fetchval("SELECT version FROM agenda_state") == version
        await import_fair.next_is_barrier(organiser, ws)


async def test_a_dry_run_from_the_shell_writes_nothing(
    import_fair: ImportFair, own_db: Db, tmp_path: Path
) -> None:
    sheet = tmp_path / "programme.csv"
    data = await schedule_csv(own_db, {"ses-017": {"title_fr": "Autre titre"}})
    sheet.write_bytes(data)
    before = await tables(own_db)
    status, out, err = await salon_import(import_fair, str(sheet), "--dry-run")
    assert (status, out.splitlines()[:2], err) == (
        0,
        ["Simulation, rien n'a été écrit :", "  Sessions: 1 modifiés, 129 inchangés"],
        "",
    )
    assert await tables(own_db) == before


async def test_a_refused_file_prints_every_refusal_and_exits_1(
    import_fair: ImportFair, own_db: Db, tmp_path: Path
) -> None:
    sheet = tmp_path / "programme.csv"
    data = await schedule_csv(
        own_db, {"ses-018": {"room": "room-nowhere"}, "ses-019": {"booth": "Z999"}}
    )
    sheet.write_bytes(data)
    before = await tables(own_db)
    room, booth = sheet_line(data, "ses-018"), sheet_line(data, "ses-019")
    assert await salon_import(import_fair, str(sheet), "--lang", "en") == (
        1,
        "",
        "File refused, nothing was written: 2 problem(s).\n"
        f"  programme.csv line {room}, column `room`: the room `room-nowhere` is neither in "
        "the file nor in the fair [UNKNOWN_ROOM]\n"
        f"  programme.csv line {booth}, column `booth`: the booth `Z999` is not on the "
        "fair's floor plan [UNKNOWN_BOOTH]\n",
    )
    status, _, err = await salon_import(import_fair, str(sheet))
    assert (status, err.splitlines()[0]) == (
        1,
        "Fichier refusé, rien n'a été écrit : 2 problème(s).",
    )
    assert await tables(own_db) == before


async def test_prune_from_the_shell_deletes_only_what_nobody_holds(
    import_fair: ImportFair, own_db: Db, tmp_path: Path
) -> None:
    unheld, held = "ses-062", "ses-063"
    attendee = await import_fair.people.make()
    await import_fair.own.gql.data(
        "mutation($s: ID!) { registerForSession(sessionId: $s) { status } }",
        {"s": held},
        as_=attendee,
    )
    data = await schedule_csv(own_db)
    rows = [line for line in data.decode().splitlines() if not line.startswith((unheld, held))]
    sheet = tmp_path / "programme.csv"
    sheet.write_text("\n".join(rows) + "\n")
    status, out, _ = await salon_import(import_fair, str(sheet), "--prune", "--lang", "en")
    assert (status, out.splitlines()[1]) == (
        0,
        "  Sessions: 128 unchanged, 1 cancelled, 1 deleted",
    )
    left = await own_db.fetch(
        "SELECT id, status FROM session WHERE id = any($1) ORDER BY id", [unheld, held]
    )
    assert [tuple(r) for r in left] == [(held, "CANCELLED")]


async def test_usage_errors_exit_2_and_an_oversized_file_is_refused_unread(
    import_fair: ImportFair, tmp_path: Path
) -> None:
    status, _, err = await salon_import(import_fair)
    assert (status, "the following arguments are required: path" in err) == (2, True)
    status, _, err = await salon_import(import_fair, "x.csv", "--lang", "de")
    assert (status, "invalid choice: 'de'" in err) == (2, True)
    missing = tmp_path / "absent.csv"
    assert await salon_import(import_fair, str(missing)) == (
        2,
        "",
        f"salon import: {missing}: No such file or directory\n",
    )
    assert await salon_import(import_fair, str(tmp_path)) == (
        2,
        "",
        f"salon import: {tmp_path}: Is a directory\n",
    )
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as sparse:  # no disk used: the command must not read it
        sparse.truncate(20 * 1024 * 1024 + 1)
    assert await salon_import(import_fair, str(huge), "--lang", "en") == (
        1,
        "",
        "huge.csv: the file is over 20971520 bytes, nothing was written.\n",
    )
