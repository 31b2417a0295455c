"""The services list, the API page (keys, sample.php), the navigation, error pages."""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from smmpanel.accounts import customers
from smmpanel.api import errors
from smmpanel.catalog import services
from tests.conftest import Panel
from tests.functional.web.conftest import Visitor


def test_services_for_guests_and_at_the_customers_own_rate(panel: Panel, visitor: Visitor) -> None:
    followers = panel.service(name="Followers <b>", rate="0.9", description="Real & fast")
    panel.service(name="Views", category="YouTube", rate="2", type="Package", min=1, max=1)
    panel.service(name="Hidden", enabled=False)
    guest = visitor.get("/services")
    assert guest.status_code == 200
    assert "Followers &lt;b&gt;" in guest.text and "Real &amp; fast" in guest.text  # escaped
    assert "<h2>Instagram</h2>" in guest.text and "<h2>YouTube</h2>" in guest.text
    assert "Hidden" not in guest.text
    assert '<td data-label="Rate per 1000" class="num">0.90000</td>' in guest.text
    searched = visitor.get("/services", params={"search": "views"})
    assert "Views" in searched.text and "Followers" not in searched.text
    assert 'value="views"' in searched.text
    visitor.sign_up()
    panel.execute("INSERT INTO custom_rates (customer_id, service_id, rate) SELECT id, $1, 50000 FROM customers"
                  " WHERE name = $2", followers, visitor.name)
    panel.run(services.bump_version)
    mine = visitor.get("/services").text
    assert '<td data-label="Rate per 1000" class="num">0.50000</td>' in mine
    assert panel.api(key=visitor.key, action="services")[0]["rate"] == "0.50000"


def test_api_page_for_guests_shows_the_docs_without_a_key(panel: Panel, visitor: Visitor) -> None:
    page = visitor.get("/api")
    assert page.status_code == 200
    assert f"<code id=\"api-url\">{panel.base}/api/v2</code>" in page.text
    for title in ("Service list", "Add order", "Order status", "Multiple orders status", "Create refill",
                  "Create multiple refill", "Get refill status", "Get multiple refill status", "Create cancel",
                  "User balance"):
        assert f"<h2>{title}</h2>" in page.text
    assert "<strong>Mentions Media Likers</strong>" in page.text and "<strong>Subscriptions</strong>" in page.text
    assert "Generate new key" not in page.text and "Sign in</a> to see your key" in page.text
    assert 'href="/api/sample.php"' in page.text


def test_generate_new_key_stops_the_old_one_at_once(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    visitor.sign_up()
    old = visitor.key
    visitor.get("/api")
    assert other.post("/api/key", {"csrf_token": visitor.csrf}).status_code == 403  # not signed in
    assert visitor.post("/api/key", csrf=False).status_code == 403
    assert panel.balance(old) == "0.00000"
    page = visitor.post("/api/key")
    assert page.status_code == 200
    new = re.search(r'<code id="new-key">([0-9a-f]{32})</code>', page.text)
    assert new and new.group(1) != old
    assert panel.api(key=old, action="balance") == {"error": errors.INVALID_KEY}
    assert panel.balance(new.group(1)) == "0.00000"
    again = visitor.get("/api").text
    assert new.group(1) not in again and f"{new.group(1)[:8]}…" in again
    assert panel.sql("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL") == [(1,)]


def test_sample_php_has_the_panels_url_and_the_class_shape(panel: Panel, visitor: Visitor) -> None:
    response = visitor.get("/api/sample.php")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="sample.php"'
    text = response.text
    assert f"public $api_url = '{panel.base}/api/v2';" in text
    for method in ("order($data)", "status($order_id)", "multiStatus($order_ids)", "services()", "refill(int $orderId)",
                   "multiRefill(array $orderIds)", "refillStatus(int $refillId)",
                   "multiRefillStatus(array $refillIds)", "cancel(array $orderIds)", "balance()"):
        assert f"public function {method}" in text


@pytest.mark.skipif(shutil.which("php") is None, reason="php-cli is not installed (apt-get install php-cli php-curl)")
def test_sample_php_runs_against_the_live_panel(panel: Panel, visitor: Visitor, tmp_path: Path) -> None:
    panel.service(name="Likes", rate="1", cancel=True)
    visitor.sign_up()
    panel.run(lambda db: customers.add_funds(db, visitor.name, 1_000_000))
    (tmp_path / "api.php").write_text(visitor.get("/api/sample.php").text)
    script = tmp_path / "run.php"
    script.write_text(textwrap.dedent(f"""\
        <?php
        require __DIR__ . '/api.php';
        $api = new Api();
        $api->api_key = '{visitor.key}';
        $balance = $api->balance();
        echo $balance->balance, ' ', $balance->currency, "\\n";
        $services = $api->services();
        echo $services[0]->name, "\\n";
        $order = $api->order(['service' => $services[0]->service, 'link' => 'https://example.com/p', 'quantity' => 100]);
        echo $order->order, "\\n";
        $status = $api->status($order->order);
        echo $status->status, ' ', $status->charge, "\\n";
        $many = $api->multiStatus([$order->order, 999]);
        echo $many->{{'999'}}->error, "\\n";
        echo json_encode($api->multiRefill([999])), "\\n";
        echo json_encode($api->cancel([$order->order])), "\\n";
        echo $api->refillStatus(5)->error, "\\n";
        echo json_encode($api->multiRefillStatus([5])), "\\n";
        """))
    done = subprocess.run(["php", str(script)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr + done.stdout
    lines = done.stdout.splitlines()
    order_id = panel.sql("SELECT id FROM orders")[0][0]
    assert lines == [
        "10.00000 USD",
        "Likes",
        str(order_id),
        "Pending 0.10000",
        "Incorrect order ID",
        '[{"order":999,"refill":{"error":"Incorrect order ID"}}]',
        f'[{{"order":{order_id},"cancel":1}}]',
        "Refill not found",
        '[{"refill":5,"status":{"error":"Refill not found"}}]',
    ]


@pytest.mark.parametrize("path", ["/orders", "/massorder", "/refills", "/subscriptions", "/drip-feed", "/account",
                                  "/addfunds", "/tickets"])
def test_customer_pages_send_guests_to_sign_in(panel: Panel, visitor: Visitor, path: str) -> None:
    response = visitor.get(path)
    assert response.status_code == 303 and response.headers["location"] == f"/login?next={path}"


def test_the_navigation(panel: Panel, visitor: Visitor) -> None:
    visitor.sign_up()
    page = visitor.get("/orders")
    assert page.status_code == 200 and "<h1>Orders</h1>" in page.text
    for href, label in (("/", "New order"), ("/massorder", "Mass order"), ("/orders", "Orders"),
                        ("/refills", "Refills"), ("/subscriptions", "Subscriptions"), ("/drip-feed", "Drip-feed"),
                        ("/services", "Services"), ("/addfunds", "Add funds"), ("/tickets", "Tickets"),
                        ("/api", "API"), ("/account", "Account")):
        assert f'<a href="{href}"' in page.text and f">{label}</a>" in page.text
    assert '<a href="/orders" aria-current="page">Orders</a>' in page.text


def test_unknown_pages_and_methods_get_error_pages(panel: Panel, visitor: Visitor) -> None:
    missing = visitor.get("/no-such-page")
    assert missing.status_code == 404 and "<h1>Not found</h1>" in missing.text
    assert missing.headers["x-frame-options"] == "DENY"
    assert visitor.http.put("/services").status_code == 405
    assert visitor.get("/static/site.css").headers["content-type"].startswith("text/css")
    assert panel.http.get(panel.base + "/health").json() == {"status": "ok"}


def test_the_home_page_is_the_sign_in_page_for_guests(panel: Panel, visitor: Visitor) -> None:
    page = visitor.get("/")
    assert page.status_code == 200 and "<h1>Sign in</h1>" in page.text
    assert '<label for="f-login">Username or email</label>' in page.text


def test_an_oversized_form_is_refused_before_it_is_read(panel: Panel, visitor: Visitor) -> None:
    visitor.get("/login")
    response = visitor.http.post("/login", content=b"login=" + b"x" * (panel.settings.max_body_bytes + 1),
                                 headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413 and "<h1>Too large</h1>" in response.text
    assert panel.sql("SELECT COUNT(*) FROM sign_in_failures") == [(0,)]
