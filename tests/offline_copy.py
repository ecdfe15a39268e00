"""The attendee app's offline copy as the tests keep it: the documents it sends, how it
applies an `agendaChanges` answer, and a fair of the tests' own to change at will."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from server.settings import Settings
from tests.app_documents import app_document
from tests.conftest import GraphQLClient, LiveServer, start_server, stop_server

#: What the app keeps of each item (seatsLeft is asked apart: it moves at every seat).
SESSION = """id title startsAt endsAt kind status track { id name }
  room { id name hall { id name } } speakers { id name }"""
EXHIBITOR = "id name country sectors website booths { id code hall { id name } }"
SPEAKER = "id name organisation jobTitle"
CHANGES = f"""query($since: String) {{ agendaChanges(since: $since) {{
  version complete venueChanged eventChanged
  sessions {{ {SESSION} }} removedSessionIds
  exhibitors {{ {EXHIBITOR} }} removedExhibitorIds
  speakers {{ {SPEAKER} }} removedSpeakerIds }} }}"""
#: The attendee app's own Sync document, as web/src/lib/agenda-sync.ts writes it.
APP_SYNC = app_document("lib/agenda-sync", "SYNC")
#: The same items through the paged lists (the demo fair fits in one page of each).
AGENDA = f"""{{ sessions(first: 200) {{ totalCount nodes {{ {SESSION} }} }}
  exhibitors(first: 200) {{ totalCount nodes {{ {EXHIBITOR} }} }}
  speakers(first: 200) {{ totalCount nodes {{ {SPEAKER} }} }} }}"""
KINDS = ("sessions", "exhibitors", "speakers")
REMOVED = {
    "sessions": "removedSessionIds",
    "exhibitors": "removedExhibitorIds",
    "speakers": "removedSpeakerIds",
}


def patch(version: str, **lists: Any) -> dict[str, Any]:
    """A whole patch answer: `lists` (sessions=[…], removedSessionIds=[…], venueChanged=…)
    and nothing else."""
    answer: dict[str, Any] = {
        "version": version,
        "complete": False,
        "venueChanged": False,
        "eventChanged": False,
    }
    for kind in KINDS:
        answer[kind] = []
        answer[REMOVED[kind]] = []
    return {**answer, **lists}


async def changes(gql: GraphQLClient, since: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = (await gql.data(CHANGES, {"since": since}))["agendaChanges"]
    return answer


@dataclass
class OfflineCopy:
    """What the app keeps in IndexedDB: items by id, and the version they are at."""

    version: str | None = None
    items: dict[str, dict[str, Any]] = field(default_factory=lambda: {k: {} for k in KINDS})

    def apply(self, answer: dict[str, Any]) -> None:
        for kind in KINDS:
            if answer["complete"]:
                self.items[kind] = {}
            for item in answer[kind]:
                self.items[kind][item["id"]] = item
            for removed in answer[REMOVED[kind]]:
                self.items[kind].pop(removed, None)
        self.version = answer["version"]

    async def refresh(self, gql: GraphQLClient) -> dict[str, Any]:
        answer = await changes(gql, self.version)
        self.apply(answer)
        return answer


def as_copy(complete: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    return {kind: {item["id"]: item for item in complete[kind]} for kind in KINDS}


@dataclass
class OwnFair:
    """The app on a database of its own, so that a test may rename, delete, truncate."""

    live: LiveServer
    dsn: str
    gql: GraphQLClient


@contextlib.asynccontextmanager
async def app_on(settings: Settings, dsn: str) -> AsyncIterator[OwnFair]:
    served, server, task = await start_server(replace(settings, database_url=dsn))
    try:
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as http:
            yield OwnFair(live=served, dsn=dsn, gql=GraphQLClient(http))
    finally:
        await stop_server(server, task)


async def statements(fair: OwnFair, since: str | None) -> int:
    """SQL statements one `agendaChanges` request costs, the response cache emptied."""
    fair.live.app.state.graphql_view.cache.clear()
    counter = fair.live.runtime.statements
    assert counter is not None
    before = counter.count
    await changes(fair.gql, since)
    return counter.count - before
