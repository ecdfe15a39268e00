"""The websocket transport under the app: uvicorn's websockets-sansio protocol, except
that a connection the server ends is gone at once, even when the phone stopped reading.

uvicorn ends a connection with `transport.close()`, and asyncio's `close()` first
flushes the write buffer. When the phone has stopped reading (a frozen app: its TCP
window stays at zero), that buffer never drains: the socket, its handler and its
subscriptions stayed until TCP gave up, which may be never while the phone's kernel
keeps acknowledging. So here:

* the keep-alive timeout (no pong in time) aborts the transport when anything is
  still waiting to be written, instead of closing it behind that data;
* the app can end a connection at once (`close_now`, reached through the ASGI scope's
  extensions under CLOSE_NOW): with a close frame when writes are not paused, else by
  aborting the transport; the app hears its own disconnect immediately either way;
* whatever way a connection was ended, it is aborted if it is still there
  `close_timeout` seconds after the app returned (a peer that never answers the
  closing handshake, a flush that never ends).

And two things for the fan-out, where one process holds thousands of sockets:

* the app can write an already encoded text frame straight onto the socket
  (`send_now`, under SEND_NOW): no coroutine, no ASGI message, no per-socket
  encoding, so a broadcast encodes each frame once for all its sockets; when the
  socket cannot take it now (paused, closing) the app sends as usual instead;
* the handshake's request and response (their headers, twice over) are let go once
  the connection is accepted: nothing reads them afterwards; the receive queue and
  the writable event are server/live/inbox.py's, which allocate only when used.

Serve with `ws="server.live.transport:SalonWebSockets"` (`salon serve` does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from server.live.inbox import Flag, Inbox

#: The ASGI extension carrying `close_now(code, reason)`.
CLOSE_NOW = "salon.websocket.close_now"

CloseNow = Callable[[int, str], None]

#: The ASGI extension carrying `send_now(frame) -> bool` (frame: `text_frame`'s bytes).
SEND_NOW = "salon.websocket.send_now"

SendNow = Callable[[bytes], bool]

#: uvicorn's `ws` setting for this protocol.
UVICORN_WS = "server.live.transport:SalonWebSockets"


def close_now_of(scope: Mapping[str, Any]) -> CloseNow | None:
    """The connection's `close_now`, None when the server is not SalonWebSockets."""
    extension = (scope.get("extensions") or {}).get(CLOSE_NOW)
    close: CloseNow | None = extension.get("close") if extension else None
    return close


def send_now_of(scope: Mapping[str, Any]) -> SendNow | None:
    """The connection's `send_now`, None when the server is not SalonWebSockets."""
    extension = (scope.get("extensions") or {}).get(SEND_NOW)
    send: SendNow | None = extension.get("send") if extension else None
    return send


def text_frame(text: str) -> bytes:
    """A server's text frame (unmasked, final, no extension) as it goes on the wire:
    what the protocol would write for `websocket.send` with this text."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])


class SalonWebSockets(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What every idle socket keeps: lighter than asyncio's (server/live/inbox.py).
        self.queue = Inbox()  # type: ignore[assignment]
        self.writable = Flag(True)  # type: ignore[assignment]

    async def run_asgi(self) -> None:
        extensions = self.scope.setdefault("extensions", {})
        extensions[CLOSE_NOW] = {"close": self.close_now}
        extensions[SEND_NOW] = {"send": self.send_now}
        try:
            await super().run_asgi()
        finally:
            # uvicorn closed (or is closing) the transport behind whatever is unsent.
            self.loop.call_later(self.close_timeout, self._drop)

    def start_keepalive(self) -> None:
        # uvicorn calls this once, right after it wrote the accepted handshake: its
        # headers are never read again (a few KB per socket; the request's are emptied
        # in place, websockets' parser keeps the request). Here, not in `send`: every
        # frame goes through `send`.
        super().start_keepalive()
        if self.request is not None:
            self.request.headers.clear()
            self.request = self.response = None  # type: ignore[assignment]

    def send_now(self, frame: bytes) -> bool:
        """Write a `text_frame` now; False, writing nothing, when the connection cannot
        take it at once (writes paused, closing, a frame extension or the protocol's
        debug log on): the app then sends it as an ASGI message, which waits or fails."""
        conn = self.conn
        if (
            self.close_sent
            or conn.state is not State.OPEN
            or conn.extensions
            or conn.debug
            or conn.expect_continuation_frame
            or not self.writable.is_set()
            or self.transport.is_closing()
        ):
            return False
        self.transport.write(frame)
        return True

    def close_now(self, code: int, reason: str) -> None:
        """End the connection now: a close frame when it can be written, else an abort
        (what is queued for a phone that does not read would never reach it anyway).
        The app's next receive is the disconnect; nothing else may be sent after."""
        if self.close_sent or self.disconnected or not self.handshake_complete:
            return
        self.queue.put_nowait({"type": "websocket.disconnect", "code": code, "reason": reason})
        self.close_sent = True
        self.stop_keepalive()
        if not self.writable.is_set() or self.transport.is_closing():
            self.transport.abort()
            return
        self.conn.send_close(code, reason)
        self.transport.write(b"".join(self.conn.data_to_send()))
        if self.read_paused:  # read the peer's closing frame
            self.read_paused = False
            self.transport.resume_reading()
        self.close_timer = self.loop.call_later(self.close_timeout, self._drop)

    def keepalive_timeout(self) -> None:
        """No pong in time: the close frame goes out only if nothing is waiting before
        it; the connection ends now either way (uvicorn's own waits for the flush)."""
        self.pong_timer = None
        self.pending_ping_payload = None
        if self.close_sent or self.transport.is_closing():
            return
        self.conn.fail(1011, "keepalive ping timeout")
        self.close_sent = True
        if self.transport.get_write_buffer_size() == 0:
            self.transport.write(b"".join(self.conn.data_to_send()))
        if self.transport.get_write_buffer_size() == 0:
            self.transport.close()
        else:
            self.transport.abort()

    def _drop(self) -> None:
        self.close_timer = None
        if not self.disconnected:
            self.transport.abort()
