"""Rate limits (issue 7, item 2): per API key and per client address, HTTP 200 with the spec's exact text,
in-process and shared through a real Redis (127.0.0.1:6379) by two app instances.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from smmpanel.api import errors
from smmpanel.config import Settings
from smmpanel.server import uvicorn_options
from tests.conftest import Panel

LIMITED = {"error": errors.TOO_MANY_REQUESTS}
REDIS = "redis://127.0.0.1:6379/0"
BALANCE = {"balance": "10.00000", "currency": "USD"}


def _panel(db_url: str, **limits: Any) -> Panel:
    """A panel with `serve`'s uvicorn options (among them: uvicorn's own X-Forwarded-For handling off)."""
    settings = Settings(database_url=db_url, run_worker=False, **limits)
    return Panel(db_url, settings, uvicorn_options(settings) | {"log_level": "warning"})


@pytest.fixture
def limited(db_url: str) -> Iterator[Panel]:
    """3 requests at once per key, then one every 2 seconds; addresses unlimited."""
    running = _panel(db_url, rate_limit_key_rps=0.5, rate_limit_key_burst=3, rate_limit_address_rps=0)
    try:
        yield running
        assert running.audit() == []
    finally:
        running.stop()


def test_a_key_over_its_burst_is_told_to_wait(limited: Panel) -> None:
    key, other = limited.customer("10"), limited.customer("10")
    service = limited.service()
    answers = [limited.api(key=key, action="balance") for _ in range(3)]
    assert answers == [BALANCE] * 3
    response = limited.post(key=key, action="add", service=service, link="https://x.test/a", quantity=100)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == b'{"error":"Too many requests, please wait"}'
    assert limited.sql("SELECT COUNT(*) FROM orders") == [(0,)]
    assert limited.sql("SELECT COUNT(*) FROM ledger WHERE kind = 'charge'") == [(0,)]
    # another key is not affected; the header key counts as the same key
    assert limited.api(key=other, action="balance") == BALANCE
    assert limited.http.post(limited.url, data={"action": "balance"}, headers={"X-Api-Key": key}).json() == LIMITED
    time.sleep(2.2)  # one every 2 seconds: one more request is due
    assert limited.api(key=key, action="balance") == BALANCE
    assert limited.api(key=key, action="balance") == LIMITED
    assert limited.balance(other) == "10.00000"


def test_an_address_over_its_burst_is_told_to_wait(db_url: str) -> None:
    panel = _panel(db_url, rate_limit_key_rps=0, rate_limit_address_rps=0.1, rate_limit_address_burst=2)
    try:
        keys = [panel.customer("10") for _ in range(3)]
        assert [panel.api(key=k, action="balance") for k in keys] == [BALANCE, BALANCE, LIMITED]
        # the per-address limit comes before the body is read: even a bad request is refused
        assert panel.http.post(panel.url, content=b"garbage").json() == LIMITED
        # an untrusted peer cannot pick its address with X-Forwarded-For
        assert panel.http.post(panel.url, data={"key": keys[0], "action": "balance"},
                               headers={"X-Forwarded-For": "203.0.113.9"}).json() == LIMITED
    finally:
        panel.stop()


def test_x_forwarded_for_is_believed_from_trusted_proxies_only(db_url: str) -> None:
    panel = _panel(db_url, rate_limit_key_rps=0, rate_limit_address_rps=0.1, rate_limit_address_burst=1,
                   trusted_proxies="127.0.0.0/8, ::1")
    try:
        key = panel.customer("10")

        def call(forwarded: str) -> Any:
            return panel.http.post(panel.url, data={"key": key, "action": "balance"},
                                   headers={"X-Forwarded-For": forwarded}).json()

        assert call("198.51.100.1") == BALANCE
        assert call("198.51.100.1") == LIMITED
        assert call("198.51.100.2") == BALANCE
        # the right-most untrusted hop counts: a client cannot escape by prepending its own entries
        assert call("10.9.9.9, 198.51.100.2") == LIMITED
        assert call("198.51.100.3, 127.0.0.1") == BALANCE
    finally:
        panel.stop()


def test_limits_off(db_url: str) -> None:
    panel = _panel(db_url, rate_limit_key_rps=0, rate_limit_address_rps=0)
    try:
        key = panel.customer("10")
        assert all(panel.api(key=key, action="balance") == BALANCE for _ in range(50))
    finally:
        panel.stop()


def test_two_nodes_share_one_budget_through_redis(db_url: str) -> None:
    """Two app instances on one database and one Redis: the key's burst of 4 is spent across both."""
    limits = {"redis_url": REDIS, "rate_limit_key_rps": 0.5, "rate_limit_key_burst": 4,
              "rate_limit_address_rps": 0}
    first, second = _panel(db_url, **limits), _panel(db_url, **limits)
    try:
        key = first.customer("10")
        answers = [node.api(key=key, action="balance") for node in (first, second, first, second, first, second)]
        assert answers == [BALANCE] * 4 + [LIMITED] * 2
        other = first.customer("10")
        assert second.api(key=other, action="balance") == BALANCE
        # the address limit, shared too: a fresh fake address per run keeps runs apart
        address = f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
        for node in (first, second):
            node.stop()
        by_address = limits | {"rate_limit_key_rps": 0, "rate_limit_address_rps": 0.5,
                               "rate_limit_address_burst": 2, "trusted_proxies": "127.0.0.1"}
        first, second = _panel(db_url, **by_address), _panel(db_url, **by_address)

        def call(node: Panel) -> Any:
            return node.http.post(node.url, data={"key": key, "action": "balance"},
                                  headers={"X-Forwarded-For": address}).json()

        assert [call(first), call(second), call(first)] == [BALANCE, BALANCE, LIMITED]
    finally:
        for node in (first, second):
            if node.thread.is_alive():
                node.stop()


def test_redis_down_fails_open(db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="smmpanel")
    panel = _panel(db_url, redis_url="redis://127.0.0.1:1/0", rate_limit_key_burst=1, rate_limit_key_rps=0.1)
    try:
        key = panel.customer("10")
        assert [panel.api(key=key, action="balance") for _ in range(3)] == [BALANCE] * 3
        warnings = [r.getMessage() for r in caplog.records if r.name == "smmpanel.api.ratelimit"]
        assert len(warnings) == 1
        assert warnings[0].startswith("rate limit store unavailable, not limiting: ")
    finally:
        panel.stop()


def test_default_limits_let_a_busy_reseller_bot_through(panel: Panel) -> None:
    """The defaults (20/s, burst 200 per key) take a bot's burst of 150 status calls at once."""
    key = panel.customer("10")
    with httpx.Client(timeout=30) as client:
        answers = [client.post(panel.url, data={"key": key, "action": "balance"}).json() for _ in range(150)]
    assert answers == [BALANCE] * 150
