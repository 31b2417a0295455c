"""The engine trusts nothing an upstream sends (issue 7, table rows 2, 3, 4, 6, 10, 13 and the tracking
cadence): out-of-range ids and counts hold the order with a readable reason, a failing step never stops the
cycle, a dribbling provider stalls only its own lane, and what the provider says cannot forge a log line."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from prometheus_client import REGISTRY

from smmpanel.db.connect import Database
from smmpanel.fulfilment import tracking
from smmpanel.fulfilment.context import Context, EngineConfig
from smmpanel.fulfilment.engine import Engine
from tests.conftest import Panel
from tests.functional.fulfilment.conftest import (
    Reply,
    Upstream,
    add_provider,
    cycle,
    fast_config,
    json_reply,
    order_row,
)


class Scripted(Upstream):
    """The test kit's upstream, with a script per action and a record of every request."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[dict[str, str]] = []
        self.scripts: dict[str, Any] = {}

    def handle(self, params: dict[str, str]) -> Reply:
        with self.lock:
            self.requests.append(params)
        script = self.scripts.get(params.get("action", ""))
        if script is not None and params.get("action") != "add":
            return script(params)  # type: ignore[no-any-return]
        return super().handle(params)

    def calls(self, action: str) -> list[dict[str, str]]:
        with self.lock:
            return [p for p in self.requests if p.get("action") == action]


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    server = Scripted()
    yield server
    server.stop()


def _setup(panel: Panel, upstream: Upstream, **service: Any) -> tuple[str, int, int]:
    provider = add_provider(panel, "upstream", url=upstream.url, api_key="upstream-secret-key-123456")
    return panel.customer("10"), panel.service(provider_id=provider, provider_service="7", **service), provider


def test_an_upstream_order_id_beyond_bigint_holds_the_order(panel: Panel, scripted: Scripted) -> None:
    scripted.script = lambda params: (200, b'{"order": 100000000000000000000}', 0.0)
    key, service, _ = _setup(panel, scripted, cancel=True)
    order = panel.api(key=key, action="add", service=service, link="https://ig.example/big", quantity=100)["order"]
    assert cycle(panel)["held"] == 1
    row = order_row(panel, order)
    assert (row["status"], row["dispatch"], row["upstream_id"], row["refunded"]) == ("Processing", "held", None, 0)
    assert "order id" in row["last_error"] and "range" in row["last_error"]
    assert panel.api(key=key, action="cancel", orders=str(order)) == [{"order": order, "cancel": 1}]
    assert scripted.total_adds == 1


@pytest.mark.parametrize("remains", [str(10**20), "5000", "-5000"])
def test_remains_outside_the_quantity_holds_the_order(panel: Panel, scripted: Scripted, remains: str) -> None:
    key, service, _ = _setup(panel, scripted)
    order = panel.api(key=key, action="add", service=service, link="https://ig.example/r", quantity=100)["order"]
    cycle(panel)
    upstream_id = order_row(panel, order)["upstream_id"]
    scripted.statuses[upstream_id] = {"charge": "0.1", "start_count": "5", "status": "In progress",
                                      "remains": remains, "currency": "USD"}  # fmt: skip
    assert cycle(panel)["held"] == 1
    row = order_row(panel, order)
    assert (row["status"], row["dispatch"], row["remains"], row["refunded"]) == ("Processing", "held", 100, 0)
    assert remains in row["last_error"]
    if len(remains) < 19:  # within 64 bits the client reads it, and the engine judges it against the quantity
        assert f"remains {remains} for an order of 100" in row["last_error"]
    assert panel.balance(key) == "9.91000"


def test_a_failing_balance_step_neither_repeats_nor_stops_the_cycle(panel: Panel, scripted: Scripted) -> None:
    scripted.scripts["balance"] = lambda params: json_reply({"balance": "1e40", "currency": "USD"})
    key, service, provider = _setup(panel, scripted)
    order = panel.api(key=key, action="add", service=service, link="https://ig.example/b", quantity=100)["order"]

    async def three_cycles(db: Database) -> int:
        engine = Engine(db, fast_config(balance_every=2))
        try:
            for _ in range(3):
                await engine.cycle()
            return engine.cycles
        finally:
            await engine.aclose()

    assert panel.run(three_cycles) == 3
    assert len(scripted.calls("balance")) == 2  # cycles 0 and 2, not every cycle
    assert order_row(panel, order)["dispatch"] == "sent"
    assert panel.sql("SELECT balance, currency FROM providers WHERE id = $1", provider) == [(None, None)]


def test_a_currency_that_is_not_an_iso_code_is_not_stored(panel: Panel, scripted: Scripted) -> None:
    scripted.scripts["balance"] = lambda params: json_reply({"balance": "12.5", "currency": "US$"})
    _, _, provider = _setup(panel, scripted)
    cycle(panel)
    assert panel.sql("SELECT balance, currency FROM providers WHERE id = $1", provider) == [(1_250_000, None)]


class Dribbler:
    """An upstream that answers every request one byte at a time, `pause` seconds apart."""

    def __init__(self, pause: float = 0.25) -> None:
        self.asked = threading.Event()
        dribbler = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                dribbler.asked.set()
                body = b'{"1": {"status": "In progress", "remains": "5"}}' + b" " * 400
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for i in range(len(body)):
                        self.wfile.write(body[i : i + 1])
                        self.wfile.flush()
                        time.sleep(pause)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v2"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _in_flight_order(panel: Panel, key: str, provider: int) -> int:
    """An order already sent upstream (as upstream order 1) to `provider`, due for a status check."""
    service = panel.service(provider_id=provider, provider_service="3")
    order = panel.api(key=key, action="add", service=service, link="https://ig.example/slow", quantity=10)["order"]
    panel.execute("UPDATE orders SET status = 'Processing', dispatch = 'sent', upstream_id = 1, next_check_at = 0"
                  " WHERE id = $1", order)  # fmt: skip
    return int(order)


def test_a_dribbling_provider_delays_no_other_provider(panel: Panel, scripted: Scripted) -> None:
    slow = Dribbler()
    try:
        key, service, _ = _setup(panel, scripted)
        slow_provider = add_provider(panel, "upstream", url=slow.url, api_key="slow-secret-key-1234567")
        _in_flight_order(panel, key, slow_provider)
        engine = Engine(panel.db, EngineConfig(interval=0.05, timeout=5, check_every=0))
        running = asyncio.run_coroutine_threadsafe(engine.run(), panel.loop)
        try:
            assert slow.asked.wait(10), "the engine never asked the slow provider"
            order = panel.api(key=key, action="add", service=service, link="https://ig.example/f", quantity=100)["order"]
            deadline = time.monotonic() + 5
            while order_row(panel, order)["dispatch"] != "sent":
                assert time.monotonic() < deadline, "the healthy provider waited for the dribbling one"
                time.sleep(0.05)
        finally:
            panel.loop.call_soon_threadsafe(engine.stop)
            running.result(timeout=30)
    finally:
        slow.stop()


def test_every_upstream_call_has_an_overall_deadline(panel: Panel) -> None:
    slow = Dribbler()
    try:
        key = panel.customer("10")
        provider = add_provider(panel, "upstream", url=slow.url, api_key="slow-secret-key-1234567")
        order = _in_flight_order(panel, key, provider)
        labels = {"provider": str(provider), "action": "statuses", "outcome": "timeout"}
        started = time.monotonic()
        counts = cycle(panel, timeout=1, call_deadline=1.5)
        assert time.monotonic() - started < 5  # the body alone would take 100 s, each byte inside `timeout`
        assert counts["check_failed"] == 1
        assert REGISTRY.get_sample_value("smmpanel_upstream_calls_total", labels) == 1  # seen by /metrics
        assert order_row(panel, order)["status"] == "Processing"
    finally:
        slow.stop()


def test_a_subscription_without_expiry_sends_no_expiry(panel: Panel, scripted: Scripted) -> None:
    key, service, _ = _setup(panel, scripted, type="Subscriptions", min=10, max=100)
    panel.api(key=key, action="add", service=service, username="someone", min=10, max=20, delay=0, posts=2)
    cycle(panel)
    (sent,) = scripted.calls("add")
    assert "expiry" not in sent
    assert (sent["username"], sent["min"], sent["max"], sent["posts"]) == ("someone", "10", "20", "2")


def test_upstream_text_cannot_forge_log_lines(panel: Panel, scripted: Scripted, caplog: Any) -> None:
    scripted.script = lambda params: json_reply({"error": "Service paused\nINFO action=dispatch forged=1\r\x1b[2K"})
    key, service, _ = _setup(panel, scripted)
    order = panel.api(key=key, action="add", service=service, link="https://ig.example/n", quantity=100)["order"]
    with caplog.at_level(logging.INFO, logger="smmpanel.fulfilment"):
        cycle(panel)
    row = order_row(panel, order)
    assert row["dispatch"] == "held"
    assert "Service paused INFO action=dispatch forged=1" in row["last_error"]
    assert not any(ch in row["last_error"] for ch in "\n\r\x1b")
    messages = [r.getMessage() for r in caplog.records if "forged" in r.getMessage()]
    assert messages and not any(ch in m for m in messages for ch in "\n\r\x1b")


def test_a_dripfeed_cancel_after_every_run_exists_reaches_the_runs(panel: Panel, scripted: Scripted) -> None:
    key, service, _ = _setup(panel, scripted, dripfeed=True, cancel=True)
    parent = panel.api(key=key, action="add", service=service, link="https://ig.example/d", quantity=100, runs=2,
                       interval=0)["order"]  # fmt: skip
    for _ in range(3):
        cycle(panel)
    children = panel.api(key=key, action="status", order=parent)["orders"]
    assert [order_row(panel, c)["dispatch"] for c in children] == ["sent", "sent"]
    assert panel.api(key=key, action="cancel", orders=str(parent)) == [{"order": parent, "cancel": 1}]
    cycle(panel)
    upstream_ids = sorted(order_row(panel, c)["upstream_id"] for c in children)
    canceled = sorted(int(i) for p in scripted.calls("cancel") for i in p["orders"].split(","))
    assert canceled == upstream_ids
    for upstream_id in upstream_ids:  # the provider cancels them, nothing delivered
        scripted.statuses[upstream_id]["status"] = "Canceled"
    cycle(panel)
    answer = panel.api(key=key, action="status", order=parent)
    assert (answer["status"], answer["charge"], answer["remains"]) == ("Canceled", "0.00000", "200")
    assert panel.balance(key) == "10.00000"


def test_a_quiet_order_is_still_checked_every_15_minutes() -> None:
    ctx = Context(db=None, worker="w", config=EngineConfig(), clock=lambda: 1_000_000)  # type: ignore[arg-type]
    assert tracking.next_check(ctx, quiet=0) == 1_000_000 + 60
    assert tracking.next_check(ctx, quiet=40) == 1_000_000 + 15 * 60


def test_an_unreadable_status_item_holds_that_order_only(panel: Panel, scripted: Scripted) -> None:
    key, service, _ = _setup(panel, scripted)
    orders = [panel.api(key=key, action="add", service=service, link=f"https://ig.example/u{i}", quantity=100)["order"]
              for i in range(2)]  # fmt: skip
    cycle(panel)
    bad, good = (order_row(panel, o)["upstream_id"] for o in orders)
    scripted.statuses[bad]["remains"] = "lots"
    scripted.statuses[good].update(status="Completed", remains="0")
    cycle(panel)
    assert [(order_row(panel, o)["status"], order_row(panel, o)["dispatch"]) for o in orders] == [
        ("Processing", "held"), ("Completed", "sent")]
    assert "lots" in order_row(panel, orders[0])["last_error"]
