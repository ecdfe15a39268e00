"""Web Push devices: the deployment's VAPID key, and the subscriptions people register.

An endpoint is where the server will POST: it must be a push service on the public
internet, so that nobody can make Salon send requests into its own network (SSRF).
https:// only, and no loopback, private, link-local or otherwise non-global address
literal nor local name; the sender checks the resolved addresses again before each
push (workers/push.py). `allow_insecure` (SALON_PUSH_ALLOW_INSECURE) lifts both rules
for the tests and for a push service on the developer's machine.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from server.db.queries import push as sql
from server.db.queries.common import Executor
from server.db.queries.push import DeviceDraft
from server.domain.errors import DomainError, ErrorCode, bad_input
from server.domain.plans import Pool
from server.push import keys
from server.push.addresses import is_public_address
from server.push.sender import check_keys

#: Longest endpoint accepted (FCM's are ~200 characters, Apple's and Mozilla's shorter).
MAX_ENDPOINT = 1024
#: Host names that never reach a public push service.
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan")


@dataclass(frozen=True, slots=True)
class PushRules:
    allow_insecure: bool = False
    #: Devices one person may register (phones, tablets, laptops).
    max_devices: int = 10


@dataclass(frozen=True, slots=True)
class DeviceInput:
    """What `PushSubscription.toJSON()` gives, plus the device's language."""

    endpoint: str
    p256dh: str
    auth: str
    lang: str
    expiration_ms: float | None = None


async def public_key(db: Executor, now: datetime) -> str:
    return (await ensure_key(db, now)).public_key


async def ensure_key(db: Executor, now: datetime) -> sql.KeyRow:
    """The deployment's key pair, made at first use; concurrent first uses agree on one."""
    found = await sql.key(db)
    if found is None:
        private_pem, public = keys.generate_keypair()
        await sql.insert_key_once(db, private_pem, public, now)
        found = await sql.key(db)
    if found is None:  # inserted just above, or by whoever won the race
        raise RuntimeError("the push key could not be stored")
    return found


async def register(
    db: Pool, person_id: int, device: DeviceInput, rules: PushRules, now: datetime
) -> None:
    draft = _checked(device, rules)
    async with db.acquire() as conn, conn.transaction():
        saved = await sql.save_device(conn, person_id, draft, now, max_devices=rules.max_devices)
    if not saved:
        raise DomainError(
            ErrorCode.RATE_LIMITED,
            f"You already receive notifications on {rules.max_devices} devices: "
            "turn them off on one first.",
        )


async def unregister(db: Executor, person_id: int, endpoint: str) -> bool:
    _bounded_endpoint(endpoint)
    return await sql.delete_device(db, person_id, endpoint)


async def renew(
    db: Pool,
    old_endpoint: str,
    old_auth: str,
    device: DeviceInput,
    rules: PushRules,
    now: datetime,
) -> None:
    """The browser replaced a subscription (`pushsubscriptionchange`): the service worker
    proves it held the old one by its auth secret, which only the device and Salon know,
    and the new one takes its place for the same person. No bearer token needed."""
    _bounded_endpoint(old_endpoint)
    if len(old_auth) > 64:
        raise bad_input("That is not a subscription's auth secret.")
    draft = _checked(device, rules)
    async with db.acquire() as conn, conn.transaction():
        person_id = await sql.owner_by_secret(conn, old_endpoint, old_auth)
        if person_id is None:
            raise DomainError(ErrorCode.NOT_FOUND, "No such subscription (or not yours).")
        await sql.delete_device(conn, person_id, old_endpoint)
        await sql.save_device(conn, person_id, draft, now, max_devices=rules.max_devices)


def _checked(device: DeviceInput, rules: PushRules) -> DeviceDraft:
    check_endpoint(device.endpoint, allow_insecure=rules.allow_insecure)
    try:
        check_keys(device.p256dh, device.auth)
    except ValueError as error:
        raise bad_input(f"The subscription's keys are not valid: {error}") from None
    return DeviceDraft(
        endpoint=device.endpoint,
        p256dh=device.p256dh,
        auth=device.auth,
        lang=device.lang,
        expires_at=_expiry(device.expiration_ms),
    )


def check_endpoint(endpoint: str, *, allow_insecure: bool) -> None:
    """BAD_USER_INPUT unless Salon may POST to this endpoint (see the module's comment)."""
    _bounded_endpoint(endpoint)
    parts = urlsplit(endpoint)
    try:
        host = parts.hostname
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        raise bad_input("The endpoint is not a valid URL.") from None
    if not host or parts.username is not None or parts.password is not None:
        raise bad_input("The endpoint must be a push service's URL, with a host and no user.")
    if allow_insecure:
        if parts.scheme not in ("https", "http"):
            raise bad_input("The endpoint must be an http(s) URL.")
        return
    if parts.scheme != "https":
        raise bad_input("The endpoint must be an https:// URL.")
    if not is_public_host(host):
        raise bad_input("The endpoint must be a push service on the internet, not a local address.")


def is_public_host(host: str) -> bool:
    """False for an address literal that is not globally routable, and for local names."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        name = host.rstrip(".").lower()
        return "." in name and not (name == "localhost" or name.endswith(_LOCAL_SUFFIXES))
    return is_public_address(address)


def _bounded_endpoint(endpoint: str) -> None:
    if len(endpoint) > MAX_ENDPOINT or "\x00" in endpoint:
        raise bad_input(f"The endpoint must be a URL of at most {MAX_ENDPOINT} characters.")


def _expiry(expiration_ms: float | None) -> datetime | None:
    if expiration_ms is None:
        return None
    # Up to the year 9999: a bigger or non-finite number is nobody's expiry.
    if not math.isfinite(expiration_ms) or not 0 <= expiration_ms <= 253_402_300_799_000:
        raise bad_input("expirationTime must be milliseconds since 1970, or null.")
    return datetime.fromtimestamp(expiration_ms / 1000, tz=UTC)
