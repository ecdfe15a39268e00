"""`salon import PATH [--dry-run] [--prune] [--lang fr|en]`: load a schedule or an
exhibitor sheet into the fair from the shell, as the organisers' upload does.

Exit status: 0 applied (or simulated), 1 refused (every refusal printed, nothing
written), 2 a usage error (argparse's, or a file that cannot be read).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from server.clock import clock_from_setting
from server.db.migrate import migrate
from server.db.pool import connect, create_pool
from server.domain.imports.apply import Operator
from server.domain.imports.files import import_file
from server.domain.imports.formats.limits import MAX_FILE_BYTES
from server.domain.imports.model import ImportRefused
from server.domain.imports.report import ImportReport
from server.services import ensure_database, locate_services
from server.settings import Settings

#: Who the notices and the audit row say made the change (no person: the shell).
OPERATOR = Operator("salon import (command line)")
#: Rows to write before a progress bar is worth drawing.
BAR_FROM = 200
USAGE, REFUSED = 2, 1


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "import",
        help="load a schedule (frab/c3voc XML or JSON, pretalx JSON) or a spreadsheet "
        "(CSV, XLSX) into the fair; see docs/imports.md",
    )
    command.add_argument("path", help="the file (its format is told from its content)")
    command.add_argument(
        "--dry-run", action="store_true", help="say what would change, write nothing"
    )
    command.add_argument(
        "--prune",
        action="store_true",
        help="delete sessions and exhibitors the file omits when nobody holds them "
        "(otherwise omitted sessions are cancelled, omitted exhibitors kept)",
    )
    command.add_argument("--lang", default="fr", choices=["fr", "en"])


def read_file(path: Path, lang: str) -> bytes:
    """The file's bytes: never more than the cap is read (its size is checked first, and
    the read stops one byte past the cap, for a file that grows meanwhile)."""
    try:
        with path.open("rb") as source:
            size = path.stat().st_size
            data = source.read(MAX_FILE_BYTES + 1) if size <= MAX_FILE_BYTES else b""
    except OSError as unreadable:
        print(f"salon import: {path}: {unreadable.strerror}", file=sys.stderr)
        raise SystemExit(USAGE) from None
    if size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        raise _Refused(
            f"{path.name}: the file is over {MAX_FILE_BYTES} bytes, nothing was written."
            if lang == "en"
            else f"{path.name} : le fichier dépasse {MAX_FILE_BYTES} octets, rien n'a été écrit."
        )
    return data


class _Refused(Exception):
    pass


async def run_import(settings: Settings, args: argparse.Namespace) -> int:
    lang: str = args.lang
    path = Path(args.path)
    try:
        data = read_file(path, lang)
    except _Refused as too_big:
        print(str(too_big), file=sys.stderr)
        return REFUSED
    urls = locate_services(settings)
    dsn = settings.database_url or await ensure_database(urls, settings.database_name)
    conn = await connect(dsn)
    try:
        await migrate(conn)  # as `salon demo`: a new database gets its tables first
    finally:
        await conn.close()
    pool = await create_pool(dsn, min_size=1, max_size=1)
    try:
        now = clock_from_setting(settings.now).now()
        with _Bar(lang) as bar:
            report = await import_file(
                pool,
                OPERATOR,
                path.name,
                data,
                now,
                dry_run=args.dry_run,
                prune=args.prune,
                progress=bar,
            )
    except ImportRefused as refused:
        return _print_refusals(refused, lang)
    finally:
        await pool.close()
    _print_report(report, lang)
    return 0


def _print_refusals(refused: ImportRefused, lang: str) -> int:
    count = len(refused.refusals)
    print(
        f"File refused, nothing was written: {count} problem(s)."
        if lang == "en"
        else f"Fichier refusé, rien n'a été écrit : {count} problème(s).",
        file=sys.stderr,
    )
    for refusal in refused.refusals:
        print(f"  {refusal.text(lang)} [{refusal.code}]", file=sys.stderr)
    return REFUSED


def _print_report(report: ImportReport, lang: str) -> None:
    english = lang == "en"
    if report.dry_run:
        head = "Dry run, nothing was written:" if english else "Simulation, rien n'a été écrit :"
    elif report.changes_anything:
        head = f"{report.file} applied:" if english else f"{report.file} appliqué :"
    else:
        head = (
            f"{report.file}: nothing to change." if english else f"{report.file} : rien à changer."
        )
    print(head)
    for line in report.lines(lang):
        print(f"  {line}")


class _Bar:
    """A rich progress bar of rows written, drawn only on a terminal and for long files."""

    def __init__(self, lang: str) -> None:
        console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("Rows written" if lang == "en" else "Lignes écrites"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self.task: TaskID | None = None

    def __enter__(self) -> _Bar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def __call__(self, done: int, total: int) -> None:
        if total < BAR_FROM:
            return
        if self.task is None:
            self.task = self.progress.add_task("", total=total)
        self.progress.update(self.task, completed=done, total=total)
