"""The server's VAPID key pair (RFC 8292): a P-256 key kept as PEM, its public half as the
applicationServerKey a browser subscribes with."""

from __future__ import annotations

import base64
import binascii
import re

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02  # type: ignore[import-untyped]


def b64url(data: bytes) -> str:
    """base64url without padding, as Web Push writes keys and JWT parts."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_B64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def b64url_decode(text: str) -> bytes:
    """Strict base64url, padding optional (PushSubscription.toJSON() leaves it out);
    ValueError for anything outside the alphabet."""
    if not _B64URL.fullmatch(text):
        raise ValueError("not base64url")
    stripped = text.rstrip("=")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except binascii.Error as error:  # a length no encoding gives (4n + 1)
        raise ValueError("not base64url") from error


def generate_keypair() -> tuple[str, str]:
    """A new VAPID P-256 key pair: (private key as PEM text, public key as base64url of the
    uncompressed point, no padding — what PushManager.subscribe's applicationServerKey takes)."""
    vapid = Vapid02()
    vapid.generate_keys()
    private_pem: str = vapid.private_pem().decode("ascii")
    return private_pem, public_key_b64(private_pem)


def load_private_key(private_pem: str) -> ec.EllipticCurvePrivateKey:
    """The P-256 private key in `private_pem`; ValueError for anything else (another curve,
    RSA, garbage) so a misconfigured key fails at start-up, not at the first push."""
    # cryptography's loader, not Vapid.from_pem: that one base64-decodes the lines between
    # the first and the last and so breaks on a PEM with surrounding text or blank lines.
    try:
        key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError) as error:
        raise ValueError(f"VAPID private key is not an unencrypted PEM key: {error}") from error
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("VAPID private key must be an EC P-256 key (RFC 8292 §3.2)")
    return key


def raw_public_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    """The 65-byte uncompressed point (0x04 ‖ X ‖ Y)."""
    return key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def public_key_b64(private_pem: str) -> str:
    return b64url(raw_public_key(load_private_key(private_pem)))
