"""Drip-feed: the engine runs the schedule itself when the provider cannot drip-feed (child orders charged 0,
the parent carries the money and settles once), and forwards runs/interval when it can."""

from __future__ import annotations

from smmpanel.money import charge_units, format_units, parse_amount
from tests.conftest import Panel
from tests.functional.fulfilment.conftest import add_provider, cycle, order_row


def _service(panel: Panel, provider_dripfeed: bool) -> int:
    simulated = add_provider(panel, "simulated", step_seconds=0)
    return panel.service(provider_id=simulated, provider_service="1", dripfeed=True, cancel=True,
                         provider_dripfeed=provider_dripfeed)  # fmt: skip


def test_engine_schedules_runs_and_completes_the_parent(panel: Panel) -> None:
    service = _service(panel, provider_dripfeed=False)
    key = panel.customer("10")
    parent = panel.api(key=key, action="add", service=service, link="https://ig.example/d", quantity=100, runs=3,
                       interval=0)["order"]  # fmt: skip
    assert order_row(panel, parent)["dispatch"] == "scheduled"
    for _ in range(3):
        cycle(panel)
    answer = panel.api(key=key, action="status", order=parent)
    assert (answer["status"], answer["runs"], answer["remains"]) == ("Completed", "3", "0")
    children = answer["orders"]
    assert len(children) == 3
    assert panel.sql("SELECT DISTINCT quantity, charge, status, dispatch FROM orders WHERE parent_id = $1",
                     parent) == [(100, 0, "Completed", "sent")]  # fmt: skip
    assert panel.balance(key) == format_units(parse_amount("10") - charge_units(parse_amount("0.9"), 300))


def test_cancel_stops_the_schedule_and_refunds_the_rest_once(panel: Panel) -> None:
    service = _service(panel, provider_dripfeed=False)
    key = panel.customer("10")
    parent = panel.api(key=key, action="add", service=service, link="https://ig.example/d2", quantity=100, runs=4,
                       interval=60)["order"]  # fmt: skip
    cycle(panel)  # run 1 created, sent and completed; run 2 is an hour away
    assert panel.api(key=key, action="status", order=parent)["status"] == "In progress"
    assert panel.api(key=key, action="cancel", orders=str(parent)) == [{"order": parent, "cancel": 1}]
    cycle(panel)
    cycle(panel)
    answer = panel.api(key=key, action="status", order=parent)
    charge = charge_units(parse_amount("0.9"), 400)
    assert (answer["status"], answer["runs"], answer["remains"]) == ("Partial", "1", "300")
    assert answer["charge"] == format_units(charge - charge * 3 // 4)
    assert panel.balance(key) == format_units(parse_amount("10") - charge + charge * 3 // 4)


def test_provider_that_drip_feeds_gets_runs_and_interval(panel: Panel) -> None:
    service = _service(panel, provider_dripfeed=True)
    key = panel.customer("10")
    parent = panel.api(key=key, action="add", service=service, link="https://ig.example/d3", quantity=100, runs=3,
                       interval=5)["order"]  # fmt: skip
    assert order_row(panel, parent)["dispatch"] == "queued"
    cycle(panel)
    assert panel.sql("SELECT quantity FROM simulated_orders") == [(300,)]
    assert panel.api(key=key, action="status", order=parent)["status"] == "Completed"
