"""Applying a parsed file to the fair: one transaction per import, under a lock that
makes imports take turns.

First every check, against the file and against the fair as the transaction reads it:
a file with any problem comes back with all of them (ImportRefused) and nothing is
written. Then only the rows that differ are written, keyed by id, so bookmarks,
registrations and follows stay, and a second import of the same file writes nothing,
bumps no agenda version and tells nobody anything. A moved, retimed, renamed or resized
session tells its people what `updateSession` tells them; a session the file omits
(when the file is complete for sessions) is cancelled as `cancelSession` cancels, or,
with `prune`, deleted when nobody holds it. A dry run does all of it, reports it, and
rolls it back: nothing is kept and no notice leaves. An import given its file's digest
remembers the file with what it read (footprint.py), for files.py to recognise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.db.queries import imports as sql
from server.db.queries import notices as notices_sql
from server.db.queries.agenda import lock_agenda
from server.domain.imports.aliases import alias_known_rows
from server.domain.imports.bounds import check_counts
from server.domain.imports.current import read_current
from server.domain.imports.fields import check_fields
from server.domain.imports.footprint import footprint
from server.domain.imports.model import ImportedFair, ImportRefused
from server.domain.imports.plan import plan_import
from server.domain.imports.references import check_references
from server.domain.imports.refusals import Refusals, file_of
from server.domain.imports.report import ImportReport
from server.domain.imports.rooms import check_rooms
from server.domain.imports.stands import place_at_stands
from server.domain.imports.writes import Progress, Writer
from server.domain.plans import Pool
from server.domain.viewer import Viewer, require_role


@dataclass(frozen=True, slots=True)
class Operator:
    """Someone at the server's shell, through a command (`salon import`): an organiser
    by the access they have (they hold the database already), and no person of the
    fair, so notices and the audit row name no person and the audit says the command."""

    command: str


async def apply_import(
    db: Pool,
    actor: Viewer | Operator | None,
    fair: ImportedFair,
    now: datetime,
    *,
    dry_run: bool,
    prune: bool,
    progress: Progress | None = None,
    digest: bytes | None = None,
) -> ImportReport:
    """Organisers (or an Operator) only: UNAUTHENTICATED or FORBIDDEN otherwise.
    ImportRefused with every refusal when the file cannot be applied as a whole.
    `digest`: the file's (files.digest_of), to remember it by once applied."""
    actor_id, by = who_imports(actor)
    file = file_of(fair)
    refusals = Refusals(file)
    if not check_counts(fair, refusals):
        raise ImportRefused(refusals.found)
    check_fields(fair, refusals)
    report = ImportReport(source=fair.source, file=file, dry_run=dry_run, prune=prune)
    async with db.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            placed = await _apply(conn, fair, report, refusals, actor_id, by, now, progress)
            if digest is not None and not dry_run:
                await _remember(conn, digest, fair, placed, report, now)
        except BaseException:
            await transaction.rollback()
            raise
        if dry_run:
            await transaction.rollback()
        else:
            await transaction.commit()
    return report


def who_imports(actor: Viewer | Operator | None) -> tuple[int | None, str]:
    """The organiser's id (None for an Operator) and how the audit names them."""
    if isinstance(actor, Operator):
        return None, actor.command
    organiser = require_role(actor, "ORGANISER")
    return organiser.id, f"person {organiser.id}"


async def _apply(
    conn: Any,
    fair: ImportedFair,
    report: ImportReport,
    refusals: Refusals,
    actor_id: int | None,
    by: str,
    now: datetime,
    progress: Progress | None,
) -> ImportedFair:
    """Returns the file as placed at the fair's stands (for its footprint)."""
    await sql.lock_imports(conn)
    # The agenda as one snapshot, held until the import commits: nobody changes a track
    # or a room between what the import compares with and what it writes.
    await lock_agenda(conn)
    current = await read_current(conn, fair)
    placed = place_at_stands(fair, current)
    fair = alias_known_rows(placed, current)
    resolved = check_references(fair, current, refusals)
    if refusals:
        raise ImportRefused(refusals.found)
    plan = plan_import(fair, current, resolved, report, now)
    check_rooms(fair, current, plan, refusals)
    if refusals:
        raise ImportRefused(refusals.found)
    await Writer(conn, plan, actor_id, now).write(progress)
    if report.changes_anything:
        await notices_sql.audit(
            conn,
            at=now,
            actor_id=actor_id,
            action="import.apply",
            subject=report.file,
            details={
                "source": fair.source,
                "by": by,
                "prune": report.prune,
                "counts": report.counts(),
                "notices": len(report.notices),
            },
        )
    return placed


async def _remember(
    conn: Any,
    digest: bytes,
    read: ImportedFair,
    placed: ImportedFair,
    report: ImportReport,
    now: datetime,
) -> None:
    next_run = report.next_run()
    if next_run is None:
        return
    await sql.remember_import(
        conn,
        digest=digest,
        prune=report.prune,
        footprint=footprint(read, placed),
        source=report.source,
        file=report.file,
        report=next_run,
        at=now,
    )
