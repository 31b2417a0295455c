"""The HTTP connection guard: uvicorn's httptools protocol, plus deadlines for slow clients.

Why: uvicorn (0.54, httptools) arms no timer until a first answer is sent, and any byte received cancels
its keep-alive timer. A client that opens a connection and sends half a request head — or one byte every
few seconds — holds the connection (and its memory) for ever: 150 such connections stayed open for minutes
(issue 7, row 5). The invariant kept here: every connection is either
- waiting for a request head, which must be complete within `header_timeout` seconds of the connection (or
  of the first byte of a keep-alive request), and at most `max_head_bytes` long (431 otherwise);
- receiving a body, which must be complete within `body_timeout` seconds of the head;
- idle between requests, closed by uvicorn after `timeout_keep_alive` (SMMPANEL_KEEPALIVE_TIMEOUT);
- or being answered by the app (not limited here).
A connection over a deadline is closed; the app, if it was reading the body, sees a disconnect.
The connection limit is uvicorn's `limit_concurrency` (SMMPANEL_MAX_CONNECTIONS): above it, 503.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from smmpanel.config import Settings, get_settings

MAX_HEAD_BYTES = 64 * 1024
_TOO_LARGE_HEAD = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with head and body deadlines. The deadlines come from the class attributes (set by
    `guarded_protocol`) or, when they are None (a `serve --workers` child process), from the settings."""

    header_timeout: float | None = None
    body_timeout: float | None = None
    max_head_bytes: int = MAX_HEAD_BYTES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings() if self.header_timeout is None or self.body_timeout is None else None
        self._header_timeout: float = settings.header_timeout if settings else self.header_timeout or 0.0
        self._body_timeout: float = settings.body_timeout if settings else self.body_timeout or 0.0
        self._due: float | None = None  # loop time by which the current head or body must be complete
        self._timer: asyncio.TimerHandle | None = None
        self._head_bytes: int | None = 0  # bytes of the request head so far; None outside a head
        self._rejected = False  # the head was too large: answered 431, closing, nothing more is parsed

    # One lazy timer per connection: setting or clearing a deadline only writes `_due`; the timer, when it
    # fires, closes the connection if the deadline passed, re-arms itself if a later one is set, or lapses.
    # Arming and cancelling a loop timer per request cost ≈ 6 µs of the ≈ 42 µs a `status` call costs.
    def _arm(self, seconds: float) -> None:
        self._due = self.loop.time() + seconds
        if self._timer is None:
            self._timer = self.loop.call_at(self._due, self._check)

    def _disarm(self) -> None:
        self._due = None

    def _check(self) -> None:
        self._timer = None
        if self._due is None:
            return
        if self.loop.time() >= self._due:
            self._due = None
            if not self.transport.is_closing():
                self.transport.close()
        else:
            self._timer = self.loop.call_at(self._due, self._check)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self._header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._due = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self._rejected:
            super().data_received(data)

    def _count(self, size: int) -> None:
        if self._head_bytes is not None:
            self._head_bytes += size
            if self._head_bytes > self.max_head_bytes and not self._rejected:
                self._rejected = True
                self._disarm()
                self.transport.write(_TOO_LARGE_HEAD)
                self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_bytes is None:  # a keep-alive or pipelined request: a new head, a new deadline
            self._head_bytes = 0
            self._arm(self._header_timeout)

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        if not self._rejected:
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._rejected:
            return
        self._head_bytes = None
        self._arm(self._body_timeout)
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._rejected:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self._rejected:
            return
        self._disarm()
        super().on_message_complete()


def guarded_protocol(settings: Settings) -> type[GuardedHttpToolsProtocol]:
    """The protocol class with these settings' deadlines (for an in-process uvicorn.Config)."""
    return type(
        "GuardedHttpToolsProtocol",
        (GuardedHttpToolsProtocol,),
        {"header_timeout": settings.header_timeout, "body_timeout": settings.body_timeout},
    )
