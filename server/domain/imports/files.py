"""Importing a file as uploaded or named on the command line: recognised when the same
bytes were applied before and nothing they read has changed since (the report is then
the one that import left, and the file is not parsed again), else parsed off the event
loop and applied.

An organiser re-imports the same file often: to check it, after a failed upload, the
day before. Parsing and comparing thousands of rows again would find nothing to change.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime
from functools import cache
from pathlib import Path

from server.db.queries import imports as sql
from server.domain.imports.apply import Operator, apply_import, who_imports
from server.domain.imports.formats import parse_file
from server.domain.imports.report import ImportReport
from server.domain.imports.writes import Progress
from server.domain.plans import Pool
from server.domain.viewer import Viewer

#: The code that reads and applies a file: another version may read the same bytes
#: otherwise, so its digest is part of every file's.
_DOMAIN = Path(__file__).parent.parent
_CODE = (*_DOMAIN.glob("imports/**/*.py"), _DOMAIN / "source_ids.py")


async def import_file(
    db: Pool,
    actor: Viewer | Operator | None,
    name: str,
    data: bytes,
    now: datetime,
    *,
    dry_run: bool,
    prune: bool,
    progress: Progress | None = None,
) -> ImportReport:
    """As apply_import (the same refusals), from the file's name and bytes."""
    who_imports(actor)  # nobody else learns even whether a file is known
    digest = digest_of(name, data)
    async with db.acquire() as conn:
        known = await sql.known_import(conn, digest, prune)
    if known is not None:
        return ImportReport.of_known_file(
            known.source,
            known.file,
            known.report,
            known.imported_at,
            dry_run=dry_run,
            prune=prune,
        )
    # Parsing a large workbook is seconds of CPU: off the loop serving the sockets.
    fair = await asyncio.to_thread(parse_file, name, data)
    return await apply_import(
        db, actor, fair, now, dry_run=dry_run, prune=prune, progress=progress, digest=digest
    )


def digest_of(name: str, data: bytes) -> bytes:
    """The file's name (refusals and reports quote it) and bytes, and the code's."""
    digest = hashlib.sha256(_code_digest())
    digest.update(name.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(data)
    return digest.digest()


@cache
def _code_digest() -> bytes:
    digest = hashlib.sha256()
    for path in sorted(_CODE):
        digest.update(str(path.relative_to(_DOMAIN)).encode() + b"\0" + path.read_bytes())
    return digest.digest()
