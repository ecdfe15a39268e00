"""One load-client process of `bench.fanout`: thousands of graphql-transport-ws sockets.

Run by the driver (pinned to core 1), never by hand:

    python -m bench.fanout_client --port 8001 --source 127.0.0.2

It speaks the websocket protocol itself on `asyncio.Protocol` (uvloop when installed):
a library client costs tens of microseconds per message, and with 9,000 sockets in one
process the clients, not the server, would set the time of the last receipt. Frames from
the server are small, unmasked and unfragmented; ours are masked as RFC 6455 requires.

Commands arrive on stdin and events leave on stdout, one JSON object per line:

    {"cmd": "connect", "count": n}   → {"event": "connected", "ok": …, "failed": …, …}
    {"cmd": "drop"}                  → {"event": "dropped", …}  (abort every socket)
    {"cmd": "report", "key": k}      → {"event": "report", "key": k, …}
    {"cmd": "exit"}                  → the process ends after aborting every socket
    (unasked) {"event": "done", "key": k, "count": …, "first": t, "last": t}
              once every open socket has received the notice whose title is k.

Times are `time.time()` taken when the bytes arrive (one clock for every process on
the machine, so the driver can compare them with its send time).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

import orjson

PROTOCOL = "graphql-transport-ws"
DOCUMENT = "subscription { notices { id title } }"
OPERATION_ID = "1"  # every socket subscribes once, with the same id (one payload text)

OP_TEXT, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x8, 0x9, 0xA


def masked_frame(opcode: int, payload: bytes) -> bytes:
    """A final client frame: clients must mask (RFC 6455 §5.3)."""
    key = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = bytes((0x80 | opcode, 0x80 | length))
    elif length < 65536:
        header = bytes((0x80 | opcode, 0x80 | 126)) + length.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + length.to_bytes(8, "big")
    if not length:
        return header + key
    repeated = (key * (length // 4 + 1))[:length]
    body = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
        length, "big"
    )
    return header + key + body


def text_frame(message: dict[str, Any]) -> bytes:
    return masked_frame(OP_TEXT, orjson.dumps(message))


@dataclass(slots=True)
class Arrivals:
    """What one notice (one title) did in this process."""

    count: int = 0
    first: float = 0.0
    last: float = 0.0
    size: int = 0  # bytes of the last `next` frame's text


@dataclass
class Fleet:
    """Every socket of the process and what they received, per notice title."""

    host: str
    port: int
    path: str
    subscribed: int = 0  # sockets that sent their subscribe and are still open
    arrivals: dict[str, Arrivals] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)
    sockets: set[Socket] = field(default_factory=set)
    close_codes: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    repeats: int = 0
    lost: int = 0  # subscribed sockets that closed without us asking

    def received(self, key: str, at: float, size: int) -> None:
        seen = self.arrivals.get(key)
        if seen is None:
            seen = self.arrivals[key] = Arrivals(first=at)
        seen.count += 1
        seen.last = max(seen.last, at)
        seen.size = size
        self.check_done(key)

    def check_done(self, key: str) -> None:
        seen = self.arrivals.get(key)
        if seen is not None and key not in self.reported and seen.count >= self.subscribed:
            self.reported.add(key)
            emit({"event": "done", "key": key, **self.summary(key)})

    def summary(self, key: str) -> dict[str, Any]:
        seen = self.arrivals.get(key) or Arrivals()
        return {
            "count": seen.count,
            "first": seen.first,
            "last": seen.last,
            "size": seen.size,
            "subscribed": self.subscribed,
            "repeats": self.repeats,
            "lost": self.lost,
            "close_codes": {str(k): v for k, v in self.close_codes.items()},
            "errors": dict(self.errors),
        }


class Socket(asyncio.Protocol):
    """One websocket: upgrade, connection_init, subscribe, then count `next` messages."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.upgraded = False
        self.subscribed = False
        self.closing = False
        self.last_key = ""
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.acked: asyncio.Future[None] = loop.create_future()

    # --- asyncio.Protocol -------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TCPTransport is not an asyncio.Transport subclass, but behaves as one.
        self.transport = cast(asyncio.Transport, transport)
        key = base64.b64encode(os.urandom(16)).decode()
        fleet = self.fleet
        request = (
            f"GET {fleet.path} HTTP/1.1\r\nHost: {fleet.host}:{fleet.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: {PROTOCOL}\r\n\r\n"
        )
        self.transport.write(request.encode())

    def data_received(self, data: bytes) -> None:
        at = time.time()  # first thing: the receipt time of whatever this chunk holds
        buffer = self.buffer + data if self.buffer else data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            status = buffer[: buffer.find(b"\r\n")]
            if b" 101 " not in status + b" ":
                self._fail(f"upgrade refused: {status.decode(errors='replace')}")
                return
            self.upgraded = True
            buffer = buffer[end + 4 :]
            if not self.opened.done():
                self.opened.set_result(None)
        self.buffer = self._frames(buffer, at)

    def connection_lost(self, exc: Exception | None) -> None:
        self.fleet.sockets.discard(self)
        for waiter in (self.opened, self.acked):
            if not waiter.done():
                waiter.set_exception(ConnectionError(f"closed during handshake: {exc}"))
        if self.subscribed:
            self.subscribed = False
            self.fleet.subscribed -= 1
            if not self.closing:
                self.fleet.lost += 1
                for key in list(self.fleet.arrivals):
                    self.fleet.check_done(key)  # the others may all have it now

    # --- frames -----------------------------------------------------------------------

    def _frames(self, buffer: bytes, at: float) -> bytes:
        """Handle every complete frame in `buffer`; return what is left of it."""
        while len(buffer) >= 2:
            first, second = buffer[0], buffer[1]
            length, start = second & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    break
                length, start = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    break
                length, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + length:
                break
            payload = buffer[start : start + length]
            buffer = buffer[start + length :]
            if not first & 0x80:
                self.fleet.errors["fragmented frame"] += 1
                continue
            self._frame(first & 0x0F, payload, at)
        return buffer

    def _frame(self, opcode: int, payload: bytes, at: float) -> None:
        if opcode == OP_TEXT:
            self._message(payload, at)
        elif opcode == OP_PING:
            self.send(masked_frame(OP_PONG, payload))
        elif opcode == OP_CLOSE:
            code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            self.fleet.close_codes[code] += 1
            if self.transport is not None:
                self.transport.close()

    def _message(self, payload: bytes, at: float) -> None:
        message = orjson.loads(payload)
        kind = message.get("type")
        if kind == "next":
            key = message["payload"]["data"]["notices"]["title"]
            if key == self.last_key:
                self.fleet.repeats += 1  # notices never overlap: the same one twice
                return
            self.last_key = key
            self.fleet.received(key, at, len(payload))
        elif kind == "connection_ack":
            if not self.acked.done():
                self.acked.set_result(None)
        elif kind == "ping":
            self.send(text_frame({"type": "pong"}))
        elif kind != "pong":
            self.fleet.errors[f"message {kind}: {payload[:200].decode(errors='replace')}"] += 1

    # --- helpers ----------------------------------------------------------------------

    def send(self, frame: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(frame)

    def _fail(self, reason: str) -> None:
        for waiter in (self.opened, self.acked):
            if not waiter.done():
                waiter.set_exception(ConnectionError(reason))
        if self.transport is not None:
            self.transport.abort()

    def abort(self) -> None:
        self.closing = True
        if self.transport is not None:
            self.transport.abort()  # RST: no TIME_WAIT left behind on 127.0.0.x


async def open_socket(fleet: Fleet, source: str) -> None:
    """Connect, upgrade, connection_init (anonymous), subscribe."""
    loop = asyncio.get_running_loop()
    _, socket = await loop.create_connection(
        lambda: Socket(fleet), fleet.host, fleet.port, local_addr=(source, 0)
    )
    fleet.sockets.add(socket)
    try:
        await socket.opened
        socket.send(text_frame({"type": "connection_init", "payload": {}}))
        await socket.acked
        subscribe = {"id": OPERATION_ID, "type": "subscribe", "payload": {"query": DOCUMENT}}
        socket.send(text_frame(subscribe))
    except BaseException:
        socket.abort()
        raise
    socket.subscribed = True
    fleet.subscribed += 1


async def connect(fleet: Fleet, source: str, count: int, concurrency: int, limit: float) -> None:
    """`count` more sockets, at most `concurrency` in their handshake at a time, each
    given `limit` seconds from the moment it may start."""
    gate = asyncio.Semaphore(concurrency)
    started = time.monotonic()

    async def one() -> bool:
        async with gate:
            try:
                async with asyncio.timeout(limit):
                    await open_socket(fleet, source)
                return True
            except (OSError, TimeoutError) as error:
                fleet.errors[f"connect: {type(error).__name__}: {error}"[:200]] += 1
                return False

    results = await asyncio.gather(*(one() for _ in range(count)))
    ok = sum(results)
    emit(
        {
            "event": "connected",
            "ok": ok,
            "failed": count - ok,
            "seconds": round(time.monotonic() - started, 3),
            "subscribed": fleet.subscribed,
            "errors": dict(fleet.errors),
        }
    )


def drop(fleet: Fleet) -> None:
    for socket in list(fleet.sockets):
        socket.abort()


def emit(event: dict[str, Any]) -> None:
    sys.stdout.write(orjson.dumps(event).decode() + "\n")
    sys.stdout.flush()


async def serve_commands(fleet: Fleet, args: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    background: set[asyncio.Task[None]] = set()
    emit({"event": "started", "pid": os.getpid()})
    while line := await reader.readline():
        command = orjson.loads(line)
        name = command["cmd"]
        if name == "connect":
            task = asyncio.create_task(
                connect(fleet, args.source, command["count"], args.concurrency, args.open_timeout)
            )
            background.add(task)
            task.add_done_callback(background.discard)
        elif name == "drop":
            drop(fleet)
            await asyncio.sleep(0.2)  # let connection_lost run for every socket
            emit({"event": "dropped", "open": len(fleet.sockets)})
        elif name == "report":
            emit({"event": "report", "key": command["key"], **fleet.summary(command["key"])})
        elif name == "exit":
            break
    drop(fleet)


def main() -> None:
    parser = argparse.ArgumentParser(description="one load-client process of bench.fanout")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/graphql")
    parser.add_argument("--source", required=True, help="own source address, 127.x.y.z")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--open-timeout", type=float, default=60.0)
    args = parser.parse_args()
    if not args.source.startswith("127.") or not args.host.startswith("127."):
        parser.error("loopback only")
    fleet = Fleet(host=args.host, port=args.port, path=args.path)
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_commands(fleet, args))


if __name__ == "__main__":
    main()
