"""Property: whatever happens to an account — deposits, orders, partial deliveries, cancels, adjustments, in
any order — the balance equals the sum of its ledger, never goes below zero, no order is refunded more than it
was charged, and every amount is exactly what a simple model of spec §0 "Money" predicts.

Orders and cancels go through HTTP; deposits, adjustments and lifecycle moves through the domain functions the
CLI and the fulfilment engine use. Each example gets a fresh customer on the one panel of the test.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smmpanel.accounts import customers
from smmpanel.accounts.keys import hash_key
from smmpanel.api import errors
from smmpanel.money import charge_units, format_units, refund_units
from smmpanel.orders.lifecycle import ACTIVE, TransitionError, move
from tests.conftest import Panel

RATES = [90_000, 33_333, 777_777, 1, 0]  # 0.9, 0.33333, 7.77777, 0.00001 and free, per 1000


@dataclass
class Order:
    id: int
    quantity: int
    charge: int
    status: str = "Pending"
    refunded: int = 0
    cancel_requested: bool = False


@dataclass
class Model:
    """What the books must say, computed from spec §0 alone."""

    balance: int
    orders: list[Order] = field(default_factory=list)


units = st.integers(min_value=1, max_value=5_000_000)
pick = st.integers(min_value=0, max_value=1_000)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("deposit"), units),
        st.tuples(st.just("adjust"), units),
        st.tuples(
            st.just("order"),
            st.integers(min_value=0, max_value=len(RATES) - 1),
            st.integers(min_value=10, max_value=10_000),
        ),
        st.tuples(st.just("partial"), pick, st.integers(min_value=-100, max_value=12_000)),
        st.tuples(st.just("cancel"), pick),
        st.tuples(
            st.just("move"), pick, st.sampled_from(["Processing", "In progress", "Completed", "Canceled"])
        ),
    ),
    max_size=40,
)


def apply(panel: Panel, key: str, name: str, model: Model, op: tuple[Any, ...]) -> None:
    kind = op[0]
    if kind == "deposit":
        panel.run(lambda db: customers.add_funds(db, name, op[1], "property deposit"))
        model.balance += op[1]
    elif kind == "adjust":
        try:
            panel.run(lambda db: customers.add_funds(db, name, -op[1], "property adjustment"))
        except customers.CustomerError:
            assert op[1] > model.balance
        else:
            assert op[1] <= model.balance
            model.balance -= op[1]
    elif kind == "order":
        service, quantity = op[1] + 1, op[2]
        charge = charge_units(RATES[op[1]], quantity)
        answer = panel.api(
            key=key, action="add", service=service, link=f"https://x/{uuid.uuid4().hex}", quantity=quantity
        )
        if charge > model.balance:
            assert answer == {"error": errors.NOT_ENOUGH_FUNDS}
        else:
            model.orders.append(Order(answer["order"], quantity, charge))
            model.balance -= charge
    elif model.orders:
        order = model.orders[op[1] % len(model.orders)]
        if kind == "cancel":
            answer = panel.api(key=key, action="cancel", orders=str(order.id))
            if order.status == "Pending":  # canceled at once, in full
                assert answer == [{"order": order.id, "cancel": 1}]
                _finish(model, order, "Canceled", order.charge - order.refunded)
            elif (
                order.status in ACTIVE and not order.cancel_requested
            ):  # a request for fulfilment; no money yet
                assert answer == [{"order": order.id, "cancel": 1}]
                order.cancel_requested = True
            else:
                assert answer == [{"order": order.id, "cancel": {"error": errors.CANNOT_CANCEL}}]
            return
        status = "Partial" if kind == "partial" else op[2]
        remains = op[2] if kind == "partial" else None
        try:
            outcome = panel.run(lambda db: move(db, order.id, status, remains=remains))
        except TransitionError:
            assert order.status not in ACTIVE
            return
        assert order.status in ACTIVE
        if status == "Partial":
            owed = refund_units(
                order.charge, max(0, min(op[2], order.quantity)), order.quantity, order.refunded
            )
        elif status == "Canceled":
            owed = order.charge - order.refunded
        else:
            owed = 0
        assert outcome.refunded == owed
        _finish(model, order, status, owed)


def _finish(model: Model, order: Order, status: str, refund: int) -> None:
    order.status = status
    order.refunded += refund
    model.balance += refund


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(opening=st.integers(min_value=0, max_value=2_000_000), ops=operations)
def test_books_balance_after_any_sequence(panel: Panel, opening: int, ops: list[tuple[Any, ...]]) -> None:
    if not panel.sql("SELECT 1 FROM services"):
        for n, rate in enumerate(RATES):
            panel.service(name=f"S{n}", rate=format_units(rate), max=10_000, cancel=True, link_guard=False)
    name = f"p{uuid.uuid4().hex[:10]}"
    key = panel.customer(format_units(opening), name=name)
    customer_id = panel.sql("SELECT customer_id FROM api_keys WHERE key_hash = $1", hash_key(key))[0][0]
    model = Model(opening)
    for op in ops:
        apply(panel, key, name, model, op)
        balance = panel.sql("SELECT balance FROM customers WHERE id = $1", customer_id)[0][0]
        assert int(balance) == model.balance >= 0, op

    assert panel.balance(key) == format_units(model.balance)
    assert panel.sql("SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE customer_id = $1", customer_id) == [
        (model.balance,)
    ]
    stored = panel.sql(
        "SELECT id, status, charge, refunded FROM orders WHERE customer_id = $1 ORDER BY id", customer_id
    )
    assert stored == [(o.id, o.status, o.charge, o.refunded) for o in model.orders]
    assert all(0 <= refunded <= charge for _, _, charge, refunded in stored)
    for o in model.orders:
        expected = format_units(o.charge - o.refunded)
        assert panel.api(key=key, action="status", order=o.id)["charge"] == expected
    assert panel.audit() == []
