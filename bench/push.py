"""One broadcast to every subscribed device: the push worker against a bare loop.

    .venv/bin/python -m bench.push                     # 10,000 devices, 3 rounds
    .venv/bin/python -m bench.push --devices 2000 --rounds 5

Each round, one after the other on the same devices and the same push service:
- **worker**: an organiser's broadcast to everyone is committed; `salon worker` (one
  process, pinned to the server core) hears it from the relay, plans one push per
  device, claims them in batches, encrypts, signs, posts and records each acceptance;
- **raw**: `bench.push_raw` (its own process, the same core) sends the same payload,
  encrypted the same way, with the same HTTP client and the same concurrency, from a
  bare loop over the device list: no database, no planning, no bookkeeping.

The push service (`bench.push_service`, one uvicorn process on the load core) stamps
every acceptance. For each side: pushes per second from the trigger (the broadcast's
commit, or the loop's "go") to the last acceptance, the time of that last acceptance,
and the sender process's CPU per push (the worker's includes writing the SENT marks,
which the round waits for). Every device must receive exactly one push per round, and a
sample of bodies is decrypted with the devices' own keys and checked.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import http_ece  # type: ignore[import-untyped]
import httpx
import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bench.fanout_procs import Started, cpu_seconds
from bench.harness import (
    CLIENT_CORE,
    HOST,
    SERVER_CORE,
    BenchError,
    Server,
    Workspace,
    bounded,
    free_port,
    prepare_database,
    run,
    save_results,
    server_env,
    wait_ready,
)
from server.db.pool import create_pool
from server.db.queries.accounts import PersonRow
from server.domain import announcements, push_deliveries, push_devices
from server.domain.notices import Audience
from server.domain.viewer import Viewer
from server.push.keys import b64url
from server.settings import REPO_ROOT

RATIO_GOAL = 0.8
POLL = 0.02  # seconds between two looks at the push service's count

ADD_PEOPLE = """
    INSERT INTO person (email, name, calendar_token)
    SELECT 'device-' || i || '@bench.example', 'Device ' || i, md5(random()::text || i)
      FROM generate_series(1, $1) i
    RETURNING id"""
ADD_ROLES = "INSERT INTO person_role (person_id, role) SELECT unnest($1::bigint[]), $2"
ADD_DEVICES = """
    INSERT INTO push_subscription (person_id, endpoint, p256dh, auth, lang, created_at, updated_at)
    SELECT person, endpoint, p256dh, auth, lang, now(), now()
      FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
           AS d (person, endpoint, p256dh, auth, lang)"""


# --------------------------------------------------------------------------------------
# Devices: keys the driver keeps, to decrypt what the push service received
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Devices:
    private: list[ec.EllipticCurvePrivateKey]
    p256dh: list[str]
    auth: list[bytes]
    endpoints: list[str]

    @classmethod
    def make(cls, count: int, service: str) -> Devices:
        private = [ec.generate_private_key(ec.SECP256R1()) for _ in range(count)]
        point = serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        return cls(
            private=private,
            p256dh=[b64url(key.public_key().public_bytes(*point)) for key in private],
            auth=[os.urandom(16) for _ in range(count)],
            endpoints=[f"{service}/push/{i}" for i in range(count)],
        )

    def decrypt(self, sample: dict[str, Any]) -> bytes:
        device = sample["device"]
        plain: bytes = http_ece.decrypt(
            base64.b64decode(sample["body"]),
            private_key=self.private[device],
            auth_secret=self.auth[device],
            version="aes128gcm",
        )
        return plain


async def add_devices(conn: asyncpg.Connection[Any], devices: Devices) -> PersonRow:
    """One attendee per device, and the organiser who broadcasts."""
    async with conn.transaction():
        count = len(devices.endpoints)
        people = [r["id"] for r in await conn.fetch(ADD_PEOPLE, count + 1)]
        organiser, attendees = people[0], people[1:]
        await conn.execute(ADD_ROLES, [organiser], "ORGANISER")
        await conn.execute(ADD_ROLES, attendees, "ATTENDEE")
        langs = ["FR" if i % 3 else "EN" for i in range(count)]
        auth = [b64url(a) for a in devices.auth]
        await conn.execute(ADD_DEVICES, attendees, devices.endpoints, devices.p256dh, auth, langs)
    return PersonRow(organiser, None, "Bench organiser", None, None, None, "", ["ORGANISER"], 0)


# --------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------


def start_push_service(started: Started, space: Workspace) -> Server:
    port = free_port()
    log_path = space.workdir / "push-service.log"
    command = [
        "taskset", "-c", CLIENT_CORE, sys.executable, "-m", "uvicorn",
        "bench.push_service:create_app", "--factory", "--host", HOST, "--port", str(port),
        "--no-access-log", "--log-level", "warning", "--backlog", "4096",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = started.add(
            subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
        )
    server = Server(process=process, base_url=f"http://{HOST}:{port}", log_path=log_path)
    wait_ready(server)
    return server


def start_worker(
    started: Started, space: Workspace, dsn: str, concurrency: int
) -> subprocess.Popen[bytes]:
    salon = Path(sys.executable).with_name("salon")
    env = {
        "SALON_PUSH_ALLOW_INSECURE": "true",  # the push service is http on loopback
        "SALON_PUSH_CONCURRENCY": str(concurrency),
        "SALON_REDIS_NAMESPACE": f"salon-bench-push-{os.getpid()}",
    }
    with (space.workdir / "worker.log").open("wb") as log:  # the child keeps its copy
        return started.add(
            subprocess.Popen(
                ["taskset", "-c", SERVER_CORE, str(salon), "worker"],
                cwd=REPO_ROOT,
                env=server_env(dsn, space.urls, env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )


# --------------------------------------------------------------------------------------
# One side of a round
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SideRun:
    side: str
    pushes: int
    seconds_to_first: float  # trigger → first acceptance (the worker plans meanwhile)
    seconds_to_last: float  # trigger → last acceptance
    cpu_seconds: float
    service_cpu_share: float  # of one core, while the side ran

    @property
    def per_second(self) -> float:
        return self.pushes / self.seconds_to_last

    @property
    def cpu_us_per_push(self) -> float:
        return self.cpu_seconds / self.pushes * 1e6


class Rig:
    """What both sides share: the push service, the devices, the database."""

    def __init__(
        self, args: argparse.Namespace, http: httpx.AsyncClient, service: Server, devices: Devices
    ) -> None:
        self.args = args
        self.http = http
        self.service = service
        self.devices = devices
        self.payload: bytes | None = None  # what the worker sent, for the raw side
        self.headers: dict[str, str] = {}

    async def stats(self) -> dict[str, Any]:
        return orjson.loads((await self.http.get(f"{self.service.base_url}/stats")).content)  # type: ignore[no-any-return]

    async def reset(self) -> None:
        await self.http.post(f"{self.service.base_url}/reset")

    async def all_received(self) -> dict[str, Any]:
        want = len(self.devices.endpoints)
        deadline = time.monotonic() + self.args.timeout
        while time.monotonic() < deadline:
            stats = await self.stats()
            if stats["count"] >= want:
                return stats
            await asyncio.sleep(POLL)  # a bench polls another process
        raise BenchError(f"only {(await self.stats())['count']} of {want} pushes arrived")

    def check(self, side: str, stats: dict[str, Any]) -> None:
        """Exactly one push per device, every body readable by its device."""
        want = len(self.devices.endpoints)
        if (stats["count"], stats["distinct"], stats["refused"]) != (want, want, 0):
            raise BenchError(
                f"{side}: {stats['count']} pushes to {stats['distinct']} of {want} devices, "
                f"{stats['refused']} refused"
            )
        for sample in stats["samples"]:
            plain = self.devices.decrypt(sample)
            notification = orjson.loads(plain)["notification"]
            if not notification["title"].startswith("Bench"):
                raise BenchError(f"{side}: a push says {notification['title']!r}")
            if self.payload is None and side == "worker":
                self.payload, self.headers = plain, sample["headers"]


async def worker_side(
    rig: Rig, pool: asyncpg.Pool[Any], organiser: PersonRow, worker: int, number: int
) -> SideRun:
    await rig.reset()
    service_cpu, cpu = cpu_seconds(rig.service.process.pid), cpu_seconds(worker)
    started = time.time()
    notice = await announcements.broadcast(
        pool,
        Viewer(person=organiser, token_hash=b""),
        announcements.Announcement(
            title=f"Bench broadcast {number}",
            body="La conférence d'ouverture commence dans 10 minutes, salle A.",
            title_en=f"Bench broadcast {number}",
            body_en="The opening keynote starts in 10 minutes, room A.",
            audience=Audience(everyone=True),
        ),
        datetime.now(UTC),
    )
    stats = await rig.all_received()
    await sent_recorded(rig, pool, notice.id)
    cpu = cpu_seconds(worker) - cpu
    rig.check("worker", stats)
    return side_run(rig, "worker", stats, started, cpu, service_cpu)


async def sent_recorded(rig: Rig, pool: asyncpg.Pool[Any], notice_id: int) -> None:
    want = len(rig.devices.endpoints)
    deadline = time.monotonic() + rig.args.timeout
    while time.monotonic() < deadline:
        states = await push_deliveries.delivery_states(pool, notice_id)
        if states.get("SENT", 0) == want:
            return
        await asyncio.sleep(POLL)  # a bench polls another process
    raise BenchError(f"the worker recorded {states} of {want} pushes")


async def raw_side(rig: Rig, space: Workspace, private_pem: str) -> SideRun:
    if rig.payload is None:
        raise BenchError("the raw side needs the worker's payload first")
    job = space.workdir / "raw-job.json"
    job.write_bytes(
        orjson.dumps(
            {
                "devices": list(
                    zip(
                        rig.devices.endpoints,
                        rig.devices.p256dh,
                        [b64url(a) for a in rig.devices.auth],
                        strict=True,
                    )
                ),
                "payload": base64.b64encode(rig.payload).decode(),
                "ttl": rig.headers["ttl"],
                "urgency": rig.headers["urgency"],
                "private_pem": private_pem,
                "subject": "mailto:salon@localhost",
                "concurrency": rig.args.concurrency,
            }
        )
    )
    process = await asyncio.create_subprocess_exec(
        "taskset", "-c", SERVER_CORE, sys.executable, "-m", "bench.push_raw", str(job),
        cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        async with asyncio.timeout(60):
            if (await process.stdout.readline()).strip() != b"ready":
                raise BenchError("bench.push_raw did not start")
        await rig.reset()
        service_cpu = cpu_seconds(rig.service.process.pid)
        started = time.time()
        process.stdin.write(b"go\n")
        await process.stdin.drain()
        async with asyncio.timeout(rig.args.timeout):
            report = orjson.loads(await process.stdout.readline())
        stats = await rig.all_received()
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
    if report["failed"]:
        raise BenchError(f"raw: {report['failed']} pushes refused")
    rig.check("raw", stats)
    return side_run(rig, "raw", stats, started, report["cpu_seconds"], service_cpu)


def side_run(
    rig: Rig, side: str, stats: dict[str, Any], started: float, cpu: float, service_cpu: float
) -> SideRun:
    seconds = stats["last"] - started
    service = cpu_seconds(rig.service.process.pid) - service_cpu
    first = stats["first"] - started
    return SideRun(side, stats["count"], first, seconds, cpu, service / seconds)


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------


HEADER = (
    "  round     worker: /s   first   last  µs/push      raw: /s   first   last  µs/push"
    "   worker/raw   push service busy"
)


def print_round(number: int, worker: SideRun, raw: SideRun) -> None:
    def side(run: SideRun) -> str:
        return (
            f"{run.per_second:11.0f} {run.seconds_to_first:6.2f}s {run.seconds_to_last:5.2f}s "
            f"{run.cpu_us_per_push:7.0f}"
        )

    print(
        f"  {number if number else 'warm-up':>7}  {side(worker)}  {side(raw)}"
        f"   {worker.per_second / raw.per_second:9.2f}x   "
        f"{worker.service_cpu_share:.0%} / {raw.service_cpu_share:.0%}",
        flush=True,
    )


async def measure(space: Workspace, args: argparse.Namespace) -> list[tuple[SideRun, SideRun]]:
    started = Started()
    try:
        service = await asyncio.to_thread(start_push_service, started, space)
        devices = await asyncio.to_thread(Devices.make, args.devices, service.base_url)
        print(f"{args.devices} devices made; push service at {service.base_url}", flush=True)

        async def setup(conn: asyncpg.Connection[Any]) -> PersonRow:
            return await add_devices(conn, devices)

        dsn, organiser = await prepare_database(space, setup)
        pool = await create_pool(dsn)
        try:
            key = await push_devices.ensure_key(pool, datetime.now(UTC))
            worker = start_worker(started, space, dsn, args.concurrency)
            async with httpx.AsyncClient(timeout=10.0) as http:
                rig = Rig(args, http, service, devices)
                rounds = []
                print(HEADER, flush=True)
                for number in range(args.rounds + 1):  # round 0 warms both sides up
                    pair = (
                        await worker_side(rig, pool, organiser, worker.pid, number),
                        await raw_side(rig, space, key.private_pem),
                    )
                    print_round(number, *pair)
                    if number:
                        rounds.append(pair)
                if worker.poll() is not None:
                    raise BenchError("the worker exited during the run")
                return rounds
        finally:
            await pool.close()
    finally:
        started.stop_all()


def report(args: argparse.Namespace, rounds: list[tuple[SideRun, SideRun]]) -> int:
    ratios = [w.per_second / r.per_second for w, r in rounds]
    ratio = statistics.median(ratios)
    worker_cpu = statistics.median(w.cpu_us_per_push for w, _ in rounds)
    raw_cpu = statistics.median(r.cpu_us_per_push for _, r in rounds)
    last = statistics.median(w.seconds_to_last for w, _ in rounds)
    met = "met" if ratio >= RATIO_GOAL else "NOT met"
    print(
        f"\nmedian over {len(rounds)} rounds: worker/raw pushes per second {ratio:.2f}x "
        f"(goal >= {RATIO_GOAL}x: {met}); CPU per push worker {worker_cpu:.0f} µs, "
        f"raw {raw_cpu:.0f} µs ({worker_cpu / raw_cpu:.2f}x); "
        f"last push accepted {last:.2f} s after the broadcast's commit"
    )
    print(
        f"sender processes pinned to core {SERVER_CORE} (taskset -c {SERVER_CORE}), "
        f"the push service to core {CLIENT_CORE}; PostgreSQL and Redis not pinned; "
        f"{args.concurrency} pushes in flight on each side"
    )
    save_results(
        "push",
        {
            "devices": args.devices,
            "concurrency": args.concurrency,
            "rounds": [[asdict(w), asdict(r)] for w, r in rounds],
            "ratios": ratios,
            "median_ratio": ratio,
            "cpu_us_per_push": {"worker": worker_cpu, "raw": raw_cpu},
            "seconds_to_last": last,
        },
    )
    return 0 if ratio >= RATIO_GOAL else 3


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.push", description=__doc__.split("\n")[0])
    parser.add_argument("--devices", type=bounded(100, 50_000), default=10_000)
    parser.add_argument("--rounds", type=bounded(1, 10), default=3, help="after one warm-up")
    parser.add_argument("--concurrency", type=bounded(1, 1_000), default=100)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per side")
    args = parser.parse_args()

    def body(space: Workspace) -> int:
        os.sched_setaffinity(0, {int(CLIENT_CORE)})  # the driver stays off the sender's core
        return report(args, asyncio.run(measure(space, args)))

    sys.exit(run("bench.push", body, check=preflight))


def preflight() -> None:
    if not {int(SERVER_CORE), int(CLIENT_CORE)} <= os.sched_getaffinity(0):
        raise BenchError(f"cores {SERVER_CORE} and {CLIENT_CORE} are needed")


if __name__ == "__main__":
    main()
