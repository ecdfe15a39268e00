"""`salon` commands as real subprocesses for the tests, and how to wait on them."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class Process:
    name: str
    process: asyncio.subprocess.Process
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


async def spawn(name: str, args: list[str], env: dict[str, str], folder: Path) -> Process:
    """`salon ARGS…` with exactly `env`, its output kept in FOLDER/NAME.log."""
    log = folder / f"{name}.log"
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from server.cli import main; main()",
            *args,
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=asyncio.subprocess.STDOUT,
        )
    return Process(name, process, log)


async def finish(running: Process) -> int:
    """SIGTERM, then SIGKILL after 10 s; returns the exit status."""
    process = running.process
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await asyncio.wait_for(process.wait(), 10)
    assert process.returncode is not None
    return process.returncode


async def wait_ready(running: Process, url: str) -> None:
    """Polls /readyz (nothing else says when uvicorn listens): 200 within 20 s."""
    async with httpx.AsyncClient(timeout=2) as client:
        for _ in range(200):
            assert running.process.returncode is None, running.output()
            try:
                response = await client.get(f"{url}/readyz")
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"{running.name} not ready: {running.output()}")


@contextlib.asynccontextmanager
async def serving(
    env: dict[str, str], folder: Path, name: str = "serve"
) -> AsyncIterator[tuple[str, Process]]:
    """`salon serve` on a free loopback port with exactly `env`, ready; its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = await spawn(name, ["serve", "--host", "127.0.0.1", "--port", str(port)], env, folder)
    try:
        await wait_ready(server, url)
        yield url, server
    finally:
        await finish(server)
