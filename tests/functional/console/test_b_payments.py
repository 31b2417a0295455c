"""Payments in the console: Approve credits once (also under 20 simultaneous approvals from two staff),
Reject needs a reason, methods are added and edited; every decision has its activity row."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx

from smmpanel.accounts import queries
from smmpanel.db.connect import Database
from smmpanel.payments import methods, requests
from tests.conftest import Panel
from tests.functional.console.conftest import Staff
from tests.functional.web.conftest import Visitor


def pending_request(panel: Panel, visitor: Visitor, amount: int = 2_500_000) -> tuple[int, int]:
    """A signed-up customer's Pending request of `amount` units; returns (request id, customer id)."""
    visitor.sign_up()

    async def work(db: Database) -> tuple[int, int]:
        method_id = await methods.add(db, "Bank", "Pay to IBAN …", 100_000)
        customer_id = await queries.customer_id(db, visitor.name)
        assert customer_id is not None
        return await requests.submit(db, customer_id, method_id, amount, "REF-1"), customer_id

    return panel.run(work)


def ledger(panel: Panel, customer_id: int) -> list[tuple[object, ...]]:
    return panel.sql("SELECT kind, amount, note FROM ledger WHERE customer_id = $1 ORDER BY id", customer_id)


def activity_rows(panel: Panel, action: str) -> list[tuple[object, ...]]:
    return panel.sql("SELECT s.name, a.object_id, a.before, a.after FROM staff_activity a JOIN staff s"
                     " ON s.id = a.staff_id WHERE a.action = $1 ORDER BY a.id", action)


def test_approve_credits_the_customer_and_records_who(panel: Panel, visitor: Visitor, admin: Staff) -> None:
    request_id, customer_id = pending_request(panel, visitor)
    page = admin.get("/admin/payments")
    assert page.status_code == 200
    assert f'action="/admin/payments/{request_id}/approve"' in page.text
    assert ">Approve</button>" in page.text and ">Reject</button>" in page.text
    assert "25.00000" in page.text
    response = admin.post(f"/admin/payments/{request_id}/approve")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/payments?done=approved"
    assert ledger(panel, customer_id) == [("deposit", 2_500_000, f"payment request {request_id}")]
    assert panel.sql("SELECT balance FROM customers WHERE id = $1", customer_id) == [(2_500_000,)]
    assert panel.sql("SELECT status, decided_by FROM payment_requests WHERE id = $1", request_id) == [
        ("Approved", admin.name)]
    rows = activity_rows(panel, "payment.approve")
    assert [(r[0], r[1]) for r in rows] == [(admin.name, str(request_id))]
    # a second click is refused and moves nothing
    again = admin.post(f"/admin/payments/{request_id}/approve")
    assert again.status_code == 409
    assert f"payment request {request_id} is already Approved" in again.text
    assert len(ledger(panel, customer_id)) == 1
    assert len(activity_rows(panel, "payment.approve")) == 1


def test_twenty_simultaneous_approvals_by_two_staff_credit_once(
    panel: Panel, visitor: Visitor, admin: Staff, owner: Staff
) -> None:
    request_id, customer_id = pending_request(panel, visitor)
    for one in (admin, owner):
        one.get("/admin/payments")

    def approve(i: int) -> int:
        one = (admin, owner)[i % 2]
        with httpx.Client(base_url=panel.base, cookies=one.http.cookies, timeout=30) as client:
            return client.post(f"/admin/payments/{request_id}/approve", data={"csrf_token": one.csrf}).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = sorted(pool.map(approve, range(20)))
    assert codes == [303] + [409] * 19
    assert ledger(panel, customer_id) == [("deposit", 2_500_000, f"payment request {request_id}")]
    assert panel.sql("SELECT balance FROM customers WHERE id = $1", customer_id) == [(2_500_000,)]
    assert len(activity_rows(panel, "payment.approve")) == 1
    assert panel.audit() == []


def test_reject_needs_a_reason_and_moves_nothing(panel: Panel, visitor: Visitor, admin: Staff) -> None:
    request_id, customer_id = pending_request(panel, visitor)
    admin.get("/admin/payments")
    refused = admin.post(f"/admin/payments/{request_id}/reject", {"reason": "  "})
    assert refused.status_code == 400
    assert "a rejection needs a reason" in refused.text
    response = admin.post(f"/admin/payments/{request_id}/reject", {"reason": "no such transfer"})
    assert response.status_code == 303
    assert panel.sql("SELECT status, reason FROM payment_requests WHERE id = $1", request_id) == [
        ("Rejected", "no such transfer")]
    assert ledger(panel, customer_id) == []
    assert panel.sql("SELECT balance FROM customers WHERE id = $1", customer_id) == [(0,)]
    rows = activity_rows(panel, "payment.reject")
    assert len(rows) == 1 and "no such transfer" in str(rows[0][3])
    assert admin.post(f"/admin/payments/{request_id}/approve").status_code == 409
    assert ledger(panel, customer_id) == []


def test_methods_are_added_edited_and_disabled(panel: Panel, admin: Staff) -> None:
    admin.get("/admin/payments")
    response = admin.post("/admin/payments/methods", {"name": "Wire", "instructions": "IBAN X", "min_amount": "5"})
    assert response.status_code == 303
    method_id = panel.sql("SELECT id FROM payment_methods WHERE name = 'Wire'")[0][0]
    page = admin.get("/admin/payments")
    assert f'name="id" value="{method_id}"' in page.text
    response = admin.post("/admin/payments/methods", {"id": str(method_id), "name": "Wire transfer",
                                                       "instructions": "IBAN Y", "min_amount": "7.5"})
    assert response.status_code == 303
    assert panel.sql("SELECT name, instructions, min_amount, enabled FROM payment_methods WHERE id = $1",
                     method_id) == [("Wire transfer", "IBAN Y", 750_000, False)]
    assert admin.post("/admin/payments/methods", {"name": "", "min_amount": "1"}).status_code == 400
    assert admin.post("/admin/payments/methods", {"name": "X", "min_amount": "1.000001"}).status_code == 400
    assert [r[0] for r in activity_rows(panel, "payment_method.edit")] == [admin.name]


def test_support_cannot_see_or_decide_payments(panel: Panel, visitor: Visitor, support: Staff) -> None:
    request_id, customer_id = pending_request(panel, visitor)
    page = support.get("/admin/payments")
    assert page.status_code == 403
    support.get("/admin/")
    for path, data in ((f"/admin/payments/{request_id}/approve", {}),
                       (f"/admin/payments/{request_id}/reject", {"reason": "x"}),
                       ("/admin/payments/methods", {"name": "Evil", "min_amount": "0"})):
        response = support.post(path, data)
        assert response.status_code == 403, path
        assert "Your role does not allow this page or action." in response.text
    assert panel.sql("SELECT status FROM payment_requests WHERE id = $1", request_id) == [("Pending",)]
    assert ledger(panel, customer_id) == []
    assert re.findall(r"Evil", str(panel.sql("SELECT name FROM payment_methods"))) == []
