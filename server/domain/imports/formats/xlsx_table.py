"""XLSX workbooks: the first sheet, read with openpyxl in read-only mode (rows streamed
from the zip, formulas as their last computed values).

A workbook is a zip: before openpyxl opens it, the sizes its parts declare are added
up and bounded, and Python's zipfile never inflates a part past its declared size, so
a small file cannot unpack into gigabytes. Rows and cells read are bounded too.
openpyxl parses the parts with defusedxml when it is installed, as it is here.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time, timedelta
from typing import NoReturn

import openpyxl

from server.domain.imports.formats.limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_XLSX_PARTS,
    MAX_XLSX_UNPACKED,
)
from server.domain.imports.formats.refusals import Refusals, french_number
from server.domain.imports.formats.table import Row, Table, cell_text
from server.domain.imports.formats.times import Cell
from server.domain.imports.model import ImportRefused, Where


def _check_unpacked_size(file: str, data: bytes, refusals: Refusals) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        # NotImplementedError: a zip of a version or compression zipfile does not read.
        _unreadable(file, refusals)
    unpacked = sum(part.file_size for part in parts)
    if len(parts) > MAX_XLSX_PARTS or unpacked > MAX_XLSX_UNPACKED:
        megabytes = MAX_XLSX_UNPACKED // (1024 * 1024)
        refusals.refuse(
            Where(file),
            "TOO_LARGE",
            f"le classeur décompressé dépasse {megabytes} Mo ou {MAX_XLSX_PARTS} parties",
            f"the workbook unpacks to more than {megabytes} MB or {MAX_XLSX_PARTS} parts",
        )


def _unreadable(file: str, refusals: Refusals) -> NoReturn:
    refusals.refuse(
        Where(file),
        "BAD_XLSX",
        "classeur XLSX illisible : enregistrez-le à nouveau depuis Excel ou LibreOffice",
        "unreadable XLSX workbook: save it again from Excel or LibreOffice",
    )


def _too_large(file: str, number: int, refusals: Refusals) -> NoReturn:
    refusals.refuse(
        Where(file, number),
        "TOO_LARGE",
        f"plus de {MAX_COLUMNS} colonnes ou {french_number(MAX_CELLS)} cellules",
        f"more than {MAX_COLUMNS} columns or {MAX_CELLS:,} cells",
    )


def _filled(values: tuple[Cell, ...]) -> tuple[Cell, ...]:
    """`values` without its trailing blank cells."""
    end = len(values)
    while end and not cell_text(values[end - 1]).strip():
        end -= 1
    return values[:end]


def _cell(value: object) -> Cell:
    """A value as openpyxl reads it; rich text, decimals and formulas as their text."""
    if value is None or isinstance(value, str | int | float | datetime | date | time | timedelta):
        return value
    return str(value)


def _sheet_rows(file: str, data: bytes, refusals: Refusals) -> list[Row]:
    """The non-empty rows of the first sheet, numbered as the sheet numbers them: the
    header and at most MAX_ROWS more."""
    rows: list[Row] = []
    cells_read = 0
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises anything on a malformed part
        _unreadable(file, refusals)
    try:
        # One column more than allowed, so that a wider sheet is seen, not cut.
        sheet_rows = workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
        for number, values in enumerate(sheet_rows, start=1):
            cells_read += len(values)
            cells = _filled(tuple(_cell(value) for value in values))
            if len(cells) > MAX_COLUMNS or cells_read > MAX_CELLS:
                _too_large(file, number, refusals)
            if not cells:
                continue
            if len(rows) > MAX_ROWS:
                refusals.add(
                    Where(file, number),
                    "TOO_MANY_ROWS",
                    f"plus de {french_number(MAX_ROWS)} lignes : découpez le fichier",
                    f"more than {MAX_ROWS:,} rows: split the file",
                )
                break
            rows.append(Row(number, cells))
    except ImportRefused:
        raise
    except Exception:  # a bad part may surface only when its rows are read
        _unreadable(file, refusals)
    finally:
        workbook.close()
    return rows


def read_xlsx(file: str, data: bytes, refusals: Refusals) -> Table:
    _check_unpacked_size(file, data, refusals)
    rows = _sheet_rows(file, data, refusals)
    if not rows:
        refusals.refuse(Where(file), "EMPTY_FILE", "le fichier est vide", "the file is empty")
    header, *body = rows
    names = tuple(cell_text(cell) for cell in header.cells)
    return Table(file, "xlsx", header.line, names, tuple(body))
