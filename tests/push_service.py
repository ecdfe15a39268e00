"""A small but real Web Push service for the tests: uvicorn on a free loopback port, devices
with their own keys, and every POST checked the way a browser vendor's service checks it
(RFC 8030 headers, RFC 8292 VAPID, RFC 8291 aes128gcm) before it is decrypted and kept.

    async with PushService.running(public_key_b64) as service:
        subscription = service.new_device()  # what PushSubscription.toJSON() gives
        ...
        await service.wait_for(1)
        assert service.rejections == []

Per device it can answer 410, a chosen status N times (429 with a Retry-After, 500, ...),
or hold requests at a gate the test opens. A message counts as accepted only once its 201
is handed to the socket; one whose client went away while held is dropped, not kept.
Cheap enough for ~10,000 devices: one dict look-up per device, and one signature check per
distinct VAPID token (a sender reuses its token for hours)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import http_ece  # type: ignore[import-untyped]
import uvicorn
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid.jwt import decode as verify_jwt  # type: ignore[import-untyped]
from starlette.types import Message, Receive, Scope, Send

#: RFC 8030 §7.2: a push service must accept 4096 bytes and may refuse more (413).
MAX_BODY = 4096
MAX_JWT_LIFETIME = 24 * 3600  # RFC 8292 §2
URGENCIES = frozenset({"very-low", "low", "normal", "high"})
TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")
TTL = re.compile(r"[0-9]{1,10}")
_PATH = re.compile(r"/push/([A-Za-z0-9_-]{1,64})")
_MAX_CACHED_TOKENS = 4096


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Received:
    device_id: str
    payload: dict[str, Any]
    ttl: int
    urgency: str | None
    topic: str | None
    authorization_jwt: str


@dataclass(frozen=True)
class Rejection:
    device_id: str | None
    status: int
    reason: str


class Refused(Exception):
    """A check failed: answer `status` with `reason` and record a rejection."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class _Device:
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    gone: bool = False
    # A scripted answer for the next `scripted_left` posts, then normal service.
    scripted_status: int = 0
    scripted_left: int = 0
    scripted_retry_after: str | None = None
    scripted_location: str | None = None
    gate: asyncio.Event | None = None
    received: list[Received] = field(default_factory=list)


class PushService:
    def __init__(self, public_key_b64: str, *, now: Callable[[], float] = time.time) -> None:
        self.public_key = public_key_b64.rstrip("=")
        # A key that is no P-256 point fails here, not as a rejection of every post.
        ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), _b64url_decode(self.public_key)
        )
        self._now = now
        self.origin = ""  # set once the port is known
        self._devices: dict[str, _Device] = {}
        self.received: list[Received] = []
        self.rejections: list[Rejection] = []
        #: Requests whose client went away while they were held: never accepted.
        self.dropped = 0
        self.posts = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.held = 0
        #: The client address of every request: one per TCP connection, so its size says
        #: how many connections a sender opened.
        self.connections: set[tuple[str, int]] = set()
        self._gate: asyncio.Event | None = None
        self._closing = asyncio.Event()
        self._changed = asyncio.Condition()
        # token → its claims, or why it is refused: verified once per distinct token.
        self._tokens: dict[str, dict[str, Any] | str] = {}

    # -- what the tests use ------------------------------------------------------------

    @classmethod
    @asynccontextmanager
    async def running(
        cls, public_key_b64: str, *, now: Callable[[], float] = time.time
    ) -> AsyncIterator[PushService]:
        service = cls(public_key_b64, now=now)
        # Bound and listening before uvicorn starts: connections queue in the backlog, so
        # nothing has to wait for the server to come up.
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(4096)
        port = listener.getsockname()[1]
        service.origin = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            service,
            log_config=None,
            access_log=False,
            lifespan="off",
            backlog=4096,
            timeout_graceful_shutdown=5,
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(sockets=[listener]))
        try:
            yield service
        finally:
            service._closing.set()  # held requests answer 503 and are not kept
            server.should_exit = True
            await asyncio.wait_for(task, timeout=15)

    def new_device(self) -> dict[str, Any]:
        """A subscription as PushSubscription.toJSON() gives it."""
        device_id = secrets.token_urlsafe(12)
        private_key = ec.generate_private_key(ec.SECP256R1())
        auth = secrets.token_bytes(16)
        self._devices[device_id] = _Device(private_key=private_key, auth=auth)
        public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.origin}/push/{device_id}",
            "expirationTime": None,
            "keys": {"p256dh": _b64url(public), "auth": _b64url(auth)},
        }

    @staticmethod
    def device_id(subscription: dict[str, Any]) -> str:
        endpoint: str = subscription["endpoint"]
        return endpoint.rsplit("/", 1)[1]

    def gone(self, device_id: str) -> None:
        """Every later post to this device is answered 410 Gone."""
        self._devices[device_id].gone = True

    def answer(
        self,
        device_id: str,
        status: int,
        *,
        times: int = 1,
        retry_after: str | None = None,
        location: str | None = None,
    ) -> None:
        """The next `times` posts to this device (checked as usual) are answered `status`,
        with this Retry-After and Location when given; then it accepts again."""
        device = self._devices[device_id]
        device.scripted_status = status
        device.scripted_left = times
        device.scripted_retry_after = retry_after
        device.scripted_location = location

    def hold(self, device_id: str | None = None) -> asyncio.Event:
        """Checked posts (to this device, or to every device) wait at the returned gate
        until the test sets it; a client that disconnects meanwhile is dropped."""
        gate = asyncio.Event()
        if device_id is None:
            self._gate = gate
        else:
            self._devices[device_id].gate = gate
        return gate

    def received_for(self, device_id: str) -> list[Received]:
        return list(self._devices[device_id].received)

    # A timeout argument (ASYNC109) on purpose: every wait here must be bounded, and a
    # forgotten asyncio.timeout around it would hang the test run instead of failing it.
    async def wait_for(self, count: int, timeout: float = 10) -> list[Received]:  # noqa: ASYNC109
        """Until `count` messages in all were accepted; TimeoutError after `timeout`."""
        await self._wait(lambda: len(self.received) >= count, timeout)
        return list(self.received)

    async def wait_held(self, count: int, timeout: float = 10) -> None:  # noqa: ASYNC109
        """Until `count` requests are waiting at a gate at once."""
        await self._wait(lambda: self.held >= count, timeout)

    async def until(
        self,
        predicate: Callable[[PushService], bool],
        timeout: float = 10,  # noqa: ASYNC109
    ) -> None:
        """Until `predicate(service)` holds (checked at every change); TimeoutError after."""
        await self._wait(lambda: predicate(self), timeout)

    async def _wait(self, predicate: Callable[[], bool], timeout: float) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(predicate)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- the push service itself ------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        client = scope.get("client")
        if client is not None:
            self.connections.add((client[0], client[1]))
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            await self._handle(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _PATH.fullmatch(scope["path"])
        device_id = match.group(1) if match else None
        device = self._devices.get(device_id) if device_id else None
        if scope["method"] != "POST" or device_id is None or device is None:
            await self._refuse(send, device_id, Refused(404, "no such subscription"))
            return
        self.posts += 1
        try:
            body = await self._read_body(receive)
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]
            }
            received = self._check(device_id, device, headers, body)
        except Refused as refused:
            await self._refuse(send, device_id, refused)
            return
        finally:
            await self._notify()
        if device.gone:
            await self._respond(send, 410, b"subscription expired")
            return
        if device.scripted_left > 0:
            device.scripted_left -= 1
            extra = []
            if device.scripted_retry_after is not None:
                extra.append((b"retry-after", device.scripted_retry_after.encode("latin-1")))
            if device.scripted_location is not None:
                extra.append((b"location", device.scripted_location.encode("latin-1")))
            await self._respond(send, device.scripted_status, b"scripted answer", extra)
            return
        gates = [gate for gate in (self._gate, device.gate) if gate is not None]
        if gates and not await self._pass_gates(gates, receive):
            self.dropped += 1
            await self._respond(send, 503, b"shutting down")  # a no-op if the client is gone
            return
        await self._respond(
            send, 201, b"", [(b"location", f"/message/{secrets.token_urlsafe(9)}".encode())]
        )
        # Only now, with the 201 handed to the socket, is the message the phone's.
        device.received.append(received)
        self.received.append(received)
        await self._notify()

    async def _pass_gates(self, gates: list[asyncio.Event], receive: Receive) -> bool:
        """Wait for every gate; False when the client disconnects (or the service stops)
        first. With the whole body read, uvicorn's receive() returns only on disconnect."""
        self.held += 1
        await self._notify()
        opened = asyncio.ensure_future(asyncio.gather(*(gate.wait() for gate in gates)))
        gone = asyncio.ensure_future(receive())
        closing = asyncio.ensure_future(self._closing.wait())
        try:
            waiters: set[asyncio.Future[Any]] = {opened, gone, closing}
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            return opened.done() and not gone.done() and not closing.done()
        finally:
            for waiter in (opened, gone, closing):
                waiter.cancel()
            self.held -= 1
            await self._notify()

    async def _read_body(self, receive: Receive) -> bytes:
        body = bytearray()
        while True:
            message: Message = await receive()
            if message["type"] == "http.disconnect":
                raise Refused(400, "client went away before the body ended")
            body += message.get("body", b"")
            if len(body) > MAX_BODY:
                raise Refused(413, f"body over {MAX_BODY} bytes")
            if not message.get("more_body", False):
                return bytes(body)

    def _check(
        self, device_id: str, device: _Device, headers: dict[str, str], body: bytes
    ) -> Received:
        jwt = self._check_vapid(headers.get("authorization"))
        ttl_text = headers.get("ttl")
        if ttl_text is None or not TTL.fullmatch(ttl_text.strip()):
            raise Refused(400, f"TTL missing or not a non-negative integer: {ttl_text!r}")
        urgency = headers.get("urgency")
        if urgency is not None and urgency not in URGENCIES:
            raise Refused(400, f"bad Urgency {urgency!r}")
        topic = headers.get("topic")
        if topic is not None and not TOPIC.fullmatch(topic):
            raise Refused(400, f"bad Topic {topic!r}")
        if headers.get("content-encoding") != "aes128gcm":
            raise Refused(400, f"Content-Encoding is {headers.get('content-encoding')!r}")
        try:
            plaintext = http_ece.decrypt(
                body, private_key=device.private_key, auth_secret=device.auth, version="aes128gcm"
            )
        except Exception as error:  # http_ece raises whatever its parsing meets
            raise Refused(400, f"cannot decrypt: {error!r}") from None
        try:
            payload = json.loads(plaintext)
        except ValueError:
            raise Refused(400, "payload is not JSON") from None
        if not isinstance(payload, dict):
            raise Refused(400, "payload is not a JSON object")
        return Received(device_id, payload, int(ttl_text), urgency, topic, jwt)

    def _check_vapid(self, authorization: str | None) -> str:
        """The JWT of a valid `vapid t=…, k=…` header (RFC 8292 §3), else Refused."""
        if authorization is None:
            raise Refused(401, "no Authorization")
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise Refused(401, f"Authorization scheme {scheme!r}, not vapid")
        values: dict[str, str] = {}
        for param in params.split(","):
            name, _, value = param.strip().partition("=")
            values[name.strip().lower()] = value.strip()
        token, key = values.get("t"), values.get("k")
        if not token or not key:
            raise Refused(401, "vapid Authorization without t= and k=")
        if key.rstrip("=") != self.public_key:
            raise Refused(403, "k= is not the key this subscription was made with")
        claims = self._tokens.get(token)
        if claims is None:
            claims = self._verify(token)
            if len(self._tokens) >= _MAX_CACHED_TOKENS:
                self._tokens.clear()
            self._tokens[token] = claims
        if isinstance(claims, str):
            raise Refused(401, claims)
        now = self._now()
        exp = claims["exp"]
        if not now < exp <= now + MAX_JWT_LIFETIME:
            raise Refused(401, f"exp {exp} not within (now, now + 24 h]")
        return token

    def _verify(self, token: str) -> dict[str, Any] | str:
        """The token's claims when its ES256 signature and fixed claims are right, else why
        not. The clock-dependent check (exp) stays per request."""
        try:
            header = json.loads(_b64url_decode(token.split(".", 1)[0]))
            claims = verify_jwt(token, self.public_key)
        except (InvalidSignature, ValueError, binascii.Error):
            return "JWT signature does not verify against the server key"
        if not isinstance(header, dict) or header.get("alg") != "ES256":
            return f"JWT header {header!r} is not ES256"
        if not isinstance(claims, dict):
            return "JWT claims are not an object"
        if claims.get("aud") != self.origin:
            return f"aud {claims.get('aud')!r} is not {self.origin!r}"
        exp = claims.get("exp")
        if not isinstance(exp, int) or isinstance(exp, bool):
            return f"exp {exp!r} is not an integer"
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")):
            return f"sub {sub!r} is not a mailto: or https: URI"
        return claims

    async def _refuse(self, send: Send, device_id: str | None, refused: Refused) -> None:
        self.rejections.append(Rejection(device_id, refused.status, refused.reason))
        await self._notify()
        await self._respond(send, refused.status, refused.reason.encode())

    @staticmethod
    async def _respond(
        send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            *(extra or []),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
