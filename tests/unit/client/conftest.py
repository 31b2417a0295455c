"""A scripted fake API v2 panel over real HTTP, for the client tests.

Each test gets its own `FakePanel`: a `ThreadingHTTPServer` on 127.0.0.1 (port 0) in a thread. The test
scripts its answers — a JSON value, raw bytes, a status code, a delay, or a broken connection; each is
given as keyword arguments (`body`, `status`, `headers`, `delay`, `drop`), so tests import nothing — and
afterwards reads what the panel received (`panel.requests`, each with the decoded form). Nothing about
httpx is mocked: the client under test opens real sockets.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import orjson
import pytest

KEY = "k3y-Secret-0123456789abcdef"  # long enough to be redacted; checked absent from every error


@dataclass
class Reply:
    body: Any = None  # bytes are sent as is, anything else as JSON
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    drop: str | None = None  # "silent": close without an answer; "partial": close mid-body

    def payload(self) -> bytes:
        return self.body if isinstance(self.body, bytes) else orjson.dumps(self.body)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    form: dict[str, str]
    pairs: list[tuple[str, str]]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up on a slow or broken reply is the point of some tests


class FakePanel:
    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self._replies: list[Reply] = []
        self._handler: Callable[[dict[str, str]], dict[str, Any]] | None = None
        self.stopping = threading.Event()
        panel = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                panel._serve(self)

            do_GET = do_POST

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01})
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/v2"

    @property
    def count(self) -> int:
        return len(self.requests)

    # ---- scripting ----

    def reply(self, body: Any = None, **options: Any) -> None:
        """Answer every request with this reply (after any queued ones)."""
        self._replies = [Reply(body, **options)]

    def script(self, *replies: dict[str, Any]) -> None:
        """Answer the next requests in turn, each given as `reply()`'s arguments; the last one repeats."""
        self._replies = [Reply(**options) for options in replies]

    def handle(self, handler: Callable[[dict[str, str]], dict[str, Any]]) -> None:
        """Answer each request with `reply()`'s arguments returned by `handler(form)`."""
        self._handler = handler

    # ---- serving ----

    def _next(self, form: dict[str, str]) -> Reply:
        if self._handler is not None:
            return Reply(**self._handler(form))
        if not self._replies:
            return Reply({"error": "Incorrect request"})
        return self._replies.pop(0) if len(self._replies) > 1 else self._replies[0]

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length)
        query = request.path.partition("?")[2]
        pairs = parse_qsl(query, keep_blank_values=True) + parse_qsl(body.decode(), keep_blank_values=True)
        seen = Seen(request.command, request.path, dict(request.headers), body, dict(pairs), pairs)
        self.requests.append(seen)
        reply = self._next(seen.form)
        if reply.delay:
            self.stopping.wait(reply.delay)
        if reply.drop == "silent":
            request.close_connection = True
            return
        payload = reply.payload()
        request.send_response(reply.status)
        request.send_header("Content-Type", "application/json")
        for name, value in reply.headers.items():
            request.send_header(name, value)
        if reply.drop == "partial":
            request.send_header("Content-Length", str(len(payload) + 100))
            request.end_headers()
            request.wfile.write(payload[: len(payload) // 2])
            request.wfile.flush()
            request.close_connection = True
            request.connection.shutdown(socket.SHUT_RDWR)
            return
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def panel() -> Iterator[FakePanel]:
    fake = FakePanel()
    yield fake
    fake.stop()


@pytest.fixture
def key() -> str:
    return KEY


@pytest.fixture
def closed_url() -> str:
    """A URL whose port refuses connections."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/v2"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fast() -> dict[str, Any]:
    """Client options that keep the tests quick: short timeout, no sleeping between retries."""
    return {"timeout": 1.0, "backoff": 0.0}
