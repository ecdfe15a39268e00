"""What the import tests share: files made in the test, and parse_file's two outcomes."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
import pytest

from server.clock import FAIR_TZ
from server.domain.imports.formats import parse_file
from server.domain.imports.model import ImportedFair, ImportRefused, Refusal

BOM = "\ufeff"


def csv(*lines: str, bom: bool = False) -> bytes:
    """A CSV file as Excel writes it: CRLF after each line."""
    return ((BOM if bom else "") + "\r\n".join(lines) + "\r\n").encode()


def xlsx(*rows: list[object]) -> bytes:
    """A workbook of one sheet, made with openpyxl."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parsed(name: str, data: bytes) -> ImportedFair:
    """The file's content; a refusal fails the test with every refusal's text."""
    try:
        return parse_file(name, data)
    except ImportRefused as refused:
        raise AssertionError([r.text("en") for r in refused.refusals]) from None


def refusals_of(name: str, data: bytes) -> list[Refusal]:
    with pytest.raises(ImportRefused) as refused:
        parse_file(name, data)
    return refused.value.refusals


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def casablanca(*args: int) -> datetime:
    """The fair's wall clock (UTC+00 since 2026-09-20), as the fair's zone shows it."""
    return utc(*args).astimezone(FAIR_TZ)
