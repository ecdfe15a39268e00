"""The export tests' fair: the app on a database of its own, its own Redis namespace and
`salon worker` beside it (the relay sequences the notices the change log shows), the
clock on the eve of the fair; and how the tests read and validate each export."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import icalendar
import jsonschema
import xmlschema
from defusedxml import ElementTree as SafeTree

from server.db.pool import connect
from server.services import ServiceUrls
from server.settings import Settings
from tests.conftest import Person
from tests.databases import fair_database
from tests.fair_data import FAIR_EVE
from tests.live_client import live_client
from tests.offline_copy import OwnFair, app_on

SCHEMAS = Path(__file__).parent / "schemas" / "c3voc"
ATOM = "{http://www.w3.org/2005/Atom}"
CSV_HEADER = "id,name,country,sectors,booths,website,description_fr,description_en\r\n"
MEDIA_TYPES = {
    "/schedule.xml": "application/xml; charset=utf-8",
    "/schedule.json": "application/json",
    "/schedule.ics": "text/calendar; charset=utf-8",
    "/changes.atom": "application/atom+xml; charset=utf-8",
    "/exhibitors.csv": "text/csv; charset=utf-8; header=present",
}
PATHS = ("/schedule.xml", "/schedule.json", "/schedule.ics", "/changes.atom", "/exhibitors.csv")
LATEST_CURSOR = "SELECT coalesce(max(seq), 0)::text FROM notice"
UPDATE = """mutation($id: ID!, $input: SessionChangeInput!) {
  updateSession(id: $id, input: $input) { id version } }"""
CANCEL = "mutation($id: ID!, $reason: String!) { cancelSession(id: $id, reason: $reason) { id } }"
BOOKMARK = "mutation($id: ID!) { bookmarkSession(sessionId: $id) { id } }"
BROADCAST = """mutation($input: AnnouncementInput!) { broadcastAnnouncement(input: $input) {
  id } }"""


async def exports_fair(settings: Settings, urls: ServiceUrls) -> AsyncIterator[OwnFair]:
    from workers.main import run_worker

    own = replace(settings, redis_namespace=f"{settings.redis_namespace}-exports")
    async with fair_database(urls, "salon_exports") as dsn, app_on(own, dsn) as fair:
        clock = fair.live.runtime.clock
        clock.set(FAIR_EVE)
        stop = asyncio.Event()
        fast = replace(own, database_url=dsn, relay_poll_seconds=0.2, reminder_poll_seconds=0.2)
        worker = asyncio.create_task(run_worker(fast, stop, clock=clock))
        try:
            yield fair
        finally:
            stop.set()
            await asyncio.wait_for(worker, timeout=10)


def http(fair: OwnFair) -> httpx.AsyncClient:
    return fair.gql.http


async def fetch(fair: OwnFair, path: str, **headers: str) -> httpx.Response:
    """A GET that must succeed, without compression unless asked."""
    response = await http(fair).get(path, headers={"Accept-Encoding": "identity", **headers})
    assert response.status_code == 200, (path, response.status_code, response.text)
    return response


def xml_errors(body: bytes) -> list[str]:
    schema = xmlschema.XMLSchema(str(SCHEMAS / "schedule.xml.xsd"))
    return [str(error) for error in schema.iter_errors(body.decode("utf-8"))]


def json_schema() -> dict[str, Any]:
    # Upstream, two lines of the file are `//` comments, which JSON has no room for.
    text = (SCHEMAS / "schema.json").read_text("utf-8")
    kept = [line for line in text.splitlines() if not line.strip().startswith("//")]
    schema: dict[str, Any] = json.loads("\n".join(kept))
    return schema


def json_errors(document: Any) -> list[str]:
    validator = jsonschema.Draft6Validator(
        json_schema(), format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def xml_events(body: bytes) -> dict[str, dict[str, Any]]:
    """guid → what an event of /schedule.xml says."""
    root = SafeTree.fromstring(body)
    found = {}
    for day in root.iter("day"):
        for room in day.iter("room"):
            for event in room.iter("event"):
                fields = {child.tag: (child.text or "") for child in event}
                fields["persons"] = [(p.get("id"), p.text) for p in event.iter("person")]
                fields["links"] = [(link.get("href"), link.text) for link in event.iter("link")]
                found[event.get("guid", "")] = {
                    "id": event.get("id"),
                    "day": day.get("date"),
                    "room_name": room.get("name"),
                    **fields,
                }
    return found


def ics_events(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == len(calendar.walk("VEVENT")), "two events share a UID"
    return events


def atom_entries(body: bytes) -> list[dict[str, Any]]:
    """The entries of /changes.atom, read with a parser that refuses entities."""
    feed = SafeTree.fromstring(body)
    return [
        {
            "id": entry.findtext(f"{ATOM}id"),
            "title": entry.findtext(f"{ATOM}title"),
            "summary": entry.findtext(f"{ATOM}summary"),
            "category": entry.find(f"{ATOM}category").get("term"),  # type: ignore[union-attr]
            "link": entry.find(f"{ATOM}link").get("href"),  # type: ignore[union-attr]
        }
        for entry in feed.iter(f"{ATOM}entry")
    ]


def instant(text: str | None) -> datetime:
    """An RFC 3339 date-time, which must carry its offset."""
    assert text is not None
    value = datetime.fromisoformat(text)
    assert value.utcoffset() is not None, text
    return value


async def notice_seen(
    fair: OwnFair, person: Person, after: str, kind: str, session_id: str | None = None
) -> dict[str, Any]:
    """Wait until `person` receives, live, the first notice of `kind` (about that
    session) after cursor `after`: then the relay has sequenced it."""
    async with live_client(fair.live.ws_url, person.token) as client:
        await client.subscribe(variables={"after": after})
        while True:
            (notice,) = await client.notices(1)
            about = notice["session"]["id"] if notice["session"] else None
            if notice["kind"] == kind and about == session_id:
                return notice


async def cursor(fair: OwnFair) -> str:
    """The notice log's last cursor now: what a test waits past."""
    conn = await connect(fair.dsn)
    try:
        value: str = await conn.fetchval(LATEST_CURSOR)
    finally:
        await conn.close()
    return value


async def query(fair: OwnFair, sql: str, *args: Any) -> Any:
    """Rows of one statement on the fair's database."""
    conn = await connect(fair.dsn)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()
