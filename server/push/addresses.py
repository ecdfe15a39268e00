"""Which addresses a push may go to: public ones only.

An endpoint is whatever a browser (or an attacker posing as one) registered. Its host
is checked when it is registered and again before each push, but a name can be
pointed at a private address between that check and the connection. The resolver
here closes that window: the HTTP client connects only to the public addresses a name
resolves to at the moment it connects, and fails the push (retried later, like any
network error) when there are none.
"""

from __future__ import annotations

import ipaddress
import socket

from aiohttp import ThreadedResolver
from aiohttp.abc import AbstractResolver, ResolveResult


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


class PublicOnlyResolver(AbstractResolver):
    """The system resolver, keeping only globally routable addresses."""

    def __init__(self, resolver: AbstractResolver | None = None) -> None:
        self._resolver = resolver or ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._resolver.resolve(host, port, family)
        public = [r for r in found if is_public_address(ipaddress.ip_address(r["host"]))]
        if not public:
            raise OSError(f"{host[:200]} resolves to no public address")
        return public

    async def close(self) -> None:
        await self._resolver.close()
