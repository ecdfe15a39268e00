"""The processes `bench.fanout` starts: servers, the worker, load clients; and what it
reads of them in /proc (CPU time, RSS). Every process is stopped by its own pid."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.harness import (
    CLIENT_CORE,
    HOST,
    SERVER_CORE,
    BenchError,
    Server,
    Workspace,
    free_port,
    server_env,
    stop_process,
    wait_ready,
)
from server.settings import REPO_ROOT

CLIENT_STOP_TIMEOUT = 10.0


# --------------------------------------------------------------------------------------
# /proc readings
# --------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """CPU time of every thread of `pid`, from schedstat (nanoseconds; /proc/<pid>/stat
    counts in 10 ms ticks, too coarse for one broadcast to 1,000 sockets)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):  # a thread that just ended
            total += int((task / "schedstat").read_text().split()[0])
    return total / 1e9


def app_fingerprint() -> str:
    """A short hash of the app's Python sources: others edit them while benchmarks run,
    and a server process runs the code as it was when it started."""
    digest = hashlib.blake2b(digest_size=6)
    for folder in ("server", "schema", "workers"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def measured_pid(server: Server) -> int:
    """The process that serves the sockets: uvicorn itself, or Granian's one worker
    (Granian's own process only supervises it)."""
    pid = server.process.pid
    with contextlib.suppress(FileNotFoundError, ValueError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if len(children) == 1:
            return int(children[0])
    return pid


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise BenchError(f"no VmRSS for pid {pid}")


# --------------------------------------------------------------------------------------
# Servers and the worker
# --------------------------------------------------------------------------------------


@dataclass
class Started:
    """Every process this run started, to stop by pid whatever happens."""

    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def add(self, process: subprocess.Popen[bytes]) -> subprocess.Popen[bytes]:
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            with contextlib.suppress(Exception):
                stop_process(process)
        self.processes.clear()


def uvicorn_command(
    factory: str, port: int, ws: str, ping_seconds: float, http: str = "auto"
) -> list[str]:
    """The options `salon serve` gives uvicorn, as a command line, so the app and the raw
    baseline run under exactly the same one (and `--ws` can be varied)."""
    return [
        "taskset", "-c", SERVER_CORE,
        sys.executable, "-m", "uvicorn", factory, "--factory",
        "--host", HOST, "--port", str(port), "--ws", ws, "--http", http,
        "--no-access-log", "--ws-per-message-deflate", "false",
        "--ws-ping-interval", str(ping_seconds), "--ws-ping-timeout", str(ping_seconds),
        "--log-level", "warning", "--lifespan", "on",
    ]  # fmt: skip


def granian_command(factory: str, port: int) -> list[str]:
    """The same app under Granian (`--server granian`): one worker, one runtime thread,
    uvloop, no access log. Granian sends no keep-alive pings of its own and has no
    per-message deflate."""
    return [
        "taskset", "-c", SERVER_CORE,
        sys.executable, "-m", "granian", "--interface", "asgi", "--factory",
        "--host", HOST, "--port", str(port), "--workers", "1", "--runtime-threads", "1",
        "--loop", "uvloop", "--no-access-log", "--log-level", "warning",
        factory,
    ]  # fmt: skip


def start_server(
    started: Started,
    space: Workspace,
    dsn: str,
    factory: str,
    *,
    name: str,
    ws: str,
    ping_seconds: float,
    env: Mapping[str, str],
    http: str = "auto",
    kind: str = "uvicorn",
) -> Server:
    """One uvicorn process pinned to the server core, ready (GET /readyz) on return."""
    port = free_port()
    log_path = space.workdir / f"{name}-{port}.log"
    with log_path.open("wb") as log:
        process = started.add(
            subprocess.Popen(
                granian_command(factory, port)
                if kind == "granian"
                else uvicorn_command(factory, port, ws, ping_seconds, http),
                cwd=REPO_ROOT,
                env=server_env(dsn, space.urls, env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    server = Server(process=process, base_url=f"http://{HOST}:{port}", log_path=log_path)
    wait_ready(server)
    return server


def stop_server(started: Started, server: Server) -> None:
    stop_process(server.process)
    with contextlib.suppress(ValueError):
        started.processes.remove(server.process)


def start_worker(started: Started, space: Workspace, dsn: str, env: Mapping[str, str]) -> Path:
    """`salon worker` (the relay), on both cores like PostgreSQL and Redis; its log path."""
    log_path = space.workdir / "worker.log"
    salon = Path(sys.executable).with_name("salon")
    cores = f"{SERVER_CORE},{CLIENT_CORE}"
    with log_path.open("wb") as log:
        started.add(
            subprocess.Popen(
                ["taskset", "-c", cores, str(salon), "worker"],
                cwd=REPO_ROOT,
                env=server_env(dsn, space.urls, env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    return log_path


def log_problems(path: Path, limit: int = 5) -> list[str]:
    """Lines of a server log that say something went wrong (first `limit`), and a count."""
    if not path.exists():
        return []
    words = ("Traceback", "ERROR", "Error", "Exception", "CRITICAL")
    found = [
        line
        for line in path.read_text(errors="replace").splitlines()
        if any(w in line for w in words)
    ]
    if len(found) > limit:
        return [*found[:limit], f"… {len(found) - limit} more such lines in {path.name}"]
    return found


def gc_pauses(path: Path) -> list[tuple[float, int, float]]:
    """(epoch, generation, ms) of each pause a server logged under FANOUT_GC_LOG=1."""
    if not path.exists():
        return []
    found = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("gc-pause "):
            fields = dict(part.split("=", 1) for part in line.split()[1:])
            found.append((float(fields["at"]), int(fields["gen"]), float(fields["ms"])))
    return found


# --------------------------------------------------------------------------------------
# Load clients
# --------------------------------------------------------------------------------------


def source_address(index: int) -> str:
    """127.0.1.2, 127.0.1.3 …: one source address per client process, never 127.0.0.1."""
    return f"127.0.{1 + index // 250}.{2 + index % 250}"


@dataclass
class Client:
    """One load-client process (bench.fanout_client) pinned to the client core."""

    process: asyncio.subprocess.Process
    source: str
    count: int
    events: asyncio.Queue[dict[str, Any]]
    reader: asyncio.Task[None]
    stderr_path: Path

    @classmethod
    async def start(
        cls,
        space: Workspace,
        server: Server,
        index: int,
        count: int,
        concurrency: int,
        open_timeout: float,
    ) -> Client:
        source = source_address(index)
        port = server.base_url.rsplit(":", 1)[1]
        stderr_path = space.workdir / f"client-{index}.log"
        command = [
            "taskset", "-c", CLIENT_CORE, sys.executable, "-m", "bench.fanout_client",
            "--host", HOST, "--port", port, "--source", source,
            "--concurrency", str(concurrency), "--open-timeout", str(open_timeout),
        ]  # fmt: skip
        with stderr_path.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                *command,
                cwd=REPO_ROOT,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
            )
        events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        reader = asyncio.create_task(_read_events(process, events))
        client = cls(process, source, count, events, reader, stderr_path)
        await client.expect("started", 30.0)
        return client

    def send(self, command: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(orjson.dumps(command) + b"\n")

    async def expect(self, event: str, timeout: float, key: str | None = None) -> dict[str, Any]:  # noqa: ASYNC109
        """The next event of this kind (and key); others, stale ones, are skipped."""
        async with asyncio.timeout(timeout):
            while True:
                found = await self.events.get()
                if found.get("event") == "eof":
                    raise BenchError(f"client {self.source} ended:\n{self.stderr_tail()}")
                if found.get("event") == event and (key is None or found.get("key") == key):
                    return found

    async def connect(self, count: int, timeout: float) -> dict[str, Any]:  # noqa: ASYNC109
        self.send({"cmd": "connect", "count": count})
        return await self.expect("connected", timeout)

    async def drop(self) -> None:
        self.send({"cmd": "drop"})
        await self.expect("dropped", 30.0)

    async def arrivals(self, key: str, timeout: float) -> dict[str, Any]:  # noqa: ASYNC109
        """Once every socket got `key`; after `timeout`, what arrived so far."""
        try:
            return await self.expect("done", timeout, key)
        except TimeoutError:
            self.send({"cmd": "report", "key": key})
            return await self.expect("report", 10.0, key)

    async def status(self) -> dict[str, Any]:
        self.send({"cmd": "report", "key": ""})
        return await self.expect("report", 10.0, "")

    async def stop(self) -> None:
        """Ask it to abort its sockets and end; kill it (by pid) if it does not."""
        if self.process.returncode is None:
            with contextlib.suppress(Exception):
                self.send({"cmd": "exit"})
            try:
                await asyncio.wait_for(self.process.wait(), CLIENT_STOP_TIMEOUT)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        self.reader.cancel()

    def kill_now(self) -> None:
        """For the last-resort cleanup outside the event loop."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)

    def stderr_tail(self, lines: int = 20) -> str:
        text = self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


async def _read_events(
    process: asyncio.subprocess.Process, events: asyncio.Queue[dict[str, Any]]
) -> None:
    assert process.stdout is not None
    while line := await process.stdout.readline():
        events.put_nowait(orjson.loads(line))
    events.put_nowait({"event": "eof"})


# --------------------------------------------------------------------------------------
# What the servers say about themselves
# --------------------------------------------------------------------------------------


def prometheus_value(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def app_metrics(http: httpx.AsyncClient, server: Server) -> dict[str, float]:
    response = await http.get(server.base_url + "/metrics")
    response.raise_for_status()
    names = (
        "salon_active_subscriptions",
        "salon_websocket_connections",
        "salon_notices_delivered_total",
        "salon_slow_consumers_dropped_total",
    )
    return {n: prometheus_value(response.text, n) for n in names}


async def raw_stats(http: httpx.AsyncClient, server: Server) -> dict[str, float]:
    response = await http.get(server.base_url + "/stats")
    response.raise_for_status()
    body = response.json()
    return {"subscribers": float(body["subscribers"]), "connections": float(body["connections"])}


async def wait_until(probe: Any, wanted: float, limit: float, what: str) -> float:
    """Poll `probe()` until it returns `wanted`; BenchError with the last value after
    `limit` seconds."""
    deadline = time.monotonic() + limit
    value = await probe()
    while value != wanted:
        if time.monotonic() > deadline:
            raise BenchError(f"{what}: {value:.0f} after {limit:.0f} s, expected {wanted:.0f}")
        await asyncio.sleep(0.25)
        value = await probe()
    return float(value)
