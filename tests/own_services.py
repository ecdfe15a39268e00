"""Services a fault test starts for itself, so that it can break them: a redis-server
it can kill and start again, a database of its own with the demo fair, and the app
with `salon worker`'s jobs beside it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from server.settings import Settings
from tests.conftest import start_server, stop_server
from tests.databases import fair_database as fair_database
from tests.processes import free_port
from workers.main import run_worker

REDIS_SERVER = "/usr/bin/redis-server"


class OwnRedis:
    """A redis-server of this test's own on a loopback port: nothing on disk, and it
    can be killed and started again on the same port."""

    def __init__(self, folder: Path, server: str = REDIS_SERVER) -> None:
        self.folder = folder
        self.server = server
        self.port = free_port()
        self.process: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def options(self) -> list[str]:
        """What the server is started with besides its port and address."""
        return ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]

    async def start(self) -> None:
        process = await asyncio.create_subprocess_exec(
            self.server,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            *self.options(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self.process = process
        assert process.stdout is not None
        seen: list[bytes] = []
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
