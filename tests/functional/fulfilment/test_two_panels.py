"""End to end over real HTTP: panel B (its services fulfilled by the built-in simulated provider, instant
steps) is the upstream of panel A (an upstream provider row with the key of A's account on B). Orders
placed through A's API complete after engine cycles on both; a Partial refunds exactly the undelivered
part on both panels; refills and cancels travel A → B → simulated and their outcomes travel back.
"""

from __future__ import annotations

from collections.abc import Callable

from smmpanel.money import charge_units, format_units, parse_amount, refund_units
from tests.conftest import Panel
from tests.functional.fulfilment.conftest import add_provider, cycle, order_row


def _chain(make_panel: Callable[..., Panel]) -> tuple[Panel, Panel, str, int]:
    b = make_panel()
    simulated = add_provider(b, "simulated", step_seconds=0)
    b_service = b.service(name="Followers via sim", rate="0.5", provider_id=simulated, provider_service="1",
                          cancel=True, refill_days=30)  # fmt: skip
    a_key_on_b = b.customer("50", name="panel-a")
    a = make_panel()
    upstream = add_provider(a, "upstream", url=b.url, api_key=a_key_on_b)
    a_service = a.service(name="Followers", rate="0.9", provider_id=upstream, provider_service=str(b_service),
                          cancel=True, refill_days=30)  # fmt: skip
    return a, b, a_key_on_b, a_service


def _both(a: Panel, b: Panel) -> None:
    cycle(a)  # dispatch A → B
    cycle(b)  # B dispatches to the simulated provider, which finishes at once; B tracks it
    cycle(a)  # A tracks B


def test_orders_complete_through_a_second_panel(make_panel: Callable[..., Panel]) -> None:
    a, b, a_key_on_b, service = _chain(make_panel)
    key = a.customer("100")
    orders = [a.api(key=key, action="add", service=service, link=f"https://ig.example/u{i}", quantity=1000)["order"]
              for i in range(3)]  # fmt: skip
    assert [order_row(a, o)["dispatch"] for o in orders] == ["queued"] * 3
    _both(a, b)
    answer = a.api(key=key, action="status", orders=",".join(map(str, orders)))
    assert {v["status"] for v in answer.values()} == {"Completed"}
    assert {v["remains"] for v in answer.values()} == {"0"}
    assert a.balance(key) == "97.30000"
    assert b.balance(a_key_on_b) == "48.50000"  # panel A paid B 0.5 per 1000, three times
    assert sorted(order_row(a, o)["upstream_id"] for o in orders) == [1, 2, 3]


def test_partial_refunds_exactly_the_undelivered_part_on_both_panels(make_panel: Callable[..., Panel]) -> None:
    a, b, a_key_on_b, service = _chain(make_panel)
    key = a.customer("100")
    order = a.api(key=key, action="add", service=service, link="https://ig.example/partial", quantity=1000)["order"]
    _both(a, b)
    answer = a.api(key=key, action="status", order=order)
    assert answer["status"] == "Partial"
    remains = int(answer["remains"])
    assert 0 < remains < 1000
    charge = charge_units(parse_amount("0.9"), 1000)
    refund = refund_units(charge, remains, 1000, 0)
    assert answer["charge"] == format_units(charge - refund)
    assert a.balance(key) == format_units(parse_amount("100") - charge + refund)
    b_charge = charge_units(parse_amount("0.5"), 1000)
    assert b.balance(a_key_on_b) == format_units(parse_amount("50") - b_charge + refund_units(b_charge, remains, 1000, 0))
    cycle(a)
    assert a.balance(key) == format_units(parse_amount("100") - charge + refund)  # once


def test_refill_travels_to_the_upstream_and_back(make_panel: Callable[..., Panel]) -> None:
    a, b, _, service = _chain(make_panel)
    key = a.customer("100")
    order = a.api(key=key, action="add", service=service, link="https://ig.example/r", quantity=1000)["order"]
    _both(a, b)
    refill = int(a.api(key=key, action="refill", order=order)["refill"])
    assert a.sql("SELECT forward FROM refills WHERE id = $1", refill) == [("queued",)]
    cycle(a)  # A → B
    assert a.sql("SELECT forward, upstream_id FROM refills WHERE id = $1", refill) == [("sent", 1)]
    assert b.sql("SELECT forward FROM refills") == [("queued",)]
    cycle(b)  # B → simulated, and B follows it
    cycle(a)
    assert a.api(key=key, action="refill_status", refill=refill) == {"status": "Completed"}
    assert b.sql("SELECT status, forward FROM refills") == [("Completed", "sent")]


def test_cancel_travels_to_the_upstream_and_refunds(make_panel: Callable[..., Panel]) -> None:
    a, b, a_key_on_b, service = _chain(make_panel)
    key = a.customer("100")
    order = a.api(key=key, action="add", service=service, link="https://ig.example/c", quantity=1000)["order"]
    cycle(a)  # sent to B, where it waits (B's engine has not run)
    assert order_row(a, order)["status"] == "Processing"
    assert a.api(key=key, action="cancel", orders=str(order)) == [{"order": order, "cancel": 1}]
    cycle(a)  # forwards the cancel: B cancels its Pending order at once; A tracks it: Canceled
    row = order_row(a, order)
    assert (row["status"], row["refunded"]) == ("Canceled", row["charge"])
    assert a.balance(key) == "100.00000"
    assert b.balance(a_key_on_b) == "50.00000"
    assert b.sql("SELECT status FROM orders") == [("Canceled",)]


def test_cancel_of_an_order_in_progress_upstream_ends_partial(make_panel: Callable[..., Panel]) -> None:
    a, b, a_key_on_b, service = _chain(make_panel)
    b.execute("UPDATE providers SET step_seconds = 3600")  # B's simulated orders stay Pending for an hour
    key = a.customer("100")
    order = a.api(key=key, action="add", service=service, link="https://ig.example/c2", quantity=1000)["order"]
    _both(a, b)
    assert order_row(a, order)["status"] == "Processing"  # B is Processing: upstream of B says Pending
    a.api(key=key, action="cancel", orders=str(order))
    cycle(a)  # A → B: B flags its order; B forwards to the simulated provider, which cancels at step 0
    cycle(b)
    cycle(a)
    assert order_row(a, order)["status"] == "Canceled"
    assert a.balance(key) == "100.00000" and b.balance(a_key_on_b) == "50.00000"
