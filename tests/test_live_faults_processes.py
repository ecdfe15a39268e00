"""Live notices across several server processes, and one of them shutting down."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from server.services import ServiceUrls
from tests.announcements import broadcast, latest_cursor, title, written
from tests.conftest import People
from tests.live_client import NOTICES, LiveClient, live_client
from tests.own_services import fair_database, own_redis
from tests.processes import Process, finish, free_port, spawn, wait_ready


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
