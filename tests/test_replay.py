"""Replay then live, no gap, no repeat; the HTTP inbox tells the same sequence."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

from tests.conftest import GraphQLClient, LiveServer, People, Person
from tests.fair_data import FAIR_EVE
from tests.live_client import live_client

pytestmark = pytest.mark.usefixtures("worker")

INBOX = """query($after: ID, $first: Int) { notices(after: $after, first: $first) {
  id kind title } }"""
BROADCAST = """mutation($input: AnnouncementInput!) {
  broadcastAnnouncement(input: $input) { id } }"""


async def inbox(gql_http: GraphQLClient, person: Person | None, after: str = "0") -> list[str]:
    """Every notice id the HTTP inbox gives this person after `after`, page by page."""
    ids: list[str] = []
    while True:
        page = (await gql_http.data(INBOX, {"after": after, "first": 200}, as_=person))["notices"]
        ids += [n["id"] for n in page]
        if len(page) < 200:
            return ids
        after = page[-1]["id"]


async def tell(gql_http: GraphQLClient, organiser: Person, person: Person, title: str) -> str:
    sent = await gql_http.data(
        BROADCAST,
        {"input": {"title": title, "body": "…", "audience": {"userIds": [str(person.id)]}}},
        as_=organiser,
    )
    notice_id: str = sent["broadcastAnnouncement"]["id"]
    return notice_id


async def write_many(db: asyncpg.Connection[Any], person: Person, count: int) -> None:
    """`count` notices for one person, written straight into the log (the relay
    sequences them like any other)."""
    async with db.transaction():
        for i in range(count):
            notice_id = await db.fetchval(
                """INSERT INTO notice (kind, title_fr, body_fr, created_at, send_at)
                   VALUES ('ANNOUNCEMENT', $1, 'x', $2, $2) RETURNING id""",
                f"n{i}",
                FAIR_EVE,  # due by the relay's clock, the suite's
            )
            await db.execute("INSERT INTO notice_recipient VALUES ($1, $2)", notice_id, person.id)


def increasing(ids: list[str]) -> bool:
    numbers = [int(i) for i in ids]
    return numbers == sorted(set(numbers))


async def test_replay_then_live_with_notices_written_during_the_replay(
    live: LiveServer,
    gql_http: GraphQLClient,
    db: asyncpg.Connection[Any],
    people: People,
) -> None:
    person, organiser = await people.make(), await people.make("ORGANISER")
    start = await tell(gql_http, organiser, person, "départ")  # earlier notices are not ours
    await write_many(db, person, 450)  # more than two replay pages
    first_live = await tell(gql_http, organiser, person, "avant")  # all sequenced up to here
    async with live_client(live.ws_url, person.token) as ws:
        await ws.subscribe(variables={"after": start})
        # written while the replay streams
        during = await asyncio.gather(
            *(tell(gql_http, organiser, person, f"pendant {i}") for i in range(5))
        )
        received = [n["id"] for n in await ws.notices(456)]
        after_replay = await tell(gql_http, organiser, person, "après")
        received += [n["id"] for n in await ws.notices(1)]
    expected = await inbox(gql_http, person, after=start)
    assert received == expected
    assert increasing(received)
    assert {first_live, *during, after_replay} <= set(received)
    assert len(expected) == 457


async def test_reconnecting_with_the_last_cursor_loses_nothing_and_repeats_nothing(
    live: LiveServer,
    gql_http: GraphQLClient,
    people: People,
) -> None:
    person, organiser = await people.make(), await people.make("ORGANISER")
    start = await tell(gql_http, organiser, person, "départ")
    seen: list[str] = []
    async with live_client(live.ws_url, person.token) as ws:
        await ws.subscribe(variables={"after": start})
        for i in range(3):
            await tell(gql_http, organiser, person, f"en ligne {i}")
        seen += [n["id"] for n in await ws.notices(3)]
    # the phone is offline: these are written meanwhile
    for i in range(4):
        await tell(gql_http, organiser, person, f"hors ligne {i}")
    async with live_client(live.ws_url, person.token) as ws:
        await ws.subscribe(variables={"after": seen[-1]})
        seen += [n["id"] for n in await ws.notices(4)]
        await tell(gql_http, organiser, person, "de retour")
        seen += [n["id"] for n in await ws.notices(1)]
    assert seen == await inbox(gql_http, person, after=start)
    assert len(seen) == 8
    assert increasing(seen)


async def test_concurrent_mutations_arrive_in_cursor_order_for_everyone(
    live: LiveServer,
    gql_http: GraphQLClient,
    people: People,
) -> None:
    organisers = [await people.make("ORGANISER") for _ in range(4)]
    watchers = [await people.make() for _ in range(3)]

    async def burst(organiser: Person, n: int) -> list[str]:
        return [
            (
                await gql_http.data(
                    BROADCAST,
                    {
                        "input": {
                            "title": f"{organiser.id}-{i}",
                            "body": "…",
                            "audience": {"everyone": True},
                        }
                    },
                    as_=organiser,
                )
            )["broadcastAnnouncement"]["id"]
            for i in range(n)
        ]

    async with (
        live_client(live.ws_url, watchers[0].token) as a,
        live_client(live.ws_url, watchers[1].token) as b,
        live_client(live.ws_url, watchers[2].token) as c,
    ):
        for ws in (a, b, c):
            await ws.subscribe()
        sent = await asyncio.gather(*(burst(o, 5) for o in organisers))
        streams = [[n["id"] for n in await ws.notices(20)] for ws in (a, b, c)]
    assert streams[0] == streams[1] == streams[2]
    assert increasing(streams[0])
    assert sorted(streams[0], key=int) == sorted((i for s in sent for i in s), key=int)


async def test_anonymous_inbox_and_subscription_see_public_notices_only(
    live: LiveServer,
    gql_http: GraphQLClient,
    people: People,
) -> None:
    person, organiser = await people.make(), await people.make("ORGANISER")
    private = await tell(gql_http, organiser, person, "privé")
    public = (
        await gql_http.data(
            BROADCAST,
            {"input": {"title": "public", "body": "…", "audience": {"everyone": True}}},
            as_=organiser,
        )
    )["broadcastAnnouncement"]["id"]
    anonymous = await inbox(gql_http, None, after=str(int(private) - 1))
    personal = await inbox(gql_http, person, after=str(int(private) - 1))
    assert (anonymous, personal) == ([public], [private, public])


@pytest.mark.parametrize(
    ("after", "first"), [("abc", 10), ("-1", 10), ("0", -1), ("0", 201), ("1" * 30, 10)]
)
async def test_bad_inbox_arguments(gql_http: GraphQLClient, after: str, first: int) -> None:
    assert await gql_http.error_codes(INBOX, {"after": after, "first": first}) == ["BAD_USER_INPUT"]


async def test_bad_cursor_on_the_subscription_is_an_error_message(live: LiveServer) -> None:
    async with live_client(live.ws_url) as ws:
        operation = await ws.subscribe(variables={"after": "not-a-cursor"})
        message = await ws.message()
        assert message["type"] == "error"
        assert message["id"] == operation
        assert [e["extensions"]["code"] for e in message["payload"]] == ["BAD_USER_INPUT"]


async def test_gql_client_subscribes_over_graphql_transport_ws(
    live: LiveServer,
    gql_http: GraphQLClient,
    people: People,
) -> None:
    person, organiser = await people.make(), await people.make("ORGANISER")
    start = await tell(gql_http, organiser, person, "départ")
    transport = WebsocketsTransport(
        url=live.ws_url,
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        init_payload={"authorization": f"Bearer {person.token}"},
    )
    async with Client(transport=transport) as session:
        request = gql("subscription($after: ID) { notices(after: $after) { id title } }")
        request.variable_values = {"after": start}
        stream = session.subscribe(request)
        sent = await tell(gql_http, organiser, person, "via gql")
        first = await asyncio.wait_for(anext(stream), 10)
        assert first == {"notices": {"id": sent, "title": "via gql"}}
        await stream.aclose()
