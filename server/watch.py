"""`salon watch`: print live notices as a phone would receive them (for demos)."""

from __future__ import annotations

import asyncio
import json

import websockets
from websockets.typing import Subprotocol

QUERY = """subscription($after: ID) { notices(after: $after) {
  id kind priority createdAt title body session { id title } } }"""


async def watch(url: str, token: str | None, after: str | None, lang: str) -> None:
    """Subscribe and print every notice until interrupted; reconnect with the last
    cursor when the connection drops, as the PWA does."""
    last = after
    while True:
        try:
            async with websockets.connect(
                url,
                subprotocols=[Subprotocol("graphql-transport-ws")],
                additional_headers={"Accept-Language": lang},
            ) as ws:
                payload = {"authorization": f"Bearer {token}"} if token else {}
                await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
                await ws.recv()
                await ws.send(
                    json.dumps(
                        {
                            "id": "watch",
                            "type": "subscribe",
                            "payload": {"query": QUERY, "variables": {"after": last}},
                        }
                    )
                )
                print(f"watching {url} from cursor {last or 'now'} (Ctrl-C to stop)")
                async for raw in ws:
                    message = json.loads(raw)
                    if message["type"] != "next":
                        print(message)
                        continue
                    notice = message["payload"]["data"]["notices"]
                    last = notice["id"]
                    print(
                        f"#{notice['id']} {notice['createdAt']} {notice['kind']} "
                        f"[{notice['priority']}] {notice['title']}\n    {notice['body']}"
                    )
        except (OSError, websockets.ConnectionClosed) as error:
            print(f"connection lost ({error}); reconnecting from cursor {last}")
            await asyncio.sleep(1)
