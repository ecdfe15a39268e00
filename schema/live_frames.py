"""The graphql-transport-ws frames Salon builds itself around payloads it has already
encoded. `server.live` moves these bytes to each socket and knows no protocol: the
app hands the hub `next_frame` (server/app.py)."""

from __future__ import annotations

import orjson


def next_frame(operation_id: str, payload: str) -> str:
    """A graphql-transport-ws `next` message around an already encoded payload."""
    return f'{{"id":{_json_string(operation_id)},"type":"next","payload":{payload}}}'


def _json_string(text: str) -> str:
    return orjson.dumps(text).decode()
