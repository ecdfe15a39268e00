"""Exhibitor spreadsheets and what every spreadsheet's header row must say
(docs/imports.md), in CSV and XLSX; the templates of docs/templates."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from server.domain.imports.formats.keys import content_key
from server.domain.imports.model import ImportedExhibitor, ImportedFair, Refusal, Where
from tests.import_checks import csv, parsed, refusals_of, xlsx

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "server" / "demo" / "sistep2026"
AFRICA = (
    "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR "
    "LY MG MW ML MR MU MA MZ NA NE NG RW ST SN SC SL SO ZA SS SD TZ TG TN UG ZM ZW"
)
EUROPEAN_UNION = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"


# --- exhibitors ------------------------------------------------------------------------


def test_an_exhibitor_csv_from_excel_in_france_is_read_whole() -> None:
    """`;` between cells, a byte order mark, French headers in any case, a quoted cell
    over two lines, no id column: each exhibitor is known by its name."""
    data = csv(
        "Nom;PAYS;Secteurs;Stand;Description;Description anglais;Site web",
        'Atlas Usinage;ma;mechanics;A512;"Usinage 5 axes.\nCertifié ISO 9001.";;atlas.example',
        '  Solaris Énergie  ;SN;"energy-transition; electromechanics";b307 , B612;;'
        "Solar plants.;https://solaris.example/fr",
        ";;;;;;",
        bom=True,
    )
    fair = parsed("exposants.csv", data)
    assert fair == ImportedFair(
        source="csv",
        prunable=frozenset({"exhibitors"}),
        exhibitors=(
            ImportedExhibitor(
                id=content_key("exh", "Atlas Usinage"),
                name="Atlas Usinage",
                country="MA",
                where=Where("exposants.csv", 2),
                sectors=("mechanics",),
                booth_codes=("A512",),
                description_fr="Usinage 5 axes.\nCertifié ISO 9001.",
                website="https://atlas.example",
            ),
            ImportedExhibitor(
                id=content_key("exh", "Solaris Énergie"),
                name="Solaris Énergie",
                country="SN",
                where=Where("exposants.csv", 4),
                sectors=("energy-transition", "electromechanics"),
                booth_codes=("B307", "B612"),
                description_en="Solar plants.",
                website="https://solaris.example/fr",
            ),
        ),
    )
    # Known by name: another upload of the same sheet, spelt differently, is the same rows.
    assert content_key("exh", "atlas  USINAGE") == fair.exhibitors[0].id


def test_an_exhibitor_workbook_is_read_whole() -> None:
    data = xlsx(
        ["id", "name", "country", "sectors", "booth", "description_fr", "website"],
        [201, "Atlas Usinage", "MA", "mechanics", "A512", "Usinage.", None],
        [],
        ["exh-202", "Solaris", "sn", "startup;energy-transition", None, None, "https://s.example"],
    )
    assert parsed("exposants.xlsx", data) == ImportedFair(
        source="xlsx",
        prunable=frozenset({"exhibitors"}),
        exhibitors=(
            ImportedExhibitor(
                id="201",
                name="Atlas Usinage",
                country="MA",
                where=Where("exposants.xlsx", 2),
                sectors=("mechanics",),
                booth_codes=("A512",),
                description_fr="Usinage.",
            ),
            ImportedExhibitor(
                id="exh-202",
                name="Solaris",
                country="SN",
                where=Where("exposants.xlsx", 4),
                sectors=("startup", "energy-transition"),
                website="https://s.example",
            ),
        ),
    )


def test_every_bad_exhibitor_row_is_refused_at_once() -> None:
    long_text = "x" * 10_001
    data = csv(
        "id;name;country;sectors;booth;description_fr;website",
        "exh-1;Atlas;MA;mechanics;A101;;",
        "exh-2;Fonderie du Rif;Maroc;;;;",
        "exh-3;Zagora;XX;;;;",
        "exh-4;Bad\x00Name;MA;;;;",
        f"exh-5;Long;MA;;;{long_text};",
        "exh-1;Twice;FR;;;;",
        "exh-7;Ftp;FR;Métallurgie;A 101;;ftp://files.example",
        "exh-8;Stand pris;FR;;a101;;",
        "exh-9;;;;;;",
        "exh-10;Royaume;Royaume-Uni;;;;",
    )
    file = "exposants.csv"
    assert refusals_of(file, data) == [
        Refusal(
            Where(file, 3, "country"),
            "BAD_COUNTRY",
            "`Maroc` n'est pas un code ISO 3166 (MA ?)",
            "`Maroc` is not an ISO 3166 code (MA?)",
        ),
        Refusal(
            Where(file, 4, "country"),
            "BAD_COUNTRY",
            "`XX` n'est pas un code ISO 3166 (deux lettres, par exemple MA, FR)",
            "`XX` is not an ISO 3166 code (two letters, e.g. MA, FR)",
        ),
        Refusal(
            Where(file, 5, "name"),
            "CONTROL_CHARACTER",
            "caractère de contrôle U+0000 en position 4 : retirez-le",
            "control character U+0000 at position 4: remove it",
        ),
        Refusal(
            Where(file, 6, "description_fr"),
            "TOO_LONG",
            "trop long : 10\u00a0001 caractères, au plus 10\u00a0000",
            "too long: 10,001 characters, at most 10,000",
        ),
        Refusal(
            Where(file, 7, "id"),
            "DUPLICATE_ID",
            "l'identifiant `exh-1` est déjà à la ligne 2",
            "id `exh-1` is already on line 2",
        ),
        Refusal(
            Where(file, 8, "sectors"),
            "BAD_SECTOR",
            "`Métallurgie` n'est pas un identifiant de secteur (par exemple metallurgy)",
            "`Métallurgie` is not a sector id (e.g. metallurgy)",
        ),
        Refusal(
            Where(file, 8, "booth"),
            "BAD_BOOTH",
            "`A 101` n'est pas un code de stand (par exemple A101)",
            "`A 101` is not a stand code (e.g. A101)",
        ),
        Refusal(
            Where(file, 8, "website"),
            "BAD_URL",
            "`ftp://files.example` n'est pas une adresse web (attendu https://exemple.ma)",
            "`ftp://files.example` is not a web address (expected https://example.ma)",
        ),
        Refusal(
            Where(file, 9, "booth"),
            "BOOTH_TAKEN",
            "le stand `A101` est déjà celui de la ligne 2",
            "stand `A101` is already given on line 2",
        ),
        Refusal(
            Where(file, 10, "name"),
            "REQUIRED",
            "cellule vide : la colonne `name` est obligatoire",
            "empty cell: column `name` is required",
        ),
        Refusal(
            Where(file, 10, "country"),
            "REQUIRED",
            "cellule vide : la colonne `country` est obligatoire",
            "empty cell: column `country` is required",
        ),
        Refusal(
            Where(file, 11, "country"),
            "BAD_COUNTRY",
            "`Royaume-Uni` n'est pas un code ISO 3166 (GB ?)",
            "`Royaume-Uni` is not an ISO 3166 code (GB?)",
        ),
    ]


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Sénégal", "SN"),
        ("COTE D’IVOIRE", "CI"),
        ("rdc", "CD"),
        ("Afrique du Sud", "ZA"),
        ("Égypte", "EG"),
        ("Allemagne", "DE"),
        ("Pays-Bas", "NL"),
        ("USA", "US"),
        ("Chine", "CN"),
        ("Türkiye", "TR"),
        ("United Kingdom", "GB"),
    ],
)
def test_a_country_written_by_name_gets_its_code_suggested(written: str, code: str) -> None:
    data = csv("name,country", f"Atlas,{written}")
    assert [r.en for r in refusals_of("e.csv", data)] == [
        f"`{written}` is not an ISO 3166 code ({code}?)"
    ]


def test_every_african_and_european_union_country_has_a_name_to_suggest_from() -> None:
    from server.domain.imports.formats.countries import _NAMES

    africa, union = set(AFRICA.split()), set(EUROPEAN_UNION.split())
    assert (len(africa), len(union)) == (54, 27)
    assert africa | union | {"US", "CN", "TR", "GB"} <= set(_NAMES)


# --- the header row --------------------------------------------------------------------


def test_missing_unknown_and_repeated_columns_are_named() -> None:
    data = csv("id;nom;secteurs;Notes;Nom", "exh-1;Atlas;mechanics;interne;Atlas")
    file = "exposants.csv"
    assert refusals_of(file, data) == [
        Refusal(
            Where(file, 1, "Notes"),
            "UNKNOWN_COLUMN",
            "colonne inconnue dans un tableau d'exposants : retirez-la ou renommez-la "
            "(colonnes : id, name, country, sectors, booth, description_fr, description_en, "
            "website)",
            "unknown column in an exhibitor sheet: remove or rename it (columns: id, name, "
            "country, sectors, booth, description_fr, description_en, website)",
        ),
        Refusal(
            Where(file, 1, "Nom"),
            "DUPLICATE_COLUMN",
            "la colonne `name` est déjà la colonne 2",
            "column `name` is already column 2",
        ),
        Refusal(
            Where(file, 1, "country"),
            "MISSING_COLUMN",
            "colonne obligatoire absente : `country` (ou `pays` ou `code pays`)",
            "missing required column: `country` (or `pays` or `code pays`)",
        ),
    ]


def test_a_session_sheet_without_title_or_end_says_which_columns_it_needs() -> None:
    data = csv("Type;Début", "CONFERENCE;2026-12-03 09:30")
    file = "s.csv"
    assert refusals_of(file, data) == [
        Refusal(
            Where(file, 1, "title_fr"),
            "MISSING_COLUMN",
            "colonne obligatoire absente : `title_fr` (ou `title` ou `titre`)",
            "missing required column: `title_fr` (or `title` or `titre`)",
        ),
        Refusal(
            Where(file, 1, "end"),
            "MISSING_COLUMN",
            "colonne obligatoire absente : `end` (ou `fin` ou `duration`)",
            "missing required column: `end` (or `fin` or `duration`)",
        ),
    ]


def test_a_value_under_no_header_is_refused_not_lost() -> None:
    data = csv("name;country", "Atlas;MA;en trop")
    assert refusals_of("e.csv", data) == [
        Refusal(
            Where("e.csv", 2),
            "OUTSIDE_COLUMNS",
            "valeur hors des colonnes (colonne 3) : ajoutez un en-tête ou effacez-la",
            "value outside the columns (column 3): add a header or clear it",
        )
    ]


def test_a_header_row_of_neither_sheet_is_refused() -> None:
    assert refusals_of("x.csv", csv("foo;bar", "1;2")) == [
        Refusal(
            Where("x.csv", 1),
            "UNKNOWN_SHEET",
            "la première ligne ne nomme ni les colonnes d'un tableau d'exposants (name, "
            "country…) ni celles d'un tableau de sessions (title_fr, start, end…)",
            "the first row names neither an exhibitor sheet's columns (name, country…) nor "
            "a session sheet's (title_fr, start, end…)",
        )
    ]


# --- the templates (docs/templates) ----------------------------------------------------


def test_the_templates_load_and_name_the_demo_fairs_places() -> None:
    venue = json.loads((DEMO / "venue.json").read_text())
    free_booths = {b["code"] for b in venue["booths"] if b["exhibitor"] is None}
    rooms = {r["id"] for r in venue["rooms"]}
    sectors = {s["id"] for s in json.loads((DEMO / "sectors.json").read_text())}
    tracks = {t["id"] for t in json.loads((DEMO / "tracks.json").read_text())}
    speakers = {s["id"] for s in json.loads((DEMO / "speakers.json").read_text())}
    exhibitors = parsed("exhibitors.csv", (ROOT / "docs/templates/exhibitors.csv").read_bytes())
    sessions = parsed("sessions.csv", (ROOT / "docs/templates/sessions.csv").read_bytes())
    assert len(exhibitors.exhibitors) == len(sessions.sessions) == 2
    assert {code for e in exhibitors.exhibitors for code in e.booth_codes} <= free_booths
    assert {s for e in exhibitors.exhibitors for s in e.sectors} <= sectors
    assert {s.room_id for s in sessions.sessions} <= rooms
    assert {s.track_id for s in sessions.sessions} <= tracks
    assert {i for s in sessions.sessions for i in s.speaker_ids} - speakers == {
        content_key("spk", "Leïla Benjelloun")
    }
    fair_days = {datetime(2026, 12, d).date() for d in range(3, 7)}
    assert {s.starts_at.date() for s in sessions.sessions} <= fair_days
