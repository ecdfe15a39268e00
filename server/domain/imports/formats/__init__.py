"""Reading an import file: `parse_file` tells its format from its content (never from
its name alone) and hands it to that format's parser.

Formats: frab / c3voc schedule XML (frab_xml), c3voc schedule JSON and pretalx's
schedule.json export (c3voc_json), exhibitor and session spreadsheets in CSV
(csv_table) or XLSX (xlsx_table), told apart by their header row (sheets). Every
parser reports all the refusals of a file at once (ImportRefused), never another
exception, and bounds what it reads (limits).
"""

from __future__ import annotations

import codecs
import json
from typing import Any, NoReturn

from server.domain.imports.formats import c3voc_json, frab_xml
from server.domain.imports.formats.csv_table import read_csv
from server.domain.imports.formats.limits import MAX_FILE_BYTES
from server.domain.imports.formats.refusals import Refusals, shown
from server.domain.imports.formats.sheets import parse_sheet
from server.domain.imports.formats.xlsx_table import read_xlsx
from server.domain.imports.model import ImportedFair, ImportRefused, Where

__all__ = ["ImportRefused", "parse_file"]

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls)
_NAME_CHARS = 200


def parse_file(name: str, data: bytes) -> ImportedFair:
    """The content of the file `name` (as uploaded; only used to say where), or
    ImportRefused with every reason it cannot be loaded."""
    file = _file_name(name)
    refusals = Refusals(file)
    if len(data) > MAX_FILE_BYTES:
        size = len(data) / (1024 * 1024)
        limit = MAX_FILE_BYTES // (1024 * 1024)
        refusals.refuse(
            Where(file),
            "FILE_TOO_LARGE",
            f"le fichier fait {size:.1f} Mo ; au plus {limit} Mo".replace(".", ",", 1),
            f"the file is {size:.1f} MB; at most {limit} MB",
        )
    text_start = data.removeprefix(codecs.BOM_UTF8).lstrip()
    if not text_start:
        refusals.refuse(Where(file), "EMPTY_FILE", "le fichier est vide", "the file is empty")
    if data.startswith(_ZIP):
        return _zipped(file, data, refusals)
    if data.startswith(_OLE):
        _unknown(refusals, "un classeur Excel 97-2003 (.xls)", "an Excel 97-2003 workbook (.xls)")
    if text_start.startswith(b"<"):
        root, lines = frab_xml.read_tree(file, data, refusals)
        if root.tag != "schedule":
            tag = shown(f"<{root.tag}>")
            _unknown(refusals, f"un XML dont la racine est {tag}", f"XML whose root is {tag}")
        return frab_xml.parse(file, root, lines, refusals)
    if text_start[:1] in (b"{", b"["):
        return _json(file, data, refusals)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _unknown(
            refusals, "du texte UTF-16 : enregistrez-le en UTF-8", "UTF-16 text: save it as UTF-8"
        )
    if b"\x00" in data[:4096] and not _is_utf8(data):
        _unknown(refusals, "un fichier binaire", "a binary file")
    return parse_sheet(read_csv(file, data, refusals), refusals)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _file_name(name: str) -> str:
    """The name messages give: its last part, printable, bounded."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(c for c in base if c.isprintable())[:_NAME_CHARS]
    return printable or "fichier"


def _zipped(file: str, data: bytes, refusals: Refusals) -> ImportedFair:
    # Zip entries' names are stored as written: an OpenDocument file starts with its
    # mimetype, an Office Open XML one names its parts (xl/… for a workbook).
    if b"opendocument.spreadsheet" in data[:200]:
        _unknown(refusals, "un classeur OpenDocument (.ods)", "an OpenDocument workbook (.ods)")
    if b"xl/" in data or b"[Content_Types].xml" in data:
        return parse_sheet(read_xlsx(file, data, refusals), refusals)
    _unknown(refusals, "une archive zip", "a zip archive")


def _json(file: str, data: bytes, refusals: Refusals) -> ImportedFair:
    try:
        document = json.loads(data, parse_constant=_no_constant)
    except RecursionError:
        refusals.refuse(
            Where(file),
            "BAD_JSON",
            "JSON illisible (imbrication trop profonde)",
            "unreadable JSON (nested too deeply)",
        )
    except ValueError as bad:
        # json's messages name a line and column; a bad UTF-8 byte, a NaN or a number of
        # thousands of digits land here too.
        detail = str(bad)[:120]
        refusals.refuse(
            Where(file), "BAD_JSON", f"JSON illisible ({detail})", f"unreadable JSON ({detail})"
        )
    schedule = document.get("schedule") if isinstance(document, dict) else None
    if isinstance(schedule, dict) and isinstance(schedule.get("events"), list):
        _unknown(refusals, "le brouillon « schedule 2 » de c3voc", "c3voc's draft “schedule 2”")
    if isinstance(schedule, dict):
        return c3voc_json.parse(file, document, refusals, _json_source(document))
    if isinstance(document, dict) and "talks" in document:
        refusals.refuse(
            Where(file),
            "PRETALX_WIDGET",
            "c'est le JSON du widget de pretalx : importez plutôt son export "
            "/schedule/export/schedule.json",
            "this is pretalx's widget JSON: import its /schedule/export/schedule.json instead",
        )
    _unknown(refusals, "un JSON qui n'est pas un programme c3voc", "JSON that is no c3voc schedule")


def _json_source(document: dict[str, Any]) -> str:
    generator = document.get("generator")
    is_pretalx = isinstance(generator, dict) and generator.get("name") == "pretalx"
    return "pretalx-json" if is_pretalx else "c3voc-json"


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def _unknown(refusals: Refusals, what_fr: str, what_en: str) -> NoReturn:
    refusals.refuse(
        Where(refusals.file),
        "UNKNOWN_FORMAT",
        f"format inconnu ({what_fr}) : Salon lit les programmes frab / c3voc (XML, JSON), "
        "l'export schedule.json de pretalx et les tableaux d'exposants ou de sessions "
        "(CSV UTF-8, XLSX)",
        f"unknown format ({what_en}): Salon reads frab / c3voc schedules (XML, JSON), "
        "pretalx's schedule.json export and exhibitor or session sheets (UTF-8 CSV, XLSX)",
    )
