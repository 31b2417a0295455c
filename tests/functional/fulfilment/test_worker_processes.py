"""Real `smmpanel worker` processes: killed with SIGKILL in the middle of a dispatch (the order must be held
on restart, never re-sent), and — on PostgreSQL — two workers sharing 1,000 orders (each sent exactly once).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.common.databases import POSTGRES
from tests.conftest import Panel
from tests.functional.fulfilment.conftest import Upstream, add_provider, json_reply, order_row


def _smmpanel(db_url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "smmpanel", "--database-url", db_url, *args]


def _env() -> dict[str, str]:
    return os.environ | {"SMMPANEL_LOG_LEVEL": "warning"}


def _wait(condition: object, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def test_worker_killed_mid_dispatch_leaves_the_order_held(panel: Panel, upstream: Upstream) -> None:
    accept = upstream.accept
    upstream.script = lambda params: (upstream.release.wait(30), accept(params))[1]
    provider = add_provider(panel, "upstream", url=upstream.url, api_key="upstream-secret-key-123456")
    service = panel.service(provider_id=provider, provider_service="7")
    key = panel.customer("10")
    order = panel.api(key=key, action="add", service=service, link="https://ig.example/kill", quantity=100)["order"]

    worker = subprocess.Popen(_smmpanel(panel.db_url, "worker", "--interval", "0.1", "--timeout", "30"),
                              env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        _wait(lambda: upstream.total_adds == 1)
        assert order_row(panel, order)["dispatch"] == "dispatching"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    if POSTGRES:
        time.sleep(1.1)  # several workers may share PostgreSQL: a foreign claim is orphaned after its lease
    restart = subprocess.run(_smmpanel(panel.db_url, "worker", "--once", "--lease", "1"), env=_env(),
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert restart.returncode == 0, restart.stderr
    row = order_row(panel, order)
    assert (row["status"], row["dispatch"], row["refunded"]) == ("Processing", "held", 0)
    assert "stopped in the middle of dispatch" in row["last_error"]
    assert upstream.total_adds == 1
    # the order's timeline says so too (the console's order page shows it)
    events = panel.sql("SELECT kind, detail FROM order_events WHERE order_id = $1 AND kind = 'held'", order)
    assert len(events) == 1 and "stopped in the middle of dispatch" in events[0][1]

    held = subprocess.run(_smmpanel(panel.db_url, "orders", "held", "--json"), env=_env(), capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert f'"id": {order}' in held.stdout
    upstream.release.set()
    resolved = subprocess.run(_smmpanel(panel.db_url, "orders", "resolve", str(order), "--upstream-order", "4242"),
                              env=_env(), capture_output=True, text=True, timeout=60)  # fmt: skip
    assert resolved.returncode == 0, resolved.stderr
    row = order_row(panel, order)
    assert (row["dispatch"], row["upstream_id"]) == ("sent", 4242)
    assert upstream.total_adds == 1


@pytest.mark.skipif(not POSTGRES, reason="several workers share work only on PostgreSQL (SKIP LOCKED)")
def test_two_workers_dispatch_each_order_exactly_once(panel: Panel, upstream: Upstream) -> None:
    provider = add_provider(panel, "upstream", url=upstream.url, api_key="upstream-secret-key-123456")
    service = panel.service(provider_id=provider, provider_service="7")
    panel.customer("1", name="bulk")  # the orders are inserted directly (charge 0): placing 1,000 is not the point
    panel.execute(
        "INSERT INTO orders (customer_id, service_id, link, quantity, charge, remains, created_at, updated_at,"
        " provider_id, dispatch) SELECT (SELECT id FROM customers WHERE name = 'bulk'), $1,"
        " 'https://ig.example/bulk/' || g, 100, 0, 100, 0, 0, $2, 'queued' FROM generate_series(1, 1000) g",
        service, provider,
    )  # fmt: skip
    args = ("worker", "--once", "--concurrency", "16", "--timeout", "10")
    workers = [subprocess.Popen(_smmpanel(panel.db_url, *args), env=_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE) for _ in range(2)]  # fmt: skip
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    assert upstream.total_adds == 1000
    assert set(upstream.adds.values()) == {1}
    rows = panel.sql("SELECT dispatch, COUNT(*), COUNT(DISTINCT upstream_id) FROM orders GROUP BY dispatch")
    assert rows == [("sent", 1000, 1000)]
    workers_used = panel.sql("SELECT COUNT(DISTINCT claimed_by) FROM orders")[0][0]
    assert workers_used in (1, 2)


def test_orders_list_shows_fulfilment_columns(panel: Panel, upstream: Upstream) -> None:
    import orjson

    provider = add_provider(panel, "upstream", url=upstream.url, api_key="upstream-secret-key-123456", name="up1")
    service = panel.service(provider_id=provider, provider_service="7")
    key = panel.customer("10")
    order = panel.api(key=key, action="add", service=service, link="https://ig.example/l", quantity=100)["order"]
    listed = subprocess.run(_smmpanel(panel.db_url, "orders", "list", "--json"), env=_env(), capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    row = orjson.loads(listed.stdout)[0]
    assert (row["id"], row["provider"], row["upstream"], row["dispatch"]) == (order, "up1", None, "queued")
    assert "upstream-secret" not in listed.stdout


def test_serve_runs_the_engine_in_process(make_panel: object) -> None:
    panel = make_panel(run_worker=True)  # type: ignore[operator]
    simulated = add_provider(panel, "simulated", step_seconds=0)
    service = panel.service(provider_id=simulated, provider_service="1")
    key = panel.customer("10")
    order = panel.api(key=key, action="add", service=service, link="https://ig.example/s", quantity=100)["order"]
    _wait(lambda: panel.sql("SELECT COUNT(*) FROM panel_state WHERE key LIKE 'worker:%'") == [(1,)])  # heartbeat
    # the in-process engine cycles every 5 s: the order placed after its first cycle is sent on the next
    _wait(lambda: order_row(panel, order)["dispatch"] == "sent", 12)


# Runs `smmpanel worker --once` and kills itself (SIGKILL) right after the first commit that wrote a refund:
# where the old two-step `fail` had committed the Canceled order and its refund but not yet its failed
# dispatch. The status machine now makes both in one transaction, so no such moment exists.
_KILL_AFTER_REFUND_COMMIT = """
import os, signal, sys
from contextlib import asynccontextmanager
from smmpanel.accounts import ledger
from smmpanel.db import connect
from smmpanel.cli import main

refunded = []
original_credit = ledger.credit

async def credit(tx, customer_id, kind, amount, **values):
    await original_credit(tx, customer_id, kind, amount, **values)
    refunded.append(kind == "refund")

ledger.credit = credit
for cls in (connect.SqliteDatabase, connect.PostgresDatabase):
    def transaction(self, _original=cls.transaction):
        @asynccontextmanager
        async def killing():
            async with _original(self) as tx:
                yield tx
            if any(refunded):
                os.kill(os.getpid(), signal.SIGKILL)
        return killing()
    cls.transaction = transaction
sys.argv = ["smmpanel", *sys.argv[1:]]
main()
"""


def test_a_worker_killed_right_after_a_refund_leaves_nothing_claimed(panel: Panel, upstream: Upstream) -> None:
    upstream.script = lambda params: json_reply({"error": "Incorrect link"})  # a definite refusal: fail, refund
    provider = add_provider(panel, "upstream", url=upstream.url, api_key="upstream-secret-key-123456")
    service = panel.service(provider_id=provider, provider_service="7")
    key = panel.customer("10")
    order = panel.api(key=key, action="add", service=service, link="https://ig.example/refused", quantity=100)["order"]

    killed = subprocess.run([sys.executable, "-c", _KILL_AFTER_REFUND_COMMIT, "--database-url", panel.db_url,
                             "worker", "--once"], env=_env(), capture_output=True, text=True, timeout=60)  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert upstream.total_adds == 1
    if POSTGRES:
        time.sleep(1.1)  # a foreign claim is orphaned only after its lease
    restart = subprocess.run(_smmpanel(panel.db_url, "worker", "--once", "--lease", "1"), env=_env(),
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert restart.returncode == 0, restart.stderr

    assert panel.sql("SELECT COUNT(*) FROM orders WHERE dispatch = 'dispatching'")[0][0] == 0
    row = order_row(panel, order)
    assert (row["status"], row["dispatch"], row["refunded"], row["remains"]) == ("Canceled", "failed", row["charge"], 100)
    assert panel.api(key=key, action="balance")["balance"] == "10.00000"
    assert upstream.total_adds == 1
