"""Fulfilment test kit: a scripted upstream API v2 panel (http.server in a thread, loopback) that counts
every `add` it receives, a second panel as a real upstream, and helpers to run engine cycles."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import orjson
import pytest

from smmpanel.config import Settings
from smmpanel.db.connect import Database
from smmpanel.fulfilment.context import EngineConfig
from smmpanel.fulfilment.engine import Engine
from smmpanel.providers import registry
from tests.common.databases import clone
from tests.common.hostile_upstream import HostileUpstream
from tests.conftest import Panel

Reply = tuple[int, bytes, float]  # HTTP status, body, seconds to sleep before answering
Script = Callable[[dict[str, str]], Reply]


def json_reply(value: Any, status: int = 200, delay: float = 0.0) -> Reply:
    return status, orjson.dumps(value), delay


class Upstream:
    """A scripted panel. `script(params)` answers `add`; status/cancel/balance have sane defaults."""

    def __init__(self) -> None:
        self.adds: Counter[str] = Counter()  # link → number of `add` requests received
        self.lock = threading.Lock()
        self.next_id = 1000
        self.script: Script = self.accept
        self.statuses: dict[int, dict[str, Any]] = {}
        self.release = threading.Event()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                params = dict(parse_qsl(self.rfile.read(length).decode()))
                status, body, delay = upstream.handle(params)
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json" if body[:1] in b"[{" else "text/html")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # several workers connect at once: the default backlog of 5 resets them
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v2"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def accept(self, params: dict[str, str]) -> Reply:
        with self.lock:
            self.next_id += 1
            order = self.next_id
        self.statuses[order] = {"charge": "0.1", "start_count": "0", "status": "Pending",
                                "remains": params.get("quantity", "0"), "currency": "USD"}  # fmt: skip
        return json_reply({"order": order})

    def handle(self, params: dict[str, str]) -> Reply:
        action = params.get("action")
        if action == "add":
            with self.lock:
                self.adds[params.get("link", "")] += 1
            return self.script(params)
        if action == "status":
            ids = [int(i) for i in params.get("orders", params.get("order", "")).split(",") if i]
            return json_reply({str(i): self.statuses.get(i, {"error": "Incorrect order ID"}) for i in ids})
        if action == "balance":
            return json_reply({"balance": "5.00000", "currency": "USD"})
        if action == "cancel":
            ids = [int(i) for i in params.get("orders", "").split(",") if i]
            return json_reply([{"order": i, "cancel": 1} for i in ids])
        return json_reply({"error": "Incorrect request"})

    @property
    def total_adds(self) -> int:
        return sum(self.adds.values())

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.stop()


@pytest.fixture
def hostile() -> Iterator[HostileUpstream]:
    """An upstream that misbehaves as scripted (slow, dribbling, garbage, huge numbers, resets…): see
    tests/common/hostile_upstream.py."""
    with HostileUpstream() as server:
        yield server


def fast_config(**values: Any) -> EngineConfig:
    """Small timeouts, immediate status checks: keeps the suite fast."""
    return EngineConfig(**({"timeout": 0.5, "check_every": 0, "lease": 60, "concurrency": 8} | values))


def cycle(panel: Panel, **config: Any) -> Counter[str]:
    """One draining engine cycle on the panel's own loop and database."""

    async def work(db: Database) -> Counter[str]:
        engine = Engine(db, fast_config(**config))
        try:
            return await engine.run_once()
        finally:
            await engine.aclose()

    return panel.run(work)


def add_provider(panel: Panel, kind: str, **values: Any) -> int:
    name = values.pop("name", f"p{uuid.uuid4().hex[:6]}")

    async def work(db: Database) -> int:
        return await registry.add(db, name, kind, **values)

    return panel.run(work)


def order_row(panel: Panel, order_id: int) -> dict[str, Any]:
    cols = ("status", "dispatch", "upstream_id", "refunded", "charge", "remains", "attempts", "last_error",
            "provider_id", "cancel_requested")  # fmt: skip
    row = panel.sql(f"SELECT {', '.join(cols)} FROM orders WHERE id = $1", order_id)[0]
    return dict(zip(cols, row, strict=True))


@pytest.fixture
def make_panel(template: str, tmp_path: Path) -> Iterator[Callable[..., Panel]]:
    """Start extra panels, each with its own fresh database (a second panel is the upstream)."""
    started: list[Panel] = []
    with ExitStack() as databases:

        def make(**settings: Any) -> Panel:
            url = databases.enter_context(clone(template, tmp_path, "panel"))
            values = {"database_url": url, "run_worker": False, "refill_cooldown_hours": 0} | settings
            panel = Panel(url, Settings(**values))
            started.append(panel)
            return panel

        yield make
        for panel in started:
            try:
                assert panel.audit() == [], "the books must balance"
            finally:
                panel.stop()
