"""`salon serve --workers 2`: two processes on one port, each accepting from a listening
socket of its own (SO_REUSEPORT), so the kernel spreads the connections over both; a
process that dies is replaced on the same socket; one that cannot start stops them all."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path

import httpx
import pytest
from uvicorn.config import STARTUP_FAILURE

from server.settings import Settings
from tests.live_client import eventually
from tests.processes import Process, finish, free_port, spawn, wait_ready

CONNECTIONS = 24  # all on one process by chance: 2 ** -23


def serve_env(settings: Settings, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALON_")}
    return env | {
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "SALON_REDIS_NAMESPACE": f"salon-serving-{secrets.token_hex(3)}",
        "SALON_LOG_LEVEL": "WARNING",
        **overrides,
    }


@asynccontextmanager
async def two_processes(settings: Settings, folder: Path) -> AsyncIterator[tuple[Process, int]]:
    port = free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    served = await spawn("serve", args, serve_env(settings), folder)
    try:
        await wait_ready(served, f"http://127.0.0.1:{port}")  # one of them listens
        # uvicorn listens once the app has started: both serve when both listen.
        await eventually(lambda: len(listeners(served.process.pid, port)) == 2, timeout=60)
        yield served, port
    finally:
        await finish(served)


def socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def tcp_table() -> list[tuple[int, int, str, int]]:
    """(local port, remote port, state, inode) of every IPv4 TCP socket."""
    rows = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state, inode = fields[1], fields[2], fields[3], int(fields[9])
        rows.append((int(local.split(":")[1], 16), int(remote.split(":")[1], 16), state, inode))
    return rows


LISTEN = "0A"


def listeners(supervisor: int, port: int) -> dict[int, int]:
    """The supervisor's children that listen on `port`, and the socket each listens on."""
    table = tcp_table()
    listening = {inode for local, _, state, inode in table if local == port and state == LISTEN}
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    found = {}
    for child in map(int, children):
        own = socket_inodes(child) & listening
        if own:
            (found[child],) = own
    return found


def owners(port: int, client_ports: list[int], pids: list[int]) -> list[int]:
    """Which process holds the server end of each connection."""
    by_inode = {inode: pid for pid in pids for inode in socket_inodes(pid)}
    ends = {
        remote: inode
        for local, remote, state, inode in tcp_table()
        if local == port and state != LISTEN
    }
    return [by_inode[ends[client]] for client in client_ports]


def open_connections(port: int, count: int, stack: ExitStack) -> list[int]:
    """`count` keep-alive connections, each answered once (so it was accepted)."""
    client_ports = []
    for _ in range(count):
        conn = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=10))
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: salon\r\n\r\n")
        assert conn.recv(4096).startswith(b"HTTP/1.1 200")
        client_ports.append(conn.getsockname()[1])
    return client_ports


async def test_two_processes_listen_on_sockets_of_their_own_and_share_the_connections(
    settings: Settings, tmp_path: Path
) -> None:
    async with two_processes(settings, tmp_path) as (served, port):
        found = listeners(served.process.pid, port)
        assert len(set(found.values())) == 2, found
        with ExitStack() as stack:
            client_ports = await asyncio.to_thread(open_connections, port, CONNECTIONS, stack)
            held = owners(port, client_ports, list(found))
        assert set(held) == set(found), held


async def test_a_process_that_dies_is_replaced_on_the_same_socket(
    settings: Settings, tmp_path: Path
) -> None:
    async with two_processes(settings, tmp_path) as (served, port):
        before = listeners(served.process.pid, port)
        victim = next(iter(before))
        os.kill(victim, signal.SIGKILL)

        def replaced() -> bool:
            now = listeners(served.process.pid, port)
            return victim not in now and sorted(now.values()) == sorted(before.values())

        await eventually(replaced, timeout=60)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            assert (await http.get("/readyz")).status_code == 200
        assert served.process.returncode is None


@pytest.mark.parametrize("workers", ["1", "2"])
async def test_a_process_that_cannot_start_stops_the_server(
    settings: Settings, tmp_path: Path, workers: str
) -> None:
    nowhere = f"postgresql://salon@127.0.0.1:{free_port()}/salon"
    args = ["serve", "--host", "127.0.0.1", "--port", str(free_port()), "--workers", workers]
    served = await spawn("serve", args, serve_env(settings, DATABASE_URL=nowhere), tmp_path)
    try:
        code = await asyncio.wait_for(served.process.wait(), 60)
    finally:
        await finish(served)
    assert code == STARTUP_FAILURE, served.output()
