"""A spreadsheet as its readers (CSV, XLSX) hand it over, and one row as the sheet
parsers read it: each accessor checks its cell and records what is wrong with it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TypeVar

from server.domain.imports.formats.limits import MAX_LONG_TEXT_CHARS
from server.domain.imports.formats.refusals import Fault, Refusals, french_number, shown
from server.domain.imports.formats.text import clean_text, split_list
from server.domain.imports.formats.times import Cell
from server.domain.imports.model import Where

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # the CSV line a record starts on, or the sheet's row number
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Table:
    file: str
    source: str  # "csv" or "xlsx"
    header_line: int
    header: tuple[str, ...]
    rows: tuple[Row, ...]


def cell_text(cell: Cell) -> str:
    """Any cell as text: numbers as Excel shows them (2, not 2.0)."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ", timespec="minutes")
    if isinstance(cell, date | time):
        return cell.isoformat()
    return str(cell)


class RowReader:
    """The cells of one row by column name; `ok` turns False at the first fault."""

    def __init__(self, file: str, row: Row, columns: dict[str, int], refusals: Refusals) -> None:
        self.file = file
        self.line = row.line
        self._row = row
        self._columns = columns
        self._refusals = refusals
        self.ok = True

    def where(self, column: str | None = None) -> Where:
        return Where(self.file, self.line, column)

    def refuse(self, column: str | None, fault: Fault) -> None:
        self.ok = False
        self._refusals.add_fault(self.where(column), fault)

    def raw(self, column: str) -> Cell:
        """The cell as read (None when the column is missing or the cell is blank)."""
        index = self._columns.get(column)
        if index is None or index >= len(self._row.cells):
            return None
        cell = self._row.cells[index]
        return None if isinstance(cell, str) and not cell.strip() else cell

    def has(self, column: str) -> bool:
        return column in self._columns

    def text(
        self, column: str, limit: int, *, required: bool = False, multiline: bool = False
    ) -> str | None:
        cell = self.raw(column)
        if cell is None:
            if required and self.has(column):
                self.refuse(column, required_fault(column))
            return None
        try:
            return clean_text(cell_text(cell), limit, multiline=multiline)
        except Fault as fault:
            self.refuse(column, fault)
            return None

    def parsed(self, column: str, value: str | None, parse: Callable[[str], T]) -> T | None:
        """`parse(value)`, or None (and a refusal) when it faults."""
        if value is None:
            return None
        try:
            return parse(value)
        except Fault as fault:
            self.refuse(column, fault)
            return None

    def items(self, column: str, parse: Callable[[str], T]) -> list[T]:
        """The items of a list cell, each parsed; the first fault refuses the cell."""
        value = self.text(column, MAX_LONG_TEXT_CHARS, multiline=True)
        if value is None:
            return []
        try:
            return [parse(item) for item in split_list(value)]
        except Fault as fault:
            self.refuse(column, fault)
            return []

    def integer(self, column: str, low: int, high: int) -> int | None:
        cell = self.raw(column)
        if cell is None:
            return None
        text = cell_text(cell).strip()
        # The length first: int() of thousands of digits is slow, and refused past 4300.
        if not (len(text) <= 9 and text.isascii() and text.isdigit() and low <= int(text) <= high):
            self.refuse(
                column,
                Fault(
                    "BAD_NUMBER",
                    f"{shown(text)} n'est pas un nombre entier de {low} à {french_number(high)}",
                    f"{shown(text)} is not a whole number from {low} to {high:,}",
                ),
            )
            return None
        return int(text)


def required_fault(column: str) -> Fault:
    return Fault(
        "REQUIRED",
        f"cellule vide : la colonne `{column}` est obligatoire",
        f"empty cell: column `{column}` is required",
    )


class FirstSeen:
    """The line each key was first seen on, to refuse the rows that repeat it."""

    def __init__(self) -> None:
        self._lines: dict[str, int] = {}

    def check(
        self, key: str, row: RowReader, column: str, fault: Callable[[int], Fault] | None = None
    ) -> None:
        first = self._lines.setdefault(key, row.line)
        if first != row.line:
            row.refuse(column, (fault or _duplicate(key))(first))


def _duplicate(key: str) -> Callable[[int], Fault]:
    return lambda first: Fault(
        "DUPLICATE_ID",
        f"l'identifiant `{key}` est déjà à la ligne {first}",
        f"id `{key}` is already on line {first}",
    )
