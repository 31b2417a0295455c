"""Every console-b route for every role: a signed-out visitor and a customer's session are sent to
/admin/login, a role that may open a page gets 200, any other 403 (GET and direct POST alike), and a refused
POST changes nothing and writes no activity."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from smmpanel.accounts import queries
from smmpanel.db.connect import Database
from smmpanel.payments import methods, requests
from tests.conftest import Panel
from tests.functional.console.conftest import Staff
from tests.functional.web.conftest import Visitor

EVERYONE = ("owner", "admin", "support")
NOT_SUPPORT = ("owner", "admin")
PAGES = {
    "/admin/customers": EVERYONE,
    "/admin/customers/{customer}": EVERYONE,
    "/admin/tickets": EVERYONE,
    "/admin/tickets/{ticket}": EVERYONE,
    "/admin/refills": EVERYONE,
    "/admin/payments": NOT_SUPPORT,
    "/admin/services": NOT_SUPPORT,
    "/admin/services/{service}": NOT_SUPPORT,
    "/admin/providers": NOT_SUPPORT,
}
POSTS = {
    "/admin/customers/{customer}/adjust": {"amount": "5", "reason": "x"},
    "/admin/customers/{customer}/status": {"status": "suspended"},
    "/admin/customers/{customer}/keys/revoke": {},
    "/admin/customers/{customer}/password": {},
    "/admin/customers/{customer}/sessions/sign-out": {},
    "/admin/customers/{customer}/rates": {"service": "{service}", "rate": "0"},
    "/admin/payments/{payment}/approve": {},
    "/admin/payments/{payment}/reject": {"reason": "x"},
    "/admin/payments/methods": {"name": "New", "min_amount": "0"},
    "/admin/services/{service}": {"name": "x"},
    "/admin/services/{service}/toggle": {"enabled": "false"},
    "/admin/services/reprice": {"service": "{service}", "percent": "5"},
    "/admin/services/order": {"what": "categories", "order": "Instagram"},
    "/admin/services/import": {"provider": "x"},
    "/admin/services/sync": {},
    "/admin/providers": {"name": "p", "kind": "manual"},
    "/admin/providers/1/test": {},
}


def world(panel: Panel, visitor: Visitor) -> dict[str, int]:
    """A customer with a ticket, a pending payment request and a refill; a service."""
    visitor.sign_up()
    visitor.get("/tickets")
    ticket = visitor.post("/tickets", {"subject": "Help", "message": "please", "order": ""})
    service = panel.service(refill_days=30)

    async def work(db: Database) -> dict[str, int]:
        customer = await queries.customer_id(db, visitor.name)
        assert customer is not None
        method = await methods.add(db, "Bank", "IBAN", 0)
        payment = await requests.submit(db, customer, method, 100_000, "R")
        return {"customer": customer, "payment": payment}

    made = panel.run(work)
    return made | {"ticket": int(ticket.headers["location"].rsplit("/", 1)[1]), "service": service}


def test_signed_out_and_customer_sessions_are_sent_to_sign_in(panel: Panel, visitor: Visitor) -> None:
    ids = world(panel, visitor)  # the visitor is now a signed-in customer
    stranger = Visitor(panel)
    try:
        for one in (visitor, stranger):
            for path in PAGES:
                response = one.get(path.format(**ids))
                assert response.status_code == 303, path
                assert response.headers["location"].startswith("/admin/login?next=")
            for path, data in POSTS.items():
                response = one.post(path.format(**ids), {k: v.format(**ids) for k, v in data.items()})
                assert response.status_code in (303, 403), path  # sign-in redirect, or CSRF refused
                assert response.status_code == 403 or response.headers["location"].startswith("/admin/login")
    finally:
        stranger.close()
    assert panel.sql("SELECT COUNT(*) FROM staff_activity") == [(0,)]


@pytest.mark.parametrize("role", EVERYONE)
def test_every_page_for_every_role(panel: Panel, visitor: Visitor, staff_of: Callable[[str], Staff],
                                   role: str) -> None:
    ids = world(panel, visitor)
    one = staff_of(role)
    for path, allowed in PAGES.items():
        response = one.get(path.format(**ids))
        assert response.status_code == (200 if role in allowed else 403), (role, path)


def test_support_is_refused_every_admin_action_and_nothing_changes(
    panel: Panel, visitor: Visitor, support: Staff
) -> None:
    ids = world(panel, visitor)
    support.get("/admin/")
    for path, data in POSTS.items():
        response = support.post(path.format(**ids), {k: v.format(**ids) for k, v in data.items()})
        assert response.status_code == 403, path
        assert "Your role does not allow this page or action." in response.text
    assert panel.sql("SELECT balance, status FROM customers WHERE id = $1", ids["customer"]) == [(0, "active")]
    assert panel.sql("SELECT status FROM payment_requests") == [("Pending",)]
    assert panel.sql("SELECT COUNT(*) FROM ledger") == [(0,)]
    assert panel.sql("SELECT COUNT(*) FROM staff_activity") == [(0,)]
    assert panel.api(key=visitor.key, action="balance")["balance"] == "0.00000"

