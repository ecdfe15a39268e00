"""A spreadsheet's header row: which sheet it starts (exhibitors or sessions), which
column is which, and what is missing; then each row goes to its sheet's parser."""

from __future__ import annotations

from server.domain.imports.formats import exhibitor_sheet, session_sheet
from server.domain.imports.formats.columns import (
    COLUMNS,
    LOOKUPS,
    Column,
    SheetKind,
    header_key,
    sheet_kind,
)
from server.domain.imports.formats.refusals import Fault, Refusals, shown
from server.domain.imports.formats.table import RowReader, Table, cell_text
from server.domain.imports.formats.times import Cell
from server.domain.imports.model import ImportedFair, Where

_SHEET_FR = {"exhibitors": "d'exposants", "sessions": "de sessions"}
_SHEET_EN = {"exhibitors": "an exhibitor", "sessions": "a session"}


def parse_sheet(table: Table, refusals: Refusals) -> ImportedFair:
    kind = sheet_kind(list(table.header))
    if kind is None:
        refusals.refuse(
            Where(table.file, table.header_line),
            "UNKNOWN_SHEET",
            "la première ligne ne nomme ni les colonnes d'un tableau d'exposants (name, "
            "country…) ni celles d'un tableau de sessions (title_fr, start, end…)",
            "the first row names neither an exhibitor sheet's columns (name, country…) "
            "nor a session sheet's (title_fr, start, end…)",
        )
    columns = _columns(table, kind, refusals)
    if not table.rows:
        # A sheet is complete for its rows: an empty one would remove them all.
        refusals.refuse(
            Where(table.file, table.header_line),
            "NO_ROWS",
            "aucune ligne sous l'en-tête : rien à importer",
            "no row under the header: nothing to import",
        )
    readers = []
    used = set(columns.values())
    for row in table.rows:
        reader = RowReader(table.file, row, columns, refusals)
        _check_outside(table, reader, used, row.cells)
        readers.append(reader)
    if kind == "exhibitors":
        return exhibitor_sheet.parse(table.source, readers, refusals)
    return session_sheet.parse(table.source, readers, refusals)


def _columns(table: Table, kind: SheetKind, refusals: Refusals) -> dict[str, int]:
    """Column name → index; refusals for unknown, repeated and missing columns."""
    lookup = LOOKUPS[kind]
    known: tuple[Column, ...] = COLUMNS[kind]
    columns: dict[str, int] = {}
    for index, header in enumerate(table.header):
        if not header.strip():
            continue
        where = Where(table.file, table.header_line, shown(header.strip())[1:-1])
        name = lookup.get(header_key(header))
        if name is None:
            names = ", ".join(column.name for column in known)
            refusals.add(
                where,
                "UNKNOWN_COLUMN",
                f"colonne inconnue dans un tableau {_SHEET_FR[kind]} : retirez-la ou "
                f"renommez-la (colonnes : {names})",
                f"unknown column in {_SHEET_EN[kind]} sheet: remove or rename it "
                f"(columns: {names})",
            )
        elif name in columns:
            refusals.add(
                where,
                "DUPLICATE_COLUMN",
                f"la colonne `{name}` est déjà la colonne {columns[name] + 1}",
                f"column `{name}` is already column {columns[name] + 1}",
            )
        else:
            columns[name] = index
    for column in known:
        if column.required and column.name not in columns:
            _missing(table, column, refusals)
    if kind == "sessions" and "end" not in columns and "duration" not in columns:
        _missing(table, Column("end", ("fin", "duration")), refusals)
    return columns


def _missing(table: Table, column: Column, refusals: Refusals) -> None:
    alias = " ou ".join(f"`{a}`" for a in column.aliases[:2])
    alias_en = " or ".join(f"`{a}`" for a in column.aliases[:2])
    refusals.add(
        Where(table.file, table.header_line, column.name),
        "MISSING_COLUMN",
        f"colonne obligatoire absente : `{column.name}` (ou {alias})",
        f"missing required column: `{column.name}` (or {alias_en})",
    )


def _check_outside(
    table: Table, reader: RowReader, used: set[int], cells: tuple[Cell, ...]
) -> None:
    """A value in a column without a header would be lost: refuse it."""
    for index, cell in enumerate(cells):
        if index in used or not cell_text(cell).strip():
            continue
        if index < len(table.header) and table.header[index].strip():
            continue  # an unknown column, refused once at the header
        reader.refuse(
            None,
            Fault(
                "OUTSIDE_COLUMNS",
                f"valeur hors des colonnes (colonne {index + 1}) : ajoutez un en-tête "
                "ou effacez-la",
                f"value outside the columns (column {index + 1}): add a header or clear it",
            ),
        )
