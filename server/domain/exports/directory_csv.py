"""/exhibitors.csv: the exhibitor directory for spreadsheets (RFC 4180).

UTF-8 with a byte order mark, or Excel reads it as Windows-1252; CRLF line ends, fields
quoted when they hold a comma, a quote or a line break. A cell that starts with `=`,
`+`, `-`, `@`, a tab or a carriage return is a formula to a spreadsheet (CSV injection,
OWASP): it gets a leading `'`, which the spreadsheet shows as text. Sectors are the
directory's sector ids and booths the stands' codes, each list joined with "; ".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from server.db.queries import exports as sql
from server.db.queries.exports import DirectoryRow, Stamp
from server.domain.exports.programme import MAX_EXHIBITORS, bounded
from server.domain.plans import Pool

COLUMNS = (
    "id",
    "name",
    "country",
    "sectors",
    "booths",
    "website",
    "description_fr",
    "description_en",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "
BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class Directory:
    stamp: Stamp
    exhibitors: list[DirectoryRow]


async def read_directory(pool: Pool) -> Directory:
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        stamp = await sql.stamp(conn)
        rows = await sql.directory(conn, MAX_EXHIBITORS + 1)
    return Directory(stamp=stamp, exhibitors=bounded(rows, MAX_EXHIBITORS, "exhibitors"))


def neutralised(cell: str) -> str:
    """The cell as a spreadsheet shows it as text, never runs it."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def spreadsheet(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A CSV file as this module's docstring says, every cell neutralised (Salon's
    other spreadsheets are written the same way: leads, meetings)."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    writer.writerows([neutralised(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def render(directory: Directory) -> bytes:
    return spreadsheet(COLUMNS, (_cells(row) for row in directory.exhibitors))


def _cells(row: DirectoryRow) -> Sequence[str]:
    return (
        row.id,
        row.name,
        row.country,
        LIST_SEPARATOR.join(row.sectors),
        LIST_SEPARATOR.join(row.booths),
        row.website or "",
        row.description_fr or "",
        row.description_en or "",
    )
