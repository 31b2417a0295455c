"""Refills (spec §7.2, §3.5–3.8) and cancels (§7.4, §3.9), and the refunds of Partial and Canceled (§7.3):
every refusal text in its precedence, the shapes of single and batch answers, and money moved exactly once.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from smmpanel.api import errors
from smmpanel.config import Settings
from smmpanel.money import format_units
from smmpanel.orders.lifecycle import TransitionError, move
from smmpanel.orders.refills import set_refill_status
from tests.conftest import Panel

HOUR = 3_600
DAY = 86_400


def order(panel: Panel, key: str, service: int, n: int, quantity: int = 100) -> int:
    answer = panel.api(key=key, action="add", service=service, link=f"https://x/{n}", quantity=quantity)
    assert answer == {"order": n}, answer
    return n


def complete(panel: Panel, order_id: int, *, ago: float) -> None:
    """Completed, `ago` seconds back (created a day before that)."""
    panel.run(lambda db: move(db, order_id, "Completed"))
    now = int(time.time())
    panel.execute(
        "UPDATE orders SET completed_at = $1, created_at = $2 WHERE id = $3",
        now - int(ago),
        now - int(ago) - DAY,
        order_id,
    )


def moved(panel: Panel, order_id: int, status: str, **options: Any) -> None:
    panel.run(lambda db: move(db, order_id, status, **options))


def refill(panel: Panel, key: str, order_id: int) -> Any:
    return panel.api(key=key, action="refill", order=order_id)


# Refill eligibility, first failure wins -------------------------------------------------------------


def test_refill_errors_in_order(panel: Panel) -> None:
    key = panel.customer("1")
    no_refill = panel.service(name="No refill", refill_days=0)
    refillable = panel.service(name="30-day refill", refill_days=30)

    # disabled wins over everything, even an unfinished order
    order(panel, key, no_refill, 1)
    assert refill(panel, key, 1) == {"error": errors.REFILL_DISABLED}
    complete(panel, 1, ago=2 * DAY)
    assert refill(panel, key, 1) == {"error": errors.REFILL_DISABLED}

    # not completed: every other status
    for n, status in enumerate(("Pending", "Processing", "In progress", "Partial", "Canceled"), start=2):
        order(panel, key, refillable, n)
        if status != "Pending":
            moved(panel, n, status, remains=50)
        assert refill(panel, key, n) == {"error": errors.NOT_COMPLETED}, status

    # refill days over: checked before the cooldown
    order(panel, key, refillable, 7)
    complete(panel, 7, ago=30 * DAY + 60)
    assert refill(panel, key, 7) == {"error": errors.REFILL_DAYS_OVER}
    panel.execute("UPDATE orders SET completed_at = $1 WHERE id = 7", int(time.time()) - 30 * DAY + 60)
    assert refill(panel, key, 7) == {"refill": "1"}  # the last minute of the window

    # the 24 h cooldown after completion
    order(panel, key, refillable, 8)
    complete(panel, 8, ago=23 * HOUR)
    assert refill(panel, key, 8) == {"error": errors.REFILL_TOO_SOON}
    panel.execute("UPDATE orders SET completed_at = $1 WHERE id = 8", int(time.time()) - 24 * HOUR - 60)
    assert refill(panel, key, 8) == {"refill": "2"}

    # ... and after the last refill, whatever that refill's status
    assert refill(panel, key, 8) == {"error": errors.REFILL_TOO_SOON}
    panel.run(lambda db: set_refill_status(db, 2, "Completed"))
    assert refill(panel, key, 8) == {"error": errors.REFILL_TOO_SOON}
    panel.execute("UPDATE refills SET created_at = $1 WHERE id = 2", int(time.time()) - 23 * HOUR)
    assert refill(panel, key, 8) == {"error": errors.REFILL_TOO_SOON}
    panel.execute("UPDATE refills SET created_at = $1 WHERE id = 2", int(time.time()) - 25 * HOUR)
    assert refill(panel, key, 8) == {"refill": "3"}

    # someone else's order, or none at all
    other = panel.customer("1")
    assert refill(panel, other, 8) == {"error": errors.INCORRECT_ORDER}
    assert refill(panel, key, 99) == {"error": errors.INCORRECT_ORDER}

    # refills are free
    assert (
        panel.balance(key) == "0.41500"
    )  # 8 orders × 0.09; order 5 half refunded (Partial 50/100), 6 in full
    assert panel.sql("SELECT id, order_id, status FROM refills ORDER BY id") == [
        (1, 7, "Pending"),
        (2, 8, "Completed"),
        (3, 8, "Pending"),
    ]


class TestCooldownSetting:
    @pytest.fixture
    def settings(self, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
        monkeypatch.setenv("SMMPANEL_REFILL_COOLDOWN_HOURS", "1")
        return Settings(database_url=db_url, run_worker=False)

    def test_refill_cooldown_hours_from_the_environment(self, panel: Panel) -> None:
        assert panel.settings.refill_cooldown_hours == 1
        key = panel.customer("1")
        service = panel.service(refill_days=7)
        order(panel, key, service, 1)
        complete(panel, 1, ago=50 * 60)
        assert refill(panel, key, 1) == {"error": errors.REFILL_TOO_SOON}  # the text says 24 hours, always
        panel.execute("UPDATE orders SET completed_at = $1 WHERE id = 1", int(time.time()) - 61 * 60)
        assert refill(panel, key, 1) == {"refill": "1"}
        assert refill(panel, key, 1) == {"error": errors.REFILL_TOO_SOON}
        panel.execute("UPDATE refills SET created_at = $1 WHERE id = 1", int(time.time()) - 61 * 60)
        assert refill(panel, key, 1) == {"refill": "2"}


def test_multi_refill_and_refill_status_shapes(panel: Panel) -> None:
    key = panel.customer("1")
    service = panel.service(refill_days=30)
    no_refill = panel.service(name="No refill")
    for n in (1, 2, 3):
        order(panel, key, service, n)
    order(panel, key, no_refill, 4)
    complete(panel, 1, ago=2 * DAY)
    complete(panel, 2, ago=2 * DAY)
    assert panel.post(key=key, action="refill", orders="1,2,3,4,5,1").content == (
        b'[{"order":1,"refill":1},{"order":2,"refill":2},'
        b'{"order":3,"refill":{"error":"The order is not completed"}},'
        b'{"order":4,"refill":{"error":"Refill is disabled for this service"}},'
        b'{"order":5,"refill":{"error":"Incorrect order ID"}}]'
    )
    assert panel.post(key=key, action="refill", orders="2").content == (
        b'[{"order":2,"refill":{"error":"The order was completed or refill was requested less than 24 hours'
        b' ago"}}]'
    )
    panel.run(lambda db: set_refill_status(db, 1, "In progress"))
    assert panel.post(key=key, action="refill_status", refills="2,1,3").content == (
        b'[{"refill":2,"status":"Pending"},{"refill":1,"status":"In progress"},'
        b'{"refill":3,"status":{"error":"Refill not found"}}]'
    )
    panel.run(lambda db: set_refill_status(db, 1, "Completed"))
    panel.run(lambda db: set_refill_status(db, 2, "Rejected"))
    assert panel.post(key=key, action="refill_status", refills="1,2").content == (
        b'[{"refill":1,"status":"Completed"},{"refill":2,"status":"Rejected"}]'
    )
    assert panel.post(key=key, action="refill_status", refill="2").content == b'{"status":"Rejected"}'
    with pytest.raises(ValueError, match="already finished"):
        panel.run(lambda db: set_refill_status(db, 2, "Pending"))
    other = panel.customer("1")
    assert panel.post(key=other, action="refill_status", refills="1,2").content == (
        b'[{"refill":1,"status":{"error":"Refill not found"}},'
        b'{"refill":2,"status":{"error":"Refill not found"}}]'
    )
    assert panel.balance(key) == "0.64000"


# Cancel ------------------------------------------------------------------------------------------------


def cancel(panel: Panel, key: str, orders: str) -> Any:
    return panel.api(key=key, action="cancel", orders=orders)


def test_cancel_disabled_and_unknown(panel: Panel) -> None:
    key = panel.customer("1")
    other = panel.customer("1")
    no_cancel = panel.service(cancel=False)
    order(panel, key, no_cancel, 1)
    assert cancel(panel, key, "1") == [{"order": 1, "cancel": {"error": errors.CANCEL_DISABLED}}]
    assert cancel(panel, other, "1") == [{"order": 1, "cancel": {"error": errors.INCORRECT_ORDER}}]
    assert cancel(panel, key, "2") == [{"order": 2, "cancel": {"error": errors.INCORRECT_ORDER}}]
    assert panel.api(key=key, action="status", order=1)["status"] == "Pending"
    assert panel.balance(key) == "0.91000"
    assert panel.balance(other) == "1.00000"


def test_cancel_pending_refunds_in_full_at_once(panel: Panel) -> None:
    key = panel.customer("1")
    service = panel.service(cancel=True, rate="0.33333")
    order(panel, key, service, 1, quantity=1000)
    assert panel.balance(key) == "0.66667"
    assert panel.post(key=key, action="cancel", order="1").content == b'[{"order":1,"cancel":1}]'
    assert panel.balance(key) == "1.00000"
    assert panel.post(key=key, action="status", order=1).content == (
        b'{"charge":"0.00000","start_count":"0","status":"Canceled","remains":"1000","currency":"USD"}'
    )
    assert cancel(panel, key, "1") == [{"order": 1, "cancel": {"error": errors.CANNOT_CANCEL}}]
    assert panel.sql("SELECT kind, amount, order_id FROM ledger ORDER BY id") == [
        ("deposit", 100_000, None),
        ("charge", -33_333, 1),
        ("refund", 33_333, 1),
    ]


@pytest.mark.parametrize("status", ["In progress", "Processing"])
def test_cancel_running_is_a_request_then_refused(panel: Panel, status: str) -> None:
    key = panel.customer("1")
    service = panel.service(cancel=True)
    order(panel, key, service, 1)
    panel.run(lambda db: move(db, 1, status, start_count=1200))
    assert cancel(panel, key, "1") == [{"order": 1, "cancel": 1}]
    assert panel.sql("SELECT status, cancel_requested FROM orders WHERE id = 1") == [(status, True)]
    assert panel.balance(key) == "0.91000"  # nothing refunded yet: fulfilment decides
    assert cancel(panel, key, "1") == [{"order": 1, "cancel": {"error": errors.CANNOT_CANCEL}}]
    assert panel.post(key=key, action="status", order=1).content == (
        b'{"charge":"0.09000","start_count":"1200","status":"%s","remains":"100","currency":"USD"}'
        % status.encode()
    )
    # fulfilment ends it Partial: the undelivered part comes back
    panel.run(lambda db: move(db, 1, "Partial", remains=40))
    assert panel.balance(key) == "0.94600"
    assert panel.post(key=key, action="status", order=1).content == (
        b'{"charge":"0.05400","start_count":"1200","status":"Partial","remains":"40","currency":"USD"}'
    )


def test_cancel_finished_orders_and_mixed_batches(panel: Panel) -> None:
    key = panel.customer("1")
    service = panel.service(cancel=True)
    no_cancel = panel.service(name="No cancel")
    for n in (1, 2, 3, 4):
        order(panel, key, service, n)
    order(panel, key, no_cancel, 5)
    panel.run(lambda db: move(db, 1, "Completed"))
    panel.run(lambda db: move(db, 2, "Partial", remains=10))
    panel.run(lambda db: move(db, 3, "Canceled"))
    assert panel.balance(key) == "0.64900"  # 5 × 0.09 charged; 0.009 (Partial 10/100) + 0.09 refunded
    assert panel.post(key=key, action="cancel", orders="1,2,3,4,5,6,x,4").content == (
        b'[{"order":1,"cancel":{"error":"The order can not be canceled"}},'
        b'{"order":2,"cancel":{"error":"The order can not be canceled"}},'
        b'{"order":3,"cancel":{"error":"The order can not be canceled"}},'
        b'{"order":4,"cancel":1},'
        b'{"order":5,"cancel":{"error":"Cancel is disabled for this service"}},'
        b'{"order":6,"cancel":{"error":"Incorrect order ID"}},'
        b'{"order":"x","cancel":{"error":"Incorrect order ID"}}]'
    )
    assert panel.balance(key) == "0.73900"
    assert [r[0] for r in panel.sql("SELECT status FROM orders ORDER BY id")] == [
        "Completed",
        "Partial",
        "Canceled",
        "Canceled",
        "Pending",
    ]


# Partial and Canceled refunds (spec §0 Money, §7.3) --------------------------------------------------


@pytest.mark.parametrize(
    ("remains", "refund", "charge_after"),
    [
        (1, "0.00033", "0.33300"),  # 33.333 units → 33 (down)
        (999, "0.33299", "0.00034"),  # 33299.667 units → 33299 (down, never half-up)
        (500, "0.16666", "0.16667"),
        (1000, "0.33333", "0.00000"),  # nothing delivered: everything back
        (5000, "0.33333", "0.00000"),  # remains above quantity is clamped
        (0, "0.00000", "0.33333"),
        (-20, "0.00000", "0.33333"),  # over-delivery refunds nothing
    ],
)
def test_partial_refunds_charge_times_remains_over_quantity_once(
    panel: Panel, remains: int, refund: str, charge_after: str
) -> None:
    key = panel.customer("1")
    service = panel.service(rate="0.33333")
    order(panel, key, service, 1, quantity=1000)
    panel.run(lambda db: move(db, 1, "In progress", start_count=10))
    outcome = panel.run(lambda db: move(db, 1, "Partial", remains=remains))
    refunded = int(refund.replace(".", ""))
    assert outcome.refunded == refunded
    stored = min(max(remains, 0), 1000)
    assert panel.api(key=key, action="status", order=1) == {
        "charge": charge_after,
        "start_count": "10",
        "status": "Partial",
        "remains": str(stored),
        "currency": "USD",
    }
    assert panel.balance(key) == format_units(66_667 + refunded)
    for again in ("Partial", "Canceled", "Completed", "In progress"):  # final: never a second refund
        with pytest.raises(TransitionError):
            moved(panel, 1, again, remains=0)
    assert panel.sql("SELECT COUNT(*) FROM ledger WHERE kind = 'refund'") == [(1 if refunded else 0,)]
    assert panel.sql("SELECT charge, refunded FROM orders WHERE id = 1") == [(33_333, refunded)]


def test_canceled_refunds_what_is_unrefunded(panel: Panel) -> None:
    key = panel.customer("1")
    service = panel.service(rate="0.9")
    order(panel, key, service, 1, quantity=100)
    order(panel, key, service, 2, quantity=100)
    panel.run(lambda db: move(db, 1, "Processing"))
    panel.run(lambda db: move(db, 1, "Canceled"))
    panel.run(lambda db: move(db, 2, "Canceled", expected="Pending"))
    with pytest.raises(TransitionError):
        panel.run(lambda db: move(db, 2, "Canceled"))
    with pytest.raises(TransitionError):
        panel.run(lambda db: move(db, 1, "Pending", expected="Processing"))
    assert panel.api(key=key, action="status", orders="1,2") == {
        str(n): {
            "charge": "0.00000",
            "start_count": "0",
            "status": "Canceled",
            "remains": "100",
            "currency": "USD",
        }
        for n in (1, 2)
    }
    assert panel.balance(key) == "1.00000"
    assert panel.sql("SELECT SUM(amount) FROM ledger WHERE kind = 'refund'") == [(18_000,)]
