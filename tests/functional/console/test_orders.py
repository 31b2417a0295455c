"""The console's orders: list filters and search, one order's timeline, and its actions — Mark Partial (the
refund shown before confirming), counts, cancel and refund, bulk — each through orders/lifecycle.py with its
activity row; money moves once however many staff click at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.conftest import Panel
from tests.functional.console.conftest import Staff, order_for
from tests.functional.fulfilment.conftest import add_provider


def refund_rows(panel: Panel, order_id: int) -> list[tuple[int]]:
    return panel.sql("SELECT amount FROM ledger WHERE order_id = $1 AND kind = 'refund'", order_id)


def test_mark_partial_shows_the_refund_then_refunds_exactly(panel: Panel, admin: Staff) -> None:
    key, _, order = order_for(panel)  # charge 1.23457 × 999 / 1000 = 1.23333543 → 1.23334
    assert panel.balance(key) == "8.76666"
    admin.get(f"/admin/orders/{order}")
    preview = admin.post(f"/admin/orders/{order}", {"action": "partial", "remains": "333"})
    assert preview.status_code == 200
    # 1.23334 × 333 / 999 = 0.411113… rounded down
    assert re.search(r'id="refund-preview">0\.41111<', preview.text)
    assert "Confirm Mark Partial" in preview.text
    assert panel.balance(key) == "8.76666" and refund_rows(panel, order) == []
    done = admin.post(f"/admin/orders/{order}", {"action": "partial", "remains": "333", "confirm": "yes"})
    assert done.status_code == 303
    page = admin.get(done.headers["location"])
    assert "Marked Partial; refunded 0.41111" in page.text
    assert panel.balance(key) == "9.17777"
    assert refund_rows(panel, order) == [(41111,)]
    assert panel.sql("SELECT status, remains, refunded FROM orders WHERE id = $1", order) == [("Partial", 333, 41111)]
    activity = panel.sql("SELECT s.name, a.action, a.object_type, a.object_id, a.before, a.after FROM staff_activity a"
                         " JOIN staff s ON s.id = a.staff_id")
    assert activity == [(admin.name, "order.partial", "order", str(order),
                         '{"status":"Pending","start_count":0,"remains":999}',
                         '{"status":"Partial","start_count":0,"remains":333,"refund":"0.41111"}')]
    events = panel.sql("SELECT kind, status_from, status_to, amount FROM order_events WHERE order_id = $1 ORDER BY id",
                       order)
    assert events == [("status", "Pending", "Partial", None), ("refund", None, None, 41111)]
    assert 'data-kind="refund"' in page.text and f"by {admin.name}" in page.text


def test_two_staff_marking_one_order_partial_refund_once(panel: Panel, staff_of: Callable[[str], Staff]) -> None:
    key, _, order = order_for(panel)
    first, second = staff_of("admin"), staff_of("owner")
    for one in (first, second):
        one.get(f"/admin/orders/{order}")

    def confirm(one: Staff, remains: str) -> int:
        return one.post(f"/admin/orders/{order}", {"action": "partial", "remains": remains, "confirm": "yes"}
                        ).status_code

    with ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(confirm, [first, second, first, second], ["333", "500", "333", "500"]))
    assert codes == [303, 409, 409, 409]
    assert len(refund_rows(panel, order)) == 1
    assert panel.sql("SELECT COUNT(*) FROM staff_activity WHERE action = 'order.partial'") == [(1,)]
    remains = panel.sql("SELECT remains, refunded FROM orders WHERE id = $1", order)[0]
    assert remains in ((333, 41111), (500, 61728))  # 1.23334 × 500 / 999 = 0.617287… → 0.61728
    assert panel.balance(key) == ("9.17777" if remains[0] == 333 else "9.38394")


def test_cancel_and_refund_double_click_refunds_once(panel: Panel, admin: Staff) -> None:
    key, _, order = order_for(panel)
    admin.get(f"/admin/orders/{order}")
    with ThreadPoolExecutor(2) as pool:
        codes = sorted(pool.map(lambda _: admin.post(f"/admin/orders/{order}", {"action": "cancel"}).status_code,
                                range(2)))
    assert codes == [303, 409]
    assert panel.balance(key) == "10.00000"
    assert refund_rows(panel, order) == [(123334,)]


def test_set_start_count_and_remains(panel: Panel, admin: Staff) -> None:
    _, _, order = order_for(panel)
    admin.get(f"/admin/orders/{order}")
    response = admin.post(f"/admin/orders/{order}", {"action": "counts", "start_count": "1500", "remains": "200"})
    assert response.status_code == 303
    assert panel.sql("SELECT status, start_count, remains, refunded FROM orders WHERE id = $1", order) == [
        ("Pending", 1500, 200, 0)]
    assert panel.sql("SELECT kind, detail FROM order_events WHERE order_id = $1", order) == [
        ("edit", f"counts set by {admin.name}; start count 0 → 1500, remains 999 → 200")]
    bad = admin.post(f"/admin/orders/{order}", {"action": "counts", "start_count": "-1", "remains": "2"})
    assert bad.status_code == 400
    assert panel.sql("SELECT start_count FROM orders WHERE id = $1", order) == [(1500,)]


def test_support_sees_orders_without_money_and_is_refused_money_actions(panel: Panel, support: Staff) -> None:
    key, _, order = order_for(panel)
    page = support.get(f"/admin/orders/{order}")
    assert page.status_code == 200
    assert "1.23334" not in page.text and "Mark Partial" not in page.text and "Charge" not in page.text
    listing = support.get("/admin/orders")
    assert listing.status_code == 200 and f'href="/admin/orders/{order}"' in listing.text
    assert "1.23334" not in listing.text
    for data in ({"action": "partial", "remains": "1", "confirm": "yes"}, {"action": "cancel"}):
        response = support.post(f"/admin/orders/{order}", data)
        assert response.status_code == 403
        assert "Not allowed" in response.text
    assert support.post("/admin/orders/bulk", {"action": "cancel", "ids": [str(order)]}).status_code == 403
    assert panel.balance(key) == "8.76666" and refund_rows(panel, order) == []
    # nor manage orders (support views them only)
    assert support.post(f"/admin/orders/{order}", {"action": "counts", "start_count": "5", "remains": "999"}
                        ).status_code == 403
    assert panel.sql("SELECT start_count, remains FROM orders WHERE id = $1", order) == [(0, 999)]
    assert panel.sql("SELECT COUNT(*) FROM staff_activity") == [(0,)]


def test_list_filters_search_and_pages(panel: Panel, owner: Staff) -> None:
    _, service, first = order_for(panel, link="https://ig.example/p/first")
    key = panel.customer("100", name="zed")
    other = panel.service(name="Likes", rate="2")
    ids = [int(panel.api(key=key, action="add", service=other, link=f"https://ig.example/z/{i}", quantity=100)["order"])
           for i in range(3)]

    def listed(query: str) -> list[int]:
        text = owner.get("/admin/orders" + query).text
        return [int(i) for i in re.findall(r'<td data-label="ID"><a href="/admin/orders/(\d+)">', text)]

    assert listed("") == [*reversed(ids), first]
    assert listed(f"?service={other}") == list(reversed(ids))
    assert listed("?customer=zed") == list(reversed(ids))
    assert listed(f"?customer={ids[0] and panel.sql('SELECT id FROM customers WHERE name = $1', 'zed')[0][0]}") == list(
        reversed(ids))
    assert listed("?status=Canceled") == []
    assert listed(f"?q={first}") == [first]
    assert listed("?q=https://ig.example/z/1") == [ids[1]]
    assert listed(f"?service={service}&q=https://ig.example/z/1") == []
    assert listed("?from=2000-01-01&until=2000-01-02") == []
    provider = add_provider(panel, "simulated")  # an upstream order id is only ever recorded with its provider
    panel.execute("UPDATE orders SET provider_id = $1, upstream_id = 777001 WHERE id = $2", provider, ids[2])
    assert listed("?q=777001") == [ids[2]]
    assert listed("?q=99999999999") == []  # beyond any order id, no such upstream id


def test_bulk_cancel_refunds_each_selected_order_once(panel: Panel, admin: Staff) -> None:
    key = panel.customer("10")
    service = panel.service(rate="1")
    ids = [int(panel.api(key=key, action="add", service=service, link=f"https://ig.example/b/{i}", quantity=1000)["order"])
           for i in range(3)]
    assert panel.balance(key) == "7.00000"
    admin.get("/admin/orders")
    response = admin.post("/admin/orders/bulk", {"action": "cancel", "ids": [str(ids[0]), str(ids[1]), str(ids[1])]})
    assert response.status_code == 303
    assert "cancel%3A+2+done%2C+1+not+possible" in response.headers["location"].replace(":", "%3A")
    assert panel.balance(key) == "9.00000"
    assert panel.sql("SELECT COUNT(*) FROM staff_activity WHERE action = 'order.cancel'") == [(2,)]


def test_order_pages_need_a_signed_in_staff_member(panel: Panel) -> None:
    _, _, order = order_for(panel)
    with httpx.Client(base_url=panel.base) as client:
        for path in ("/admin/orders", f"/admin/orders/{order}", "/admin/held", "/admin/reports"):
            response = client.get(path)
            assert response.status_code == 303 and response.headers["location"].startswith("/admin/login"), path
        assert client.post(f"/admin/orders/{order}", data={"action": "cancel"}).status_code == 403  # no CSRF
    assert refund_rows(panel, order) == []


def test_date_filters_find_the_orders_of_those_days(panel: Panel, owner: Staff) -> None:
    """The date range becomes an id range by a binary search over the primary key: every day's orders, and
    only those, whatever the number of orders."""
    key = panel.customer("1000", name="dates")
    service = panel.service(name="Dated", rate="1")
    ids = [int(panel.api(key=key, action="add", service=service, link=f"https://ig.example/d/{i}", quantity=100)["order"])
           for i in range(9)]
    day = 1_767_225_600  # 2026-01-01 00:00 UTC
    for n, order in enumerate(ids):  # three orders a day on 1, 2 and 3 January
        panel.execute("UPDATE orders SET created_at = $1 WHERE id = $2", day + (n // 3) * 86400 + n * 60, order)
    panel.execute("UPDATE orders SET created_at = $1 WHERE id < $2", day - 86400 * 30, ids[0])

    def listed(query: str) -> list[int]:
        text = owner.get("/admin/orders" + query).text
        return [int(i) for i in re.findall(r'<td data-label="ID"><a href="/admin/orders/(\d+)">', text)]

    assert listed("?from=2026-01-02&until=2026-01-02") == list(reversed(ids[3:6]))
    assert listed("?from=2026-01-01&until=2026-01-02") == list(reversed(ids[:6]))
    assert listed("?from=2026-01-03") == list(reversed(ids[6:]))
    assert listed("?until=2026-01-01") == [*reversed(ids[:3]), *listed("?until=2025-12-31")]
    assert listed("?from=2026-01-04") == []
