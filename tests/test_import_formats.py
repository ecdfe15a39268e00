"""How a file's format is told from its content, and the files refused whole: other
formats, empty or oversized files, XML that declares entities, spreadsheets past their
bounds (rows, refusals, cells, a zip bomb)."""

from __future__ import annotations

import io
import random
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from server.domain.imports.formats import exhibitor_sheet, parse_file, text
from server.domain.imports.formats.limits import MAX_FILE_BYTES
from server.domain.imports.formats.refusals import Fault
from server.domain.imports.model import ImportRefused, Refusal, Where
from tests.import_checks import csv, refusals_of, xlsx

FRAB = Path(__file__).resolve().parent / "import_files" / "sistep-2026.frab.xml"


# --- telling formats apart, and files refused whole ------------------------------------


def unknown(what_fr: str, what_en: str, file: str = "f") -> list[Refusal]:
    return [
        Refusal(
            Where(file),
            "UNKNOWN_FORMAT",
            f"format inconnu ({what_fr}) : Salon lit les programmes frab / c3voc (XML, JSON), "
            "l'export schedule.json de pretalx et les tableaux d'exposants ou de sessions "
            "(CSV UTF-8, XLSX)",
            f"unknown format ({what_en}): Salon reads frab / c3voc schedules (XML, JSON), "
            "pretalx's schedule.json export and exhibitor or session sheets (UTF-8 CSV, XLSX)",
        )
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", unknown("un fichier binaire", "a binary file")),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100),
            unknown("un classeur Excel 97-2003 (.xls)", "an Excel 97-2003 workbook (.xls)"),
        ),
        (
            b"PK\x03\x04\x14\x00\x00\x00mimetypeapplication/vnd.oasis.opendocument.spreadsheet",
            unknown("un classeur OpenDocument (.ods)", "an OpenDocument workbook (.ods)"),
        ),
        (b"PK\x03\x04\x14\x00\x00\x00photo.jpg", unknown("une archive zip", "a zip archive")),
        (
            b'<?xml version="1.0"?><iCalendar/>',
            unknown("un XML dont la racine est `<iCalendar>`", "XML whose root is `<iCalendar>`"),
        ),
        (
            b'[{"title": "x"}]',
            unknown("un JSON qui n'est pas un programme c3voc", "JSON that is no c3voc schedule"),
        ),
        (
            "\ufeffname;country".encode("utf-16"),
            unknown("du texte UTF-16 : enregistrez-le en UTF-8", "UTF-16 text: save it as UTF-8"),
        ),
        (
            b'{"schedule": {"version": "1", "conference": {}, "events": []}}',
            unknown("le brouillon « schedule 2 » de c3voc", "c3voc's draft “schedule 2”"),
        ),
        (
            b'{"talks": [], "rooms": [], "speakers": []}',
            [
                Refusal(
                    Where("f"),
                    "PRETALX_WIDGET",
                    "c'est le JSON du widget de pretalx : importez plutôt son export "
                    "/schedule/export/schedule.json",
                    "this is pretalx's widget JSON: import its /schedule/export/schedule.json "
                    "instead",
                )
            ],
        ),
        (
            b'{"schedule": {"conference": {"days": [}}}',
            [
                Refusal(
                    Where("f"),
                    "BAD_JSON",
                    "JSON illisible (Expecting value: line 1 column 39 (char 38))",
                    "unreadable JSON (Expecting value: line 1 column 39 (char 38))",
                )
            ],
        ),
        (
            b'{"schedule": {"conference": {"days": NaN}}}',
            [
                Refusal(
                    Where("f"),
                    "BAD_JSON",
                    "JSON illisible (NaN is not a number JSON allows)",
                    "unreadable JSON (NaN is not a number JSON allows)",
                )
            ],
        ),
        (
            b"[" * 100_000,
            [
                Refusal(
                    Where("f"),
                    "BAD_JSON",
                    "JSON illisible (imbrication trop profonde)",
                    "unreadable JSON (nested too deeply)",
                )
            ],
        ),
    ],
    ids=[
        "png",
        "xls",
        "ods",
        "zip",
        "xml",
        "json-list",
        "utf16",
        "schedule2",
        "widget",
        "json",
        "nan",
        "deep",
    ],
)
def test_a_file_of_another_format_is_refused_whole(data: bytes, expected: list[Refusal]) -> None:
    assert refusals_of("f", data) == expected


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b" \r\n\t\n"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    assert refusals_of("vide.csv", data) == [
        Refusal(Where("vide.csv"), "EMPTY_FILE", "le fichier est vide", "the file is empty")
    ]


def test_a_sheet_or_schedule_with_nothing_in_it_is_refused_not_taken_as_a_wish_to_empty() -> None:
    """Sheets and schedules are complete for what they hold: an empty one would remove
    every exhibitor or cancel every session."""
    assert refusals_of("e.csv", csv("name;country")) == [
        Refusal(
            Where("e.csv", 1),
            "NO_ROWS",
            "aucune ligne sous l'en-tête : rien à importer",
            "no row under the header: nothing to import",
        )
    ]
    empty = b"<schedule><conference><title>T</title><acronym>t</acronym></conference></schedule>"
    assert refusals_of("s.xml", empty) == [
        Refusal(
            Where("s.xml"),
            "NO_SESSIONS",
            "le programme ne contient aucune session : rien à importer",
            "the schedule holds no session: nothing to import",
        )
    ]


def test_a_file_over_twenty_megabytes_is_refused_before_it_is_read() -> None:
    data = FRAB.read_bytes() + b" " * MAX_FILE_BYTES
    assert refusals_of("big.xml", data) == [
        Refusal(
            Where("big.xml"),
            "FILE_TOO_LARGE",
            "le fichier fait 20,0 Mo ; au plus 20 Mo",
            "the file is 20.0 MB; at most 20 MB",
        )
    ]


def test_the_name_in_messages_is_the_files_own_printable_and_bounded() -> None:
    name = "C:\\Users\\org\\exposants\x00\n" + "x" * 500 + ".csv"
    assert refusals_of(name, b"")[0].where == Where("exposants" + "x" * 191)


# --- XML that would read files or expand without end -----------------------------------


ENTITY_REFUSAL = (
    "XML_ENTITIES",
    "DOCTYPE, entités et références externes sont refusées dans un fichier XML",
    "a DOCTYPE, entities and external references are refused in an XML file",
)


def test_an_external_entity_is_refused_and_the_file_it_names_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-7f3a", encoding="utf-8")
    entity = f'<!DOCTYPE schedule [<!ENTITY leak SYSTEM "file://{secret}">]>'
    data = FRAB.read_bytes().replace(b"<schedule>", f"{entity}\n<schedule>".encode(), 1)
    refusals = refusals_of("evil.xml", data)
    assert refusals == [Refusal(Where("evil.xml", 4), *ENTITY_REFUSAL)]
    assert "SECRET-7f3a" not in repr(refusals)
    # A parameter entity (read while the DTD is parsed) and no DOCTYPE name trick either.
    for declaration in (
        f'<!DOCTYPE schedule [<!ENTITY % leak SYSTEM "file://{secret}"> %leak;]>',
        f'<!DOCTYPE schedule SYSTEM "file://{secret}">',
    ):
        data = f'<?xml version="1.0"?>\n{declaration}\n<schedule/>'.encode()
        refusals = refusals_of("evil.xml", data)
        assert refusals == [Refusal(Where("evil.xml", 2), *ENTITY_REFUSAL)]
        assert "SECRET-7f3a" not in repr(refusals)


def test_nested_entity_expansion_is_refused() -> None:
    """The billion laughs: ten entities of ten each would expand to a billion "lol"s."""
    lines = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    data = (
        '<?xml version="1.0"?>\n<!DOCTYPE schedule [\n' + "\n".join(lines) + "\n]>\n"
        "<schedule><conference><title>&lol9;</title></conference></schedule>"
    ).encode()
    assert refusals_of("laughs.xml", data) == [Refusal(Where("laughs.xml", 2), *ENTITY_REFUSAL)]


def test_malformed_xml_names_its_line() -> None:
    data = b'<?xml version="1.0"?>\n<schedule>\n  <day>\n</schedule>\n'
    assert refusals_of("bad.xml", data) == [
        Refusal(
            Where("bad.xml", 4),
            "BAD_XML",
            "XML mal formé (colonne 3)",
            "malformed XML (column 3)",
        )
    ]
    data = b'<?xml version="1.0" encoding="klingon"?>\n<schedule/>\n'
    assert refusals_of("bad.xml", data) == [
        Refusal(
            Where("bad.xml", 1),
            "BAD_XML",
            "XML illisible : encodage inconnu ou faux (attendu UTF-8)",
            "unreadable XML: unknown or wrong encoding (expected UTF-8)",
        )
    ]


# --- bounds ----------------------------------------------------------------------------


def test_a_cell_past_the_csv_field_limit_stops_the_reading_there() -> None:
    data = csv("name;country", "Atlas;Maroc", f"{'x' * 200_000};MA", "Zagora;Maroc")
    file = "e.csv"
    assert refusals_of(file, data) == [
        Refusal(
            Where(file, 2, "country"),
            "BAD_COUNTRY",
            "`Maroc` n'est pas un code ISO 3166 (MA ?)",
            "`Maroc` is not an ISO 3166 code (MA?)",
        ),
        Refusal(
            Where(file, 3),
            "BAD_CSV",
            "CSV illisible (field larger than field limit (131072)) : la suite du fichier "
            "n'a pas été lue",
            "unreadable CSV (field larger than field limit (131072)): the rest of the file "
            "was not read",
        ),
    ]


def test_refusals_stop_at_two_thousand_and_count_the_rest() -> None:
    rows = [f"Exposant {n};Maroc" for n in range(2_500)]
    refusals = refusals_of("e.csv", csv("name;country", *rows))
    assert len(refusals) == 2_001
    assert refusals[0].where == Where("e.csv", 2, "country")
    assert refusals[1_999].where == Where("e.csv", 2_001, "country")
    assert refusals[-1] == Refusal(
        Where("e.csv"), "MORE_REFUSALS", "… et 500 autres refus", "… and 500 more"
    )


def test_more_than_ten_thousand_rows_are_refused() -> None:
    rows = [f"Exposant {n};MA" for n in range(10_001)]
    assert refusals_of("e.csv", csv("name;country", *rows)) == [
        Refusal(
            Where("e.csv", 10_002),
            "TOO_MANY_ROWS",
            "plus de 10\u00a0000 lignes : découpez le fichier",
            "more than 10,000 rows: split the file",
        )
    ]


def test_a_csv_that_is_not_utf8_names_the_line_and_how_to_save_it() -> None:
    data = "name;country\r\nAtlas;MA\r\nSéné;SN\r\n".encode("cp1252")
    assert refusals_of("e.csv", data) == [
        Refusal(
            Where("e.csv", 3),
            "NOT_UTF8",
            "l'octet 0xE9 n'est pas de l'UTF-8 : enregistrez le fichier en « CSV UTF-8 »",
            "byte 0xE9 is not UTF-8: save the file as “CSV UTF-8”",
        )
    ]


def test_a_workbook_wider_than_the_column_cap_is_refused() -> None:
    data = xlsx(["name", "country"], ["Atlas", "MA", *(["x"] * 70)])
    assert refusals_of("e.xlsx", data) == [
        Refusal(
            Where("e.xlsx", 2),
            "TOO_LARGE",
            "plus de 64 colonnes ou 640\u00a0064 cellules",
            "more than 64 columns or 640,064 cells",
        )
    ]


def test_a_workbook_that_unpacks_past_the_cap_is_refused_before_it_is_opened() -> None:
    """A zip bomb: a few hundred kilobytes that would inflate to 65 MB."""
    buffer = io.BytesIO(xlsx(["name", "country"], ["Atlas", "MA"]))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", bytes(65 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    assert refusals_of("e.xlsx", buffer.getvalue()) == [
        Refusal(
            Where("e.xlsx"),
            "TOO_LARGE",
            "le classeur décompressé dépasse 64 Mo ou 1000 parties",
            "the workbook unpacks to more than 64 MB or 1000 parts",
        )
    ]


def test_a_broken_workbook_is_refused() -> None:
    data = xlsx(["name", "country"], ["Atlas", "MA"])
    broken = data[: len(data) // 2]
    assert refusals_of("e.xlsx", broken) == [
        Refusal(
            Where("e.xlsx"),
            "BAD_XLSX",
            "classeur XLSX illisible : enregistrez-le à nouveau depuis Excel ou LibreOffice",
            "unreadable XLSX workbook: save it again from Excel or LibreOffice",
        )
    ]


def test_no_damaged_file_escapes_as_anything_but_a_refusal() -> None:
    """Files cut short or with bytes changed, in every format: each is read or refused,
    never another exception (the upload would answer 500)."""
    rng = random.Random(12)
    workbook = xlsx(["id", "title_fr", "kind", "start", "end"], [1, "T", "DEMO", "x", "y"])
    sheet = csv("id;name;country;booth", "exh-1;Atlas;MA;A101", "exh-2;Rif;MA;A102")
    schedule = FRAB.read_bytes()
    pretalx = (FRAB.parent / "pretalx-berlin.schedule.json").read_bytes()[:60_000]
    damaged: list[bytes] = []
    for data in (workbook, sheet, schedule, pretalx):
        damaged += [data[: rng.randrange(1, len(data))] for _ in range(40)]
        for _ in range(40):
            changed = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                changed[rng.randrange(len(changed))] = rng.randrange(256)
            damaged.append(bytes(changed))
    outcomes = set()
    for data in damaged:
        try:
            parse_file("damaged", data)
            outcome = "read"
        except ImportRefused as refused:
            outcome = "refused" if refused.refusals else "refused without a reason"
        outcomes.add(outcome)
    assert outcomes == {"read", "refused"}


# --- the facts the parsers' fast paths rest on -----------------------------------------


def test_a_printable_value_holds_nothing_clean_text_refuses_or_folds_but_spaces() -> None:
    """clean_text skips its scans for a printable value, and a website's test for
    whitespace is one `in` for it: over the whole of Unicode, no control character,
    surrogate, tab or line break is printable, and the plain space is the only
    printable whitespace."""
    printable = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isprintable()]
    assert [c for c in printable if c in "\t\n\r" or text._CONTROL.match(c)] == []
    assert [c for c in printable if c.isspace()] == [" "]


def outcome(check: Callable[[], str]) -> tuple[str, str]:
    try:
        return ("taken", check())
    except Fault as fault:
        return (fault.code, fault.en)


def test_a_plain_web_address_is_taken_as_the_full_check_takes_it() -> None:
    """Addresses of the plain shape skip urlsplit: the full check takes each of them as
    it is, and every other text still gets the full check's answer."""
    rng = random.Random(7)
    schemes = ["https://", "http://", "", "HTTPS://", "ftp://", "//", "https:/", "https://user@"]
    labels = ["www", "example", "ma", "a-b", "9", "xn--caf-dma", "-"]
    tails = ["", "", "/", "/contact", "?q=1", "#top", "/a%20b?x=[1]", "/@home", "/:1"]
    # Each may land anywhere in an address, and most make it no plain one.
    odd = ["", "", "", ".", ":8080", ":99999", "[", "]", "[::1]", " ", "\u00a0", "\t", "\x00", "é"]
    odd += ["_", "\\", "@", "?"]
    plain = 0
    for _ in range(5000):
        host = ".".join(rng.choice(labels) for _ in range(rng.randint(1, 3)))
        value = rng.choice(schemes) + host + rng.choice(tails)
        at = rng.randrange(len(value) + 1)
        value = value[:at] + rng.choice(odd) + value[at:]
        url = value if "://" in value else f"https://{value}"
        if exhibitor_sheet._PLAIN_WEBSITE.fullmatch(url):
            plain += 1
            assert exhibitor_sheet._checked_website(value, url) == url
        assert outcome(lambda: exhibitor_sheet._website(value)) == outcome(  # noqa: B023
            lambda: exhibitor_sheet._checked_website(value, url)  # noqa: B023
        )
    assert plain > 300  # enough of them took the fast path to prove something
