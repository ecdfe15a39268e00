"""The load-client process of `bench.rush`: one side of the morning rush, then a report.

Run by the driver (pinned to the load core), never by hand:

    python -m bench.rush_load scenario.json

1. **Burst**: every socket connects at once (a bounded number in their handshake at a
   time), signs in with its token in `connection_init` and subscribes to its notices
   `after` an old cursor, so each first replays the backlog of notices it missed.
2. **Steady load**, open loop (requests leave on a timetable, whether or not the earlier
   ones were answered, so a slow server cannot slow the load down and hide its own
   latency): agenda and `me.schedule` reads, bookmarks and registrations, and every few
   seconds an organiser's change of a session's capacity, whose notice reaches the
   sockets of that session's bookmarkers.

Lines on stdout, one JSON object each: `{"event": "burst", …}` once every socket has
caught up (the driver then reads the server's memory), then `{"event": "result", …}`.
Sockets are `bench.fanout_client`'s raw protocol (a library client would cost more CPU
than the server per message); HTTP is aiohttp.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from bench.fanout_client import Fleet, Socket, emit, text_frame

NOTICES = "subscription Notices($after: ID) { notices(after: $after) { id body } }"
BACKLOG_MARK = "rush-backlog"
CHANGE_MARK = re.compile(r"rush-change-(\d+)")
#: Seconds the sockets have to open and catch up, and the changes to be delivered.
BURST_LIMIT = 120.0
DELIVERY_LIMIT = 20.0


@dataclass
class Tally:
    """What every socket of this process received, by mark."""

    backlog_wanted: int
    caught_up: int = 0
    caught_up_at: float = 0.0
    arrivals: dict[int, list[float]] = field(default_factory=dict)  # change → receipt times
    repeats: int = 0
    out_of_order: int = 0
    others: int = 0  # notices of neither mark (reminders, promotions…)
    all_caught_up: asyncio.Event = field(default_factory=asyncio.Event)
    sockets: int = 0


class RushSocket(Socket):
    """A signed-in socket that checks cursor order and counts marks."""

    tally: Tally

    def __init__(self, fleet: Fleet, tally: Tally) -> None:
        super().__init__(fleet)
        self.tally = tally
        self.last_cursor = 0
        self.backlog = 0
        self.changes: set[int] = set()

    def _message(self, payload: bytes, at: float) -> None:
        message = orjson.loads(payload)
        kind = message.get("type")
        if kind != "next":
            if kind == "connection_ack" and not self.acked.done():
                self.acked.set_result(None)
            elif kind == "ping":
                self.send(text_frame({"type": "pong"}))
            elif kind != "pong":
                text = payload[:200].decode(errors="replace")
                self.fleet.errors[f"message {kind}: {text}"] += 1
            return
        notice = message["payload"]["data"]["notices"]
        cursor = notice["id"]
        if cursor.isdigit():  # the plain side's live frames carry no cursor
            if int(cursor) <= self.last_cursor:
                self.tally.out_of_order += 1
            self.last_cursor = max(self.last_cursor, int(cursor))
        self._count(notice["body"], at)

    def _count(self, body: str, at: float) -> None:
        tally = self.tally
        found = CHANGE_MARK.search(body)
        if found:
            change = int(found.group(1))
            if change in self.changes:
                tally.repeats += 1
                return
            self.changes.add(change)
            tally.arrivals.setdefault(change, []).append(at)
        elif BACKLOG_MARK in body:
            self.backlog += 1
            if self.backlog > tally.backlog_wanted:
                tally.repeats += 1
            elif self.backlog == tally.backlog_wanted:
                tally.caught_up += 1
                tally.caught_up_at = at
                if tally.caught_up == tally.sockets:
                    tally.all_caught_up.set()
        else:
            tally.others += 1


async def open_socket(fleet: Fleet, tally: Tally, token: str, after: str, source: str) -> float:
    """Connect, sign in, subscribe after `after`; the seconds until connection_ack."""
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    _, socket = await loop.create_connection(
        lambda: RushSocket(fleet, tally), fleet.host, fleet.port, local_addr=(source, 0)
    )
    fleet.sockets.add(socket)
    try:
        await socket.opened
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        socket.send(text_frame(init))
        await socket.acked
        acked = time.monotonic() - started
        query = {"query": NOTICES, "variables": {"after": after}}
        socket.send(text_frame({"id": "1", "type": "subscribe", "payload": query}))
    except BaseException:
        socket.abort()
        raise
    socket.subscribed = True
    fleet.subscribed += 1
    return acked


def percentiles(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"count": 0}
    ordered = sorted(values)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 2)

    return {"count": len(ordered), "p50_ms": at(0.50), "p99_ms": at(0.99)}


async def burst(scenario: dict[str, Any], fleet: Fleet, tally: Tally) -> dict[str, Any]:
    tokens: list[str] = scenario["socket_tokens"]
    gate = asyncio.Semaphore(scenario["concurrency"])
    handshakes: list[float] = []
    failures: Counter[str] = Counter()
    started = time.time()

    async def one(index: int, token: str) -> None:
        source = f"127.0.1.{1 + index // 10_000}"
        async with gate:
            try:
                async with asyncio.timeout(BURST_LIMIT):
                    handshakes.append(
                        await open_socket(fleet, tally, token, scenario["after"], source)
                    )
            except (OSError, TimeoutError, ConnectionError) as error:
                failures[f"{type(error).__name__}: {error}"[:160]] += 1

    tally.sockets = len(tokens)
    await asyncio.gather(*(one(i, t) for i, t in enumerate(tokens)))
    subscribed_at = time.time()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(BURST_LIMIT):
            await tally.all_caught_up.wait()
    return {
        "sockets": len(tokens),
        "subscribed": fleet.subscribed,
        "failed": dict(failures),
        "handshake": percentiles(handshakes),
        "all_subscribed_s": round(subscribed_at - started, 3),
        "caught_up": tally.caught_up,
        "caught_up_s": round(max(tally.caught_up_at - started, 0.0), 3),
        "backlog_per_socket": tally.backlog_wanted,
    }


@dataclass
class Requests:
    """Latencies and errors of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def report(self) -> dict[str, Any]:
        return {**percentiles(self.latencies), "errors": dict(self.errors)}


async def post(
    http: aiohttp.ClientSession,
    url: str,
    body: bytes,
    token: str | None,
    due: float,
    into: Requests,
) -> bool:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        async with http.post(url, data=body, headers=headers) as response:
            text = await response.read()
            if response.status != 200:
                into.errors[f"HTTP {response.status}: {text[:120].decode(errors='replace')}"] += 1
                return False
            answer = orjson.loads(text)
            if answer.get("errors"):
                into.errors[str(answer["errors"][0].get("message"))[:120]] += 1
                return False
    except (aiohttp.ClientError, TimeoutError, orjson.JSONDecodeError) as error:
        into.errors[f"{type(error).__name__}: {error}"[:120]] += 1
        return False
    into.latencies.append(time.monotonic() - due)
    return True


def body(query: str, variables: dict[str, Any] | None = None) -> bytes:
    return orjson.dumps({"query": query, "variables": variables})


async def steady(scenario: dict[str, Any]) -> dict[str, Any]:
    """The open-loop timetable: reads, mutations and changes, for `seconds`."""
    base: str = scenario["base"]
    paths: dict[str, str] = scenario["paths"]
    documents: dict[str, str] = scenario["documents"]
    seconds: float = scenario["seconds"]
    kinds = {name: Requests() for name in ("agenda", "schedule", "bookmark", "register", "change")}
    readers: list[str] = scenario["reader_tokens"]
    writes: list[dict[str, str]] = scenario["writes"]
    changes: list[dict[str, Any]] = scenario["changes"]
    organiser: str = scenario["organiser"]
    sent: dict[int, float] = {}
    #: Changes the server refused or never answered: no notice is owed for them.
    failed: set[int] = set()
    pending: set[asyncio.Task[bool]] = set()
    connector = aiohttp.TCPConnector(limit=scenario["http_connections"])
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        def start(kind: str, payload: bytes, token: str | None, due: float) -> asyncio.Task[bool]:
            task = asyncio.create_task(
                post(http, base + paths[kind], payload, token, due, kinds[kind])
            )
            pending.add(task)
            task.add_done_callback(pending.discard)
            return task

        timetable: list[tuple[float, str, int]] = []
        for every, kind in (
            (1 / scenario["read_rate"], "read"),
            (1 / scenario["write_rate"], "write"),
            (scenario["change_every"], "change"),
        ):
            count = int(seconds / every)
            timetable += [(i * every, kind, i) for i in range(count)]
        timetable.sort()
        started = time.monotonic()
        for offset, kind, index in timetable:
            due = started + offset
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if kind == "read" and index % 2 == 0:
                start("agenda", body(documents["agenda"]), None, due)
            elif kind == "read":
                start("schedule", body(documents["schedule"]), readers[index % len(readers)], due)
            elif kind == "write":
                write = writes[index % len(writes)]
                variables = {"id": write["session"]}
                start(write["kind"], body(documents[write["kind"]], variables), write["token"], due)
            elif index < len(changes):
                change = changes[index]
                variables = {"id": change["session"], "input": change["input"]}
                mark = change["mark"]
                sent[mark] = time.time()
                task = start("change", body(documents["change"], variables), organiser, due)
                task.add_done_callback(partial(_note_failure, failed, mark))
        if pending:
            await asyncio.wait(pending, timeout=30)
    answered = {mark: at for mark, at in sent.items() if mark not in failed}
    return {"requests": {k: v.report() for k, v in kinds.items()}, "sent": answered}


def _note_failure(failed: set[int], mark: int, task: asyncio.Task[bool]) -> None:
    if not task.result():
        failed.add(mark)


async def delivered(tally: Tally, expected: dict[int, int]) -> None:
    """Until every change reached every socket it is for, or DELIVERY_LIMIT."""
    deadline = time.monotonic() + DELIVERY_LIMIT
    while time.monotonic() < deadline:
        if all(len(tally.arrivals.get(m, ())) >= n for m, n in expected.items()):
            return
        await asyncio.sleep(0.05)


async def run(scenario: dict[str, Any]) -> None:
    host, port = scenario["base"].removeprefix("http://").split(":")
    fleet = Fleet(host=host, port=int(port), path=scenario["ws_path"])
    tally = Tally(backlog_wanted=scenario["backlog"])
    burst_report = await burst(scenario, fleet, tally)
    emit({"event": "burst", **burst_report})
    load = await steady(scenario)
    expected = {c["mark"]: c["audience"] for c in scenario["changes"] if c["mark"] in load["sent"]}
    await delivered(tally, expected)
    deliveries = [
        {
            "mark": mark,
            "audience": audience,
            "received": len(tally.arrivals.get(mark, ())),
            "last_s": round(max(tally.arrivals.get(mark, [0.0])) - load["sent"][mark], 4),
        }
        for mark, audience in expected.items()
    ]
    emit(
        {
            "event": "result",
            "burst": burst_report,
            "requests": load["requests"],
            "deliveries": deliveries,
            "repeats": tally.repeats,
            "out_of_order": tally.out_of_order,
            "others": tally.others,
            "lost_sockets": fleet.lost,
            "socket_errors": dict(fleet.errors),
            "close_codes": {str(k): v for k, v in fleet.close_codes.items()},
        }
    )
    for socket in list(fleet.sockets):
        socket.abort()


def main() -> None:
    parser = argparse.ArgumentParser(description="one load-client process of bench.rush")
    parser.add_argument("scenario", type=Path)
    args = parser.parse_args()
    scenario = orjson.loads(args.scenario.read_bytes())
    if not scenario["base"].startswith("http://127."):
        parser.error("loopback only")
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.run(run(scenario))


if __name__ == "__main__":
    main()
