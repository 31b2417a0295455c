"""The new-order form (/), its server-computed charge (/order/charge) and /massorder, over real HTTP."""

from __future__ import annotations

import re
import threading

import pytest

from smmpanel.catalog.ordertypes import ORDER_TYPES
from smmpanel.web.customer import orderform
from tests.common.cli import cli
from tests.conftest import Panel
from tests.functional.web.conftest import Visitor


def _funded(panel: Panel, visitor: Visitor, amount: str = "10") -> None:
    visitor.sign_up()
    done = cli(panel.db_url, "funds", "add", visitor.name, amount)
    assert done.returncode == 0, done.stderr


def _ledger_rows(panel: Panel) -> int:
    return int(panel.sql("SELECT COUNT(*) FROM ledger")[0][0])


def test_the_form_has_the_fields_of_the_services_type(panel: Panel, visitor: Visitor) -> None:
    followers = panel.service(name="Followers", rate="0.9", dripfeed=True, description="Real & fast")
    comments = panel.service(name="Comments", type="Custom Comments", category="Instagram", rate="2")
    visitor.sign_up()
    page = visitor.get(f"/?service={followers}").text
    assert '<label for="f-service">Service</label>' in page
    assert f'<option value="{followers}" selected>{followers} — Followers — 0.90000 per 1000</option>' in page
    assert "Real &amp; fast" in page and "Rate per 1000: 0.90000 USD" in page
    assert "<span class=\"tag\">Min 10</span><span class=\"tag\">Max 10000</span>" in page
    for label in ("Link", "Quantity", "Runs", "Interval in minutes"):
        assert re.search(rf'<label for="f-\w+">{label}', page), label
    assert "<legend>Drip-feed" in page
    page = visitor.get(f"/?service={comments}").text
    assert '<label for="f-comments">Comments</label>' in page and '<textarea id="f-comments"' in page
    assert 'for="f-quantity"' not in page and "<legend>Drip-feed" not in page
    assert "One per line." in page


def test_every_order_type_has_its_form(panel: Panel, visitor: Visitor) -> None:
    ids = {kind: panel.service(name=f"S {kind}", type=kind, category="All types") for kind in ORDER_TYPES}
    visitor.sign_up()
    for kind, service_id in ids.items():
        page = visitor.get(f"/?service={service_id}")
        assert page.status_code == 200
        for one in orderform.inputs(kind):
            if one.name in orderform.DRIPFEED:
                continue
            assert f'<label for="f-{one.name}">{one.label}' in page.text, (kind, one.name)


def test_category_narrows_the_services(panel: Panel, visitor: Visitor) -> None:
    panel.service(name="Followers", category="Instagram")
    views = panel.service(name="Views", category="YouTube")
    visitor.sign_up()
    page = visitor.get("/?category=YouTube").text
    assert f'<option value="{views}" selected>' in page and "Followers" not in page
    assert '<option value="YouTube" selected>YouTube</option>' in page


def test_place_a_default_and_a_comments_order(panel: Panel, visitor: Visitor) -> None:
    followers = panel.service(name="Followers", rate="0.9")
    comments = panel.service(name="Comments", type="Custom Comments", rate="2", min=1, max=100)
    _funded(panel, visitor)
    visitor.get(f"/?service={followers}")
    placed = visitor.post("/order", {"service": str(followers), "type": "Default", "action": "place",
                                     "link": "https://instagram.com/p/1", "quantity": "1000"})
    assert placed.status_code == 303 and placed.headers["location"] == f"/?service={followers}&placed=1"
    assert '<p class="alert ok" role="status" id="placed">Order ID 1</p>' in visitor.get(placed.headers["location"]).text
    visitor.get(f"/?service={comments}")
    placed = visitor.post("/order", {"service": str(comments), "type": "Custom Comments", "action": "place",
                                     "link": "https://instagram.com/p/2", "comments": "nice\r\n\r\ngreat\r\nwow"})
    assert placed.headers["location"] == f"/?service={comments}&placed=2"
    assert panel.balance(visitor.key) == "9.09400"  # 10 − 0.9 − 3 × 0.002
    status = panel.api(key=visitor.key, action="status", order=2)
    assert status["charge"] == "0.00600" and status["status"] == "Pending"
    assert panel.sql("SELECT quantity, fields FROM orders WHERE id = 2") == [(3, '{"comments":["nice","great","wow"]}')]


def test_dripfeed_from_the_form(panel: Panel, visitor: Visitor) -> None:
    followers = panel.service(name="Followers", rate="1", dripfeed=True)
    _funded(panel, visitor)
    visitor.get(f"/?service={followers}")
    fields = {"service": str(followers), "type": "Default", "link": "https://x/1", "quantity": "100",
              "runs": "3", "interval": "15"}
    checked = visitor.post("/order", fields | {"action": "check"})
    assert checked.status_code == 200 and '<output id="charge" for="order-form" aria-live="polite">0.30000 USD</output>' in checked.text
    assert visitor.post("/order", fields | {"action": "place"}).status_code == 303
    assert panel.sql("SELECT quantity, runs, interval, charge FROM orders") == [(300, 3, 15, 30000)]
    page = visitor.get("/drip-feed").text
    assert "<h2>Order 1 <span" in page and "Runs 0 of 3 · every 15 min · Total quantity 300" in page


def test_the_charge_is_computed_by_the_server(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    followers = panel.service(name="Followers", rate="0.9", dripfeed=True)
    visitor.sign_up()
    other.sign_up()
    panel.execute("INSERT INTO custom_rates (customer_id, service_id, rate) SELECT id, $1, 50000 FROM customers"
                  " WHERE name = $2", followers, other.name)
    from smmpanel.catalog import services

    panel.run(services.bump_version)

    def charge(who: Visitor, **params: str) -> object:
        answer = who.get("/order/charge", params={"service": str(followers)} | params)
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
        return answer.json()

    assert charge(visitor, quantity="1000") == {"charge": "0.90000", "currency": "USD"}
    assert charge(visitor, quantity="1234") == {"charge": "1.11060", "currency": "USD"}
    assert charge(other, quantity="1000") == {"charge": "0.50000", "currency": "USD"}  # each at their own rate
    assert charge(visitor, quantity="100", runs="4", interval="10") == {"charge": "0.36000", "currency": "USD"}
    assert charge(visitor, quantity="abc") == {"error": orderform.WHOLE_NUMBER, "field": "quantity"}
    assert charge(visitor, quantity="5") == {"error": "Quantity less than minimal 10", "field": "quantity"}
    assert charge(visitor, quantity="100", link="not a link") == {"error": "Incorrect link", "field": "link"}
    assert visitor.get("/order/charge", params={"service": "999", "quantity": "10"}).json() == {
        "error": "Incorrect service ID", "field": "service"}
    assert panel.sql("SELECT COUNT(*) FROM orders") == [(0,)]
    assert Visitor(panel).get("/order/charge?service=1").status_code == 303  # guests are sent to sign in


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"quantity": "abc"}, "quantity", orderform.WHOLE_NUMBER),
    ({"quantity": "-5"}, "quantity", orderform.WHOLE_NUMBER),
    ({"quantity": "5"}, "quantity", "Quantity less than minimal 10"),
    ({"quantity": "20000"}, "quantity", "Quantity more than maximum 10000"),
    ({"link": "   "}, "link", "Incorrect link"),
    ({"link": "https://x/a b"}, "link", "Incorrect link"),
    ({"runs": "x"}, "runs", orderform.WHOLE_NUMBER),
    ({"quantity": "9000"}, "form", "Not enough funds on balance"),
])
def test_refusals_sit_next_to_their_field(panel: Panel, visitor: Visitor, fields: dict[str, str], field: str,
                                           message: str) -> None:
    followers = panel.service(name="Followers", rate="1", dripfeed=True)
    _funded(panel, visitor, "1")
    rows = _ledger_rows(panel)
    visitor.get(f"/?service={followers}")
    answer = visitor.post("/order", {"service": str(followers), "type": "Default", "action": "place",
                                     "link": "https://x/1", "quantity": "100"} | fields)
    assert answer.status_code == 400
    if field == "form":
        assert f'<p class="alert error" role="alert" id="e-form">{message}</p>' in answer.text
    else:
        assert f'<p class="error" id="e-{field}">{message}</p>' in answer.text
        assert f'aria-describedby="e-{field}"' in answer.text
    assert panel.balance(visitor.key) == "1.00000" and _ledger_rows(panel) == rows
    assert panel.sql("SELECT COUNT(*) FROM orders") == [(0,)]


def test_more_refusals(panel: Panel, visitor: Visitor) -> None:
    plain = panel.service(name="Plain", rate="1")
    _funded(panel, visitor)
    visitor.get("/")
    base = {"service": str(plain), "type": "Default", "action": "place", "link": "https://x/1", "quantity": "100"}
    answer = visitor.post("/order", base | {"runs": "2", "interval": "5"})
    assert answer.status_code == 400 and '<p class="alert error" role="alert" id="e-runs">Drip-feed is disabled for this service</p>' in answer.text
    answer = visitor.post("/order", base | {"service": "999"})
    assert answer.status_code == 400 and '<p class="error" id="e-service">Incorrect service ID</p>' in answer.text
    assert visitor.post("/order", base).status_code == 303
    answer = visitor.post("/order", base)
    assert '<p class="error" id="e-link">You have active order with this link. Please wait until order being completed.</p>' in answer.text
    assert visitor.post("/order", base | {"link": "https://x/2"}, csrf=False).status_code == 403
    assert panel.sql("SELECT COUNT(*) FROM orders") == [(1,)] and panel.balance(visitor.key) == "9.90000"


def test_mass_order_places_or_refuses_each_line_whole(panel: Panel, visitor: Visitor) -> None:
    followers = panel.service(name="Followers", rate="1")
    _funded(panel, visitor, "0.25")
    page = visitor.get("/massorder")
    assert '<label for="f-orders">Orders</label>' in page.text
    text = "\n".join([f"{followers} | https://x/1 | 100", "garbage", f"{followers} | https://x/2 | 5",
                      f"{followers} | https://x/3 | 100", f"{followers} | https://x/4 | 100",
                      "999 | https://x/5 | 100", f"{followers} | https://x/6 | abc", ""])
    answer = visitor.post("/massorder", {"orders": text})
    assert answer.status_code == 200
    results = re.findall(r"<strong>(.*?)</strong>", answer.text)
    assert results == ["Order ID 1", "Write service_id | link | quantity", "Quantity less than minimal 10",
                       "Order ID 2", "Not enough funds on balance", "Incorrect service ID",
                       "quantity: " + orderform.WHOLE_NUMBER]
    assert "2 of 7 orders placed." in answer.text
    assert panel.balance(visitor.key) == "0.05000"
    assert panel.sql("SELECT link, charge FROM orders ORDER BY id") == [("https://x/1", 10000), ("https://x/3", 10000)]
    empty = visitor.post("/massorder", {"orders": "  \n"})
    assert empty.status_code == 400 and "Enter one order per line." in empty.text


def test_concurrent_mass_orders_never_overspend(panel: Panel, visitor: Visitor) -> None:
    followers = panel.service(name="Followers", rate="1")
    _funded(panel, visitor, "1")
    second = Visitor(panel)
    second.sign_in(visitor.name)
    second.get("/massorder")
    visitor.get("/massorder")
    answers: list[str] = []

    def send(who: Visitor, prefix: str) -> None:
        lines = "\n".join(f"{followers} | https://{prefix}/{n} | 100" for n in range(8))
        answers.append(who.post("/massorder", {"orders": lines}).text)

    threads = [threading.Thread(target=send, args=(v, p)) for v, p in ((visitor, "a"), (second, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    second.close()
    placed = sum(len(re.findall(r"<strong>Order ID \d+</strong>", text)) for text in answers)
    refused = sum(text.count("<strong>Not enough funds on balance</strong>") for text in answers)
    assert (placed, refused) == (10, 6)
    assert panel.balance(visitor.key) == "0.00000"
    assert panel.sql("SELECT COUNT(*), SUM(charge) FROM orders") == [(10, 100000)]
