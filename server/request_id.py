"""A request id per HTTP request or websocket, for logs and masked errors."""

from __future__ import annotations

import secrets
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("request_id", default="-")


def new_request_id() -> str:
    request_id = secrets.token_hex(8)
    _request_id.set(request_id)
    return request_id


def current_request_id() -> str:
    return _request_id.get()
