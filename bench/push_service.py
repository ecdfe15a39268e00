"""The push service `bench.push` sends to: a bare ASGI app (no framework, so it costs
as little as an HTTP server can) that accepts every POST /push/<device> with 201 and
notes when, for the driver to read back.

It runs in its own uvicorn process pinned to the load core, shared by both sides of a
round. It checks only what costs nothing (the headers a push service needs); the
driver decrypts a sample of the bodies with the devices' own keys.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

#: Bodies kept per round, with their headers, for the driver to decrypt.
SAMPLES = 20
NEEDED = (b"ttl", b"content-encoding", b"authorization", b"urgency")


class Received:
    """What arrived since the last reset."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.devices: set[int] = set()
        self.count = 0
        self.first = 0.0
        self.last = 0.0
        self.refused = 0
        self.samples: list[dict[str, Any]] = []

    def accept(self, device: int, headers: dict[bytes, bytes], body: bytes) -> bool:
        if any(name not in headers for name in NEEDED):
            self.refused += 1
            return False
        now = time.time()
        self.first = self.first or now
        self.last = now
        self.count += 1
        self.devices.add(device)
        if len(self.samples) < SAMPLES:
            self.samples.append(
                {
                    "device": device,
                    "headers": {k.decode(): v.decode() for k, v in headers.items()},
                    "body": base64.b64encode(body).decode(),
                }
            )
        return True

    def report(self) -> bytes:
        return orjson.dumps(
            {
                "count": self.count,
                "distinct": len(self.devices),
                "first": self.first,
                "last": self.last,
                "refused": self.refused,
                "samples": self.samples,
            }
        )


received = Received()


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _answer(send: Send, status: int, body: bytes = b"") -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    path, method = scope["path"], scope["method"]
    body = await _body(receive)
    if method == "POST" and path.startswith("/push/"):
        device = path.removeprefix("/push/")
        headers = dict(scope["headers"])
        ok = device.isdigit() and received.accept(int(device), headers, body)
        await _answer(send, 201 if ok else 400)
    elif path == "/stats":
        await _answer(send, 200, received.report())
    elif method == "POST" and path == "/reset":
        received.reset()
        await _answer(send, 204)
    elif path == "/readyz":
        await _answer(send, 200, b"ok")
    else:
        await _answer(send, 404)


def create_app() -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """A uvicorn factory."""
    return app
