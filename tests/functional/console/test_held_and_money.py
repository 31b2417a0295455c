"""Held orders from the console (the same operations as `orders resolve`), and the dashboard's and reports'
money: revenue = charges net of refunds, cost = what the provider reported charging, profit = the difference,
equal to what the ledger says."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import Panel
from tests.functional.console.conftest import Staff, order_for
from tests.functional.fulfilment.conftest import Upstream, add_provider, cycle, order_row


def held_order(panel: Panel, upstream: Upstream, link: str = "https://ig.example/p/held") -> tuple[str, int]:
    upstream.script = lambda params: (500, b'{"error":"Internal error"}', 0.0)
    provider = add_provider(panel, "upstream", url=upstream.url, api_key="upstream-secret-key-123456")
    service = panel.service(provider_id=provider, provider_service="7", rate="1")
    key = panel.customer("10")
    order = int(panel.api(key=key, action="add", service=service, link=link, quantity=1000)["order"])
    assert cycle(panel)["held"] == 1
    upstream.script = upstream.accept
    return key, order


def test_held_page_shows_why_and_resolve_attaches_the_upstream_id(panel: Panel, upstream: Upstream,
                                                                   admin: Staff) -> None:
    _, order = held_order(panel, upstream)
    page = admin.get("/admin/held")
    assert f'id="held-{order}"' in page.text
    assert "service 7, link https://ig.example/p/held, quantity 1000" in page.text
    assert "HTTP 500" in page.text or "Internal error" in page.text
    assert "Upstream order ID" in page.text and ">Resolve</button>" in page.text
    assert ">Resend</button>" in page.text and ">Fail and refund</button>" in page.text
    assert admin.post(f"/admin/held/{order}", {"action": "resolve", "upstream_id": "x1"}).status_code == 400
    response = admin.post(f"/admin/held/{order}", {"action": "resolve", "upstream_id": "55501"})
    assert response.status_code == 303
    row = order_row(panel, order)
    assert (row["dispatch"], row["upstream_id"], row["refunded"]) == ("sent", 55501, 0)
    assert panel.sql("SELECT action, after FROM staff_activity") == [
        ("held.resolve", '{"dispatch":"sent","upstream_id":55501}')]
    kinds = [k for (k,) in panel.sql("SELECT kind FROM order_events WHERE order_id = $1 ORDER BY id", order)]
    assert kinds == ["held", "resolved"]
    again = admin.post(f"/admin/held/{order}", {"action": "resend"})
    assert again.status_code == 409 and f"order {order} is not held" in again.text


def test_resend_queues_the_order_again(panel: Panel, upstream: Upstream, admin: Staff) -> None:
    _, order = held_order(panel, upstream)
    admin.get("/admin/held")
    assert admin.post(f"/admin/held/{order}", {"action": "resend"}).status_code == 303
    row = order_row(panel, order)
    assert (row["status"], row["dispatch"]) == ("Pending", "queued")
    cycle(panel)
    assert order_row(panel, order)["dispatch"] == "sent"
    assert upstream.total_adds == 2  # the first (HTTP 500) and the resend the operator decided


def test_fail_and_refund_from_two_staff_at_once_refunds_once(panel: Panel, upstream: Upstream, admin: Staff,
                                                             owner: Staff) -> None:
    key, order = held_order(panel, upstream)
    assert panel.balance(key) == "9.00000"
    for one in (admin, owner):
        one.get("/admin/held")
    with ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(lambda one: one.post(f"/admin/held/{order}", {"action": "fail"}).status_code,
                                [admin, owner, admin, owner]))
    assert codes == [303, 409, 409, 409]
    assert panel.balance(key) == "10.00000"
    assert panel.sql("SELECT amount FROM ledger WHERE order_id = $1 AND kind = 'refund'", order) == [(100000,)]
    assert panel.sql("SELECT COUNT(*) FROM staff_activity WHERE action = 'held.fail'") == [(1,)]


def test_support_may_look_at_held_orders_but_not_decide(panel: Panel, upstream: Upstream, support: Staff) -> None:
    _, order = held_order(panel, upstream)
    page = support.get("/admin/held")
    assert page.status_code == 200 and f'id="held-{order}"' in page.text and ">Resolve</button>" not in page.text
    for action in ("resolve", "resend", "fail"):
        assert support.post(f"/admin/held/{order}", {"action": action, "upstream_id": "1"}).status_code == 403
    assert order_row(panel, order)["dispatch"] == "held"


def _stat(html: str, span: str, key: str) -> str:
    block = html.split(f'data-span="{span}"', 1)[1].split("</section>", 1)[0]
    found = re.search(rf'data-k="{key}">([^<]+)<', block)
    assert found, block
    return found.group(1)


def test_dashboard_and_reports_equal_the_ledger_with_the_providers_cost(panel: Panel, upstream: Upstream,
                                                                        owner: Staff, support: Staff) -> None:
    provider = add_provider(panel, "upstream", url=upstream.url, api_key="upstream-secret-key-123456")
    service = panel.service(provider_id=provider, provider_service="7", rate="1.5", name="Views")
    key = panel.customer("100")
    orders = [int(panel.api(key=key, action="add", service=service, link=f"https://ig.example/m/{i}",
                            quantity=1000)["order"]) for i in range(3)]  # 3 × 1.50000 charged
    cycle(panel)
    ups = {int(order_row(panel, o)["upstream_id"]): o for o in orders}
    first, second, _ = sorted(ups)
    upstream.statuses[first] |= {"status": "Completed", "remains": "0", "charge": "0.61234"}
    upstream.statuses[second] |= {"status": "Partial", "remains": "400", "charge": "0.3"}
    cycle(panel)
    # refund of the Partial: 1.5 × 400 / 1000 = 0.6; the third order is still Pending upstream (cost 0.1 reported
    # but an unchanged status is no move)
    ledger = panel.sql("SELECT COALESCE(SUM(CASE WHEN kind = 'charge' THEN -amount ELSE 0 END), 0),"
                       " COALESCE(SUM(CASE WHEN kind = 'refund' THEN amount ELSE 0 END), 0) FROM ledger")[0]
    assert ledger == (450000, 60000)
    assert panel.sql("SELECT SUM(cost) FROM orders") == [(91234,)]
    page = owner.get("/admin/")
    for span in ("Today", "7 days", "30 days"):
        assert _stat(page.text, span, "orders") == "3"
        assert _stat(page.text, span, "revenue") == "3.90000"
        assert _stat(page.text, span, "cost") == "0.91234"
        assert _stat(page.text, span, "profit") == "2.98766"
    assert '<svg class="chart"' in page.text
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert f"<title>{today} revenue 3.90000</title>" in page.text
    assert f"<title>{today} profit 2.98766</title>" in page.text
    report = owner.get(f"/admin/reports?by=service&from={today}&until={today}")
    assert re.search(r'id="total-revenue">3\.90000<', report.text)
    assert re.search(r'id="total-profit">2\.98766<', report.text)
    csv = owner.get(f"/admin/reports?by=provider&from={today}&until={today}&format=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    provider_name = panel.sql("SELECT name FROM providers WHERE id = $1", provider)[0][0]
    assert csv.text == ("provider,orders,charged,refunded,revenue,cost,profit\n"
                        f"{provider_name},3,4.50000,0.60000,3.90000,0.91234,2.98766\n")
    by_day = owner.get(f"/admin/reports?by=day&from={today}&until={today}&format=csv").text.splitlines()
    assert by_day[1] == f"{today},3,4.50000,0.60000,3.90000,0.91234,2.98766"
    by_customer = owner.get(f"/admin/reports?by=customer&from={today}&until={today}&format=csv").text.splitlines()
    assert by_customer[1].endswith(",3,4.50000,0.60000,3.90000,0.91234,2.98766")
    # support: the counts, never the money
    seen = support.get("/admin/")
    assert _stat(seen.text, "Today", "orders") == "3"
    assert "3.90000" not in seen.text and "Profit" not in seen.text and "<svg" not in seen.text
    assert support.get("/admin/reports").status_code == 403
    assert support.get(f"/admin/reports?format=csv&from={today}").status_code == 403


def test_dashboard_counts_and_queues(panel: Panel, upstream: Upstream, owner: Staff) -> None:
    held_order(panel, upstream)
    order_for(panel)
    page = owner.get("/admin/").text
    assert re.search(r'id="held-count">1<', page)
    assert re.search(r'status=Pending">Pending</a></th><td class="num">1<', page)
    assert re.search(r'status=Processing">Processing</a></th><td class="num">1<', page)
    assert "Internal error" in page or "HTTP 500" in page  # the engine's last error
    panel.execute("UPDATE providers SET balance = 500000, low_balance = 1000000, currency = 'USD'")
    assert "low: below 10.00000" in owner.get("/admin/").text
