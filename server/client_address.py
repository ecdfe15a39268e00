"""The address a request comes from: what per-client quotas are counted against.

uvicorn decides `request.client`. Left to itself it believes `X-Forwarded-For` from
127.0.0.1, so anything on the machine (or a proxy that passes the header through)
could pick its own address. Here proxy headers are believed only from the proxies in
SALON_TRUSTED_PROXIES (none by default), and `salon serve` and the tests build
uvicorn with the same options, from `uvicorn_proxy_options`.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from starlette.requests import HTTPConnection

from server.settings import Settings, env_name

#: Hosts that are not IP addresses (a trusted proxy's odd header) are cut to this length.
_MAX_HOST = 64


def trusted_proxies(setting: str) -> list[str]:
    """The IP addresses and networks (CIDR) of a comma-separated setting, normalised.

    ValueError, naming the setting, on anything else: uvicorn would silently compare
    a misspelt entry as text and never match it.
    """
    found = []
    for raw in setting.split(","):
        entry = raw.strip()
        if not entry:
            continue
        try:
            if "/" in entry:
                found.append(str(ipaddress.ip_network(entry, strict=False)))
            else:
                found.append(str(ipaddress.ip_address(entry)))
        except ValueError:
            raise ValueError(
                f"{env_name('trusted_proxies')}: {entry!r} is not an IP address or network"
            ) from None
    return found


def uvicorn_proxy_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for uvicorn.run / uvicorn.Config about proxy headers."""
    proxies = trusted_proxies(settings.trusted_proxies)
    if not proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": proxies}


def client_address(connection: HTTPConnection | None) -> str:
    """Who a request is counted against: its IPv4 address, or the /64 of an IPv6 one.

    One subscriber line or phone usually gets a whole IPv6 /64: counting single
    addresses would give it 2**64 turns.
    """
    client = connection.client if connection is not None else None
    host = client.host if client is not None else ""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host[:_MAX_HOST] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
