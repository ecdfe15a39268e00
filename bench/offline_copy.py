"""Bytes of the attendee app's offline copy, as served: the complete `agendaChanges`
answer of the demo fair, then the patch after one session moved.

Run from the repository root: `python -m bench.offline_copy` (see bench/README.md).
Sizes, not speed: one uvicorn process on the run's own database (the demo fair),
requests with `Accept-Encoding: gzip` as a browser sends them; the byte counts are of
the body on the wire (gzip when the server compressed it) and decoded. Two documents:
a lean selection, and the attendee app's own Sync document (both languages of every
text, booths and centres, the event beside the agenda).
"""

from __future__ import annotations

import asyncio
import gzip
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson

from bench.harness import BenchError, Workspace, prepare_database, running_server
from server.auth.signin import issue_token
from server.services import drop_database, locate_services
from server.settings import Settings
from tests.app_documents import app_document

PROG = "bench.offline_copy"
#: A lean selection of what the app shows (no seatsLeft: it moves at every seat and
#: makes a response uncacheable).
CHANGES = """query($since: String) { agendaChanges(since: $since) {
  version complete venueChanged eventChanged
  sessions { id title startsAt endsAt kind status track { id name }
             room { id name hall { id name } } speakers { id name } }
  removedSessionIds
  exhibitors { id name country sectors website booths { id code hall { id name } } }
  removedExhibitorIds
  speakers { id name organisation jobTitle }
  removedSpeakerIds } }"""
#: The attendee app's own Sync document, as web/src/lib/agenda-sync.ts writes it.
APP_SYNC = app_document("lib/agenda-sync", "SYNC")
MOVE = """mutation($id: ID!, $input: SessionChangeInput!) {
  updateSession(id: $id, input: $input) { id } }"""
ORGANISER = "organisation@fimme.example"
#: A talk, and a room free at the time it moves to.
WHEN = ("2026-12-06T20:00:00+00:00", "2026-12-06T20:45:00+00:00")


async def setup(conn: asyncpg.Connection[Any]) -> tuple[str, str, str]:
    """(bearer token of the organiser, the talk to move, the room it moves to)."""
    person_id = await conn.fetchval("SELECT id FROM person WHERE email = $1", ORGANISER)
    if person_id is None:
        raise BenchError(f"the demo fair has no {ORGANISER}")
    token = await issue_token(conn, person_id, datetime.now(UTC), timedelta(hours=1))
    talk = await conn.fetchval(
        """SELECT s.id FROM session s WHERE s.kind = 'CONFERENCE' AND s.room_id IS NOT NULL
              AND EXISTS (SELECT 1 FROM session_speaker ss WHERE ss.session_id = s.id)
            ORDER BY s.starts_at, s.id LIMIT 1"""
    )
    room = await conn.fetchval(
        """SELECT id FROM room r WHERE NOT EXISTS (SELECT 1 FROM session s
              WHERE s.room_id = r.id AND s.starts_at < $2 AND s.ends_at > $1)
            AND id <> (SELECT room_id FROM session WHERE id = $3) ORDER BY id LIMIT 1""",
        datetime.fromisoformat(WHEN[0]),
        datetime.fromisoformat(WHEN[1]),
        talk,
    )
    return token, talk, room


def post(client: httpx.Client, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    """The decoded answer, and what it weighed on the wire and decoded."""
    headers = {"Accept-Encoding": "gzip", "Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    with client.stream("POST", "/graphql", content=orjson.dumps(body), headers=headers) as resp:
        wire = b"".join(resp.iter_raw())
        encoding = resp.headers.get("content-encoding", "identity")
    decoded = gzip.decompress(wire) if encoding == "gzip" else wire
    answer: dict[str, Any] = orjson.loads(decoded)
    if "errors" in answer:
        raise BenchError(f"the server refused: {answer['errors']}")
    return {"data": answer["data"], "wire": len(wire), "decoded": len(decoded), "as": encoding}


DOCUMENTS = {"a lean selection": CHANGES, "the app's Sync document": APP_SYNC}


def measure(space: Workspace) -> int:
    dsn, (token, talk, room) = asyncio.run(prepare_database(space, setup))
    with running_server(space, dsn, "server.app:create_app") as server, server.client() as client:
        complete = {name: post(client, {"query": query}) for name, query in DOCUMENTS.items()}
        version = next(iter(complete.values()))["data"]["agendaChanges"]["version"]
        move = {"roomId": room, "startsAt": WHEN[0], "endsAt": WHEN[1]}
        post(client, {"query": MOVE, "variables": {"id": talk, "input": move}}, token)
        patch = {
            name: post(client, {"query": query, "variables": {"since": version}})
            for name, query in DOCUMENTS.items()
        }
    print(
        "agendaChanges on the demo fair, Accept-Encoding: gzip; lists: sessions/exhibitors/speakers"
    )
    print(f"{'answer':<58}{'on the wire':>16}{'decoded':>11}  lists")
    for name in DOCUMENTS:
        for label, answer in (
            ("complete", complete[name]),
            ("patch, one session moved", patch[name]),
        ):
            listed = answer["data"]["agendaChanges"]
            counts = "/".join(str(len(listed[k])) for k in ("sessions", "exhibitors", "speakers"))
            print(f"{label + ', ' + name:<58}{answer['wire']:>9} B {answer['as']:<5}"
                  f"{answer['decoded']:>9} B  {counts}")  # fmt: skip
    return 0


def main() -> int:
    urls = locate_services(Settings())
    database = f"salon_bench_{os.getpid()}"
    try:
        with tempfile.TemporaryDirectory(prefix="salon-bench-") as workdir:
            return measure(Workspace(urls, database, Path(workdir)))
    except BenchError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    finally:
        asyncio.run(drop_database(urls, database))


if __name__ == "__main__":
    sys.exit(main())
