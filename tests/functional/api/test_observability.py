"""Operators can see inside (issue 7, item 4): /healthz, /readyz, and Prometheus metrics at /metrics."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator

import pytest

from smmpanel.api.health import migration_head
from smmpanel.config import Settings
from tests.conftest import Panel

TOKEN = "s3cret-scrape-token"


@pytest.fixture
def observed(db_url: str) -> Iterator[Panel]:
    settings = Settings(database_url=db_url, run_worker=False, metrics_enabled=True, metrics_token=TOKEN)
    running = Panel(db_url, settings)
    try:
        yield running
        assert running.audit() == []
    finally:
        running.stop()


def _scrape(panel: Panel) -> dict[str, float]:
    response = panel.http.get(f"{panel.base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for line in response.text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def test_healthz_and_readyz(panel: Panel) -> None:
    assert panel.http.get(f"{panel.base}/healthz").json() == {"status": "ok"}
    ready = panel.http.get(f"{panel.base}/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert panel.http.get(f"{panel.base}/health").json() == {"status": "ok"}  # kept as it was


def test_readyz_is_503_when_the_schema_is_behind(panel: Panel) -> None:
    head = migration_head()
    panel.execute("UPDATE alembic_version SET version_num = '0001'")
    ready = panel.http.get(f"{panel.base}/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "reason": f"schema at 0001, expected {head}"}
    panel.execute("UPDATE alembic_version SET version_num = $1", head)
    assert panel.http.get(f"{panel.base}/readyz").status_code == 200


def test_metrics_are_off_by_default(panel: Panel) -> None:
    response = panel.http.get(f"{panel.base}/metrics")
    assert response.status_code == 404
    assert response.json() == {"error": "Not found"}


def test_metrics_want_the_token(observed: Panel) -> None:
    assert observed.http.get(f"{observed.base}/metrics").status_code == 401
    wrong = observed.http.get(f"{observed.base}/metrics", headers={"Authorization": "Bearer nope"})
    assert (wrong.status_code, wrong.json()) == (401, {"error": "Unauthorized"})


def test_api_requests_by_action_and_outcome(observed: Panel) -> None:
    key = observed.customer("10")
    ok = 'smmpanel_api_requests_total{action="balance",outcome="ok"}'
    bad_key = 'smmpanel_api_requests_total{action="balance",outcome="error"}'
    other = 'smmpanel_api_requests_total{action="other",outcome="error"}'
    latency = 'smmpanel_api_request_seconds_count{action="balance"}'
    before = _scrape(observed)
    for _ in range(3):
        observed.api(key=key, action="balance")
    observed.api(key="wrong", action="balance")
    observed.api(key=key, action="nonsense")
    after = _scrape(observed)
    assert after[ok] - before.get(ok, 0) == 3
    assert after[bad_key] - before.get(bad_key, 0) == 1
    assert after[other] - before.get(other, 0) == 1
    assert after[latency] - before.get(latency, 0) == 4


def test_scrape_time_gauges_from_the_database(observed: Panel) -> None:
    key = observed.customer("10")
    service = observed.service()
    for n in range(3):
        assert "order" in observed.api(key=key, action="add", service=service, link=f"https://x.test/{n}",
                                       quantity=100)
    now = int(time.time())
    observed.execute("UPDATE orders SET dispatch = 'held' WHERE id = 2")
    observed.execute("UPDATE orders SET status = 'In progress' WHERE id = 3")
    observed.execute("INSERT INTO panel_state (key, value) VALUES ('worker:test-1', $1)", now - 42)
    observed.execute(
        "INSERT INTO providers (name, kind, url, api_key, balance, currency, created_at)"
        " VALUES ('upstream-a', 'upstream', 'https://a.test/api/v2', 'k', 1234567, 'USD', $1)", now,
    )
    samples = _scrape(observed)
    assert samples['smmpanel_orders{status="Pending"}'] == 2
    assert samples['smmpanel_orders{status="In progress"}'] == 1
    assert samples["smmpanel_held_orders"] == 1
    assert samples['smmpanel_orders_dispatch{state="held"}'] == 1
    assert samples["smmpanel_engine_workers"] == 1
    assert 42 <= samples["smmpanel_engine_heartbeat_age_seconds"] < 60
    assert samples['smmpanel_provider_balance{currency="USD",provider="upstream-a"}'] == 12.34567
    observed.execute("DELETE FROM panel_state WHERE key = 'worker:test-1'")
    samples = _scrape(observed)
    assert samples["smmpanel_engine_workers"] == 0
    assert math.isnan(samples["smmpanel_engine_heartbeat_age_seconds"])
    assert not any(re.match(r"smmpanel_orders\{status=\"Completed\"", name) for name in samples)


def test_engine_cycles_are_timed(db_url: str) -> None:
    """The in-process engine records each cycle's duration."""
    settings = Settings(database_url=db_url, run_worker=True, worker_interval=0.1, metrics_enabled=True,
                        metrics_token=TOKEN)
    panel = Panel(db_url, settings)
    try:
        first = _scrape(panel).get("smmpanel_engine_cycle_seconds_count", 0)
        deadline = time.monotonic() + 10
        while _scrape(panel).get("smmpanel_engine_cycle_seconds_count", 0) < first + 2:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert _scrape(panel)["smmpanel_engine_workers"] == 1
    finally:
        panel.stop()
