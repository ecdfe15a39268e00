"""CSV spreadsheets: UTF-8 with or without a byte order mark, `,` or `;` between
cells (Excel in France writes `;`), quoted cells over several lines."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

from server.domain.imports.formats.limits import MAX_ROWS
from server.domain.imports.formats.refusals import Refusals, french_number
from server.domain.imports.formats.table import Row, Table
from server.domain.imports.model import Where


def decode(file: str, data: bytes, refusals: Refusals) -> str:
    """The text of a CSV file; refused, with the line of the first bad byte, unless it
    is UTF-8 (Excel's "CSV UTF-8"; its plain "CSV" is Windows-1252)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as bad:
        line = data[: bad.start].count(b"\n") + 1
        byte = f"0x{data[bad.start]:02X}"
        refusals.refuse(
            Where(file, line),
            "NOT_UTF8",
            f"l'octet {byte} n'est pas de l'UTF-8 : enregistrez le fichier en « CSV UTF-8 »",
            f"byte {byte} is not UTF-8: save the file as “CSV UTF-8”",
        )


def separator(text: str) -> str:
    """`;` or `,`: whichever the header line holds more of."""
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _records(file: str, text: str, refusals: Refusals) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator(text))
    while True:
        line = reader.line_num + 1
        try:
            record = next(reader, None)
        except csv.Error as bad:
            # Past the csv module's field limit (131,072 characters), or a quote left
            # open: the records after it cannot be told apart, so reading stops here.
            refusals.add(
                Where(file, line),
                "BAD_CSV",
                f"CSV illisible ({bad}) : la suite du fichier n'a pas été lue",
                f"unreadable CSV ({bad}): the rest of the file was not read",
            )
            return
        if record is None:
            return
        if any(cell.strip() for cell in record):
            yield Row(line, tuple(record))


def read_csv(file: str, data: bytes, refusals: Refusals) -> Table:
    text = decode(file, data, refusals)
    records = _records(file, text, refusals)
    header = next(records, None)
    if header is None:
        refusals.refuse(Where(file), "EMPTY_FILE", "le fichier est vide", "the file is empty")
    rows: list[Row] = []
    for row in records:
        if len(rows) == MAX_ROWS:
            refusals.add(
                Where(file, row.line),
                "TOO_MANY_ROWS",
                f"plus de {french_number(MAX_ROWS)} lignes : découpez le fichier",
                f"more than {MAX_ROWS:,} rows: split the file",
            )
            break
        rows.append(row)
    names = tuple(str(cell) for cell in header.cells)
    return Table(file, "csv", header.line, names, tuple(rows))
