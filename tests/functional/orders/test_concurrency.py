"""Simultaneous requests over real HTTP: the database, not a read-then-write in Python, decides who gets the
money (spec §3.2, STYLE rules 5, 6 and 8). Overdraft, double refunds and double refills must be impossible.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import httpx
import orjson
import pytest

from smmpanel.api import errors
from smmpanel.money import format_units
from smmpanel.orders.lifecycle import TransitionError, move
from tests.conftest import Panel

DAY = 86_400


def together(panel: Panel, calls: list[dict[str, Any]]) -> list[bytes]:
    """Send every call at once, each on its own connection; return the bodies in call order."""

    async def go() -> list[bytes]:
        limits = httpx.Limits(max_connections=len(calls), max_keepalive_connections=0)
        async with httpx.AsyncClient(timeout=60, limits=limits) as client:
            responses = await asyncio.gather(*(client.post(panel.url, data=call) for call in calls))
        assert {r.status_code for r in responses} == {200}
        return [r.content for r in responses]

    return asyncio.run(go())


def ledger_sum(panel: Panel, key_balance: str) -> None:
    total = panel.sql("SELECT COALESCE(SUM(amount), 0) FROM ledger")[0][0]
    assert format_units(int(total)) == key_balance
    assert panel.audit() == []


@pytest.mark.parametrize("same_link", [False, True], ids=["distinct links", "one link, guard off"])
def test_200_simultaneous_orders_on_funds_for_100(panel: Panel, same_link: bool) -> None:
    key = panel.customer("9")  # exactly 100 orders of 0.09
    service = panel.service(link_guard=not same_link)
    calls = [
        {
            "key": key,
            "action": "add",
            "service": str(service),
            "quantity": "100",
            "link": "https://x/p" if same_link else f"https://x/{n}",
        }
        for n in range(200)
    ]
    bodies = together(panel, calls)
    outcome = Counter(b"order" if body.startswith(b'{"order":') else body for body in bodies)
    assert outcome == {b"order": 100, b'{"error":"Not enough funds on balance"}': 100}
    ids = sorted(int(body[9:-1]) for body in bodies if body.startswith(b'{"order":'))
    assert ids == list(range(1, 101))
    assert panel.balance(key) == "0.00000"
    ledger_sum(panel, "0.00000")
    assert panel.sql("SELECT COUNT(*), SUM(charge) FROM orders") == [(100, 900_000)]


def test_simultaneous_orders_on_one_guarded_link(panel: Panel) -> None:
    key = panel.customer("9")
    service = panel.service()
    calls = [
        {"key": key, "action": "add", "service": str(service), "quantity": "100", "link": "https://x/p"}
    ] * 50
    outcome = Counter(b"order" if body.startswith(b'{"order":') else body for body in together(panel, calls))
    assert outcome == {b"order": 1, b'{"error":"' + errors.ACTIVE_ORDER.encode() + b'"}': 49}
    assert panel.balance(key) == "8.91000"
    ledger_sum(panel, "8.91000")


def test_simultaneous_cancels_refund_once(panel: Panel) -> None:
    key = panel.customer("1")
    service = panel.service(cancel=True)
    assert panel.api(key=key, action="add", service=service, link="https://x/p", quantity=100) == {"order": 1}
    assert panel.api(key=key, action="add", service=service, link="https://x/q", quantity=100) == {"order": 2}
    panel.run(lambda db: move(db, 2, "In progress"))
    calls = [{"key": key, "action": "cancel", "orders": "1,2"}] * 50
    answers = [orjson.loads(body) for body in together(panel, calls)]
    for n in (1, 2):  # each order: accepted once, refused 49 times
        outcome = Counter(orjson.dumps(answer[n - 1]) for answer in answers)
        assert outcome == {
            b'{"order":%d,"cancel":1}' % n: 1,
            b'{"order":%d,"cancel":{"error":"The order can not be canceled"}}' % n: 49,
        }
    assert panel.sql("SELECT id, status, cancel_requested FROM orders ORDER BY id") == [
        (1, "Canceled", False),
        (2, "In progress", True),
    ]
    assert panel.balance(key) == "0.91000"
    assert panel.sql("SELECT COUNT(*) FROM ledger WHERE kind = 'refund'") == [(1,)]
    ledger_sum(panel, "0.91000")


def test_simultaneous_partial_and_cancel_moves_refund_once(panel: Panel) -> None:
    """Engine, operator and customer racing to finish one order: one wins, one refund."""
    key = panel.customer("1")
    service = panel.service(cancel=True)
    assert panel.api(key=key, action="add", service=service, link="https://x/p", quantity=100) == {"order": 1}
    panel.run(lambda db: move(db, 1, "In progress"))

    async def race(db: Any) -> list[Any]:
        async def one(status: str, remains: int) -> Any:
            try:
                return (await move(db, 1, status, remains=remains)).refunded
            except TransitionError:
                return "refused"

        moves = [
            one(status, remains)
            for _ in range(10)
            for status, remains in (("Partial", 30), ("Canceled", 0), ("Partial", 60), ("Completed", 0))
        ]
        return await asyncio.gather(*moves)

    results = panel.run(race)
    assert Counter(r == "refused" for r in results) == {True: 39, False: 1}
    refunded = panel.sql("SELECT refunded FROM orders WHERE id = 1")[0][0]
    assert [r for r in results if r != "refused"] == [refunded]
    assert panel.sql("SELECT COUNT(*) FROM ledger WHERE kind = 'refund'") == [(1 if refunded else 0,)]
    ledger_sum(panel, format_units(91_000 + refunded))


def test_simultaneous_refills_create_one(panel: Panel) -> None:
    key = panel.customer("1")
    service = panel.service(refill_days=30)
    assert panel.api(key=key, action="add", service=service, link="https://x/p", quantity=100) == {"order": 1}
    panel.run(lambda db: move(db, 1, "Completed"))
    panel.execute("UPDATE orders SET completed_at = $1 WHERE id = 1", int(time.time()) - 2 * DAY)
    bodies = together(panel, [{"key": key, "action": "refill", "order": "1"}] * 30)
    assert Counter(bodies) == {
        b'{"refill":"1"}': 1,
        b'{"error":"The order was completed or refill was requested less than 24 hours ago"}': 29,
    }
    assert panel.sql("SELECT COUNT(*) FROM refills") == [(1,)]
    assert panel.balance(key) == "0.91000"
