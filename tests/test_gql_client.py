"""The API through a real third-party client: `gql` over HTTP."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport

from tests.conftest import LiveServer
from tests.fair_data import demo_file, demo_sessions


async def test_gql_client_reads_the_agenda_and_sees_error_codes(live: LiveServer) -> None:
    transport = HTTPXAsyncTransport(url=live.graphql_url)
    async with Client(transport=transport, fetch_schema_from_transport=True) as session:
        keynotes = gql("""query($day: Date!) {
                     event { name(lang: EN) }
                     sessions(filter: {day: $day, kinds: [KEYNOTE]}) {
                       totalCount nodes { title startsAt speakers { name } } } }""")
        keynotes.variable_values = {"day": "2026-12-03"}
        data = await session.execute(keynotes)
        written = [s for s in demo_sessions() if s["kind"] == "KEYNOTE"]
        first_day = [s for s in written if s["starts_at"].startswith("2026-12-03T")]
        assert data["event"] == {"name": demo_file("event.json")["name_en"]}
        assert data["sessions"]["totalCount"] == len(data["sessions"]["nodes"]) == 2
        assert [(n["title"], n["startsAt"]) for n in data["sessions"]["nodes"]] == [
            (s["title_fr"], f"{s['starts_at']}:00+00:00") for s in first_day
        ]

        with pytest.raises(TransportQueryError) as refused:
            await session.execute(
                gql('query { route(fromId: "nowhere", toId: "nowhere") { distanceMeters } }')
            )
        assert refused.value.errors is not None
        assert [e["extensions"]["code"] for e in refused.value.errors] == ["NOT_FOUND"]


async def test_gql_client_signs_in_with_a_badge_and_plans_a_day(
    live: LiveServer, db: asyncpg.Connection[Any]
) -> None:
    badge = await db.fetchval(
        "SELECT badge_code FROM person WHERE email = 'grace.mensah@visiteur.example'"
    )
    workshop = await db.fetchval(
        "SELECT id FROM session WHERE kind = 'WORKSHOP' AND capacity > 1 ORDER BY id DESC LIMIT 1"
    )
    async with Client(transport=HTTPXAsyncTransport(url=live.graphql_url)) as anonymous:
        sign_in = gql(
            "mutation($b: String!) { signInWithBadge(badgeCode: $b) { token me { name } } }"
        )
        sign_in.variable_values = {"b": badge}
        signed = await anonymous.execute(sign_in)
    token = signed["signInWithBadge"]["token"]
    assert signed["signInWithBadge"]["me"] == {"name": "Grace Mensah"}

    transport = HTTPXAsyncTransport(
        url=live.graphql_url, headers={"Authorization": f"Bearer {token}"}
    )
    async with Client(transport=transport) as session:
        register = gql("""mutation($s: ID!) { registerForSession(sessionId: $s) {
                              status session { id viewerRegistration } } }""")
        register.variable_values = {"s": workshop}
        assert await session.execute(register) == {
            "registerForSession": {
                "status": "REGISTERED",
                "session": {"id": workshop, "viewerRegistration": "REGISTERED"},
            }
        }
        mine = await session.execute(gql("{ me { schedule { sessions { id } } } }"))
        assert mine == {"me": {"schedule": {"sessions": [{"id": workshop}]}}}
        cancel = gql("mutation($s: ID!) { cancelRegistration(sessionId: $s) }")
        cancel.variable_values = {"s": workshop}
        assert await session.execute(cancel) == {"cancelRegistration": True}
