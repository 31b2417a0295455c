"""/orders (tabs, search, pages, Refill and Cancel), /orders/state, /refills, /subscriptions, /drip-feed —
and that no customer ever sees or touches another's orders through them."""

from __future__ import annotations

import re
import time

from smmpanel.orders.lifecycle import move
from tests.common.cli import cli
from tests.conftest import Panel
from tests.functional.web.conftest import Visitor

DAY = 86_400


def _order(panel: Panel, key: str, service: int, n: int, quantity: int = 100) -> int:
    answer = panel.api(key=key, action="add", service=service, link=f"https://x/{n}", quantity=quantity)
    return int(answer["order"])


def _funded(panel: Panel, visitor: Visitor, amount: str = "100") -> None:
    visitor.sign_up()
    assert cli(panel.db_url, "funds", "add", visitor.name, amount).returncode == 0


def _ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="order-(\d+)"', page)]


def _complete(panel: Panel, order_id: int, *, ago: int) -> None:
    panel.run(lambda db: move(db, order_id, "Completed"))
    panel.execute("UPDATE orders SET completed_at = $1 WHERE id = $2", int(time.time()) - ago, order_id)


def test_orders_newest_first_with_pages_tabs_and_search(panel: Panel, visitor: Visitor) -> None:
    service = panel.service(name="Followers", rate="0.1")
    _funded(panel, visitor)
    ids = [_order(panel, visitor.key, service, n) for n in range(1, 61)]
    panel.run(lambda db: move(db, 3, "Completed"))
    panel.run(lambda db: move(db, 5, "Partial", remains=40))
    page = visitor.get("/orders")
    assert page.status_code == 200
    heads = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', page.text)
    assert heads == ["ID", "Date", "Link", "Charge", "Start count", "Quantity", "Service", "Status", "Remains"]
    assert _ids(page.text) == ids[::-1][:50]
    assert 'href="/orders?before=11"' in page.text
    older = visitor.get("/orders?before=11").text
    assert _ids(older) == list(range(10, 0, -1)) and "Older orders" not in older
    for label in ("All", "Pending", "In progress", "Completed", "Partial", "Processing", "Canceled"):
        assert f">{label}</a>" in page.text
    assert _ids(visitor.get("/orders", params={"status": "Completed"}).text) == [3]
    partial = visitor.get("/orders", params={"status": "Partial"}).text
    assert _ids(partial) == [5] and '<td data-label="Remains" class="num" data-col="remains">40</td>' in partial
    assert _ids(visitor.get("/orders", params={"status": "Canceled"}).text) == []
    assert "No orders yet." in visitor.get("/orders", params={"status": "Canceled"}).text
    assert _ids(visitor.get("/orders", params={"search": "42"}).text) == [42]
    assert _ids(visitor.get("/orders", params={"search": "x/4"}).text) == [49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 4]
    assert "No order matches." in visitor.get("/orders", params={"search": "nothing"}).text
    searched = visitor.get("/orders", params={"search": "x/", "status": "Pending"}).text
    assert 'href="/orders?status=Pending&amp;search=x%2F&amp;before=' in searched
    assert 'name="search" type="search" value="x/"' in searched


def test_web_and_api_orders_are_the_same_orders(panel: Panel, visitor: Visitor) -> None:
    service = panel.service(name="Followers", rate="1")
    _funded(panel, visitor)
    api_order = _order(panel, visitor.key, service, 1)
    row = re.search(rf'<tr id="order-{api_order}".*?</tr>', visitor.get("/orders").text, re.S)
    assert row and "https://x/1" in row.group(0) and '<td data-label="Charge" class="num" data-col="charge">0.10000</td>' in row.group(0)
    visitor.get("/")
    visitor.post("/order", {"service": str(service), "type": "Default", "action": "place", "link": "https://w/1",
                            "quantity": "200"})
    assert panel.api(key=visitor.key, action="status", order=2) == {
        "charge": "0.20000", "start_count": "0", "status": "Pending", "remains": "200", "currency": "USD"}


def test_refill_and_cancel_buttons_only_where_allowed(panel: Panel, visitor: Visitor) -> None:
    refillable = panel.service(name="Refill me", rate="1", refill_days=30, cancel=True)
    plain = panel.service(name="Plain", rate="1")
    _funded(panel, visitor)
    done = _order(panel, visitor.key, refillable, 1)
    _complete(panel, done, ago=2 * DAY)
    recent = _order(panel, visitor.key, refillable, 2)
    _complete(panel, recent, ago=60)  # within the 24 h cooldown
    pending = _order(panel, visitor.key, refillable, 3)
    no_buttons = _order(panel, visitor.key, plain, 4)
    page = visitor.get("/orders").text
    assert f'action="/orders/{done}/refill"' in page and f'action="/orders/{done}/cancel"' not in page
    assert f'action="/orders/{recent}/refill"' not in page
    assert f'action="/orders/{pending}/cancel"' in page and f'action="/orders/{pending}/refill"' not in page
    assert f"/orders/{no_buttons}/" not in page
    answer = visitor.post(f"/orders/{done}/refill", {"back": "/orders"})
    assert answer.status_code == 303 and answer.headers["location"] == "/orders?refill=1"
    page = visitor.get("/orders?refill=1").text
    assert "Refill ID 1 requested." in page and f'action="/orders/{done}/refill"' not in page
    assert panel.api(key=visitor.key, action="refill_status", refill=1) == {"status": "Pending"}
    refills = visitor.get("/refills").text
    assert '<tr id="refill-1"><td data-label="Refill ID">1</td>' in refills and "https://x/1" in refills
    answer = visitor.post(f"/orders/{done}/refill", {"back": "/orders?status=Completed"})
    assert answer.headers["location"] == "/orders?status=Completed&refused=refill_too_soon"
    assert ("The order was completed or refill was requested less than 24 hours ago"
            in visitor.get(answer.headers["location"]).text)
    balance = panel.balance(visitor.key)
    answer = visitor.post(f"/orders/{pending}/cancel", {"back": "https://evil.example/"})
    assert answer.headers["location"] == f"/orders?canceled={pending}"
    assert f"Cancel of order {pending} requested." in visitor.get(answer.headers["location"]).text
    assert panel.api(key=visitor.key, action="status", order=pending)["status"] == "Canceled"
    assert panel.balance(visitor.key) == f"{float(balance) + 0.1:.5f}"
    answer = visitor.post(f"/orders/{no_buttons}/cancel")
    assert answer.headers["location"] == "/orders?refused=cancel_disabled"
    assert "Cancel is disabled for this service" in visitor.get(answer.headers["location"]).text
    assert visitor.post(f"/orders/{done}/refill", csrf=False).status_code == 403
    assert visitor.post("/orders/abc/cancel").headers["location"] == "/orders?refused=order_not_found"


def test_active_rows_state(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    service = panel.service(name="Followers", rate="1")
    _funded(panel, visitor)
    _funded(panel, other)
    mine = _order(panel, visitor.key, service, 1)
    theirs = _order(panel, other.key, service, 2)
    page = visitor.get("/orders").text
    assert f'<tr id="order-{mine}" data-active="{mine}">' in page and 'data-poll="/orders/state"' in page
    panel.run(lambda db: move(db, mine, "In progress", start_count=17, remains=60))
    answer = visitor.get(f"/orders/state?ids={mine},{theirs},abc,")
    assert answer.status_code == 200 and answer.json() == {
        str(mine): {"status": "In progress", "start_count": 17, "remains": 60, "charge": "0.10000", "active": True}}
    assert other.get(f"/orders/state?ids={mine}").json() == {}


def test_no_customer_sees_or_touches_anothers_orders(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    service = panel.service(name="Followers", rate="1", refill_days=30, cancel=True)
    _funded(panel, visitor)
    _funded(panel, other)
    done = _order(panel, visitor.key, service, 1)
    _complete(panel, done, ago=2 * DAY)
    pending = _order(panel, visitor.key, service, 2)
    panel.api(key=visitor.key, action="refill", order=done)
    before = panel.sql("SELECT id, status, cancel_requested FROM orders ORDER BY id")
    ledger = panel.sql("SELECT COUNT(*) FROM ledger")
    for path in ("/orders", f"/orders?search={done}", f"/orders?search={pending}", "/orders?search=x/",
                 "/refills", "/drip-feed", "/subscriptions"):
        page = other.get(path).text
        assert "https://x/" not in page and _ids(page) == [], path
    assert other.post(f"/orders/{done}/refill").headers["location"] == "/orders?refused=order_not_found"
    assert other.post(f"/orders/{pending}/cancel").headers["location"] == "/orders?refused=order_not_found"
    assert "Incorrect order ID" in other.get("/orders?refused=order_not_found").text
    assert panel.sql("SELECT id, status, cancel_requested FROM orders ORDER BY id") == before
    assert panel.sql("SELECT COUNT(*) FROM ledger") == ledger
    assert panel.sql("SELECT COUNT(*) FROM refills") == [(1,)]
    assert "https://x/1" in visitor.get("/refills").text


def test_subscriptions_and_dripfeed_pages(panel: Panel, visitor: Visitor) -> None:
    subs = panel.service(name="Auto likes", type="Subscriptions", rate="1", min=10, max=1000)
    drip = panel.service(name="Drip", rate="1", dripfeed=True)
    _funded(panel, visitor)
    answer = panel.api(key=visitor.key, action="add", service=subs, username="someone", min=10, max=20,
                       posts=5, delay=0)
    assert "order" in answer, answer
    assert "order" in panel.api(key=visitor.key, action="add", service=drip, link="https://d/1", quantity=100,
                                runs=2, interval=10)
    page = visitor.get("/subscriptions").text
    assert "Username <strong>someone</strong> · Min 10 · Max 20" in page and "No posts ordered yet." in page
    assert "https://d/1" not in page
    page = visitor.get("/drip-feed").text
    assert "https://d/1 · Runs 0 of 2 · every 10 min · Total quantity 200" in page and "No run has started yet." in page
    assert "someone" not in page
    child = panel.run(lambda db: db.fetchval(
        "INSERT INTO orders (customer_id, service_id, parent_id, link, quantity, charge, remains, created_at,"
        " updated_at) SELECT customer_id, service_id, id, link, 100, 0, 100, created_at, created_at FROM orders"
        " WHERE runs = 2 RETURNING id"))
    page = visitor.get("/drip-feed").text
    assert f'<tr id="order-{child}" data-active="{child}">' in page and "<caption" in page
