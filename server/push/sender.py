"""Delivers one encrypted push message to one device's push service (RFC 8030 §5) and
says what became of it. Many sends share one pooled client and a bound on requests in
flight, so a fan-out to thousands of phones holds a fixed number of sockets."""

from __future__ import annotations

import asyncio
import enum
import logging
import re
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

import aiohttp
import http_ece  # type: ignore[import-untyped]
from cryptography.hazmat.primitives.asymmetric import ec

from server.push.addresses import PublicOnlyResolver
from server.push.keys import b64url_decode
from server.push.vapid import VapidSigner, endpoint_origin

log = logging.getLogger("salon.push")

#: RFC 8291 §4: a push message is one record of at most 4096 bytes. The header (salt 16,
#: record size 4, key id length 1, our 65-byte key), the padding delimiter (1) and the
#: AES-GCM tag (16) leave 4096 - 86 - 17 for the plaintext.
RECORD_SIZE = 4096
MAX_PLAINTEXT = 3993
#: Push services keep a message at most about four weeks (FCM's ceiling); a longer TTL
#: is a bug on our side, not a wish they honour.
MAX_TTL_SECONDS = 28 * 24 * 3600
URGENCIES = frozenset({"very-low", "low", "normal", "high"})
_TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")  # RFC 8030 §5.4
#: Longest key text worth decoding: 65 bytes are 87 base64url characters (88 padded).
_MAX_KEY_TEXT = 128
#: Of an error answer's body we keep this much, for the log line.
_MAX_BODY_READ = 1024
MAX_RETRY_AFTER_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class Device:
    endpoint: str
    p256dh: str  # base64url (padding optional), as PushSubscription.toJSON() gives
    auth: str  # base64url


@dataclass(frozen=True, slots=True)
class PushMessage:
    payload: bytes  # plaintext (JSON); the sender encrypts it (aes128gcm, a fresh ECDH key each)
    ttl: int  # seconds, >= 1 (push services drop TTL 0 at once when the phone is offline)
    urgency: str = "normal"  # "very-low" | "low" | "normal" | "high"
    topic: str | None = None  # <= 32 chars of the base64url alphabet

    def __post_init__(self) -> None:
        # Checked once when the message is made, not once per device it goes to.
        if not isinstance(self.payload, bytes) or not self.payload:
            raise ValueError("push payload must be non-empty bytes")
        if len(self.payload) > MAX_PLAINTEXT:
            raise ValueError(
                f"push payload is {len(self.payload)} bytes, more than {MAX_PLAINTEXT} "
                "(one 4096-byte aes128gcm record, RFC 8291 §4)"
            )
        if isinstance(self.ttl, bool) or not isinstance(self.ttl, int):
            raise ValueError("push TTL must be an integer number of seconds")
        if not 1 <= self.ttl <= MAX_TTL_SECONDS:
            raise ValueError(f"push TTL must be between 1 and {MAX_TTL_SECONDS} seconds")
        if self.urgency not in URGENCIES:
            raise ValueError(f"push urgency must be one of {sorted(URGENCIES)}")
        if self.topic is not None and (
            not isinstance(self.topic, str) or not _TOPIC.fullmatch(self.topic)
        ):
            raise ValueError("push topic must be 1 to 32 characters of the base64url alphabet")


class Outcome(enum.Enum):
    SENT = "sent"  # the push service took it
    GONE = "gone"  # the subscription is dead: forget the device
    RETRY = "retry"  # try again later (after retry_after when given)
    FAILED = "failed"  # refused for good: retrying the same request will not help


@dataclass(frozen=True, slots=True)
class Result:
    outcome: Outcome
    status: int | None  # HTTP status, None for a network error
    retry_after: float | None  # seconds, from Retry-After (delta-seconds or HTTP-date), for RETRY
    detail: str  # short, for logs


def _decode_key(name: str, text: str, length: int) -> bytes:
    if not isinstance(text, str) or len(text) > _MAX_KEY_TEXT:
        raise ValueError(f"push key {name} must be a base64url string of {length} bytes")
    try:
        raw = b64url_decode(text)
    except ValueError:
        raise ValueError(f"push key {name} is not base64url") from None
    if len(raw) != length:
        raise ValueError(f"push key {name} must decode to {length} bytes, not {len(raw)}")
    return raw


def decode_keys(p256dh: str, auth: str) -> tuple[ec.EllipticCurvePublicKey, bytes]:
    """The device's P-256 public key and auth secret; ValueError saying what is wrong."""
    raw_key = _decode_key("p256dh", p256dh, 65)
    if raw_key[0] != 0x04:
        raise ValueError("push key p256dh must be an uncompressed P-256 point (0x04 first)")
    try:
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw_key)
    except ValueError:
        raise ValueError("push key p256dh is not a point on P-256") from None
    return public_key, _decode_key("auth", auth, 16)


def check_keys(p256dh: str, auth: str) -> None:
    """ValueError with a clear message unless these are a browser's subscription keys
    (p256dh: 65-byte uncompressed P-256 point; auth: 16 bytes; base64url)."""
    decode_keys(p256dh, auth)


def encrypt(payload: bytes, receiver: ec.EllipticCurvePublicKey, auth_secret: bytes) -> bytes:
    """RFC 8291 aes128gcm, with a fresh sender key and salt for every message."""
    sender_key = ec.generate_private_key(ec.SECP256R1())
    body: bytes = http_ece.encrypt(
        payload,
        private_key=sender_key,
        dh=receiver,
        auth_secret=auth_secret,
        version="aes128gcm",
        rs=RECORD_SIZE,
    )
    return body


_DIGITS = re.compile(r"[0-9]+")


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date, RFC 9110
    §10.2.3), kept within [0, 1 h]; None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if _DIGITS.fullmatch(value):
        seconds = float(value) if len(value) <= 12 else MAX_RETRY_AFTER_SECONDS
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # "-0000": HTTP-dates are GMT all the same
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - now
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def new_session(
    max_in_flight: int, timeout: float, *, public_only: bool = True
) -> aiohttp.ClientSession:
    """The pooled client pushes go out on (the benchmark's bare loop uses the same): as
    many connections as requests may be in flight, kept alive so the next batch skips
    the TLS handshakes; one deadline per exchange, connecting included; bodies left as
    sent (an error page's broken Content-Encoding cannot raise); no proxy from the
    environment; names connected to only at their public addresses (`public_only`)."""
    resolver = PublicOnlyResolver() if public_only else None
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=max_in_flight, limit_per_host=0, resolver=resolver),
        timeout=aiohttp.ClientTimeout(total=timeout),
        auto_decompress=False,
        trust_env=False,
    )


async def post(
    session: aiohttp.ClientSession, endpoint: str, body: bytes, headers: dict[str, str]
) -> tuple[int, str | None, str]:
    """Status, Retry-After and the start of the body of one POST. Redirects are not
    followed: an endpoint is whatever a browser gave us, and a push service never
    redirects (one that did could point the worker at an address it must not reach)."""
    async with session.post(endpoint, data=body, headers=headers, allow_redirects=False) as answer:
        text = (await answer.content.read(_MAX_BODY_READ)).decode("utf-8", "replace")
        return answer.status, answer.headers.get("Retry-After"), text


class PushSender:
    def __init__(
        self,
        signer: VapidSigner,
        *,
        session: aiohttp.ClientSession | None = None,
        max_in_flight: int = 100,
        timeout: float = 10.0,
        public_only: bool = True,
    ) -> None:
        """`session`: a caller's own (its timeout then applies, not `timeout`); by
        default one of `new_session`, made at the first send inside the running loop.
        `public_only=False` lets names resolve to local addresses (tests, a push
        service on this machine: `SALON_PUSH_ALLOW_INSECURE`)."""
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self._signer = signer
        self._timeout = timeout
        self.max_in_flight = max_in_flight
        self._owns_session = session is None
        self._session = session
        self._public_only = public_only
        self._slots = asyncio.Semaphore(max_in_flight)

    async def send(self, device: Device, message: PushMessage) -> Result:
        """Encrypts `message` for `device` and posts it. ValueError for a device whose keys
        or endpoint are not usable; every answer or network failure is a Result."""
        receiver, auth_secret = decode_keys(device.p256dh, device.auth)
        authorization = self._signer.authorization(device.endpoint)
        body = encrypt(message.payload, receiver, auth_secret)
        headers = {
            "TTL": str(message.ttl),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Urgency": message.urgency,
            "Authorization": authorization,
        }
        if message.topic is not None:
            headers["Topic"] = message.topic
        if self._session is None:
            self._session = new_session(
                self.max_in_flight, self._timeout, public_only=self._public_only
            )
        async with self._slots:
            try:
                answer = await post(self._session, device.endpoint, body, headers)
            except (aiohttp.ClientError, TimeoutError) as error:
                return Result(Outcome.RETRY, None, None, f"network: {type(error).__name__}")
        return self._judge(device.endpoint, *answer)

    def _judge(self, endpoint: str, status: int, retry_after: str | None, text: str) -> Result:
        if status in (200, 201, 202):
            return Result(Outcome.SENT, status, None, f"sent ({status})")
        if status in (404, 410):
            return Result(Outcome.GONE, status, None, f"subscription gone ({status})")
        if status == 429 or 500 <= status <= 599:
            seconds = parse_retry_after(retry_after, self._signer.now())
            return Result(Outcome.RETRY, status, seconds, f"push service busy ({status})")
        # The endpoint is a capability (whoever holds it can address the phone): log its
        # origin only.
        origin = endpoint_origin(endpoint)
        if status == 413:
            log.error(
                "push payload too large for the push service",
                extra={"status": status, "origin": origin, "body": text[:200]},
            )
            return Result(Outcome.FAILED, status, None, "payload too large (413)")
        log.warning(
            "push refused",
            extra={"status": status, "origin": origin, "body": text[:200]},
        )
        return Result(Outcome.FAILED, status, None, f"refused ({status}): {text[:80]}")

    async def aclose(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
