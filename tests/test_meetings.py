"""B2B meetings through the real app: the plan, profiles, requests and answers, their
notices on live sockets, and the double bookings the database refuses however requests
race. A fair of its own (its meetings would disturb nobody else's tests), its clock set
the day before the fair so that every slot is ahead."""

from __future__ import annotations

import asyncio
import csv
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import icalendar
import pytest
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport

from server.domain.ical import UID_DOMAIN
from server.domain.reminders import remind_due
from tests import import_fixtures
from tests.conftest import Person
from tests.import_fixtures import Db, ImportFair
from tests.live_client import LiveClient, live_client

import_fair = import_fixtures.import_fair
own_db = import_fixtures.own_db

THE_DAY_BEFORE = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
#: 10:00 in Casablanca on the fair's first day (UTC+00 since 2026-09-20).
FIRST_SLOT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
SLOT = timedelta(minutes=30)

SET_PLAN = """mutation($input: MeetingPlanInput!) { setMeetingPlan(input: $input) {
  slotMinutes requestsPerDay days { day opensAt closesAt }
  tables { id name number location { x y } hall { id } } } }"""
SAVE = """mutation($input: BusinessProfileInput!) { saveBusinessProfile(input: $input) {
  id company country sectors offers needs openToMeetings } }"""
REQUEST = """mutation($input: MeetingRequestInput!) { requestMeeting(input: $input) {
  id status startsAt endsAt table { number } requester { id } invitee { id } } }"""
ACCEPT = "mutation($id: ID!) { acceptMeeting(id: $id) { id status table { number name } } }"
DECLINE = 'mutation($id: ID!) { declineMeeting(id: $id, reason: "Pas dispo") { id status } }'
CANCEL = 'mutation($id: ID!) { cancelMeeting(id: $id, reason: "Empêchement") { id status } }'
OUTCOME = """mutation($id: ID!, $o: MeetingOutcome!) {
  recordMeetingOutcome(id: $id, outcome: $o) { id outcome } }"""
FREE = """query($p: ID!, $d: Date) { me { commonFreeSlots(profileId: $p, day: $d) {
  startsAt endsAt } } }"""
MEETING_NOTICES = """subscription { notices { id kind title body
  meeting { id status table { number } } } }"""


def plan_input(tables: int = 4, requests_per_day: int = 20) -> dict[str, Any]:
    return {
        "days": [{"day": f"2026-12-0{d}", "opens": "10:00", "closes": "17:30"} for d in (3, 4, 5)],
        "slotMinutes": 30,
        "requestsPerDay": requests_per_day,
        "tableCount": tables,
    }


def at(slot: int, day: int = 0) -> str:
    return (FIRST_SLOT + timedelta(days=day) + slot * SLOT).isoformat()


@pytest.fixture(scope="module", autouse=True)
async def day_before(import_fair: ImportFair) -> AsyncIterator[None]:
    clock = import_fair.own.live.runtime.clock
    clock.set(THE_DAY_BEFORE)
    yield
    clock.reset()


@pytest.fixture
async def organiser(import_fair: ImportFair) -> Person:
    return await import_fair.people.make("ORGANISER")


@pytest.fixture
async def fresh_plan(import_fair: ImportFair, own_db: Db, organiser: Person) -> None:
    """No meetings, the default plan with four tables."""
    await own_db.execute("DELETE FROM meeting")
    await import_fair.own.gql.data(SET_PLAN, {"input": plan_input()}, as_=organiser)


class Company:
    """A person with a business profile."""

    def __init__(self, person: Person, profile_id: str) -> None:
        self.person = person
        self.profile_id = profile_id


async def company(
    fair: ImportFair,
    name: str,
    *,
    offers: tuple[str, ...] = ("usinage CNC",),
    needs: tuple[str, ...] = ("fonderie",),
    open_to_meetings: bool = True,
    roles: tuple[str, ...] = ("ATTENDEE",),
) -> Company:
    person = await fair.people.make(*roles)
    saved = await fair.own.gql.data(
        SAVE,
        {
            "input": {
                "company": name,
                "country": "MA",
                "sectors": ["mechanics"],
                "offers": list(offers),
                "needs": list(needs),
                "openToMeetings": open_to_meetings,
            }
        },
        as_=person,
    )
    return Company(person, saved["saveBusinessProfile"]["id"])


async def request(
    fair: ImportFair, who: Company, whom: Company, slot: int, day: int = 0
) -> dict[str, Any]:
    return await fair.own.gql(
        REQUEST,
        {"input": {"profileId": whom.profile_id, "startsAt": at(slot, day), "message": "Bonjour"}},
        as_=who.person,
    )


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def test_organisers_set_the_plan_and_everyone_reads_it(
    import_fair: ImportFair, organiser: Person, fresh_plan: None
) -> None:
    gql = import_fair.own.gql
    plan = (await gql.data(SET_PLAN, {"input": plan_input(tables=7)}, as_=organiser))[
        "setMeetingPlan"
    ]
    assert plan["slotMinutes"] == 30
    assert plan["days"][0] == {
        "day": "2026-12-03",
        "opensAt": "2026-12-03T10:00:00+00:00",
        "closesAt": "2026-12-03T17:30:00+00:00",
    }
    assert [t["number"] for t in plan["tables"]] == [1, 2, 3, 4, 5, 6, 7]
    assert {t["hall"]["id"] for t in plan["tables"]} == {"hall-b"}  # the B2B area's hall
    assert len({(t["location"]["x"], t["location"]["y"]) for t in plan["tables"]}) == 7
    read = await gql.data("{ meetingPlan { slotMinutes tables { number } } }")
    assert len(read["meetingPlan"]["tables"]) == 7

    attendee = await import_fair.people.make("ATTENDEE")
    assert await gql.error_codes(SET_PLAN, {"input": plan_input()}) == ["UNAUTHENTICATED"]
    assert await gql.error_codes(SET_PLAN, {"input": plan_input()}, as_=attendee) == ["FORBIDDEN"]
    for wrong in (
        {"slotMinutes": 7},
        {"tableCount": 10_000},
        {"requestsPerDay": 0},
        {"days": [{"day": "2026-12-03", "opens": "18:00", "closes": "10:00"}]},
        {"days": [{"day": "2026-12-03", "opens": "25:00", "closes": "26:00"}]},
        {"days": [{"day": "2027-06-01", "opens": "10:00", "closes": "12:00"}]},
        {"days": [{"day": "2026-12-03", "opens": "10:00", "closes": "12:00"}] * 2},
    ):
        assert await gql.error_codes(SET_PLAN, {"input": plan_input() | wrong}, as_=organiser) == [
            "BAD_USER_INPUT"
        ], wrong
    read = await gql.data("{ meetingPlan { slotMinutes tables { number } } }")
    assert len(read["meetingPlan"]["tables"]) == 7  # nothing changed


async def test_profiles_are_for_signed_in_people_and_closed_ones_are_hidden(
    import_fair: ImportFair, fresh_plan: None
) -> None:
    gql = import_fair.own.gql
    shown = await company(import_fair, "Fonderie de l'Atlas", offers=("fonderie",))
    hidden = await company(import_fair, "Atelier Discret", open_to_meetings=False)
    directory = """query($s: String) { businessProfiles(filter: {search: $s}) {
      totalCount nodes { id company } } }"""
    assert await gql.error_codes(directory, {"s": None}) == ["UNAUTHENTICATED"]
    reader = await company(
        import_fair, "Lecteur de l'Annuaire", offers=("soudure",), needs=("peinture",)
    )
    found = await gql.data(directory, {"s": "fonderie atlas"}, as_=reader.person)
    # Among the demo fair's own foundries, and not the reader's welding and painting.
    found_ids = [n["id"] for n in found["businessProfiles"]["nodes"]]
    assert shown.profile_id in found_ids
    assert reader.profile_id not in found_ids
    typo = await gql.data(directory, {"s": "fondrie"}, as_=reader.person)
    assert shown.profile_id in [n["id"] for n in typo["businessProfiles"]["nodes"]]
    found = await gql.data(directory, {"s": "atelier discret"}, as_=shown.person)
    assert found["businessProfiles"]["nodes"] == []
    own = await gql.data(directory, {"s": "atelier discret"}, as_=hidden.person)
    assert [n["id"] for n in own["businessProfiles"]["nodes"]] == [hidden.profile_id]
    filtered = "query($f: BusinessProfileFilter!) { businessProfiles(filter: $f) { totalCount } }"
    for wrong_filter in (
        {"offers": ["usinage " * 2_000]},  # each phrase is matched against every profile
        {"needs": ["x" * 121]},
        {"sectors": [str(i) for i in range(51)]},
    ):
        assert await gql.error_codes(filtered, {"f": wrong_filter}, as_=reader.person) == [
            "BAD_USER_INPUT"
        ], wrong_filter
    one = "query($id: ID!) { businessProfile(id: $id) { company } }"
    assert (await gql.data(one, {"id": hidden.profile_id}, as_=shown.person)) == {
        "businessProfile": None
    }
    for wrong in (
        {"country": "Maroc"},
        {"sectors": ["astrology"]},
        {"company": "   "},
        {"offers": [f"offre {i}" for i in range(31)]},
        {"summary": "x" * 2001},
    ):
        given = {
            "company": "X",
            "country": "MA",
            "sectors": [],
            "offers": [],
            "needs": [],
        } | wrong
        assert await gql.error_codes(SAVE, {"input": given}, as_=shown.person) == [
            "BAD_USER_INPUT"
        ], wrong
    assert await gql.error_codes(
        SAVE,
        {"input": {"company": "X", "country": "MA", "sectors": [], "offers": [], "needs": []}},
    ) == ["UNAUTHENTICATED"]


async def test_a_closed_profile_stays_in_sight_of_a_live_meeting_only(
    import_fair: ImportFair, fresh_plan: None
) -> None:
    gql = import_fair.own.gql
    asker = await company(import_fair, "Demandeur Insistant")
    asked = await company(import_fair, "Fournisseur Réservé")
    meeting = (await request(import_fair, asker, asked, slot=4))["data"]["requestMeeting"]
    closed = {"company": "Fournisseur Réservé", "country": "MA", "sectors": ["mechanics"]}
    closed |= {"offers": [], "needs": [], "openToMeetings": False}
    await gql.data(SAVE, {"input": closed}, as_=asked.person)
    one = "query($id: ID!) { businessProfile(id: $id) { company } }"
    seen = await gql.data(one, {"id": asked.profile_id}, as_=asker.person)
    assert seen == {"businessProfile": {"company": "Fournisseur Réservé"}}  # still asked
    await gql.data(DECLINE, {"id": meeting["id"]}, as_=asked.person)
    gone = await gql.data(one, {"id": asked.profile_id}, as_=asker.person)
    assert gone == {"businessProfile": None}  # a declined request gives no lasting sight


async def test_only_someone_open_to_meetings_may_look_for_common_slots(
    import_fair: ImportFair, fresh_plan: None
) -> None:
    gql = import_fair.own.gql
    wanted = await company(import_fair, "Très Demandé")
    nobody = await import_fair.people.make("ATTENDEE")  # no profile: an empty calendar
    shy = await company(import_fair, "Discret Curieux", open_to_meetings=False)
    for prober in (nobody, shy.person):
        assert await gql.error_codes(
            FREE, {"p": wanted.profile_id, "d": "2026-12-03"}, as_=prober
        ) == ["BAD_USER_INPUT"]
    open_ = await company(import_fair, "Ouvert aux Rencontres")
    free = await gql.data(FREE, {"p": wanted.profile_id, "d": "2026-12-03"}, as_=open_.person)
    assert free["me"]["commonFreeSlots"]


async def test_a_request_whose_slot_began_unanswered_no_longer_waits(
    import_fair: ImportFair, organiser: Person, fresh_plan: None
) -> None:
    gql = import_fair.own.gql
    await gql.data(SET_PLAN, {"input": plan_input(requests_per_day=1)}, as_=organiser)
    asker = await company(import_fair, "Demandeur Oublié")
    silent = await company(import_fair, "Jamais de Réponse")
    other = await company(import_fair, "Autre Partenaire")
    assert (await request(import_fair, asker, silent, slot=0))["data"]["requestMeeting"]
    assert (await request(import_fair, asker, other, slot=4))["errors"][0]["extensions"][
        "code"
    ] == "RATE_LIMITED"  # one waiting request that day, the most allowed
    clock = import_fair.own.live.runtime.clock
    clock.set(FIRST_SLOT + SLOT / 2)  # the first slot began: nobody answered
    try:
        assert (await request(import_fair, asker, other, slot=4))["data"]["requestMeeting"]
        # Nor does the dead request keep organisers from opening later that day.
        later = plan_input() | {
            "days": [{"day": "2026-12-03", "opens": "11:00", "closes": "17:30"}]
        }
        saved = await gql.data(SET_PLAN, {"input": later}, as_=organiser)
        assert saved["setMeetingPlan"]["days"][0]["opensAt"].endswith("11:00:00+00:00")
    finally:
        clock.set(THE_DAY_BEFORE)


async def test_a_request_accepted_then_cancelled_tells_each_side_once(
    import_fair: ImportFair, fresh_plan: None
) -> None:
    buyer = await company(import_fair, "Donneur d'Ordres Auto")
    maker = await company(import_fair, "Sous-Traitance Mécanique")
    async with (
        live_client(import_fair.ws_url, buyer.person.token) as buyer_ws,
        live_client(import_fair.ws_url, maker.person.token) as maker_ws,
    ):
        await buyer_ws.subscribe(MEETING_NOTICES)
        await maker_ws.subscribe(MEETING_NOTICES)
        asked = await request(import_fair, buyer, maker, slot=2)
        meeting = asked["data"]["requestMeeting"]
        assert meeting["status"] == "REQUESTED"
        assert (meeting["startsAt"], meeting["endsAt"]) == (at(2), at(3))
        [heard] = await maker_ws.notices(1)
        assert heard["kind"] == "MEETING_REQUESTED"
        assert heard["title"] == "Demande de rendez-vous : Donneur d'Ordres Auto"
        assert heard["body"] == "jeudi 3 décembre, 11:00–11:30\nBonjour"
        assert heard["meeting"] == {"id": meeting["id"], "status": "REQUESTED", "table": None}

        gql = import_fair.own.gql
        assert await gql.error_codes(ACCEPT, {"id": meeting["id"]}, as_=buyer.person) == [
            "FORBIDDEN"
        ]
        accepted = await gql.data(ACCEPT, {"id": meeting["id"]}, as_=maker.person)
        assert accepted["acceptMeeting"]["status"] == "ACCEPTED"
        assert accepted["acceptMeeting"]["table"] == {"number": 1, "name": "Table 1"}
        [heard] = await buyer_ws.notices(1)
        assert heard["kind"] == "MEETING_ACCEPTED"
        assert heard["body"] == "jeudi 3 décembre, 11:00–11:30, table 1 (espace B2B)"
        assert heard["meeting"]["table"] == {"number": 1}

        cancelled = await gql.data(CANCEL, {"id": meeting["id"]}, as_=buyer.person)
        assert cancelled["cancelMeeting"]["status"] == "CANCELLED"
        [heard] = await maker_ws.notices(1)
        assert (heard["kind"], heard["body"]) == (
            "MEETING_CANCELLED",
            "jeudi 3 décembre, 11:00–11:30\nEmpêchement",
        )
        # Nothing else came to either: the next notice of both is a barrier.
        organiser = await import_fair.people.make("ORGANISER")
        await import_fair.next_is_barrier(organiser, buyer_ws, maker_ws)


async def test_fifty_racing_requests_for_one_person_and_slot_book_it_once(
    import_fair: ImportFair, own_db: Db, fresh_plan: None
) -> None:
    wanted = await company(import_fair, "Fournisseur Très Demandé")
    askers = [await company(import_fair, f"Acheteur {i:02d}") for i in range(50)]
    answers = await asyncio.gather(*(request(import_fair, a, wanted, slot=4) for a in askers))
    outcomes = Counter("REQUESTED" if a.get("data") else tuple(codes(a)) for a in answers)
    assert outcomes == {"REQUESTED": 1, ("CONFLICT",): 49}
    assert await own_db.fetchval("SELECT count(*) FROM meeting") == 1
    # One person asking fifty at once for the same slot: one goes through.
    asker = await company(import_fair, "Acheteur Pressé")
    answers = await asyncio.gather(*(request(import_fair, asker, a, slot=6) for a in askers))
    assert Counter(tuple(codes(a)) for a in answers) == {(): 1, ("CONFLICT",): 49}


async def test_racing_accepts_for_the_last_table_accept_one(
    import_fair: ImportFair, own_db: Db, organiser: Person, fresh_plan: None
) -> None:
    await import_fair.own.gql.data(SET_PLAN, {"input": plan_input(tables=1)}, as_=organiser)
    pairs = [
        (await company(import_fair, f"Client {i}"), await company(import_fair, f"Usine {i}"))
        for i in range(6)
    ]
    ids = [
        (await request(import_fair, a, b, slot=8))["data"]["requestMeeting"]["id"] for a, b in pairs
    ]
    answers = await asyncio.gather(
        *(
            import_fair.own.gql(ACCEPT, {"id": i}, as_=b.person)
            for i, (_, b) in zip(ids, pairs, strict=True)
        )
    )
    assert Counter(tuple(codes(a)) for a in answers) == {(): 1, ("CONFLICT",): 5}
    assert await own_db.fetchval("SELECT count(*) FROM meeting WHERE status = 'ACCEPTED'") == 1
    # Every table taken: a new request for that slot is refused, the others still free.
    late = (await company(import_fair, "Retardataire"), await company(import_fair, "Atelier"))
    assert codes(await request(import_fair, late[0], late[1], slot=8)) == ["CONFLICT"]
    assert codes(await request(import_fair, late[0], late[1], slot=9)) == []


async def test_a_slot_that_clashes_with_a_registered_session_is_neither_free_nor_booked(
    import_fair: ImportFair, own_db: Db, fresh_plan: None
) -> None:
    busy = await company(import_fair, "Ingénierie Occupée")
    other = await company(import_fair, "Métallerie Libre")
    session = await own_db.fetchrow(
        """SELECT id, starts_at, ends_at FROM session
            WHERE status = 'SCHEDULED' AND room_id IS NOT NULL AND starts_at >= $1
              AND starts_at < $2 AND (capacity IS NULL OR capacity > 5)
            ORDER BY starts_at, id LIMIT 1""",
        FIRST_SLOT,
        FIRST_SLOT + timedelta(hours=6),
    )
    await import_fair.own.gql.data(
        "mutation($s: ID!) { registerForSession(sessionId: $s) { status } }",
        {"s": session["id"]},
        as_=busy.person,
    )
    free = await import_fair.own.gql.data(
        FREE, {"p": other.profile_id, "d": "2026-12-03"}, as_=busy.person
    )
    starts = [datetime.fromisoformat(s["startsAt"]) for s in free["me"]["commonFreeSlots"]]
    clashing = [
        s
        for s in range(15)
        if FIRST_SLOT + s * SLOT < session["ends_at"]
        and session["starts_at"] < FIRST_SLOT + (s + 1) * SLOT
    ]
    assert clashing
    for slot in clashing:
        assert FIRST_SLOT + slot * SLOT not in starts
        assert codes(await request(import_fair, other, busy, slot=slot)) == ["CONFLICT"]
    # The slot right after the session is free only once the walk from its room is done.
    assert len(starts) < 15


async def test_cancelling_frees_the_slot_for_someone_else(
    import_fair: ImportFair, fresh_plan: None
) -> None:
    wanted = await company(import_fair, "Traitement de Surface")
    first = await company(import_fair, "Premier Client")
    second = await company(import_fair, "Second Client")
    meeting = (await request(import_fair, first, wanted, slot=10))["data"]["requestMeeting"]
    assert codes(await request(import_fair, second, wanted, slot=10)) == ["CONFLICT"]
    free = await import_fair.own.gql.data(
        FREE, {"p": wanted.profile_id, "d": "2026-12-03"}, as_=second.person
    )
    assert at(10) not in [s["startsAt"] for s in free["me"]["commonFreeSlots"]]
    await import_fair.own.gql.data(CANCEL, {"id": meeting["id"]}, as_=wanted.person)
    assert codes(await request(import_fair, second, wanted, slot=10)) == []


async def test_the_waiting_requests_cap_holds_under_racing_requests(
    import_fair: ImportFair, organiser: Person, fresh_plan: None
) -> None:
    await import_fair.own.gql.data(
        SET_PLAN, {"input": plan_input(requests_per_day=3)}, as_=organiser
    )
    eager = await company(import_fair, "Acheteur Insistant")
    targets = [await company(import_fair, f"Cible {i}") for i in range(10)]
    answers = await asyncio.gather(
        *(request(import_fair, eager, t, slot=i) for i, t in enumerate(targets))
    )
    assert Counter(tuple(codes(a)) for a in answers) == {(): 3, ("RATE_LIMITED",): 7}
    # Another day has its own cap.
    assert codes(await request(import_fair, eager, targets[0], slot=0, day=1)) == []


async def test_who_may_answer_cancel_and_record_an_outcome(
    import_fair: ImportFair, organiser: Person, fresh_plan: None
) -> None:
    gql = import_fair.own.gql
    asker = await company(import_fair, "Demandeur")
    asked = await company(import_fair, "Sollicité")
    stranger = await company(import_fair, "Curieux")
    meeting = (await request(import_fair, asker, asked, slot=12))["data"]["requestMeeting"]
    mid = {"id": meeting["id"]}
    assert await gql.error_codes(ACCEPT, mid) == ["UNAUTHENTICATED"]
    assert await gql.error_codes(ACCEPT, mid, as_=stranger.person) == ["NOT_FOUND"]
    assert await gql.error_codes(DECLINE, mid, as_=asker.person) == ["FORBIDDEN"]
    assert await gql.error_codes(ACCEPT, {"id": "999999999"}, as_=asked.person) == ["NOT_FOUND"]
    assert await gql.error_codes(ACCEPT, {"id": "x\u0000"}, as_=asked.person) in (
        ["NOT_FOUND"],
        ["BAD_USER_INPUT"],
    )
    assert await gql.error_codes(OUTCOME, mid | {"o": "HAPPENED"}, as_=asker.person) == ["CONFLICT"]
    await gql.data(ACCEPT, mid, as_=asked.person)
    assert await gql.error_codes(DECLINE, mid, as_=asked.person) == ["CONFLICT"]
    assert await gql.error_codes(OUTCOME, mid | {"o": "HAPPENED"}, as_=asker.person) == [
        "CONFLICT"
    ]  # not begun yet
    clock = import_fair.own.live.runtime.clock
    clock.set(datetime.fromisoformat(at(12)) + timedelta(minutes=5))
    try:
        assert await gql.error_codes(OUTCOME, mid | {"o": "NO_SHOW"}, as_=stranger.person) == [
            "NOT_FOUND"
        ]
        done = await gql.data(OUTCOME, mid | {"o": "HAPPENED"}, as_=organiser)
        assert done["recordMeetingOutcome"]["outcome"] == "HAPPENED"
    finally:
        clock.set(THE_DAY_BEFORE)
    declined = (await request(import_fair, stranger, asked, slot=14))["data"]["requestMeeting"]
    assert (await gql.data(DECLINE, {"id": declined["id"]}, as_=asked.person))["declineMeeting"][
        "status"
    ] == "DECLINED"
    assert await gql.error_codes(
        REQUEST,
        {"input": {"profileId": asker.profile_id, "startsAt": at(14) + "x"}},
        as_=stranger.person,
    ) == ["BAD_USER_INPUT"]
    assert await gql.error_codes(
        REQUEST,
        {"input": {"profileId": asker.profile_id, "startsAt": "2026-12-03T10:10:00+00:00"}},
        as_=stranger.person,
    ) == ["BAD_USER_INPUT"]  # not the start of a slot
    assert await gql.error_codes(
        REQUEST,
        {"input": {"profileId": stranger.profile_id, "startsAt": at(1)}},
        as_=stranger.person,
    ) == ["BAD_USER_INPUT"]  # oneself


async def next_of_kind(ws: LiveClient, kind: str) -> dict[str, Any]:
    """The next notice of this kind (the acceptance may still be on its way: the socket
    subscribed without a cursor while the relay was publishing it)."""
    for _ in range(5):
        [notice] = await ws.notices(1)
        if notice["kind"] == kind:
            return notice
    raise AssertionError(f"no {kind} among the next five notices")


async def test_both_sides_are_reminded_once_ten_minutes_before(
    import_fair: ImportFair, fresh_plan: None
) -> None:
    buyer = await company(import_fair, "Acheteur Ponctuel")
    maker = await company(import_fair, "Fabricant Ponctuel")
    meeting = (await request(import_fair, buyer, maker, slot=3, day=1))["data"]["requestMeeting"]
    await import_fair.own.gql.data(ACCEPT, {"id": meeting["id"]}, as_=maker.person)
    clock = import_fair.own.live.runtime.clock
    async with (
        live_client(import_fair.ws_url, buyer.person.token) as buyer_ws,
        live_client(import_fair.ws_url, maker.person.token) as maker_ws,
    ):
        await buyer_ws.subscribe(MEETING_NOTICES)
        await maker_ws.subscribe(MEETING_NOTICES)
        try:
            # The worker runs on this clock: eight minutes before, it is due.
            clock.set(datetime.fromisoformat(at(3, day=1)) - timedelta(minutes=8))
            to_buyer = await next_of_kind(buyer_ws, "MEETING_REMINDER")
            to_maker = await next_of_kind(maker_ws, "MEETING_REMINDER")
        finally:
            clock.set(THE_DAY_BEFORE)
        assert (to_buyer["kind"], to_buyer["title"]) == (
            "MEETING_REMINDER",
            "Rendez-vous dans 10 minutes : Fabricant Ponctuel",
        )
        assert to_maker["title"] == "Rendez-vous dans 10 minutes : Acheteur Ponctuel"
        assert to_maker["body"] == "vendredi 4 décembre, 11:30–12:00, table 1 (espace B2B)"
        assert to_maker["meeting"]["id"] == meeting["id"]
        organiser = await import_fair.people.make("ORGANISER")
        await import_fair.next_is_barrier(organiser, buyer_ws, maker_ws)


async def test_a_reminder_never_follows_a_cancellation_it_raced(
    import_fair: ImportFair, own_db: Db, fresh_plan: None
) -> None:
    buyer = await company(import_fair, "Acheteur Pressé")
    maker = await company(import_fair, "Fabricant Pressé")
    meeting = (await request(import_fair, buyer, maker, slot=6, day=1))["data"]["requestMeeting"]
    await import_fair.own.gql.data(ACCEPT, {"id": meeting["id"]}, as_=maker.person)
    due = datetime.fromisoformat(at(6, day=1)) - timedelta(minutes=8)
    pool = import_fair.own.live.runtime.pool
    async with own_db.transaction():  # the cancellation, not committed yet
        await own_db.execute(
            "UPDATE meeting SET status = 'CANCELLED', reason = 'x' WHERE id = $1",
            int(meeting["id"]),
        )
        round_ = asyncio.create_task(
            remind_due(pool, due, session_lead=timedelta(0), demo_lead=timedelta(0))
        )
        # Until the round waits on the meeting's row (or, without the lock, is done).
        async with asyncio.timeout(10):
            while not await own_db.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted"):
                if (await asyncio.wait([round_], timeout=0.02))[0]:
                    break
    await round_
    reminders = await own_db.fetchval(
        "SELECT count(*) FROM meeting_reminder_sent WHERE meeting_id = $1", int(meeting["id"])
    )
    assert reminders == 0


async def test_an_accepted_meeting_is_in_both_calendars_and_its_cancellation_too(
    import_fair: ImportFair, fresh_plan: None
) -> None:
    buyer = await company(import_fair, "Acheteur Organisé")
    maker = await company(import_fair, "Fabricant Organisé")
    meeting = (await request(import_fair, buyer, maker, slot=5, day=2))["data"]["requestMeeting"]
    uid = f"meeting-{meeting['id']}@{UID_DOMAIN}"

    async def event_of(who: Company) -> icalendar.Event | None:
        gql = import_fair.own.gql
        url = (await gql.data("{ me { calendarUrl } }", as_=who.person))["me"]["calendarUrl"]
        response = await gql.http.get(urlsplit(url).path)
        assert response.status_code == 200
        found = [
            e
            for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")
            if str(e["UID"]) == uid
        ]
        return found[0] if found else None

    assert await event_of(buyer) is None  # a request is not in calendars yet
    await import_fair.own.gql.data(ACCEPT, {"id": meeting["id"]}, as_=maker.person)
    for who, other in ((buyer, "Fabricant Organisé"), (maker, "Acheteur Organisé")):
        event = await event_of(who)
        assert event is not None
        assert str(event["SUMMARY"]) == f"Rendez-vous B2B : {other}"
        assert event.decoded("DTSTART") == datetime.fromisoformat(at(5, day=2))
        assert str(event["STATUS"]) == "CONFIRMED"
        assert str(event["LOCATION"]).startswith("Table 1, espace B2B")
        accepted_sequence = int(event["SEQUENCE"])
    await import_fair.own.gql.data(CANCEL, {"id": meeting["id"]}, as_=maker.person)
    for who in (buyer, maker):
        event = await event_of(who)
        assert event is not None
        assert str(event["STATUS"]) == "CANCELLED"
        assert int(event["SEQUENCE"]) > accepted_sequence


async def test_a_bookmarked_session_over_a_meeting_is_a_schedule_conflict(
    import_fair: ImportFair, own_db: Db, fresh_plan: None
) -> None:
    buyer = await company(import_fair, "Acheteur Distrait")
    maker = await company(import_fair, "Fabricant Distrait")
    meeting = (await request(import_fair, buyer, maker, slot=0, day=1))["data"]["requestMeeting"]
    session_id = await own_db.fetchval(
        """SELECT id FROM session WHERE status = 'SCHEDULED' AND starts_at < $2
              AND ends_at > $1 ORDER BY starts_at, id LIMIT 1""",
        datetime.fromisoformat(at(0, day=1)),
        datetime.fromisoformat(at(1, day=1)),
    )
    assert session_id is not None, "the demo fair has a session on 4 December at 10:00"
    await import_fair.own.gql.data(
        "mutation($s: ID!) { bookmarkSession(sessionId: $s) { id } }",
        {"s": session_id},
        as_=buyer.person,
    )
    found = await import_fair.own.gql.data(
        """{ me { schedule { meetings { id status }
               meetingConflicts { meeting { id } session { id } kind } } } }""",
        as_=buyer.person,
    )
    schedule = found["me"]["schedule"]
    assert schedule["meetings"] == [{"id": meeting["id"], "status": "REQUESTED"}]
    assert schedule["meetingConflicts"] == [
        {"meeting": {"id": meeting["id"]}, "session": {"id": session_id}, "kind": "OVERLAP"}
    ]


async def test_the_desk_lists_a_days_meetings_and_exports_them_with_outcomes(
    import_fair: ImportFair, organiser: Person, fresh_plan: None
) -> None:
    sly = await company(import_fair, '=HYPERLINK("http://x.example")')
    maker = await company(import_fair, "Forges du Souss")
    meeting = (await request(import_fair, sly, maker, slot=1, day=2))["data"]["requestMeeting"]
    await import_fair.own.gql.data(ACCEPT, {"id": meeting["id"]}, as_=maker.person)
    desk = await import_fair.own.gql.data(
        """{ meetings(day: "2026-12-05") { totalCount nodes { id status table { number }
             requester { company } invitee { company } } } }""",
        as_=organiser,
    )
    assert desk["meetings"]["totalCount"] == 1
    assert desk["meetings"]["nodes"][0]["invitee"] == {"company": "Forges du Souss"}
    assert await import_fair.own.gql.error_codes(
        '{ meetings(day: "2026-12-05") { totalCount } }', as_=maker.person
    ) == ["FORBIDDEN"]
    occupancy = """query($d: Date!) { tableOccupancy(day: $d) {
      table { number } slots booked happened noShows } }"""
    tables = (await import_fair.own.gql.data(occupancy, {"d": "2026-12-05"}, as_=organiser))[
        "tableOccupancy"
    ]
    assert [t["table"]["number"] for t in tables] == [1, 2, 3, 4]
    assert tables[0] == {
        "table": {"number": 1},
        "slots": 15,
        "booked": 1,
        "happened": 0,
        "noShows": 0,
    }
    assert all(t["booked"] == 0 for t in tables[1:])
    assert await import_fair.own.gql.error_codes(
        occupancy, {"d": "2026-12-05"}, as_=maker.person
    ) == ["FORBIDDEN"]

    http = import_fair.own.gql.http
    response = await http.get("/admin/meetings.csv?day=2026-12-05", headers=organiser.headers)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:6] == ["id", "status", "outcome", "starts_at", "ends_at", "table"]
    [row] = list(csv.reader(lines[1:]))
    assert row[:7] == [
        meeting["id"],
        "ACCEPTED",
        "",
        "2026-12-05T10:30+00:00",
        "2026-12-05T11:00+00:00",
        "1",
        '\'=HYPERLINK("http://x.example")',
    ]
    assert (await http.get("/admin/meetings.csv")).status_code == 401
    refused = await http.get("/admin/meetings.csv", headers=maker.person.headers)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "FORBIDDEN")
    assert (
        await http.get("/admin/meetings.csv?day=demain", headers=organiser.headers)
    ).status_code == 400


async def test_a_meeting_booked_through_the_gql_client(
    import_fair: ImportFair, fresh_plan: None
) -> None:
    buyer = await company(import_fair, "Acheteur Outillé")
    maker = await company(import_fair, "Fabricant Outillé", offers=("fonderie",))

    async def ask(session: Any, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        document = gql(query)
        document.variable_values = variables
        answer: dict[str, Any] = await session.execute(document)
        return answer

    def client(who: Company) -> Client:
        return Client(
            transport=HTTPXAsyncTransport(
                url=import_fair.own.live.graphql_url,
                headers={"Authorization": f"Bearer {who.person.token}"},
            )
        )

    async with client(buyer) as session:
        free = await ask(session, FREE, {"p": maker.profile_id, "d": "2026-12-04"})
        first = free["me"]["commonFreeSlots"][0]["startsAt"]
        asked = await ask(
            session,
            REQUEST,
            {"input": {"profileId": maker.profile_id, "startsAt": first}},
        )
        with pytest.raises(TransportQueryError) as refused:
            await ask(
                session, REQUEST, {"input": {"profileId": maker.profile_id, "startsAt": first}}
            )
        assert refused.value.errors is not None
        assert [e["extensions"]["code"] for e in refused.value.errors] == ["CONFLICT"]
    meeting_id = asked["requestMeeting"]["id"]
    async with client(maker) as session:
        accepted = await ask(session, ACCEPT, {"id": meeting_id})
        assert accepted["acceptMeeting"]["status"] == "ACCEPTED"
        mine = await session.execute(
            gql("{ me { meetings { id status table { number } requester { company } } } }")
        )
    assert {
        "id": meeting_id,
        "status": "ACCEPTED",
        "table": {"number": 1},
        "requester": {"company": "Acheteur Outillé"},
    } in mine["me"]["meetings"]


async def test_asking_cancelling_and_asking_again_has_a_ceiling(
    import_fair: ImportFair, organiser: Person, fresh_plan: None
) -> None:
    await import_fair.own.gql.data(
        SET_PLAN, {"input": plan_input(requests_per_day=2)}, as_=organiser
    )
    pest = await company(import_fair, "Démarcheur Insistant")
    target = await company(import_fair, "Cible Patiente")
    for attempt in range(6):  # three per waiting request allowed
        meeting = (await request(import_fair, pest, target, slot=attempt % 3))["data"]
        await import_fair.own.gql.data(
            CANCEL, {"id": meeting["requestMeeting"]["id"]}, as_=pest.person
        )
    assert codes(await request(import_fair, pest, target, slot=5)) == ["RATE_LIMITED"]


async def test_the_role_matrix_of_every_meeting_mutation(
    import_fair: ImportFair, own_db: Db, organiser: Person, fresh_plan: None
) -> None:
    """Anonymous people, and every role as a stranger to the meeting (organisers may
    cancel and record), against each mutation; a refusal changes nothing."""
    gql = import_fair.own.gql
    asker = await company(import_fair, "Matrice Demandeur")
    asked = await company(import_fair, "Matrice Sollicité")
    meeting = (await request(import_fair, asker, asked, slot=7, day=2))["data"]["requestMeeting"]
    mid = {"id": meeting["id"]}
    strangers = {
        role: await company(import_fair, f"Matrice {role}", roles=(role,))
        for role in ("ATTENDEE", "SPEAKER", "EXHIBITOR")
    }
    no_profile = await import_fair.people.make("ATTENDEE")
    answers: dict[str, dict[str, list[str]]] = {}
    profile = {"company": "X", "country": "MA", "sectors": [], "offers": [], "needs": []}
    mutations = {
        "setMeetingPlan": (SET_PLAN, {"input": plan_input()}),
        "saveBusinessProfile": (SAVE, {"input": profile}),
        "requestMeeting": (
            REQUEST,
            {"input": {"profileId": asked.profile_id, "startsAt": at(7, day=2)}},
        ),
        "acceptMeeting": (ACCEPT, mid),
        "declineMeeting": (DECLINE, mid),
        "cancelMeeting": (CANCEL, mid),
        "recordMeetingOutcome": (OUTCOME, mid | {"o": "HAPPENED"}),
    }
    actors: dict[str, Person | None] = {"anonymous": None, "no profile": no_profile}
    actors |= {role: s.person for role, s in strangers.items()}
    before = await own_db.fetchval("SELECT count(*) FROM meeting")
    for name, (document, variables) in mutations.items():
        if name == "saveBusinessProfile":
            continue  # it writes the caller's own profile: checked below
        for actor_name, actor in actors.items():
            answers.setdefault(name, {})[actor_name] = codes(await gql(document, variables, actor))
    assert await own_db.fetchval("SELECT count(*) FROM meeting") == before
    assert (
        await own_db.fetchval("SELECT status FROM meeting WHERE id = $1", int(meeting["id"]))
        == "REQUESTED"
    )
    conflict_or_forbidden = {
        # The plan is organisers' only; a meeting is NOT_FOUND to whoever is not on it.
        "setMeetingPlan": ["FORBIDDEN"],
        "requestMeeting": ["CONFLICT"],  # the slot is held by the meeting itself
        "acceptMeeting": ["NOT_FOUND"],
        "declineMeeting": ["NOT_FOUND"],
        "cancelMeeting": ["NOT_FOUND"],
        "recordMeetingOutcome": ["NOT_FOUND"],
    }
    for name, by_actor in answers.items():
        assert by_actor["anonymous"] == ["UNAUTHENTICATED"], name
        for role in strangers:
            assert by_actor[role] == conflict_or_forbidden[name], (name, role)
    assert answers["requestMeeting"]["no profile"] == ["BAD_USER_INPUT"]
    assert codes(await gql(SAVE, {"input": profile})) == ["UNAUTHENTICATED"]
    for role, stranger in strangers.items():
        assert codes(await gql(SAVE, {"input": profile | {"company": role}}, stranger.person)) == []
    # Organisers: they may not answer for the invitee, but may cancel.
    assert codes(await gql(ACCEPT, mid, organiser)) == ["FORBIDDEN"]
    assert codes(await gql(DECLINE, mid, organiser)) == ["FORBIDDEN"]
    assert codes(await gql(CANCEL, mid, organiser)) == []


async def test_a_decline_tells_the_requester_and_an_organisers_cancel_tells_both(
    import_fair: ImportFair, organiser: Person, fresh_plan: None
) -> None:
    buyer = await company(import_fair, "Acheteur Éconduit")
    maker = await company(import_fair, "Fabricant Occupé")
    async with (
        live_client(import_fair.ws_url, buyer.person.token) as buyer_ws,
        live_client(import_fair.ws_url, maker.person.token) as maker_ws,
    ):
        await buyer_ws.subscribe(MEETING_NOTICES)
        await maker_ws.subscribe(MEETING_NOTICES)
        first = (await request(import_fair, buyer, maker, slot=9))["data"]["requestMeeting"]
        [asked] = await maker_ws.notices(1)
        assert asked["kind"] == "MEETING_REQUESTED"
        await import_fair.own.gql.data(DECLINE, {"id": first["id"]}, as_=maker.person)
        [declined] = await buyer_ws.notices(1)
        assert (declined["kind"], declined["title"], declined["body"]) == (
            "MEETING_DECLINED",
            "Rendez-vous décliné : Fabricant Occupé",
            "jeudi 3 décembre, 14:30–15:00\nPas dispo",
        )
        second = (await request(import_fair, buyer, maker, slot=10))["data"]["requestMeeting"]
        await maker_ws.notices(1)
        await import_fair.own.gql.data(ACCEPT, {"id": second["id"]}, as_=maker.person)
        await buyer_ws.notices(1)
        await import_fair.own.gql.data(CANCEL, {"id": second["id"]}, as_=organiser)
        [to_buyer] = await buyer_ws.notices(1)
        [to_maker] = await maker_ws.notices(1)
        assert (to_buyer["kind"], to_buyer["title"]) == (
            "MEETING_CANCELLED",
            "Rendez-vous annulé : Fabricant Occupé",
        )
        assert to_maker["title"] == "Rendez-vous annulé : Acheteur Éconduit"
        await import_fair.next_is_barrier(organiser, buyer_ws, maker_ws)


async def test_what_the_review_found_is_refused_clearly_never_a_500(
    import_fair: ImportFair, organiser: Person, fresh_plan: None
) -> None:
    gql = import_fair.own.gql
    # Two people asking each other at the same moment: both go through (no deadlock).
    a = await company(import_fair, "Réciproque A")
    b = await company(import_fair, "Réciproque B")
    for _ in range(3):
        answers = await asyncio.gather(
            request(import_fair, a, b, slot=11, day=1), request(import_fair, b, a, slot=13, day=1)
        )
        assert [codes(x) for x in answers] == [[], []]
        for x in answers:
            await gql.data(CANCEL, {"id": x["data"]["requestMeeting"]["id"]}, as_=organiser)
    # An outcome recorded: the meeting can no longer be cancelled.
    meeting = (await request(import_fair, a, b, slot=14, day=1))["data"]["requestMeeting"]
    await gql.data(ACCEPT, {"id": meeting["id"]}, as_=b.person)
    clock = import_fair.own.live.runtime.clock
    clock.set(datetime.fromisoformat(at(14, day=1)) + timedelta(minutes=5))
    try:
        await gql.data(OUTCOME, {"id": meeting["id"], "o": "NO_SHOW"}, as_=a.person)
        assert await gql.error_codes(CANCEL, {"id": meeting["id"]}, as_=a.person) == ["CONFLICT"]
    finally:
        clock.set(THE_DAY_BEFORE)
    # A table that ever had a meeting stays; a far-off desk day is bad input.
    late = (await request(import_fair, a, b, slot=2, day=2))["data"]["requestMeeting"]
    await gql.data(ACCEPT, {"id": late["id"]}, as_=b.person)
    await gql.data(CANCEL, {"id": late["id"]}, as_=a.person)
    assert await gql.error_codes(SET_PLAN, {"input": plan_input(tables=0)}, as_=organiser) == [
        "CONFLICT"
    ]
    far = (
        '{ tableOccupancy(day: "9999-12-31") { booked } '
        'meetings(day: "9999-12-31") { totalCount } }'
    )
    assert set(await gql.error_codes(far, as_=organiser)) == {"BAD_USER_INPUT"}
    response = await gql.http.get("/admin/meetings.csv?day=9999-12-31", headers=organiser.headers)
    assert response.status_code == 400
