"""Dispatch against a scripted upstream that misbehaves in every documented way.

After each: the upstream received at most one `add` per order, no matter how many cycles ran; an unknown
outcome leaves the order held (Processing, nothing refunded); a definite refusal either requeues it (retry
later, money untouched) or cancels it with a full refund; the books balance (the panel fixture audits).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from smmpanel.db.connect import Database
from smmpanel.fulfilment import resolve
from smmpanel.money import parse_amount
from tests.conftest import Panel
from tests.functional.fulfilment.conftest import Upstream, add_provider, cycle, json_reply, order_row


def _setup(panel: Panel, url: str) -> tuple[str, int]:
    provider = add_provider(panel, "upstream", url=url, api_key="upstream-secret-key-123456")
    service = panel.service(provider_id=provider, provider_service="7", cancel=True)
    return panel.customer("10"), service


def _place(panel: Panel, key: str, service: int, link: str = "https://ig.example/p/1") -> int:
    answer = panel.api(key=key, action="add", service=service, link=link, quantity=1000)
    return int(answer["order"])


def _error(text: str) -> Any:
    return lambda params: json_reply({"error": text})


HOLD_CASES: dict[str, Any] = {
    "timeout after accepting": lambda p: json_reply({"order": 1}, delay=1.0),
    "HTTP 500": lambda p: (500, b'{"error":"Internal error"}', 0.0),
    "HTTP 502 html": lambda p: (502, b"<html><body>Bad gateway</body></html>", 0.0),
    "malformed JSON": lambda p: (200, b'{"order": 12', 0.0),
    "HTML error page": lambda p: (200, b"<!DOCTYPE html><html><body>Fatal error</body></html>", 0.0),
    "empty body": lambda p: (200, b"", 0.0),
    "Incorrect request": _error("Incorrect request"),
    "unknown refusal": _error("Service temporarily disabled by admin"),
}


@pytest.mark.parametrize("case", list(HOLD_CASES))
def test_unknown_outcome_is_held_never_resent(panel: Panel, upstream: Upstream, case: str) -> None:
    upstream.script = HOLD_CASES[case]
    key, service = _setup(panel, upstream.url)
    order = _place(panel, key, service)
    counts = cycle(panel)
    assert counts["held"] == 1
    for _ in range(2):
        cycle(panel)
    row = order_row(panel, order)
    assert (row["status"], row["dispatch"], row["refunded"]) == ("Processing", "held", 0)
    assert row["last_error"] and "upstream-secret-key" not in row["last_error"]
    assert upstream.adds == {"https://ig.example/p/1": 1}
    assert panel.balance(key) == "9.10000"
    assert panel.api(key=key, action="status", order=order)["status"] == "Processing"


RETRY = ("Pending", "queued", 0)
FAIL = ("Canceled", "failed", "refund")
REFUSALS = {
    "Not enough funds on balance": RETRY,
    "neworder.error.not_enough_funds": RETRY,
    "You have active order with this link. Please wait until order being completed.": RETRY,
    "neworder.error.link_duplicate": RETRY,
    "Invalid API key": RETRY,
    "Incorrect service ID": FAIL,
    "error.incorrect_service_id": FAIL,
    "Incorrect link": FAIL,
    "neworder.error.link": FAIL,
    "Quantity less than minimal 10": FAIL,
    "Quantity more than maximum 100": FAIL,
    "neworder.error.max_quantity": FAIL,
}


@pytest.mark.parametrize("text", list(REFUSALS))
def test_definite_refusals(panel: Panel, upstream: Upstream, text: str) -> None:
    upstream.script = _error(text)
    key, service = _setup(panel, upstream.url)
    order = _place(panel, key, service)
    cycle(panel)
    cycle(panel)  # a retry waits for its backoff: not sent again in the next cycle
    row = order_row(panel, order)
    status, dispatch, refund = REFUSALS[text]
    assert (row["status"], row["dispatch"]) == (status, dispatch)
    assert upstream.total_adds == 1
    assert row["last_error"] == f"refused: {text}"
    if refund:
        assert row["refunded"] == row["charge"] == parse_amount("0.9")
        assert panel.balance(key) == "10.00000"
    else:
        assert row["attempts"] == 1 and row["refunded"] == 0
        assert panel.balance(key) == "9.10000"


def test_connection_refused_is_retried_later(panel: Panel) -> None:
    import socket

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    key, service = _setup(panel, f"http://127.0.0.1:{port}/api/v2")
    order = _place(panel, key, service)
    assert cycle(panel)["retried"] == 1
    row = order_row(panel, order)
    assert (row["status"], row["dispatch"], row["attempts"]) == ("Pending", "queued", 1)
    assert "nothing sent" in row["last_error"]
    # due again after the backoff: another attempt is safe because nothing was ever sent
    panel.execute("UPDATE orders SET next_attempt_at = 0 WHERE id = $1", order)
    assert cycle(panel)["retried"] == 1
    assert order_row(panel, order)["attempts"] == 2


def test_retries_end_in_hold_at_the_cap(panel: Panel, upstream: Upstream) -> None:
    upstream.script = _error("Not enough funds on balance")
    key, service = _setup(panel, upstream.url)
    order = _place(panel, key, service)
    for _ in range(3):
        cycle(panel, max_attempts=3)
        panel.execute("UPDATE orders SET next_attempt_at = 0 WHERE id = $1", order)
    row = order_row(panel, order)
    assert (row["status"], row["dispatch"]) == ("Processing", "held")
    assert "gave up after 3 attempts" in row["last_error"]
    assert upstream.total_adds == 3  # each one definitely refused: nothing was ever created


def test_slow_answer_within_timeout_is_sent(panel: Panel, upstream: Upstream) -> None:
    accept = upstream.accept
    upstream.script = lambda p: (lambda r: (r[0], r[1], 0.3))(accept(p))
    key, service = _setup(panel, upstream.url)
    orders = [_place(panel, key, service, f"https://ig.example/p/{i}") for i in range(3)]
    # 0.3 s answers within a 2 s timeout: the default 0.5 s of the test kit left too little margin on a busy
    # machine (the suite failed here under a load average of 9, and passed alone)
    assert cycle(panel, timeout=2.0)["dispatched"] == 3
    assert {order_row(panel, o)["dispatch"] for o in orders} == {"sent"}
    assert upstream.total_adds == 3 and set(upstream.adds.values()) == {1}


def test_failover_provider_takes_a_refused_order(panel: Panel, upstream: Upstream) -> None:
    backup = Upstream()
    try:
        upstream.script = _error("Incorrect service ID")
        key, service = _setup(panel, upstream.url)
        other = add_provider(panel, "upstream", url=backup.url, api_key="backup-secret-key-123456")
        panel.execute("UPDATE services SET failover_provider_id = $1, failover_service = '9' WHERE id = $2",
                      other, service)  # fmt: skip
        order = _place(panel, key, service)
        assert cycle(panel)["dispatched"] == 1
        row = order_row(panel, order)
        assert (row["dispatch"], row["provider_id"], row["upstream_id"]) == ("sent", other, 1001)
        assert upstream.total_adds == 1 and backup.total_adds == 1
    finally:
        backup.stop()


def test_manual_services_are_never_touched(panel: Panel) -> None:
    manual = add_provider(panel, "manual")
    key = panel.customer("10")
    by_hand = panel.service()
    via_manual = panel.service(provider_id=manual, provider_service="1")
    orders = [_place(panel, key, s, f"https://ig.example/m/{s}") for s in (by_hand, via_manual)]
    cycle(panel)
    for order in orders:
        row = order_row(panel, order)
        assert (row["status"], row["dispatch"], row["provider_id"]) == ("Pending", None, None)




def test_two_operators_failing_one_held_order_refund_once(panel: Panel, upstream: Upstream) -> None:
    upstream.script = HOLD_CASES["empty body"]
    key, service = _setup(panel, upstream.url)
    order = _place(panel, key, service)
    assert cycle(panel)["held"] == 1

    async def both(db: Database) -> list[Any]:
        return await asyncio.gather(resolve.fail(db, order), resolve.fail(db, order), return_exceptions=True)

    outcomes = panel.run(both)
    assert sorted(type(o).__name__ for o in outcomes) == ["Outcome", "ResolveError"]
    row = order_row(panel, order)
    assert (row["status"], row["dispatch"], row["refunded"]) == ("Canceled", "failed", row["charge"])
    assert panel.balance(key) == "10.00000"
    assert upstream.total_adds == 1
