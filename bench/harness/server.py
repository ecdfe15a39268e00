"""One uvicorn process for an app factory, pinned to the server's core, stopped by its pid."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.harness.database import Workspace
from bench.harness.machine import HOST, SERVER_CORE, BenchError
from server.services import ServiceUrls
from server.settings import REPO_ROOT

SERVER_START_TIMEOUT = 60.0
SERVER_STOP_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def client(self, timeout: float = 30.0) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=timeout, trust_env=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def server_env(dsn: str, urls: ServiceUrls, extra: Mapping[str, str]) -> dict[str, str]:
    # The user's SALON_* settings stay out: the run must not depend on the shell it came from.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    env["DATABASE_URL"] = dsn
    env["REDIS_URL"] = urls.redis_url
    env.update(extra)
    return env


def wait_ready(server: Server) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    with server.client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise BenchError(f"the server exited at start-up:\n{server.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get("/readyz").status_code == 200:
                    return
            time.sleep(0.2)
    raise BenchError(f"the server was not ready in {SERVER_START_TIMEOUT:.0f} s")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Stop the one process we started, by its pid (taskset execs, so it is uvicorn)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=SERVER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=SERVER_STOP_TIMEOUT)


@contextlib.contextmanager
def running_server(
    space: Workspace, dsn: str, app_factory: str, *, extra_env: Mapping[str, str] | None = None
) -> Iterator[Server]:
    """One uvicorn process for `app_factory` ("module:function") on core 0, stopped on
    the way out whatever happens."""
    port = free_port()
    command = [
        "taskset", "-c", SERVER_CORE,
        sys.executable, "-m", "uvicorn", app_factory, "--factory",
        "--host", HOST, "--port", str(port),
        "--no-access-log", "--ws-per-message-deflate", "false",
        "--log-level", "warning", "--lifespan", "on",
    ]  # fmt: skip
    with serving(space, dsn, command, port, extra_env=extra_env) as server:
        yield server


@contextlib.contextmanager
def serving(
    space: Workspace,
    dsn: str,
    command: list[str],
    port: int,
    *,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """The server `command` starts, listening on `port`: ready on entry, stopped by its
    pid on the way out whatever happens."""
    log_path = space.workdir / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=server_env(dsn, space.urls, extra_env or {}),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(process=process, base_url=f"http://{HOST}:{port}", log_path=log_path)
    try:
        wait_ready(server)
        yield server
    finally:
        stop_process(process)


def describe_server() -> str:
    return (
        f"Server: 1 uvicorn process pinned to core {SERVER_CORE} (taskset -c {SERVER_CORE}), "
        "access log off, ws per-message deflate off, log level warning"
    )
