"""The API through a real third-party client: `gql` over HTTP."""

from __future__ import annotations

import pytest
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport

from tests.conftest import LiveServer


async def test_gql_client_reads_the_agenda_and_sees_error_codes(live: LiveServer) -> None:
    transport = HTTPXAsyncTransport(url=live.graphql_url)
    async with Client(transport=transport, fetch_schema_from_transport=True) as session:
        keynotes = gql("""query($day: Date!) {
                     event { name(lang: EN) }
                     sessions(filter: {day: $day, kinds: [KEYNOTE]}) {
                       totalCount nodes { title startsAt speakers { name } } } }""")
        keynotes.variable_values = {"day": "2026-12-03"}
        data = await session.execute(keynotes)
        assert data["event"]["name"].startswith("SISTEP")
        assert data["sessions"]["totalCount"] == len(data["sessions"]["nodes"]) >= 1
        assert all(n["startsAt"].startswith("2026-12-03T") for n in data["sessions"]["nodes"])

        with pytest.raises(TransportQueryError) as refused:
            await session.execute(
                gql('query { route(fromId: "nowhere", toId: "nowhere") { distanceMeters } }')
            )
        assert refused.value.errors is not None
        assert [e["extensions"]["code"] for e in refused.value.errors] == ["NOT_FOUND"]
