"""ASGI middleware: a request id on every request, and one access-log line each.

Websockets do not pass through here: server/app.py's SalonApp gives each one its request
id and its access-log line itself, without the HTTP middleware's frames and closures
(kept for the socket's whole life, on thousands of idle sockets)."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.request_id import new_request_id

access_log = logging.getLogger("salon.access")


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            # A websocket's sends are the notices themselves: leave that path bare.
            await self.app(scope, receive, send_with_id if scope["type"] == "http" else send)
        finally:
            log_access(scope, request_id, status, started)


def log_access(scope: Scope, request_id: str, status: int, started: float) -> None:
    """The access-log line of a request or a websocket (`status` 0: none was sent)."""
    if access_log.isEnabledFor(logging.INFO):
        access_log.info(
            "%s %s %s",
            scope.get("method", "WS"),
            scope["path"],
            status,
            extra={
                "request_id": request_id,
                "method": scope.get("method", "WS"),
                "path": scope["path"],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
