"""Customers in the console: the list and page (support sees no money), Adjust balance (a ledger row naming
the staff member, never below zero, concurrent adjustments each exactly once), suspend/activate, revoke
keys, reset password, sign out sessions, custom rates — each with its activity row."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx

from smmpanel.accounts import queries
from tests.conftest import Panel
from tests.functional.console.conftest import Staff
from tests.functional.web.conftest import Visitor


def customer_id(panel: Panel, visitor: Visitor) -> int:
    found = panel.run(lambda db: queries.customer_id(db, visitor.name))
    assert found is not None
    return found


def balance(panel: Panel, cid: int) -> int:
    return int(panel.sql("SELECT balance FROM customers WHERE id = $1", cid)[0][0])


def actions(panel: Panel) -> list[tuple[object, ...]]:
    return panel.sql("SELECT s.name, a.action, a.object_id FROM staff_activity a JOIN staff s ON s.id = a.staff_id"
                     " WHERE a.object_type = 'customer' ORDER BY a.id")


def test_list_and_page_show_money_to_admin_only(panel: Panel, visitor: Visitor, admin: Staff,
                                                support: Staff) -> None:
    visitor.sign_up()
    cid = customer_id(panel, visitor)
    panel.execute("UPDATE customers SET balance = 0 WHERE id = $1", cid)
    listing = admin.get("/admin/customers")
    assert listing.status_code == 200
    assert f'<a href="/admin/customers/{cid}">{visitor.name}</a>' in listing.text
    assert "<th class=\"num\">Balance</th>" in listing.text and "Last sign-in" in listing.text
    assert admin.get(f"/admin/customers?q={visitor.name[:4]}").text.count(visitor.name) == 1
    assert visitor.name not in admin.get("/admin/customers?q=zzzz").text
    page = admin.get(f"/admin/customers/{cid}")
    assert page.status_code == 200
    assert ">Adjust balance</button>" in page.text and 'id="ledger"' in page.text and 'id="balance"' in page.text
    support_list = support.get("/admin/customers")
    assert support_list.status_code == 200 and visitor.name in support_list.text
    assert "Balance" not in support_list.text and "Spent" not in support_list.text
    support_page = support.get(f"/admin/customers/{cid}")
    assert support_page.status_code == 200
    for hidden in ("Adjust balance", 'id="ledger"', 'id="balance"', "Custom rates", "Suspend", "Revoke keys"):
        assert hidden not in support_page.text
    assert admin.get("/admin/customers/999999").status_code == 404


def test_adjust_balance_writes_one_row_naming_the_staff_member(panel: Panel, visitor: Visitor,
                                                                admin: Staff) -> None:
    visitor.sign_up()
    cid = customer_id(panel, visitor)
    admin.get(f"/admin/customers/{cid}")
    response = admin.post(f"/admin/customers/{cid}/adjust", {"amount": "12.5", "reason": "goodwill"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/customers/{cid}?done=adjusted"
    assert panel.sql("SELECT kind, amount, note FROM ledger WHERE customer_id = $1", cid) == [
        ("adjustment", 1_250_000, f"by {admin.name}: goodwill")]
    page = admin.get(f"/admin/customers/{cid}?done=adjusted")
    assert "Balance adjusted." in page.text and "12.50000" in page.text
    # refusals change nothing: no reason, zero, too many places, below zero
    for data, message in (({"amount": "1", "reason": " "}, "give a reason for the adjustment"),
                          ({"amount": "0", "reason": "x"}, "the amount must not be zero"),
                          ({"amount": "0.000001", "reason": "x"}, ""),
                          ({"amount": "-12.50001", "reason": "x"}, "the balance does not cover that adjustment")):
        refused = admin.post(f"/admin/customers/{cid}/adjust", data)
        assert refused.status_code == 400, data
        assert message in refused.text
    assert balance(panel, cid) == 1_250_000
    assert admin.post(f"/admin/customers/{cid}/adjust", {"amount": "-12.5", "reason": "undo"}).status_code == 303
    assert balance(panel, cid) == 0
    assert [a[1] for a in actions(panel)] == ["customer.adjust_balance"] * 2


def test_concurrent_debits_never_take_the_balance_below_zero(panel: Panel, visitor: Visitor, admin: Staff,
                                                             owner: Staff) -> None:
    visitor.sign_up()
    cid = customer_id(panel, visitor)
    admin.get(f"/admin/customers/{cid}")
    assert admin.post(f"/admin/customers/{cid}/adjust", {"amount": "5", "reason": "start"}).status_code == 303
    owner.get(f"/admin/customers/{cid}")

    def debit(i: int) -> int:
        one = (admin, owner)[i % 2]
        with httpx.Client(base_url=panel.base, cookies=one.http.cookies, timeout=30) as client:
            return client.post(f"/admin/customers/{cid}/adjust",
                               data={"amount": "-1", "reason": f"debit {i}", "csrf_token": one.csrf}).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = sorted(pool.map(debit, range(20)))
    assert codes == [303] * 5 + [400] * 15
    assert balance(panel, cid) == 0
    assert panel.sql("SELECT COUNT(*), SUM(amount) FROM ledger WHERE customer_id = $1", cid) == [(6, 0)]
    assert len(actions(panel)) == 6
    assert panel.audit() == []


def test_suspend_revoke_reset_and_sign_out(panel: Panel, visitor: Visitor, admin: Staff) -> None:
    visitor.sign_up()
    cid = customer_id(panel, visitor)
    assert panel.api(key=visitor.key, action="balance")["currency"] == "USD"
    admin.get(f"/admin/customers/{cid}")
    assert admin.post(f"/admin/customers/{cid}/status", {"status": "suspended"}).status_code == 303
    assert panel.api(key=visitor.key, action="balance") == {"error": "Invalid API key"}
    assert admin.post(f"/admin/customers/{cid}/status", {"status": "active"}).status_code == 303
    assert admin.post(f"/admin/customers/{cid}/status", {"status": "deleted"}).status_code == 400
    assert admin.post(f"/admin/customers/{cid}/keys/revoke").status_code == 303
    assert panel.api(key=visitor.key, action="balance") == {"error": "Invalid API key"}
    assert visitor.get("/account").status_code == 200
    assert admin.post(f"/admin/customers/{cid}/sessions/sign-out").status_code == 303
    assert visitor.get("/account").status_code == 303
    reset = admin.post(f"/admin/customers/{cid}/password")
    assert reset.status_code == 200
    found = re.search(r'<code id="new-password">([^<]+)</code>', reset.text)
    assert found
    assert visitor.sign_in(visitor.name, found.group(1)).status_code == 303
    assert [a[1] for a in actions(panel)] == ["customer.suspended", "customer.active", "customer.revoke_keys",
                                              "customer.sign_out", "customer.reset_password"]
    assert all(a[0] == admin.name and a[2] == str(cid) for a in actions(panel))


def test_custom_rate_changes_the_services_answer(panel: Panel, visitor: Visitor, admin: Staff) -> None:
    visitor.sign_up()
    cid = customer_id(panel, visitor)
    service = panel.service(rate="0.9")
    assert panel.api(key=visitor.key, action="services")[0]["rate"] == "0.90000"
    admin.get(f"/admin/customers/{cid}")
    assert admin.post(f"/admin/customers/{cid}/rates", {"service": str(service), "rate": "0.5"}).status_code == 303
    assert panel.api(key=visitor.key, action="services")[0]["rate"] == "0.50000"
    assert admin.post(f"/admin/customers/{cid}/rates", {"service": "99999", "rate": "0.5"}).status_code == 400
    assert admin.post(f"/admin/customers/{cid}/rates", {"service": str(service), "rate": ""}).status_code == 303
    assert panel.api(key=visitor.key, action="services")[0]["rate"] == "0.90000"


def test_support_is_refused_every_customer_action(panel: Panel, visitor: Visitor, support: Staff) -> None:
    visitor.sign_up()
    cid = customer_id(panel, visitor)
    support.get(f"/admin/customers/{cid}")
    for path, data in (("adjust", {"amount": "100", "reason": "x"}), ("status", {"status": "suspended"}),
                       ("keys/revoke", {}), ("password", {}), ("sessions/sign-out", {}),
                       ("rates", {"service": "1", "rate": "0"})):
        response = support.post(f"/admin/customers/{cid}/{path}", data)
        assert response.status_code == 403, path
    assert balance(panel, cid) == 0
    assert panel.sql("SELECT status FROM customers WHERE id = $1", cid) == [("active",)]
    assert panel.api(key=visitor.key, action="balance")["balance"] == "0.00000"
    assert actions(panel) == []
