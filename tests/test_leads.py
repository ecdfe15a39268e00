"""Leads: exhibitor staff capture badges at their stand (server/domain/leads.py).

Through the real app over HTTP: who may capture, unknown badges and their quota, a
second scan, bad notes, racing scans, what the attendee and other stands see, the CSV.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import secrets
from collections import Counter
from datetime import datetime
from typing import Any

import asyncpg
import httpx
import pytest
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport

from server.clock import in_fair_time
from server.domain.errors import DomainError
from server.domain.leads import (
    MAX_NOTE,
    UNKNOWN_BADGE,
    WRONG_BADGES_PER_STAFF,
    check_note,
)
from tests.conftest import GraphQLClient, LiveServer, People, Person

CAPTURE = """mutation($b: String!, $n: String) {
  captureLead(badgeCode: $b, note: $n) { id name email company note capturedAt } }"""
LEADS = "{ me { leads { id name email company note capturedAt } } }"
CAPTURED_BY = "{ me { capturedBy { exhibitor { id name } capturedAt } } }"


async def exhibitor_ids(db: asyncpg.Connection[Any], count: int) -> list[str]:
    rows = await db.fetch("SELECT id FROM exhibitor ORDER BY id DESC LIMIT $1", count)
    return [r["id"] for r in rows]


async def staff_of(people: People, exhibitor_id: str, name: str | None = None) -> Person:
    return await people.make("EXHIBITOR", exhibitor_id=exhibitor_id, name=name)


async def with_badge(db: asyncpg.Connection[Any], person: Person) -> str:
    badge = f"LEAD-{secrets.token_hex(4).upper()}"
    await db.execute("UPDATE person SET badge_code = $2 WHERE id = $1", person.id, badge)
    return badge


async def visitor(
    people: People, db: asyncpg.Connection[Any], name: str = "Nadia Berrada"
) -> tuple[Person, str]:
    person = await people.make(name=name)
    return person, await with_badge(db, person)


async def leads_on(db: asyncpg.Connection[Any], person: Person) -> list[asyncpg.Record]:
    return await db.fetch(
        "SELECT exhibitor_id, captured_by, note, captured_at FROM lead WHERE person_id = $1",
        person.id,
    )


async def caller_named(people: People, who: str, stand: str) -> Person | None:
    if who == "anonymous":
        return None
    if who == "organiser of a stand":  # an organiser is not staff, even linked to a stand
        return await people.make("ORGANISER", exhibitor_id=stand)
    if who == "EXHIBITOR alone":  # the role, linked to no stand
        return await people.make("EXHIBITOR")
    return await people.make(who)


def unknown_badge() -> str:
    return f"NOPE-{secrets.token_hex(6)}"


# --------------------------------------------------------------------------------------
# Who may capture
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    ["anonymous", "ATTENDEE", "SPEAKER", "ORGANISER", "organiser of a stand", "EXHIBITOR alone"],
)
async def test_only_a_stands_staff_capture_and_nothing_is_written_otherwise(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People, who: str
) -> None:
    (stand,) = await exhibitor_ids(db, 1)
    attendee, badge = await visitor(people, db)
    caller = await caller_named(people, who, stand)
    expected = "UNAUTHENTICATED" if who == "anonymous" else "FORBIDDEN"
    for code in (badge, unknown_badge()):  # no badge oracle for non-staff either
        assert await gql_http.error_codes(CAPTURE, {"b": code, "n": "x"}, as_=caller) == [expected]
    body = await gql_http(LEADS, as_=caller)
    if caller is None:
        assert body == {"data": {"me": None}}
    else:
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert await leads_on(db, attendee) == []


async def test_stand_staff_capture_a_visitor_who_sees_the_stand_and_nobody_else_does(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    stand, other_stand = await exhibitor_ids(db, 2)
    staff, rival = await staff_of(people, stand), await staff_of(people, other_stand)
    attendee, badge = await visitor(people, db)
    await db.execute(
        """INSERT INTO business_profile (person_id, company, company_key, country, updated_at)
           VALUES ($1, 'Fonderie Atlas', 'fonderie atlas', 'MA', now())""",
        attendee.id,
    )

    lead = (await gql_http.data(CAPTURE, {"b": badge, "n": "Usinage CNC"}, as_=staff))[
        "captureLead"
    ]
    (row,) = await leads_on(db, attendee)
    assert (row["exhibitor_id"], row["captured_by"], row["note"]) == (
        stand,
        staff.id,
        "Usinage CNC",
    )
    assert lead == {
        "id": lead["id"],
        "name": "Nadia Berrada",
        "email": attendee.email,
        "company": "Fonderie Atlas",
        "note": "Usinage CNC",
        "capturedAt": in_fair_time(row["captured_at"]).isoformat(),
    }
    assert lead in (await gql_http.data(LEADS, as_=staff))["me"]["leads"]

    name = await db.fetchval("SELECT name FROM exhibitor WHERE id = $1", stand)
    assert await gql_http.data(CAPTURED_BY, as_=attendee) == {
        "me": {
            "capturedBy": [
                {"exhibitor": {"id": stand, "name": name}, "capturedAt": lead["capturedAt"]}
            ]
        }
    }
    assert lead["id"] not in {
        other["id"] for other in (await gql_http.data(LEADS, as_=rival))["me"]["leads"]
    }
    assert await gql_http.data(CAPTURED_BY, as_=staff) == {"me": {"capturedBy": []}}


# --------------------------------------------------------------------------------------
# Badges: unknown ones, their quota, one's own
# --------------------------------------------------------------------------------------


async def test_an_unknown_badge_is_not_found_with_no_hint(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    (stand,) = await exhibitor_ids(db, 1)
    staff = await staff_of(people, stand)
    _, badge = await visitor(people, db)
    for code in (unknown_badge(), badge[:-1], badge + "0"):
        body = await gql_http(CAPTURE, {"b": code}, as_=staff)
        assert body["data"] is None
        assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [
            ("NOT_FOUND", UNKNOWN_BADGE)
        ]
    # a badge is read as sign-in reads it: trimmed, whatever the case
    assert (await gql_http.data(CAPTURE, {"b": f"  {badge.lower()} "}, as_=staff))["captureLead"]


async def test_unknown_badges_are_limited_per_staff_member_even_in_a_burst(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    (stand,) = await exhibitor_ids(db, 1)
    staff, colleague = await staff_of(people, stand), await staff_of(people, stand)
    attendee, badge = await visitor(people, db)
    # badges that are found use none of the quota
    for _ in range(3):
        await gql_http.data(CAPTURE, {"b": badge}, as_=staff)

    burst = WRONG_BADGES_PER_STAFF + 10
    answers = await asyncio.gather(
        *(gql_http.error_codes(CAPTURE, {"b": unknown_badge()}, as_=staff) for _ in range(burst))
    )
    assert Counter(code for codes in answers for code in codes) == {
        "NOT_FOUND": WRONG_BADGES_PER_STAFF,
        "RATE_LIMITED": 10,
    }
    # now even a real badge is refused to them, not to a colleague
    body = await gql_http(CAPTURE, {"b": badge, "n": "late"}, as_=staff)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["RATE_LIMITED"]
    assert body["errors"][0]["message"].startswith("Too many unknown badge codes. Try again in")
    assert (await leads_on(db, attendee))[0]["note"] is None
    assert await gql_http.error_codes(CAPTURE, {"b": unknown_badge()}, as_=colleague) == [
        "NOT_FOUND"
    ]
    assert (await gql_http.data(CAPTURE, {"b": badge}, as_=colleague))["captureLead"]


async def test_ones_own_badge_is_refused(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    (stand,) = await exhibitor_ids(db, 1)
    staff = await staff_of(people, stand)
    own = await with_badge(db, staff)
    assert await gql_http.error_codes(CAPTURE, {"b": own}, as_=staff) == ["BAD_USER_INPUT"]
    assert await leads_on(db, staff) == []


# --------------------------------------------------------------------------------------
# A second scan, notes
# --------------------------------------------------------------------------------------


async def test_a_second_scan_is_the_same_lead_and_a_null_note_keeps_the_note(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    (stand,) = await exhibitor_ids(db, 1)
    staff, colleague = await staff_of(people, stand), await staff_of(people, stand)
    attendee, badge = await visitor(people, db)

    async def capture(note: str | None, by: Person = staff) -> dict[str, Any]:
        lead: dict[str, Any] = (await gql_http.data(CAPTURE, {"b": badge, "n": note}, as_=by))[
            "captureLead"
        ]
        return lead

    async def plan_version() -> int:
        version: int = await db.fetchval(
            "SELECT plan_version FROM person WHERE id = $1", attendee.id
        )
        return version

    first = await capture("  Cherche un fondeur  ")
    assert first["note"] == "Cherche un fondeur"
    version = await plan_version()
    # kept, or the same note again: nothing is written
    assert await capture(None, by=colleague) == first
    assert await capture("Cherche un fondeur") == first
    assert await plan_version() == version
    replaced = await capture("Rappeler lundi", by=colleague)
    assert replaced == {**first, "note": "Rappeler lundi"}  # same id, same first capture
    assert await capture("") == {**first, "note": None}
    (row,) = await leads_on(db, attendee)
    assert (row["captured_by"], row["note"]) == (staff.id, None)


@pytest.mark.parametrize(
    "note", ["x" * (MAX_NOTE + 1), "Rappeler\x00", "\x00"], ids=["too long", "NUL", "only NUL"]
)
async def test_a_bad_note_is_refused_and_nothing_is_written(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People, note: str
) -> None:
    (stand,) = await exhibitor_ids(db, 1)
    staff = await staff_of(people, stand)
    attendee, badge = await visitor(people, db)
    assert await gql_http.error_codes(CAPTURE, {"b": badge, "n": note}, as_=staff) == [
        "BAD_USER_INPUT"
    ]
    inline = f'mutation {{ captureLead(badgeCode: "{badge}", note: {json.dumps(note)}) {{ id }} }}'
    assert await gql_http.error_codes(inline, as_=staff) == ["BAD_USER_INPUT"]
    assert await leads_on(db, attendee) == []
    assert (await gql_http.data(CAPTURE, {"b": badge, "n": "x" * MAX_NOTE}, as_=staff))[
        "captureLead"
    ]["note"] == "x" * MAX_NOTE


def test_the_domain_refuses_a_nul_itself() -> None:
    """GraphQL refuses NUL text before any resolver runs; the domain does not rely on it."""
    with pytest.raises(DomainError) as refused:
        check_note("a\x00b")
    assert refused.value.code == "BAD_USER_INPUT"
    assert check_note("   ") is None


async def test_racing_scans_of_one_badge_make_one_lead(
    gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    (stand,) = await exhibitor_ids(db, 1)
    first, second = await staff_of(people, stand), await staff_of(people, stand)
    attendee, badge = await visitor(people, db)
    answers = await asyncio.gather(
        *(
            gql_http.data(CAPTURE, {"b": badge, "n": f"scan {i}"}, as_=(first, second)[i % 2])
            for i in range(20)
        )
    )
    assert len({a["captureLead"]["id"] for a in answers}) == 1
    (row,) = await leads_on(db, attendee)
    assert row["captured_by"] in (first.id, second.id)
    assert row["note"] in {f"scan {i}" for i in range(20)}


# --------------------------------------------------------------------------------------
# The CSV export
# --------------------------------------------------------------------------------------


async def test_the_csv_export_is_the_stands_leads_safe_for_a_spreadsheet(
    http: httpx.AsyncClient, gql_http: GraphQLClient, db: asyncpg.Connection[Any], people: People
) -> None:
    stand, other_stand = await exhibitor_ids(db, 2)
    staff = await staff_of(people, stand)
    formula, badge = await visitor(people, db, name="+Karim, dit « Le Fondeur »")
    plain, plain_badge = await visitor(people, db, name="Salma Idrissi")
    stranger, stranger_badge = await visitor(people, db)
    await gql_http.data(CAPTURE, {"b": badge, "n": '=HYPERLINK("http://x.example")'}, as_=staff)
    await gql_http.data(CAPTURE, {"b": plain_badge, "n": "Ligne 1\nLigne 2"}, as_=staff)
    await gql_http.data(CAPTURE, {"b": stranger_badge}, as_=await staff_of(people, other_stand))

    response = await http.get("/exhibitor/leads.csv", headers=staff.headers)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    assert response.headers["content-disposition"] == 'attachment; filename="leads.csv"'
    assert response.content.startswith(b"\xef\xbb\xbfname,email,company,note,captured_at\r\n")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    by_email = {r[1]: r for r in rows[1:]}
    assert stranger.email not in by_email

    def captured_at(person: Person) -> str:
        (found,) = [r for r in rows if r[1] == person.email]
        return found[4]

    assert by_email[formula.email] == [
        "'+Karim, dit « Le Fondeur »",
        formula.email,
        "",
        '\'=HYPERLINK("http://x.example")',
        captured_at(formula),
    ]
    assert by_email[plain.email][3] == "Ligne 1\nLigne 2"
    stored = await db.fetchval(
        "SELECT captured_at FROM lead WHERE person_id = $1 AND exhibitor_id = $2",
        formula.id,
        stand,
    )
    assert captured_at(formula) == in_fair_time(stored).isoformat(timespec="seconds")
    assert datetime.fromisoformat(captured_at(formula)).utcoffset() is not None


@pytest.mark.parametrize(
    "who", ["anonymous", "bad token", "ATTENDEE", "ORGANISER", "EXHIBITOR alone"]
)
async def test_the_csv_export_refuses_everyone_but_staff(
    http: httpx.AsyncClient, people: People, who: str
) -> None:
    if who == "bad token":
        headers = {"Authorization": "Bearer nope"}
    else:
        caller = await caller_named(people, who, stand="")
        headers = {} if caller is None else caller.headers
    response = await http.get("/exhibitor/leads.csv", headers=headers)
    code = "UNAUTHENTICATED" if who in ("anonymous", "bad token") else "FORBIDDEN"
    assert response.status_code == (401 if code == "UNAUTHENTICATED" else 403)
    assert response.headers["cache-control"] == "private, no-store"
    assert response.json()["error"]["code"] == code


# --------------------------------------------------------------------------------------
# Through a third-party client
# --------------------------------------------------------------------------------------


async def test_gql_client_captures_a_lead_and_sees_not_found(
    live: LiveServer, db: asyncpg.Connection[Any], people: People
) -> None:
    (stand,) = await exhibitor_ids(db, 1)
    staff = await staff_of(people, stand)
    attendee, badge = await visitor(people, db)
    transport = HTTPXAsyncTransport(url=live.graphql_url, headers=staff.headers)
    async with Client(transport=transport) as session:
        capture = gql('mutation($b: String!) { captureLead(badgeCode: $b, note: "RDV") { id } }')
        capture.variable_values = {"b": badge}
        lead_id = (await session.execute(capture))["captureLead"]["id"]
        mine = await session.execute(gql("{ me { leads { id email note } } }"))
        assert {"id": lead_id, "email": attendee.email, "note": "RDV"} in mine["me"]["leads"]
        capture.variable_values = {"b": unknown_badge()}
        with pytest.raises(TransportQueryError) as refused:
            await session.execute(capture)
    assert refused.value.errors is not None
    assert [e["extensions"]["code"] for e in refused.value.errors] == ["NOT_FOUND"]
