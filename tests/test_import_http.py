"""POST /admin/import over real HTTP: organisers only, same origin only, the size counted
as the body arrives, a malformed form a 400, a refused file every refusal as JSON in the
request's language, and never a 500."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from server.admin_import import MAX_BODY_BYTES
from server.domain.imports.formats import parse_file
from server.domain.imports.model import ImportRefused
from tests import import_fixtures
from tests.conftest import Person
from tests.import_fixtures import Db, ImportFair, schedule_csv, sheet_line, tables
from tests.live_client import live_client

import_fair = import_fixtures.import_fair
own_db = import_fixtures.own_db
organiser = import_fixtures.organiser

BOUNDARY = "salon-test-boundary"
FORM = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(*parts: tuple[str, str | None, bytes]) -> bytes:
    """A multipart body of (field, file name or None, content) parts, written by hand so
    that a test controls every byte."""
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename is not None:
            body += b"Content-Type: application/octet-stream\r\n"
        body += b"\r\n" + content + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


@pytest.fixture
async def http(import_fair: ImportFair) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=import_fair.own.live.url, timeout=60) as client:
        yield client


async def post(
    http: httpx.AsyncClient,
    body: bytes | AsyncIterator[bytes],
    who: Person | None = None,
    content_type: str = FORM,
    **headers: str,
) -> tuple[int, Any]:
    sent = {"content-type": content_type, **headers}
    if who is not None:
        sent["authorization"] = f"Bearer {who.token}"
    answer = await http.post("/admin/import", content=body, headers=sent)
    return answer.status_code, answer.json()


def error(code: str, message: str) -> dict[str, Any]:
    return {
        "applied": False,
        "refusals": [],
        "report": None,
        "error": {"code": code, "message": message},
    }


A_FILE = multipart(("file", "sessions.csv", b"id,title_fr\n"))


async def test_only_a_signed_in_organiser_may_upload(
    http: httpx.AsyncClient, import_fair: ImportFair
) -> None:
    attendee = await import_fair.people.make("ATTENDEE")
    exhibitor = await import_fair.people.make("EXHIBITOR")
    assert await post(http, A_FILE) == (
        401,
        error("UNAUTHENTICATED", "Connectez-vous d'abord avec un compte d'organisateur."),
    )
    assert await post(http, A_FILE, authorization="Bearer salon_nope") == (
        401,
        error("UNAUTHENTICATED", "Connectez-vous d'abord avec un compte d'organisateur."),
    )
    assert await post(http, A_FILE, attendee, **{"accept-language": "en-GB,fr;q=0.5"}) == (
        403,
        error("FORBIDDEN", "Only the fair's organisers import files."),
    )
    assert await post(http, A_FILE, exhibitor) == (
        403,
        error("FORBIDDEN", "Seuls les organisateurs du salon importent des fichiers."),
    )


async def test_another_sites_page_may_not_upload_even_as_an_organiser(
    http: httpx.AsyncClient, organiser: Person
) -> None:
    answer = await http.post(
        "/admin/import",
        content=A_FILE,
        headers={
            "content-type": FORM,
            "authorization": f"Bearer {organiser.token}",
            "origin": "https://evil.example",
        },
    )
    assert (answer.status_code, answer.json()) == (
        403,
        error("FORBIDDEN", "Un fichier s'envoie depuis les pages de ce serveur."),
    )
    assert "access-control-allow-origin" not in answer.headers
    preflight = await http.options(
        "/admin/import",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


async def test_a_body_over_the_cap_is_refused_as_it_arrives(
    http: httpx.AsyncClient, organiser: Person, own_db: Db
) -> None:
    before = await tables(own_db)
    # Declared too long: refused on the headers alone, before a byte of body is sent.
    host, port = http.base_url.host, http.base_url.port
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        f"POST /admin/import HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {FORM}\r\n"
        f"Authorization: Bearer {organiser.token}\r\n"
        f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode()
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    await writer.wait_closed()
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large\r\n"

    async def chunks() -> AsyncIterator[bytes]:
        yield f"--{BOUNDARY}\r\n".encode()
        yield b'Content-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        chunk = b"x" * (1024 * 1024)
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk

    status, body = await post(http, chunks(), organiser)
    assert (status, body["errors"][0]["extensions"]["code"]) == (413, "BAD_USER_INPUT")
    assert await tables(own_db) == before


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (
            b'{"file": "x"}',
            "application/json",
            "Send the file as multipart/form-data, in a field named `file`.",
        ),
        (
            multipart(("dry_run", None, b"true")),
            FORM,
            "The form has no file in a field named `file`.",
        ),
        (
            multipart(("file", None, b"id,title_fr\n")),
            FORM,
            "The form has no file in a field named `file`.",
        ),
        (
            multipart(("file", "", b"id,title_fr\n")),
            FORM,
            "The file has no name: send it under the name it has on your computer.",
        ),
        (
            multipart(("file", "sessions.csv", b"x"), ("dry_run", None, b"maybe")),
            FORM,
            "`dry_run` and `prune` are true or false.",
        ),
        (
            multipart(("file", "sessions.csv", b"x"), ("prune", None, b"true\x00")),
            FORM,
            "`dry_run` and `prune` are true or false.",
        ),
        (
            multipart(("file", "sessions\x00.csv", b"x")),
            FORM,
            "A file name is at most 255 printable characters.",
        ),
        (
            multipart(("file", "s" * 300 + ".csv", b"x")),
            FORM,
            "A file name is at most 255 printable characters.",
        ),
        (
            multipart(("file", "a.csv", b"x"), ("file", "b.csv", b"y")),
            FORM,
            "The form cannot be read: Too many files. Maximum number of files is 1.",
        ),
    ],
)
async def test_a_malformed_form_is_a_400_that_says_why(
    http: httpx.AsyncClient,
    organiser: Person,
    own_db: Db,
    body: bytes,
    content_type: str,
    message: str,
) -> None:
    before = await tables(own_db)
    assert await post(http, body, organiser, content_type, **{"accept-language": "en"}) == (
        400,
        error("BAD_USER_INPUT", message),
    )
    assert await tables(own_db) == before


@pytest.mark.parametrize(
    "body",
    [
        b"--salon-test-boundary\r\nContent-Disposition: form-data\r\n\r\nno name\r\n",
        b"not a multipart body at all",
        b"--salon-test-boundary\r\n\xff\xfe\x00garbage",
        b"",
    ],
)
async def test_a_broken_multipart_body_is_a_400_not_a_500(
    http: httpx.AsyncClient, organiser: Person, body: bytes
) -> None:
    status, answer = await post(http, body, organiser)
    assert (status, answer["applied"], answer["error"]["code"]) == (400, False, "BAD_USER_INPUT")


async def upload(
    http: httpx.AsyncClient,
    who: Person,
    name: str,
    data: bytes,
    *,
    dry_run: bool = False,
    prune: bool = False,
    lang: str = "fr",
) -> tuple[int, Any]:
    body = multipart(
        ("file", name, data),
        ("dry_run", None, b"true" if dry_run else b"false"),
        ("prune", None, b"1" if prune else b"0"),
    )
    return await post(http, body, who, **{"accept-language": lang})


async def test_a_file_the_parser_refuses_comes_back_with_every_refusal(
    http: httpx.AsyncClient, organiser: Person, own_db: Db
) -> None:
    data = await schedule_csv(
        own_db,
        {
            "ses-010": {"start": "demain matin"},
            "ses-011": {"kind": "Concert"},
            "ses-012": {"title_fr": "Titre\x00caché"},
        },
    )
    with pytest.raises(ImportRefused) as parsed:
        parse_file("programme.csv", data)
    before = await tables(own_db)
    status, answer = await upload(http, organiser, "programme.csv", data, lang="en")
    assert (status, answer) == (
        422,
        {
            "applied": False,
            "refusals": [
                {
                    "file": r.where.file,
                    "line": r.where.line,
                    "column": r.where.column,
                    "code": r.code,
                    "message": r.en,
                    "text": r.text("en"),
                }
                for r in parsed.value.refusals
            ],
            "report": None,
        },
    )
    assert [(r["line"], r["column"]) for r in answer["refusals"]] == [
        (sheet_line(data, "ses-010"), "start"),
        (sheet_line(data, "ses-011"), "kind"),
        (sheet_line(data, "ses-012"), "title_fr"),
    ]
    assert await tables(own_db) == before


async def test_a_file_the_fair_refuses_says_where_in_french(
    http: httpx.AsyncClient, organiser: Person, own_db: Db
) -> None:
    data = await schedule_csv(
        own_db, {"ses-013": {"room": "room-nowhere"}, "ses-014": {"speakers": "spk-nobody"}}
    )
    room_line, speaker_line = sheet_line(data, "ses-013"), sheet_line(data, "ses-014")
    before = await tables(own_db)
    status, answer = await upload(http, organiser, "programme.csv", data)
    assert (status, answer["applied"], answer["report"]) == (422, False, None)
    assert answer["refusals"] == [
        {
            "file": "programme.csv",
            "line": room_line,
            "column": "room",
            "code": "UNKNOWN_ROOM",
            "message": "la salle `room-nowhere` n'est ni dans le fichier ni dans le salon",
            "text": f"programme.csv ligne {room_line}, colonne `room`: la salle `room-nowhere` "
            "n'est ni dans le fichier ni dans le salon",
        },
        {
            "file": "programme.csv",
            "line": speaker_line,
            "column": "speakers",
            "code": "UNKNOWN_SPEAKER",
            "message": "l'intervenant `spk-nobody` n'est ni dans le fichier ni dans le salon",
            "text": f"programme.csv ligne {speaker_line}, colonne `speakers`: l'intervenant "
            "`spk-nobody` n'est ni dans le fichier ni dans le salon",
        },
    ]
    assert await tables(own_db) == before


async def test_an_upload_simulates_then_applies_and_the_public_hears_it(
    http: httpx.AsyncClient, import_fair: ImportFair, organiser: Person, own_db: Db
) -> None:
    moved = "ses-015"
    bookmarker = await import_fair.people.make()
    await import_fair.own.gql.data(
        "mutation($s: ID!) { bookmarkSession(sessionId: $s) { id } }",
        {"s": moved},
        as_=bookmarker,
    )
    title = "Usinage 5 axes : retours d'atelier"
    data = await schedule_csv(own_db, {moved: {"title_fr": title}})
    before = await tables(own_db)
    async with live_client(import_fair.ws_url, bookmarker.token) as ws:
        await ws.subscribe()
        status, dry = await upload(http, organiser, "programme.csv", data, dry_run=True)
        assert (status, dry["applied"], dry["refusals"]) == (200, False, [])
        assert await tables(own_db) == before
        await import_fair.next_is_barrier(organiser, ws)
        status, real = await upload(http, organiser, "programme.csv", data, lang="en")
        assert (status, real["applied"], real["refusals"]) == (200, True, [])
        [heard] = await ws.notices(1)
        assert (heard["kind"], heard["session"], heard["body"]) == (
            "SESSION_CHANGED",
            {"id": moved},
            f"nouveau titre « {title} »",
        )
    sessions = real["report"]["kinds"]["sessions"]
    assert (sessions["changed"], real["report"]["notices"]) == (
        {"count": 1, "ids": [moved]},
        [
            {
                "kind": "SESSION_CHANGED",
                "sessionId": moved,
                "audience": 1,
                "promoted": 0,
                "text": f"renamed “{title}”",
            }
        ],
    )
    assert dry["report"]["kinds"] == real["report"]["kinds"]
    status, again = await upload(http, organiser, "programme.csv", data)
    assert (status, again["report"]["changesAnything"], again["report"]["notices"]) == (
        200,
        False,
        [],
    )
