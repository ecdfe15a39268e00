"""VAPID (RFC 8292): the Authorization header that tells a push service who sends."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import urlsplit

from py_vapid.jwt import sign as sign_jwt  # type: ignore[import-untyped]

from server.push.keys import b64url, load_private_key, raw_public_key

#: How long a token is valid. RFC 8292 §2 caps exp at 24 h; 12 h leaves room for a push
#: service whose clock runs ahead of ours.
TOKEN_LIFETIME_SECONDS = 12 * 3600
#: A token with less than this left is signed anew, so none expires while in flight.
RENEW_BEFORE_SECONDS = 3600
#: Endpoints come from browsers (a handful of push services), but an origin per
#: registration must not grow the cache without end.
MAX_CACHED_ORIGINS = 1024

_DEFAULT_PORTS = {"http": 80, "https": 443}


def endpoint_origin(endpoint: str) -> str:
    """scheme://host[:port] of a push endpoint, the JWT's `aud` (RFC 8292 §2)."""
    parts = urlsplit(endpoint)
    scheme = parts.scheme.lower()
    try:
        host, port = parts.hostname, parts.port
    except ValueError as error:  # a port that is not a number or out of range
        raise ValueError(f"push endpoint has a bad port: {endpoint[:200]!r}") from error
    if scheme not in _DEFAULT_PORTS or not host:
        raise ValueError(f"push endpoint is not an http(s) URL: {endpoint[:200]!r}")
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


class VapidSigner:
    def __init__(
        self, private_pem: str, subject: str, *, now: Callable[[], float] = time.time
    ) -> None:
        # RFC 8292 §2.1: a contact the push service can reach if our pushes misbehave.
        if not subject.startswith(("mailto:", "https:")):
            raise ValueError("VAPID subject must be a mailto: or https: URI (RFC 8292 §2.1)")
        self._key = load_private_key(private_pem)
        self._public_b64 = b64url(raw_public_key(self._key))
        self._subject = subject
        self.now = now
        # origin → (Authorization header, exp): one signature per origin and 11 hours.
        self._tokens: OrderedDict[str, tuple[str, int]] = OrderedDict()
        # "scheme://authority" as written → its origin: a fan-out parses each once.
        self._origins: dict[str, str] = {}

    @property
    def public_key(self) -> str:
        return self._public_b64

    def authorization(self, endpoint: str) -> str:
        """'vapid t=<JWT>, k=<public key b64url>' (RFC 8292 §3). The JWT (ES256; aud = the
        endpoint's origin scheme://host[:port]; exp = now + 12 h; sub = subject) is reused per
        origin until less than 1 h of it is left, not signed per message."""
        origin = self._origin_of(endpoint)
        now = self.now()
        cached = self._tokens.get(origin)
        if cached is not None and cached[1] - now >= RENEW_BEFORE_SECONDS:
            return cached[0]
        exp = int(now) + TOKEN_LIFETIME_SECONDS
        # py_vapid signs ES256 with the raw r‖s signature JWS wants and sorted claims
        # (some push services reject unsorted ones).
        token: str = sign_jwt({"aud": origin, "exp": exp, "sub": self._subject}, self._key)
        header = f"vapid t={token}, k={self._public_b64}"
        self._tokens[origin] = (header, exp)
        self._tokens.move_to_end(origin)
        while len(self._tokens) > MAX_CACHED_ORIGINS:
            self._tokens.popitem(last=False)
        return header

    def _origin_of(self, endpoint: str) -> str:
        # Everything before the path's first "/" holds the scheme and the authority, so
        # two endpoints that share it share their origin.
        cut = endpoint.find("/", endpoint.find("//") + 2)
        prefix = endpoint if cut < 0 else endpoint[:cut]
        origin = self._origins.get(prefix)
        if origin is None:
            origin = endpoint_origin(endpoint)
            if len(self._origins) >= MAX_CACHED_ORIGINS:
                self._origins.clear()
            self._origins[prefix] = origin
        return origin
