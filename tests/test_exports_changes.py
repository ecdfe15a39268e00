"""The public change log (/changes.atom, RFC 4287) and the exhibitor directory
(/exhibitors.csv, RFC 4180), over HTTP on a fair of their own."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from defusedxml import ElementTree as SafeTree

from server.services import ServiceUrls
from server.settings import Settings
from tests.conftest import People
from tests.exports_fair import (
    ATOM,
    BROADCAST,
    CSV_HEADER,
    FAIR_EVE,
    atom_entries,
    cursor,
    exports_fair,
    fetch,
    instant,
    notice_seen,
    query,
)
from tests.offline_copy import OwnFair

PUBLIC_URL = "http://127.0.0.1:8000"
TAG = "tag:sistep2026.salon.example,2026:"
XHTML = "{http://www.w3.org/1999/xhtml}"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DEMO = "mutation($input: DemoInput!) { scheduleDemo(input: $input) { id } }"
FOLLOW = "mutation($e: ID!) { followExhibitor(exhibitorId: $e) { id } }"


@pytest.fixture(scope="module")
async def fair(settings: Settings, service_urls: ServiceUrls) -> AsyncIterator[OwnFair]:
    async for own in exports_fair(settings, service_urls):
        yield own


def announcement(title: str, audience: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "input": {"title": title, "body": f"Corps de « {title} ».", "audience": audience, **more}
    }


async def feed(fair: OwnFair) -> bytes:
    return (await fetch(fair, "/changes.atom")).content


async def test_announcements_to_everyone_are_listed_in_french_with_the_english_text(
    fair: OwnFair,
) -> None:
    organiser = await People(fair.dsn).make("ORGANISER")
    attendee = await People(fair.dsn).make()
    after = await cursor(fair)
    said = announcement(
        "Navettes gratuites vers l'OFEC",
        {"everyone": True},
        titleEn="Free shuttles to OFEC",
        bodyEn="Every 20 minutes from Casa-Port.",
    )
    await fair.gql.data(BROADCAST, said, as_=organiser)
    notice = await notice_seen(fair, attendee, after, "ANNOUNCEMENT")
    root = SafeTree.fromstring(await feed(fair))
    [entry] = [
        e
        for e in root.iter(f"{ATOM}entry")
        if e.findtext(f"{ATOM}id") == f"{TAG}notice/{notice['id']}"
    ]
    content = entry.find(f"{ATOM}content")
    assert content is not None
    assert content.get("type") == "xhtml"
    [both] = list(content)
    assert [
        (part.get(LANG), [(p.tag, p.text, [(s.tag, s.text) for s in p]) for p in part])
        for part in both
    ] == [
        (
            "fr",
            [
                (f"{XHTML}p", None, [(f"{XHTML}strong", "Navettes gratuites vers l'OFEC")]),
                (f"{XHTML}p", "Corps de « Navettes gratuites vers l'OFEC ».", []),
            ],
        ),
        (
            "en",
            [
                (f"{XHTML}p", None, [(f"{XHTML}strong", "Free shuttles to OFEC")]),
                (f"{XHTML}p", "Every 20 minutes from Casa-Port.", []),
            ],
        ),
    ]
    assert (entry.findtext(f"{ATOM}title"), entry.findtext(f"{ATOM}summary")) == (
        "Navettes gratuites vers l'OFEC",
        "Corps de « Navettes gratuites vers l'OFEC ».",
    )


async def test_the_change_log_is_an_rfc_4287_feed_with_stable_ids(fair: OwnFair) -> None:
    body = await feed(fair)
    root = SafeTree.fromstring(body)
    assert (root.tag, root.get(LANG)) == (f"{ATOM}feed", "fr")
    for required in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{required}")) == 1, required
    assert root.findtext(f"{ATOM}id") == f"{TAG}changes"
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "SISTEP INDUSTRIEL 2026"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"self": f"{PUBLIC_URL}/changes.atom", "alternate": f"{PUBLIC_URL}/"}
    entries = root.findall(f"{ATOM}entry")
    assert entries, "the announcement test wrote one"
    for entry in entries:
        for required in ("id", "title", "updated", "summary", "content"):
            assert len(entry.findall(f"{ATOM}{required}")) == 1, required
        assert entry.findtext(f"{ATOM}id", "").startswith(f"{TAG}notice/")
    updated = [instant(e.findtext(f"{ATOM}updated")) for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert instant(root.findtext(f"{ATOM}updated")) == updated[0]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    assert [e["id"] for e in atom_entries(await feed(fair))] == ids  # the same again


async def test_a_new_demo_is_listed_with_a_link_to_its_page(fair: OwnFair) -> None:
    organiser = await People(fair.dsn).make("ORGANISER")
    follower = await People(fair.dsn).make()
    [booth] = await query(
        fair, "SELECT exhibitor_id FROM booth WHERE exhibitor_id IS NOT NULL ORDER BY code LIMIT 1"
    )
    await fair.gql.data(FOLLOW, {"e": booth["exhibitor_id"]}, as_=follower)
    after = await cursor(fair)
    demo = {
        "exhibitorId": booth["exhibitor_id"],
        "title": "Démo : cobot de soudage",
        "startsAt": "2026-12-05T20:00:00+00:00",
        "endsAt": "2026-12-05T20:20:00+00:00",
    }
    created = (await fair.gql.data(DEMO, {"input": demo}, as_=organiser))["scheduleDemo"]
    notice = await notice_seen(fair, follower, after, "DEMO_SCHEDULED", created["id"])
    listed = [e for e in atom_entries(await feed(fair)) if e["id"] == f"{TAG}notice/{notice['id']}"]
    assert listed == [
        {
            "id": f"{TAG}notice/{notice['id']}",
            "title": "Démo : Démo : cobot de soudage",
            "summary": notice["body"],
            "category": "DEMO_SCHEDULED",
            "link": f"{PUBLIC_URL}/session/{created['id']}",
        }
    ]


async def test_notices_for_roles_sessions_or_people_never_reach_the_change_log(
    fair: OwnFair,
) -> None:
    organiser = await People(fair.dsn).make("ORGANISER")
    person = await People(fair.dsn).make("EXHIBITOR")
    [talk] = await query(
        fair, "SELECT id FROM session WHERE kind = 'CONFERENCE' ORDER BY id LIMIT 1"
    )
    targeted = {
        "Pour les exposants seulement": {"roles": ["EXHIBITOR"]},
        "Pour le public d'une session": {"sessionIds": [talk["id"]]},
        "Pour une seule personne": {"userIds": [str(person.id)]},
    }
    for title, audience in targeted.items():
        await fair.gql.data(BROADCAST, announcement(title, audience), as_=organiser)
    held = announcement(
        "Annonce programmée", {"everyone": True}, sendAt=(FAIR_EVE + timedelta(hours=2)).isoformat()
    )
    await fair.gql.data(BROADCAST, held, as_=organiser)
    after = await cursor(fair)
    await fair.gql.data(
        BROADCAST, announcement("Pour tout le monde", {"everyone": True}), as_=organiser
    )
    # The relay numbers notices in write order: once the last is out, the others are.
    await notice_seen(fair, person, after, "ANNOUNCEMENT")
    sent = await query(
        fair,
        "SELECT title_fr FROM notice WHERE seq IS NOT NULL AND title_fr = any($1::text[])",
        list(targeted),
    )
    assert sorted(r["title_fr"] for r in sent) == sorted(targeted)
    titles = [e["title"] for e in atom_entries(await feed(fair))]
    assert "Pour tout le monde" in titles
    assert [t for t in titles if t in targeted or t == "Annonce programmée"] == []


async def test_the_change_log_holds_the_latest_100_entries_only(fair: OwnFair) -> None:
    rows = await query(
        fair,
        """INSERT INTO notice (seq, kind, title_fr, body_fr, everyone, created_at, send_at,
                              sequenced_at, published_at)
           SELECT nextval('notice_cursor'), 'ANNOUNCEMENT', 'Annonce n° ' || i, 'Texte', true,
                  now(), now(), now(), now()
             FROM generate_series(1, 105) i ORDER BY i RETURNING seq""",
    )
    newest = sorted((r["seq"] for r in rows), reverse=True)[:100]
    entries = atom_entries(await feed(fair))
    assert [e["id"] for e in entries] == [f"{TAG}notice/{seq}" for seq in newest]


async def test_the_directory_is_a_csv_excel_reads_with_every_exhibitor(fair: OwnFair) -> None:
    body = (await fetch(fair, "/exhibitors.csv")).content
    text = body.decode("utf-8")
    assert text.startswith("\ufeff" + CSV_HEADER)
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    stored = await query(
        fair,
        """SELECT e.id, e.name, e.country, array_to_string(e.sectors, '; ') AS sectors,
                  coalesce((SELECT string_agg(b.code, '; ' ORDER BY b.code) FROM booth b
                             WHERE b.exhibitor_id = e.id), '') AS booths,
                  coalesce(e.website, '') AS website, coalesce(e.description_fr, '') AS fr,
                  coalesce(e.description_en, '') AS en
             FROM exhibitor e ORDER BY e.name, e.id""",
    )
    assert rows[1:] == [list(r.values()) for r in stored]


async def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(fair: OwnFair) -> None:
    hostile = {
        "zz-eq": ('=HYPERLINK("https://evil.example","clic")', "=1+1"),
        "zz-plus": ("+33 Industrie", "+cmd|' /C calc'!A0"),
        "zz-minus": ("-2+3", "-"),
        "zz-at": ("@SUM(A1:A9)", "@"),
        "zz-tab": ("\tTabulé", "\t=1"),
        "zz-cr": ("\rRetour", "\r=1"),
    }
    for exhibitor_id, (name, website) in hostile.items():
        await query(
            fair,
            """INSERT INTO exhibitor (id, name, country, description_fr, website)
               VALUES ($1, $2, 'MA', $3, $4)""",
            exhibitor_id,
            name,
            'Ligne 1, "citée"\r\nLigne 2',
            website,
        )
    body = (await fetch(fair, "/exhibitors.csv")).content
    rows = {r[0]: r for r in csv.reader(io.StringIO(body.decode("utf-8")[1:], newline=""))}
    assert {i: (rows[i][1], rows[i][5], rows[i][6]) for i in hostile} == {
        i: ("'" + name, "'" + website, 'Ligne 1, "citée"\r\nLigne 2')
        for i, (name, website) in hostile.items()
    }
    assert b'"\'\rRetour"' in body  # a carriage return inside a cell is quoted
