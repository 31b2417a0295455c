"""/addfunds and the operator's `payments` commands: requests, approval exactly once, history, isolation."""

from __future__ import annotations

import asyncio
import re

from smmpanel.db.connect import Database
from smmpanel.payments import requests
from smmpanel.payments.requests import PaymentError
from tests.common.cli import as_json, cli, refused
from tests.conftest import Panel
from tests.functional.web.conftest import Visitor


def _method(panel: Panel, name: str = "Bank transfer", minimum: str = "10") -> int:
    done = cli(panel.db_url, "payments", "methods", "add", name, "--instructions", "IBAN DE00 1234\nRef: your name",
               "--min", minimum)
    assert done.stdout.startswith(f"payment method {name} (id ")
    return int(panel.sql("SELECT id FROM payment_methods WHERE name = $1", name)[0][0])


def _request(visitor: Visitor, method: int, amount: str, reference: str = "TX-1") -> int:
    visitor.get("/addfunds")
    response = visitor.post("/addfunds", {"method": str(method), "amount": amount, "reference": reference})
    assert response.status_code == 303 and response.headers["location"] == "/addfunds?done=1", response.text
    return int(visitor.panel.sql("SELECT MAX(id) FROM payment_requests")[0][0])


def test_no_method_yet(panel: Panel, visitor: Visitor) -> None:
    visitor.sign_up()
    page = visitor.get("/addfunds")
    assert "No payment method is available yet." in page.text and "No movements yet." in page.text


def test_request_approve_credits_once_and_shows_the_history(panel: Panel, visitor: Visitor) -> None:
    method = _method(panel)
    visitor.sign_up()
    page = visitor.get("/addfunds").text
    assert f'<option value="{method}">Bank transfer (minimum 10.00000)</option>' in page
    assert "IBAN DE00 1234\nRef: your name" in page
    request_id = _request(visitor, method, "25.50", "TX-42")
    page = visitor.get("/addfunds?done=1").text
    assert "It stays Pending until we confirm the payment." in page
    assert '<span class="status s-pending">Pending</span>' in page and "TX-42" in page
    assert panel.balance(visitor.key) == "0.00000"
    listed = as_json(cli(panel.db_url, "payments", "list", "--json"))
    assert listed == [{"id": request_id, "customer": visitor.name, "method": "Bank transfer", "amount": "25.50000",
                       "reference": "TX-42", "status": "Pending", "reason": None}]
    done = cli(panel.db_url, "payments", "approve", str(request_id))
    assert done.stdout.strip() == f"payment request {request_id} approved: 25.50000 credited to {visitor.name}"
    refused(panel.db_url, "payments", "approve", str(request_id),
            message=f"payment request {request_id} is already Approved")
    refused(panel.db_url, "payments", "reject", str(request_id), "--reason", "late",
            message=f"payment request {request_id} is already Approved")
    refused(panel.db_url, "payments", "approve", "999", message="no payment request 999")
    assert panel.balance(visitor.key) == "25.50000"
    page = visitor.get("/addfunds").text
    assert '<span class="status s-approved">Approved</span>' in page
    assert f'<span class="muted">payment request {request_id}</span>' in page
    assert '<td data-label="Balance" class="num">25.50000</td>' in page
    assert "25.50000" in visitor.get("/").text  # the balance in the header


def test_reject_with_a_reason(panel: Panel, visitor: Visitor) -> None:
    method = _method(panel)
    visitor.sign_up()
    request_id = _request(visitor, method, "10")
    cli(panel.db_url, "payments", "reject", str(request_id), code=2)  # --reason is required
    refused(panel.db_url, "payments", "reject", str(request_id), "--reason", "  ", message="a rejection needs a reason")
    cli(panel.db_url, "payments", "reject", str(request_id), "--reason", "No transfer arrived")
    refused(panel.db_url, "payments", "approve", str(request_id),
            message=f"payment request {request_id} is already Rejected")
    page = visitor.get("/addfunds").text
    assert '<span class="status s-rejected">Rejected</span> <span class="muted">— No transfer arrived</span>' in page
    assert panel.balance(visitor.key) == "0.00000"


def test_payment_request_refusals(panel: Panel, visitor: Visitor) -> None:
    method = _method(panel)
    disabled = _method(panel, "Old method", "0")
    panel.execute("UPDATE payment_methods SET enabled = false WHERE id = $1", disabled)
    visitor.sign_up()
    visitor.get("/addfunds")
    cases = [
        ({"method": str(method), "amount": "9.99", "reference": "x"}, "The amount is below this method&#39;s minimum."),
        ({"method": str(method), "amount": "abc", "reference": "x"}, "Enter an amount such as 25 or 25.50."),
        ({"method": str(method), "amount": "-5", "reference": "x"}, "Enter an amount such as 25 or 25.50."),
        ({"method": str(method), "amount": "20", "reference": " "}, "Give the payment&#39;s reference (1 to 256 characters)."),
        ({"method": str(disabled), "amount": "20", "reference": "x"}, "Choose a payment method."),
        ({"method": "nope", "amount": "20", "reference": "x"}, "Choose a payment method."),
        ({"method": str(method), "amount": "10000000", "reference": "x"}, "The amount is too large."),
    ]
    for data, message in cases:
        response = visitor.post("/addfunds", data)
        assert response.status_code == 400, data
        assert message in response.text, (data, response.text)
    assert visitor.post("/addfunds", {"method": str(method), "amount": "20", "reference": "x"}, csrf=False).status_code == 403
    assert panel.sql("SELECT COUNT(*) FROM payment_requests") == [(0,)]
    assert panel.balance(visitor.key) == "0.00000"


def test_twenty_simultaneous_approvals_credit_once(panel: Panel, visitor: Visitor) -> None:
    method = _method(panel)
    visitor.sign_up()
    request_id = _request(visitor, method, "12.34567")

    async def race(db: Database) -> list[object]:
        return await asyncio.gather(*(requests.approve(db, request_id, by=f"staff{n}") for n in range(20)),
                                    return_exceptions=True)

    outcomes = panel.run(race)
    approved = [o for o in outcomes if isinstance(o, requests.PaymentRequest)]
    refusals = [o for o in outcomes if isinstance(o, PaymentError)]
    assert len(approved) == 1 and len(refusals) == 19, outcomes
    assert panel.balance(visitor.key) == "12.34567"
    assert panel.sql("SELECT COUNT(*), SUM(amount) FROM ledger WHERE kind = 'deposit'") == [(1, 1234567)]
    assert panel.audit() == []
    cli(panel.db_url, "audit")


def test_concurrent_cli_approvals_credit_once(panel: Panel, visitor: Visitor) -> None:
    import subprocess
    import sys

    from tests.common.cli import ENV

    method = _method(panel)
    visitor.sign_up()
    request_id = _request(visitor, method, "50")
    runs = [subprocess.Popen([sys.executable, "-m", "smmpanel", "--database-url", panel.db_url, "payments", "approve",
                              str(request_id)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, text=True)
            for _ in range(4)]
    codes = sorted(p.wait(timeout=60) for p in runs)
    for p in runs:
        assert p.stdout is not None and p.stderr is not None
        p.stdout.close()
        p.stderr.close()
    assert codes == [0, 1, 1, 1]
    assert panel.balance(visitor.key) == "50.00000"


def test_history_is_keyset_paginated_with_a_running_balance(panel: Panel, visitor: Visitor) -> None:
    visitor.sign_up()
    for n in range(1, 31):
        cli_free_deposit(panel, visitor.name, n)
    first = visitor.get("/addfunds").text
    balances = [int(float(b)) for b in
                re.findall(r'<td data-label="Balance" class="num">([0-9.]+)</td>', first)]
    assert balances == [sum(range(1, n + 1)) for n in range(30, 5, -1)]  # 465 … 21, newest first
    older = re.search(r'href="\?before=(\d+)">Older movements', first)
    assert older
    second = visitor.get(f"/addfunds?before={older.group(1)}").text
    balances = [int(float(b)) for b in
                re.findall(r'<td data-label="Balance" class="num">([0-9.]+)</td>', second)]
    assert balances == [15, 10, 6, 3, 1]
    assert "Older movements" not in second


def cli_free_deposit(panel: Panel, name: str, amount: int) -> None:
    from smmpanel.accounts import customers

    panel.run(lambda db: customers.add_funds(db, name, amount * 100_000))


def test_a_customer_never_sees_anothers_payments(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    method = _method(panel)
    visitor.sign_up()
    other.sign_up()
    _request(visitor, method, "10", "SECRET-REF-A")
    cli(panel.db_url, "payments", "approve", str(panel.sql("SELECT MAX(id) FROM payment_requests")[0][0]))
    page = other.get("/addfunds").text
    assert "SECRET-REF-A" not in page and "No payment requests yet." in page and "No movements yet." in page
    assert "SECRET-REF-A" not in other.get("/addfunds?payments_before=999999&before=999999").text
    assert panel.balance(other.key) == "0.00000"
