"""The Web Push sender against a real push service on loopback (tests/push_service.py):
what arrives is decrypted and checked there, and each answer maps to an outcome."""

from __future__ import annotations

import ast
import asyncio
import json
import logging
import socket
import time
from collections.abc import AsyncIterator
from email.utils import formatdate
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
from py_vapid.jwt import decode as decode_jwt  # type: ignore[import-untyped]

from server.push import (
    Device,
    Outcome,
    PushMessage,
    PushSender,
    VapidSigner,
    check_keys,
    generate_keypair,
    public_key_b64,
)
from server.push.sender import MAX_PLAINTEXT, encrypt, parse_retry_after
from server.push.vapid import endpoint_origin
from tests.push_service import PushService

SUBJECT = "mailto:ops@salon.test"


@pytest.fixture(scope="module")
def keypair() -> tuple[str, str]:
    return generate_keypair()


@pytest.fixture
async def service(keypair: tuple[str, str]) -> AsyncIterator[PushService]:
    async with PushService.running(keypair[1]) as running:
        yield running
    # Every test's sends must have passed the service's checks unless it says otherwise.


@pytest.fixture
def signer(keypair: tuple[str, str]) -> VapidSigner:
    return VapidSigner(keypair[0], SUBJECT)


@pytest.fixture
async def sender(signer: VapidSigner) -> AsyncIterator[PushSender]:
    push = PushSender(signer)
    yield push
    await push.aclose()


def device_of(subscription: dict[str, Any]) -> Device:
    keys = subscription["keys"]
    return Device(subscription["endpoint"], keys["p256dh"], keys["auth"])


def message(body: dict[str, Any] | None = None, **options: Any) -> PushMessage:
    payload = json.dumps(body or {"kind": "notice", "id": 1}).encode()
    return PushMessage(payload=payload, **{"ttl": 3600, **options})


def jwt_claims(token: str, public_key: str) -> dict[str, Any]:
    claims: dict[str, Any] = decode_jwt(token, public_key)
    return claims


# -- keys ------------------------------------------------------------------------------


def test_keypair_public_key_is_the_uncompressed_point(keypair: tuple[str, str]) -> None:
    private_pem, public = keypair
    assert private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert "=" not in public
    assert len(public) == 87  # 65 bytes, base64url without padding
    assert public.startswith("B")  # 0x04 …
    assert public_key_b64(private_pem) == public
    assert generate_keypair()[1] != public


@pytest.mark.parametrize(
    "pem",
    [
        "not a key",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    ],
)
def test_a_bad_private_key_is_refused(pem: str) -> None:
    with pytest.raises(ValueError, match="VAPID private key"):
        VapidSigner(pem, SUBJECT)


def test_an_rsa_or_other_curve_key_is_refused() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(ValueError, match="P-256"):
        VapidSigner(other.decode(), SUBJECT)


# -- delivery ----------------------------------------------------------------------------


async def test_round_trip_decrypts_to_what_was_sent(
    service: PushService, sender: PushSender, keypair: tuple[str, str]
) -> None:
    subscription = service.new_device()
    body = {"kind": "notice", "id": 42, "text": "Salle A1 → B2, à 14 h"}
    result = await sender.send(
        device_of(subscription), message(body, ttl=900, urgency="high", topic="agenda-42")
    )
    assert (result.outcome, result.status) == (Outcome.SENT, 201)
    [received] = await service.wait_for(1)
    assert received.device_id == PushService.device_id(subscription)
    assert received.payload == body
    assert (received.ttl, received.urgency, received.topic) == (900, "high", "agenda-42")
    claims = jwt_claims(received.authorization_jwt, keypair[1])
    assert claims["aud"] == service.origin
    assert claims["sub"] == SUBJECT
    assert service.rejections == []


async def test_defaults_send_normal_urgency_and_no_topic(
    service: PushService, sender: PushSender
) -> None:
    subscription = service.new_device()
    assert (await sender.send(device_of(subscription), message())).outcome is Outcome.SENT
    [received] = await service.wait_for(1)
    assert (received.urgency, received.topic) == ("normal", None)
    assert service.rejections == []


async def test_the_largest_payload_fits_one_4096_byte_record(
    service: PushService, sender: PushSender
) -> None:
    # {"pad": "xxx…"} padded to exactly the limit.
    filler = "x" * (MAX_PLAINTEXT - len(json.dumps({"pad": ""})))
    payload = json.dumps({"pad": filler}).encode()
    assert len(payload) == MAX_PLAINTEXT
    device = device_of(service.new_device())
    result = await sender.send(device, PushMessage(payload=payload, ttl=60))
    assert result.outcome is Outcome.SENT, service.rejections
    [received] = await service.wait_for(1)
    assert received.payload == {"pad": filler}


def test_each_message_has_its_own_sender_key_and_salt(service: PushService) -> None:
    from server.push.sender import decode_keys

    keys = service.new_device()["keys"]
    receiver, auth = decode_keys(keys["p256dh"], keys["auth"])
    first, second = encrypt(b"{}", receiver, auth), encrypt(b"{}", receiver, auth)
    # aes128gcm header: salt (16), record size (4), key id length (1), key id (65)
    assert first[:16] != second[:16]
    assert first[21:86] != second[21:86]
    assert first[20] == 65
    assert int.from_bytes(first[16:20], "big") == 4096


async def test_many_sends_reuse_connections(service: PushService, sender: PushSender) -> None:
    devices = [device_of(service.new_device()) for _ in range(20)]
    for device in devices:  # one after the other: one connection is enough for all
        assert (await sender.send(device, message())).outcome is Outcome.SENT
    await service.wait_for(20)
    assert service.rejections == []
    assert len(service.connections) == 1


# -- VAPID -------------------------------------------------------------------------------


async def test_jwt_is_reused_per_origin_then_signed_anew(
    service: PushService, keypair: tuple[str, str]
) -> None:
    start = float(int(time.time()))
    clock = [start]
    signer = VapidSigner(keypair[0], SUBJECT, now=lambda: clock[0])
    sender = PushSender(signer)
    device = device_of(service.new_device())
    try:
        await sender.send(device, message())
        await sender.send(device, message())
        clock[0] = start + 10 * 3600  # 2 h left: still good
        await sender.send(device, message())
        clock[0] = start + 11 * 3600 + 1  # under 1 h left: a new one
        await sender.send(device, message())
    finally:
        await sender.aclose()
    tokens = [received.authorization_jwt for received in await service.wait_for(4)]
    assert tokens[0] == tokens[1] == tokens[2]
    assert tokens[3] != tokens[0]
    assert jwt_claims(tokens[0], keypair[1])["exp"] == int(start) + 12 * 3600
    assert jwt_claims(tokens[3], keypair[1])["exp"] == int(start) + 23 * 3600 + 1
    assert service.rejections == []


def test_authorization_header_form_and_audience_per_origin(
    signer: VapidSigner, keypair: tuple[str, str]
) -> None:
    header = signer.authorization("https://fcm.googleapis.com/fcm/send/abc")
    scheme, params = header.split(" ", 1)
    assert scheme == "vapid"
    token_part, key_part = params.split(", ")
    assert key_part == f"k={keypair[1]}"
    token = token_part.removeprefix("t=")
    assert jwt_claims(token, keypair[1])["aud"] == "https://fcm.googleapis.com"
    # Same origin, other path: the same token; another origin: its own.
    assert signer.authorization("https://fcm.googleapis.com/fcm/send/other") == header
    other = signer.authorization("https://updates.push.services.mozilla.com/wpush/v2/x")
    assert other != header
    other_token = other.split(" ", 1)[1].split(", ")[0].removeprefix("t=")
    assert jwt_claims(other_token, keypair[1])["aud"] == "https://updates.push.services.mozilla.com"
    # The same origin written differently shares the token; a port or a query after
    # the authority is still read as the endpoint's own origin.
    assert signer.authorization("https://FCM.googleapis.com:443/fcm/send/x") == header
    for endpoint, origin in [
        ("https://fcm.googleapis.com:8443/fcm/send/x", "https://fcm.googleapis.com:8443"),
        ("https://fcm.googleapis.com?x=/y", "https://fcm.googleapis.com"),
    ]:
        token = signer.authorization(endpoint).split(" ", 1)[1].split(", ")[0][2:]
        assert jwt_claims(token, keypair[1])["aud"] == origin


@pytest.mark.parametrize(
    ("endpoint", "origin"),
    [
        ("https://FCM.googleapis.com:443/fcm/send/x", "https://fcm.googleapis.com"),
        ("http://127.0.0.1:8080/push/x", "http://127.0.0.1:8080"),
        ("http://example.test:80/p", "http://example.test"),
        ("https://[::1]:8443/p", "https://[::1]:8443"),
    ],
)
def test_audience_is_the_endpoint_origin(endpoint: str, origin: str) -> None:
    assert endpoint_origin(endpoint) == origin


@pytest.mark.parametrize(
    "endpoint", ["ftp://push.example/x", "https:///nohost", "not a url", "https://h:99999/x"]
)
def test_an_endpoint_that_is_no_http_url_is_refused(signer: VapidSigner, endpoint: str) -> None:
    with pytest.raises(ValueError, match="push endpoint"):
        signer.authorization(endpoint)


def test_subject_must_be_mailto_or_https(keypair: tuple[str, str]) -> None:
    with pytest.raises(ValueError, match="subject"):
        VapidSigner(keypair[0], "ops@salon.test")


# -- what the push service answers ----------------------------------------------------------


async def test_410_is_gone(service: PushService, sender: PushSender) -> None:
    subscription = service.new_device()
    service.gone(PushService.device_id(subscription))
    result = await sender.send(device_of(subscription), message())
    assert (result.outcome, result.status) == (Outcome.GONE, 410)
    assert service.received == []
    assert service.rejections == []


async def test_404_is_gone(service: PushService, sender: PushSender) -> None:
    subscription = service.new_device()
    service.answer(PushService.device_id(subscription), 404)
    result = await sender.send(device_of(subscription), message())
    assert (result.outcome, result.status) == (Outcome.GONE, 404)


@pytest.mark.parametrize("public_only", [True, False])
async def test_a_name_is_connected_to_only_at_a_public_address(
    service: PushService, signer: VapidSigner, public_only: bool
) -> None:
    """A name checked once can be pointed at a private address before the connection
    (DNS rebinding): the client itself refuses to connect there."""
    subscription = service.new_device()
    endpoint = subscription["endpoint"].replace("127.0.0.1", "localhost")
    sender = PushSender(signer, public_only=public_only)
    try:
        keys = subscription["keys"]
        device = Device(endpoint, keys["p256dh"], keys["auth"])
        result = await sender.send(device, message())
    finally:
        await sender.aclose()
    if public_only:
        assert (result.outcome, result.status) == (Outcome.RETRY, None)
        assert "ClientConnectorDNSError" in result.detail
        assert service.rejections == []  # it never got there
    else:  # tests and a push service on this machine (SALON_PUSH_ALLOW_INSECURE)
        # It got there: the service refuses only the JWT's audience, which names
        # "localhost" (the service checks it against its own 127.0.0.1 origin).
        assert result.status == 401
        assert "aud 'http://localhost:" in result.detail


async def test_a_redirect_is_not_followed(service: PushService, sender: PushSender) -> None:
    """A push service never redirects; one that did could point the worker anywhere."""
    target, subscription = service.new_device(), service.new_device()
    service.answer(PushService.device_id(subscription), 307, location=target["endpoint"])
    result = await sender.send(device_of(subscription), message())
    assert (result.outcome, result.status) == (Outcome.FAILED, 307)
    assert service.received == []


async def test_429_with_delta_seconds_then_accepted(
    service: PushService, sender: PushSender
) -> None:
    subscription = service.new_device()
    service.answer(PushService.device_id(subscription), 429, times=2, retry_after="7")
    device = device_of(subscription)
    for _ in range(2):
        result = await sender.send(device, message())
        assert (result.outcome, result.status, result.retry_after) == (Outcome.RETRY, 429, 7.0)
    assert (await sender.send(device, message())).outcome is Outcome.SENT
    assert len(await service.wait_for(1)) == 1
    assert service.rejections == []


async def test_429_with_an_http_date(service: PushService, keypair: tuple[str, str]) -> None:
    now = float(int(time.time()))
    sender = PushSender(VapidSigner(keypair[0], SUBJECT, now=lambda: now))
    subscription = service.new_device()
    service.answer(
        PushService.device_id(subscription), 429, retry_after=formatdate(now + 30, usegmt=True)
    )
    try:
        result = await sender.send(device_of(subscription), message())
    finally:
        await sender.aclose()
    assert (result.outcome, result.retry_after) == (Outcome.RETRY, 30.0)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("soon", None),
        ("-5", None),
        ("7", 7.0),
        (" 12 ", 12.0),
        ("0", 0.0),
        ("86400", 3600.0),
        ("9" * 40, 3600.0),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 0.0),  # in the past
        ("Fri, 04 Dec 2026 10:00:30 GMT", 30.0),
        ("Fri, 04 Dec 2026 10:00:30 -0000", 30.0),
    ],
)
def test_retry_after_parsing(header: str | None, seconds: float | None) -> None:
    fair_morning = 1796378400.0  # Fri, 04 Dec 2026 10:00:00 GMT
    assert parse_retry_after(header, fair_morning) == seconds


async def test_500_is_retry_without_retry_after(service: PushService, sender: PushSender) -> None:
    subscription = service.new_device()
    service.answer(PushService.device_id(subscription), 500, times=3)
    device = device_of(subscription)
    for _ in range(3):
        result = await sender.send(device, message())
        assert (result.outcome, result.status, result.retry_after) == (Outcome.RETRY, 500, None)
    assert (await sender.send(device, message())).outcome is Outcome.SENT


async def test_503_with_retry_after(service: PushService, sender: PushSender) -> None:
    subscription = service.new_device()
    service.answer(PushService.device_id(subscription), 503, retry_after="120")
    result = await sender.send(device_of(subscription), message())
    assert (result.outcome, result.status, result.retry_after) == (Outcome.RETRY, 503, 120.0)


async def test_413_is_failed_and_logged_as_our_bug(
    service: PushService, sender: PushSender, caplog: pytest.LogCaptureFixture
) -> None:
    subscription = service.new_device()
    service.answer(PushService.device_id(subscription), 413)
    with caplog.at_level(logging.WARNING, logger="salon.push"):
        result = await sender.send(device_of(subscription), message())
    assert (result.outcome, result.status) == (Outcome.FAILED, 413)
    [record] = [r for r in caplog.records if r.name == "salon.push"]
    assert record.levelno == logging.ERROR
    assert record.__dict__["origin"] == service.origin  # never the whole endpoint


async def test_400_is_failed_and_logs_the_body(
    service: PushService, sender: PushSender, caplog: pytest.LogCaptureFixture
) -> None:
    subscription = service.new_device()
    service.answer(PushService.device_id(subscription), 400)
    with caplog.at_level(logging.WARNING, logger="salon.push"):
        result = await sender.send(device_of(subscription), message())
    assert (result.outcome, result.status) == (Outcome.FAILED, 400)
    [record] = [r for r in caplog.records if r.name == "salon.push"]
    assert record.levelno == logging.WARNING
    assert (record.__dict__["status"], record.__dict__["body"]) == (400, "scripted answer")


async def test_connection_refused_is_retry(sender: PushSender, service: PushService) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    keys = service.new_device()["keys"]
    device = Device(f"http://127.0.0.1:{port}/push/x", keys["p256dh"], keys["auth"])
    result = await sender.send(device, message())
    assert (result.outcome, result.status, result.retry_after) == (Outcome.RETRY, None, None)
    assert "ClientConnectorError" in result.detail


async def test_a_timeout_is_retry_and_the_service_drops_the_message(
    service: PushService, signer: VapidSigner
) -> None:
    sender = PushSender(signer, timeout=0.5)
    subscription = service.new_device()
    gate = service.hold(PushService.device_id(subscription))
    try:
        result = await sender.send(device_of(subscription), message())
    finally:
        await sender.aclose()
    assert (result.outcome, result.status) == (Outcome.RETRY, None)
    await service.until(lambda s: s.dropped == 1)
    gate.set()
    assert service.received == []


async def test_a_sender_killed_mid_batch_leaves_held_messages_unaccepted(
    service: PushService, signer: VapidSigner
) -> None:
    sender = PushSender(signer)
    gate = service.hold()
    sent = [
        asyncio.create_task(sender.send(device_of(service.new_device()), message()))
        for _ in range(10)
    ]
    await service.wait_held(10)
    for task in sent:
        task.cancel()
    await asyncio.gather(*sent, return_exceptions=True)
    await sender.aclose()
    await service.until(lambda s: s.dropped == 10)
    gate.set()
    assert service.received == []
    assert service.rejections == []


# -- bounds ------------------------------------------------------------------------------------


async def test_no_more_than_max_in_flight_requests_at_once(
    service: PushService, signer: VapidSigner
) -> None:
    # A session whose own pool allows far more: only the sender's bound holds it to 50.
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1000))
    sender = PushSender(signer, session=session, max_in_flight=50)
    gate = service.hold()
    devices = [device_of(service.new_device()) for _ in range(300)]
    sends = [asyncio.create_task(sender.send(device, message())) for device in devices]
    await service.wait_held(50)
    gate.set()
    results = await asyncio.gather(*sends)
    await sender.aclose()
    await session.close()
    assert {result.outcome for result in results} == {Outcome.SENT}
    assert len(await service.wait_for(300)) == 300
    assert service.peak_in_flight == 50
    assert service.rejections == []


def test_device_keys_are_checked() -> None:
    good_key = "B" + "A" * 86  # 0x04 then zeros: 65 bytes, but no point on the curve
    good_auth = "A" * 22
    cases = {
        ("AAAA", good_auth): "p256dh must decode to 65 bytes",
        ("A" * 87, good_auth): "uncompressed P-256 point",
        (good_key, good_auth): "not a point on P-256",
        ("B+" + "A" * 85, good_auth): "p256dh is not base64url",
        ("B" * 500, good_auth): "p256dh must be a base64url string",
    }
    for (p256dh, auth), error in cases.items():
        with pytest.raises(ValueError, match=error):
            check_keys(p256dh, auth)


async def test_bad_device_keys_are_refused_before_any_request(
    service: PushService, sender: PushSender
) -> None:
    keys = service.new_device()["keys"]
    check_keys(keys["p256dh"], keys["auth"])
    check_keys(keys["p256dh"] + "=", keys["auth"] + "==")  # padding is optional
    endpoint = f"{service.origin}/push/x"
    for p256dh, auth, error in [
        (keys["p256dh"], "AAAA", "auth must decode to 16 bytes"),
        (keys["p256dh"], keys["auth"] + "AA", "auth must decode to 16 bytes"),
        (keys["p256dh"][:-4], keys["auth"], "p256dh must decode to 65 bytes"),
        (keys["p256dh"], "%%%", "auth is not base64url"),
    ]:
        with pytest.raises(ValueError, match=error):
            await sender.send(Device(endpoint, p256dh, auth), message())
    assert service.posts == 0


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"ttl": 0}, "TTL"),
        ({"ttl": -1}, "TTL"),
        ({"ttl": "60"}, "TTL"),
        ({"ttl": True}, "TTL"),
        ({"ttl": 10**9}, "TTL"),
        ({"urgency": "urgent"}, "urgency"),
        ({"topic": "x" * 33}, "topic"),
        ({"topic": "agenda:42"}, "topic"),
        ({"topic": ""}, "topic"),
        ({"payload": b""}, "payload"),
        ({"payload": b"x" * (MAX_PLAINTEXT + 1)}, "3994 bytes"),
    ],
)
def test_bad_messages_are_refused(options: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        PushMessage(**{"payload": b"{}", "ttl": 60, **options})


def test_the_push_package_is_a_leaf() -> None:
    """server.push is bytes over HTTP: it imports nothing of the product."""
    package = Path(__file__).parent.parent / "server" / "push"
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert name.split(".")[0] != "schema", (module.name, name)
                if name.startswith("server."):
                    assert name.startswith("server.push"), (module.name, name)


# -- the push service's own checks: a test that asserts no rejections must mean something ---


async def test_the_push_service_refuses_what_a_real_one_would(
    service: PushService, keypair: tuple[str, str]
) -> None:
    subscription = service.new_device()
    device = device_of(subscription)
    from server.push.sender import decode_keys

    receiver, auth = decode_keys(device.p256dh, device.auth)
    body = encrypt(b'{"ok": true}', receiver, auth)
    now = time.time()
    good = {
        "TTL": "60",
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "Authorization": VapidSigner(keypair[0], SUBJECT).authorization(device.endpoint),
    }
    other_private, other_public = generate_keypair()
    forged = VapidSigner(other_private, SUBJECT).authorization(device.endpoint)
    cases: list[tuple[dict[str, str], bytes, int]] = [
        ({"Authorization": forged}, body, 403),  # k= is another key
        ({"Authorization": forged.replace(other_public, keypair[1])}, body, 401),  # bad sig
        ({"Authorization": "WebPush abc"}, body, 401),
        (
            {
                "Authorization": VapidSigner(keypair[0], SUBJECT).authorization(
                    "https://elsewhere.example/x"
                )
            },
            body,
            401,
        ),
        (
            {
                "Authorization": VapidSigner(
                    keypair[0], SUBJECT, now=lambda: now - 13 * 3600
                ).authorization(device.endpoint)
            },
            body,
            401,
        ),
        (
            {
                "Authorization": VapidSigner(
                    keypair[0], SUBJECT, now=lambda: now + 13 * 3600
                ).authorization(device.endpoint)
            },
            body,
            401,
        ),
        ({"TTL": "soon"}, body, 400),
        ({"TTL": ""}, body, 400),
        ({"Urgency": "urgent"}, body, 400),
        ({"Topic": "a:b"}, body, 400),
        ({"Content-Encoding": "aesgcm"}, body, 400),
        ({}, body[:-1], 400),  # the tag no longer matches
        ({}, encrypt(b"not json", receiver, auth), 400),
        ({}, b"x" * 4097, 413),
    ]
    async with httpx.AsyncClient() as client:
        for changed, content, status in cases:
            response = await client.post(
                device.endpoint, content=content, headers={**good, **changed}
            )
            assert response.status_code == status, (changed, response.text)
        missing_ttl = {k: v for k, v in good.items() if k != "TTL"}
        response = await client.post(device.endpoint, content=body, headers=missing_ttl)
        assert response.status_code == 400
        response = await client.post(device.endpoint, content=body, headers=good)
        assert response.status_code == 201
    assert len(service.rejections) == len(cases) + 1
    assert [received.payload for received in service.received] == [{"ok": True}]
