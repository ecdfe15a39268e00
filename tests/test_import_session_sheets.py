"""Session spreadsheets (docs/imports.md) in CSV and XLSX: every time form accepted,
read in the fair's zone unless an offset is written; every bad row refused at once."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from server.domain.imports.formats.keys import content_key
from server.domain.imports.model import (
    ImportedSession,
    ImportedSpeaker,
    ImportedTrack,
    Refusal,
    Where,
)
from tests.import_checks import casablanca, csv, parsed, refusals_of, xlsx


def test_a_session_csv_reads_every_accepted_time_form() -> None:
    """Naive times are the fair's wall clock (Africa/Casablanca); an offset is honoured;
    French day/month order; an end or a duration."""
    data = csv(
        "id,Titre,Type,Parcours,Salle,Début,Fin,Durée,Intervenants,Capacité,Résumé",
        "ses-1,Ouverture,Cérémonie,,room-atlas,2026-12-03 09:30,2026-12-03 10:00,,"
        '"spk-001, Nadia El Fassi",,',
        "ses-2,Usinage,conference,trk-mechanics,room-rif,2026-12-03T11:00,,1:30:00,,120,Texte.",
        "ses-3,Démo laser,DÉMO,Découpe laser,Salle annexe,03/12/2026 14:00,03/12/2026 14:20,,,,",
        "ses-4,En ligne,Atelier,,,2026-12-04T09:30:00+01:00,2026-12-04T10:30:00+01:00,,,,",
    )
    laser, annex = content_key("trk", "Découpe laser"), content_key("room", "Salle annexe")
    nadia = content_key("spk", "Nadia El Fassi")
    fair = parsed("sessions.csv", data)
    assert fair.source == "csv"
    assert fair.prunable == frozenset({"sessions"})
    assert fair.tracks == (ImportedTrack(id=laser, name_fr="Découpe laser"),)
    assert [(r.id, r.name) for r in fair.rooms] == [(annex, "Salle annexe")]
    assert fair.speakers == (ImportedSpeaker(id=nadia, name="Nadia El Fassi"),)
    assert fair.sessions == (
        ImportedSession(
            id="ses-1",
            kind="CEREMONY",
            title_fr="Ouverture",
            starts_at=casablanca(2026, 12, 3, 9, 30),
            ends_at=casablanca(2026, 12, 3, 10),
            where=Where("sessions.csv", 2),
            room_id="room-atlas",
            speaker_ids=("spk-001", nadia),
        ),
        ImportedSession(
            id="ses-2",
            kind="CONFERENCE",
            title_fr="Usinage",
            starts_at=casablanca(2026, 12, 3, 11),
            ends_at=casablanca(2026, 12, 3, 12, 30),
            where=Where("sessions.csv", 3),
            abstract_fr="Texte.",
            room_id="room-rif",
            track_id="trk-mechanics",
            capacity=120,
        ),
        ImportedSession(
            id="ses-3",
            kind="DEMO",
            title_fr="Démo laser",
            starts_at=casablanca(2026, 12, 3, 14),
            ends_at=casablanca(2026, 12, 3, 14, 20),
            where=Where("sessions.csv", 4),
            room_id=annex,
            track_id=laser,
        ),
        ImportedSession(
            id="ses-4",
            kind="WORKSHOP",
            title_fr="En ligne",
            starts_at=datetime(2026, 12, 4, 8, 30, tzinfo=UTC),
            ends_at=datetime(2026, 12, 4, 9, 30, tzinfo=UTC),
            where=Where("sessions.csv", 5),
        ),
    )
    assert [s.starts_at.isoformat() for s in fair.sessions] == [
        "2026-12-03T09:30:00+00:00",
        "2026-12-03T11:00:00+00:00",
        "2026-12-03T14:00:00+00:00",
        "2026-12-04T09:30:00+01:00",  # kept as the file wrote it: the same instant
    ]


def test_a_session_workbook_reads_excel_date_time_and_duration_cells() -> None:
    data = xlsx(
        [
            "id",
            "title_fr",
            "title_en",
            "kind",
            "room",
            "start",
            "end",
            "duration",
            "booth",
            "exhibitor",
        ],
        [
            7,
            "Atelier",
            "Workshop",
            "WORKSHOP",
            "room-ziz",
            datetime(2026, 12, 4, 10),
            None,
            time(1, 30),
            None,
            None,
        ],
        [
            "demo-9",
            "Démo",
            None,
            "DEMO",
            None,
            "2026-12-04 11:00",
            None,
            timedelta(minutes=20),
            "b411",
            "exh-093",
        ],
    )
    assert parsed("sessions.xlsx", data).sessions == (
        ImportedSession(
            id="7",
            kind="WORKSHOP",
            title_fr="Atelier",
            title_en="Workshop",
            starts_at=casablanca(2026, 12, 4, 10),
            ends_at=casablanca(2026, 12, 4, 11, 30),
            where=Where("sessions.xlsx", 2),
            room_id="room-ziz",
        ),
        ImportedSession(
            id="demo-9",
            kind="DEMO",
            title_fr="Démo",
            starts_at=casablanca(2026, 12, 4, 11),
            ends_at=casablanca(2026, 12, 4, 11, 20),
            where=Where("sessions.xlsx", 3),
            booth_code="B411",
            exhibitor_id="exh-093",
        ),
    )


def test_every_bad_session_row_is_refused_at_once() -> None:
    header = "id;title_fr;kind;start;end;duration;capacity"
    data = csv(
        header,
        "s1;Bonne;CONFERENCE;2026-12-03 09:30;2026-12-03 10:00;;",
        "s2;Date;CONFERENCE;3/12 9h;2026-12-03 10:00;;",
        "s3;Type;Talkshow;2026-12-03 09:30;2026-12-03 10:00;;",
        "s4;Envers;PANEL;2026-12-03 11:00;2026-12-03 10:00;;",
        "s1;Double;PANEL;2026-12-03 11:00;2026-12-03 12:00;;",
        "s6;Trop long;WORKSHOP;2026-12-03 09:00;2026-12-04 09:01;;",
        "s7;Futur;OTHER;2101-01-01 10:00;2101-01-01 11:00;;",
        "s8;Nul\x00;OTHER;2026-12-03 09:00;;00:45;",
        "s9;Places;OTHER;2026-12-03 09:00;;90 min;0",
        "s10;Sans fin;OTHER;2026-12-03 09:00;;;",
        "s11;Les deux;OTHER;2026-12-03 09:00;2026-12-03 10:00;00:30;",
        "s12;Février;OTHER;2026-02-30 09:00;2026-02-30 10:00;;",
    )
    file = "sessions.csv"

    def bad_date(line: int, column: str, text: str) -> Refusal:
        return Refusal(
            Where(file, line, column),
            "BAD_DATETIME",
            f"`{text}` n'est pas une date et heure (attendu 2026-12-03 09:30)",
            f"`{text}` is not a date and time (expected 2026-12-03 09:30)",
        )

    assert refusals_of(file, data) == [
        bad_date(3, "start", "3/12 9h"),
        Refusal(
            Where(file, 4, "kind"),
            "UNKNOWN_KIND",
            "`Talkshow` n'est pas un type de session (attendu KEYNOTE, CONFERENCE, PANEL, "
            "WORKSHOP, DEMO, B2B, CEREMONY, OTHER)",
            "`Talkshow` is not a session kind (expected KEYNOTE, CONFERENCE, PANEL, "
            "WORKSHOP, DEMO, B2B, CEREMONY, OTHER)",
        ),
        Refusal(
            Where(file, 5, "end"),
            "END_BEFORE_START",
            "la fin (2026-12-03 10:00+00:00) n'est pas après le début (2026-12-03 11:00+00:00)",
            "the end (2026-12-03 10:00+00:00) is not after the start (2026-12-03 11:00+00:00)",
        ),
        Refusal(
            Where(file, 6, "id"),
            "DUPLICATE_ID",
            "l'identifiant `s1` est déjà à la ligne 2",
            "id `s1` is already on line 2",
        ),
        Refusal(
            Where(file, 7, "end"),
            "TOO_LONG_SESSION",
            "de 2026-12-03 09:00+00:00 à 2026-12-04 09:01+00:00, la session dépasse 24 h",
            "from 2026-12-03 09:00+00:00 to 2026-12-04 09:01+00:00, the session is longer "
            "than 24 hours",
        ),
        Refusal(
            Where(file, 8, "start"),
            "OUT_OF_RANGE",
            "`2101-01-01 10:00` est hors des années 2000 à 2100",
            "`2101-01-01 10:00` is outside the years 2000 to 2100",
        ),
        Refusal(
            Where(file, 8, "end"),
            "OUT_OF_RANGE",
            "`2101-01-01 11:00` est hors des années 2000 à 2100",
            "`2101-01-01 11:00` is outside the years 2000 to 2100",
        ),
        Refusal(
            Where(file, 9, "title_fr"),
            "CONTROL_CHARACTER",
            "caractère de contrôle U+0000 en position 4 : retirez-le",
            "control character U+0000 at position 4: remove it",
        ),
        Refusal(
            Where(file, 10, "duration"),
            "BAD_DURATION",
            "`90 min` n'est pas une durée (attendu 01:30)",
            "`90 min` is not a duration (expected 01:30)",
        ),
        Refusal(
            Where(file, 10, "capacity"),
            "BAD_NUMBER",
            "`0` n'est pas un nombre entier de 1 à 100\u00a0000",
            "`0` is not a whole number from 1 to 100,000",
        ),
        Refusal(
            Where(file, 11, "end"),
            "REQUIRED",
            "cellule vide : la colonne `end` est obligatoire",
            "empty cell: column `end` is required",
        ),
        Refusal(
            Where(file, 12, "duration"),
            "END_AND_DURATION",
            "`end` et `duration` ne disent pas la même fin : n'en donnez qu'une",
            "`end` and `duration` give different ends: give only one",
        ),
        bad_date(13, "start", "2026-02-30 09:00"),
        bad_date(13, "end", "2026-02-30 10:00"),
    ]
