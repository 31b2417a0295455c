"""The HTTP connection guard: uvicorn's httptools protocol, plus deadlines for slow clients.

Why: uvicorn (0.54, httptools) arms no timer until a first answer is sent, and any byte received cancels
its keep-alive timer. A client that opens a connection and sends half a request head — or one byte every
few seconds — holds the connection (and its memory) for ever: 150 such connections stayed open for minutes
(issue 7, row 5). The invariant kept here: every connection is either
- waiting for a request head, which must be complete within `header_timeout` seconds of the connection (or
  of the first byte of a keep-alive request), and may hold at most `max_head_bytes` beyond the read that
  began it while it is incomplete (431 otherwise; like h11's `max_incomplete_event_size`);
- receiving a body, which must be complete within `body_timeout` seconds of the head;
- idle between requests, closed by uvicorn after `timeout_keep_alive` (SMMPANEL_KEEPALIVE_TIMEOUT);
- or being answered by the app (not limited here).
A connection over a deadline is closed (within a quarter of the shorter deadline, at most 1 s, late); the
app, if it was reading the body, sees a disconnect.
The connection limit is uvicorn's `limit_concurrency` (SMMPANEL_MAX_CONNECTIONS): above it, 503.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from smmpanel.config import Settings, get_settings

MAX_HEAD_BYTES = 64 * 1024
_TOO_LARGE_HEAD = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with head and body deadlines and a bound on an incomplete head. The deadlines come
    from the class attributes (set by `guarded_protocol`) or, when they are None (a `serve --workers` child
    process), from the settings.

    Nothing here runs per request: the deadlines are checked by one sweep per server a few times a second
    (`_sweep`), which reads the phase of each connection from uvicorn's own state, and the head bound is
    counted per chunk received. (The first version armed the deadlines and counted head bytes in uvicorn's
    per-request and per-header callbacks: ≈ 4 µs a request, 8 % of a `status` call — bench/hardening.py.)"""

    header_timeout: float | None = None
    body_timeout: float | None = None
    max_head_bytes: int = MAX_HEAD_BYTES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings() if self.header_timeout is None or self.body_timeout is None else None
        self._header_timeout: float = settings.header_timeout if settings else self.header_timeout or 0.0
        self._body_timeout: float = settings.body_timeout if settings else self.body_timeout or 0.0
        self._watched: object = None  # the phase the last sweep saw (see _phase) …
        self._since = 0.0  # … and the loop time it began
        self._head_scope: object = None  # the incomplete head being counted …
        self._head_bytes = 0  # … and its bytes after the read that began it
        self._rejected = False  # the head was too large: answered 431, closing, nothing more is parsed

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watched, self._since = self._phase(), self.loop.time()  # the first head's deadline runs from now
        if self.server_state not in _SWEEPS:
            period = min(1.0, max(0.05, min(self._header_timeout, self._body_timeout) / 4))
            _SWEEPS[self.server_state] = self.loop.call_later(period, _sweep, self.loop, self.server_state, period)

    def _phase(self) -> object:
        """What the connection is doing, as an object that stays the same for as long as it does it:
        ("head", previous cycle) while a request head is incomplete, ("body", cycle) while a body is, None
        otherwise (being answered, or idle between requests — uvicorn's keep-alive timer covers that)."""
        cycle = self.cycle
        if cycle is None or cycle.scope is not self.scope:
            return ("head", cycle)
        if cycle.more_body and not cycle.response_complete:
            return ("body", cycle)
        return None

    def _overdue(self, now: float) -> bool:
        phase = self._phase()
        if phase != self._watched:
            self._watched, self._since = phase, now
            return False
        if phase is None:
            return False
        limit = self._header_timeout if phase[0] == "head" else self._body_timeout  # type: ignore[index]
        return now - self._since >= limit

    def data_received(self, data: bytes) -> None:
        if self._rejected:
            return
        super().data_received(data)
        cycle = self.cycle
        if cycle is not None and cycle.scope is self.scope:  # every head so far is complete
            return
        if self._head_scope is not self.scope:  # a head began in this read: count from the next one
            self._head_scope, self._head_bytes = self.scope, 0
            return
        self._head_bytes += len(data)
        if self._head_bytes > self.max_head_bytes and not self.transport.is_closing():
            self._rejected = True
            self.transport.write(_TOO_LARGE_HEAD)
            self.transport.close()


_SWEEPS: weakref.WeakKeyDictionary[ServerState, asyncio.TimerHandle] = weakref.WeakKeyDictionary()


def _sweep(loop: asyncio.AbstractEventLoop, state: ServerState, period: float) -> None:
    """Close the connections of one server that are past their head or body deadline; runs every `period`
    seconds while the server has connections."""
    now = loop.time()
    for connection in list(state.connections):
        if isinstance(connection, GuardedHttpToolsProtocol) and connection._overdue(now):
            if not connection.transport.is_closing():
                connection.transport.close()
    if state.connections:
        _SWEEPS[state] = loop.call_later(period, _sweep, loop, state, period)
    else:
        del _SWEEPS[state]


def guarded_protocol(settings: Settings) -> type[GuardedHttpToolsProtocol]:
    """The protocol class with these settings' deadlines (for an in-process uvicorn.Config)."""
    return type(
        "GuardedHttpToolsProtocol",
        (GuardedHttpToolsProtocol,),
        {"header_timeout": settings.header_timeout, "body_timeout": settings.body_timeout},
    )
