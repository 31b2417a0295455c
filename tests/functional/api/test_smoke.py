"""The thinnest end-to-end path: a customer orders, checks status, cancels, gets the money back."""

from __future__ import annotations

from tests.conftest import Panel


def test_order_status_cancel_round_trip(panel: Panel) -> None:
    key = panel.customer("10")
    service = panel.service(cancel=True)
    assert panel.api(key=key, action="add", service=service, link="https://x/p", quantity=100) == {"order": 1}
    assert panel.balance(key) == "9.91000"
    status = panel.api(key=key, action="status", order=1)
    assert status == {"charge": "0.09000", "start_count": "0", "status": "Pending", "remains": "100",
                      "currency": "USD"}
    assert panel.api(key=key, action="cancel", orders="1") == [{"order": 1, "cancel": 1}]
    assert panel.balance(key) == "10.00000"
    assert panel.api(key=key, action="status", order=1)["status"] == "Canceled"
