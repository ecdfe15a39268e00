"""Which pages may open a websocket: the server's own, those SALON_ALLOWED_ORIGINS
lists, and clients that send no Origin at all; any other page's handshake gets 403."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
import websockets
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from schema.app import allowed_origins
from server.app import create_app
from server.settings import Settings
from tests.conftest import LiveServer, replace, start_server, stop_server
from tests.live_client import PROTOCOL

PWA = "https://pwa.salon.example"
EMBED = "https://stand.example:8443"


async def handshake(url: str, origin: str | None) -> int | str:
    """What the server answers a handshake from `origin`: the connection_init's answer
    once the socket opened, or the HTTP status that refused it."""
    try:
        async with websockets.connect(
            url, subprotocols=[PROTOCOL], origin=Origin(origin) if origin else None
        ) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            answer: str = json.loads(await ws.recv())["type"]
            return answer
    except InvalidStatus as refused:
        return refused.response.status_code


@pytest.fixture(scope="module")
async def listing(settings: Settings) -> AsyncIterator[LiveServer]:
    """A server that lets a separately hosted PWA and an embedding site in."""
    served, server, task = await start_server(replace(settings, allowed_origins=f"{PWA}, {EMBED}"))
    yield served
    await stop_server(server, task)


async def test_by_default_only_the_server_s_own_pages_and_no_origin_get_in(
    live: LiveServer,
) -> None:
    own = live.url  # http://127.0.0.1:<port>, the Host the socket is opened to
    answers = [
        await handshake(live.ws_url, origin) for origin in (own, None, "https://evil.example", PWA)
    ]
    assert answers == ["connection_ack", "connection_ack", 403, 403]


async def test_listed_origins_get_in_and_others_still_do_not(listing: LiveServer) -> None:
    answers = [
        await handshake(listing.ws_url, origin)
        for origin in (
            PWA,
            EMBED,
            listing.url,
            None,
            "https://evil.example",
            "http://pwa.salon.example",  # another scheme: another origin
            "https://stand.example",  # another port
            "https://pwa.salon.example.evil.example",
        )
    ]
    assert answers == ["connection_ack"] * 4 + [403] * 4


def test_the_setting_takes_exact_origins_only() -> None:
    assert allowed_origins(f" {PWA} ,{EMBED},, ") == [PWA, EMBED]
    assert allowed_origins("") == []
    for wrong in (
        "*",
        "https://*.salon.example",
        "pwa.salon.example",
        "https://pwa/app",
        "ftp://x",
    ):
        with pytest.raises(ValueError, match="SALON_ALLOWED_ORIGINS") as refused:
            allowed_origins(f"{PWA},{wrong}")
        assert repr(wrong) in str(refused.value)


def test_a_wrong_setting_stops_the_app_from_starting() -> None:
    with pytest.raises(ValueError, match="SALON_ALLOWED_ORIGINS"):
        create_app(Settings(allowed_origins="https://pwa.salon.example/app"))
