"""Opaque secrets: bearer tokens and sign-in codes; only hashes are kept."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "salon_"  # noqa: S105 - a prefix, not a secret


def new_bearer_token() -> str:
    """256 random bits; the prefix lets secret scanners recognise a leaked token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def new_sign_in_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def hash_sign_in_code(email: str, code: str) -> bytes:
    # Salted with the email so equal codes of two people never share a hash.
    return hashlib.sha256(f"{email}\0{code}".encode()).digest()
