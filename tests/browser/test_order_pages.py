"""The order pages in Chromium: a new order of a Default and of a Custom Comments service with the charge
computed while typing, watched to completion on the simulated provider, refilled; another order canceled;
a mass order; and screenshots of every order page at desktop and phone widths."""

from __future__ import annotations

import re
from typing import Any

import pytest

from smmpanel.config import Settings
from tests.browser.conftest import shoot
from tests.browser.test_customer_site import sign_up
from tests.common.cli import cli
from tests.conftest import Panel
from tests.functional.fulfilment.conftest import add_provider, cycle


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, run_worker=False, refill_cooldown_hours=0)


def _row(page: Any, order_id: int) -> Any:
    return page.locator(f"#order-{order_id}")


def test_order_watch_refill_cancel_and_mass_order(page: Any, panel: Panel) -> None:
    simulated = add_provider(panel, "simulated", step_seconds=0)
    followers = panel.service(name="Instagram Followers [refill 30 days]", rate="0.9", refill_days=30,
                              provider_id=simulated, provider_service="1", dripfeed=True,
                              description="Real-looking followers, start in 1 hour")
    comments = panel.service(name="Instagram Custom Comments", type="Custom Comments", rate="20", min=1, max=100,
                             provider_id=simulated, provider_service="4")
    manual = panel.service(name="Instagram Likes (by hand)", rate="0.5", cancel=True)
    panel.service(name="YouTube Views", category="YouTube", rate="2.5")
    name, key = sign_up(page, panel)
    assert cli(panel.db_url, "funds", "add", name, "50").returncode == 0

    page.goto(panel.base + f"/?service={followers}")
    assert page.get_by_label("Service").input_value() == str(followers)
    page.get_by_label("Link").fill("https://instagram.com/p/abc")
    page.get_by_label("Quantity").fill("1000")
    page.locator("#charge").filter(has_text="0.90000 USD").wait_for()  # computed by the server while typing
    page.get_by_label("Quantity").fill("abc")
    page.locator("#charge-note").filter(has_text="Enter a whole number").wait_for()
    page.get_by_label("Quantity").fill("1000")
    page.locator("#charge").filter(has_text="0.90000 USD").wait_for()
    shoot(page, "new-order")
    page.get_by_role("button", name="Place order").click()
    page.locator("#placed").filter(has_text="Order ID 1").wait_for()

    page.get_by_label("Service").select_option(str(comments))
    page.wait_for_url(re.compile(rf".*/\?service={comments}$"))
    page.get_by_label("Link").fill("https://instagram.com/p/xyz")
    page.get_by_label("Comments").fill("Great shot\nLove it\nWow")
    page.locator("#charge").filter(has_text="0.06000 USD").wait_for()
    shoot(page, "new-order-comments")
    page.get_by_role("button", name="Place order").click()
    page.locator("#placed").filter(has_text="Order ID 2").wait_for()
    page.get_by_label("Service").select_option(str(manual))
    page.wait_for_url(re.compile(rf".*/\?service={manual}$"))
    page.get_by_label("Link").fill("https://instagram.com/p/likes")
    page.get_by_label("Quantity").fill("5")
    page.get_by_role("button", name="Place order").click()
    page.locator("#e-quantity").filter(has_text="Quantity less than minimal 10").wait_for()
    shoot(page, "new-order-refused")
    page.get_by_label("Quantity").fill("100")
    page.get_by_role("button", name="Place order").click()
    page.locator("#placed").filter(has_text="Order ID 3").wait_for()

    page.get_by_role("link", name="Orders", exact=True).click()
    page.wait_for_url(panel.base + "/orders")
    assert _row(page, 1).get_attribute("data-active") == "1"
    cycle(panel)  # dispatch to the simulated provider
    cycle(panel)  # track: step_seconds 0 → completed
    _row(page, 1).locator(".status").filter(has_text="Completed").wait_for(timeout=20_000)  # refreshed by itself
    _row(page, 2).locator(".status").filter(has_text="Completed").wait_for(timeout=20_000)
    page.reload()
    shoot(page, "orders")
    _row(page, 1).get_by_role("button", name="Refill").click()
    page.get_by_role("status").filter(has_text="Refill ID 1 requested.").wait_for()
    _row(page, 3).get_by_role("button", name="Cancel").click()
    page.get_by_role("status").filter(has_text="Cancel of order 3 requested.").wait_for()
    assert _row(page, 3).locator(".status").inner_text() == "Canceled"
    assert panel.api(key=key, action="status", order=3)["status"] == "Canceled"
    page.get_by_role("link", name="Completed").click()
    page.wait_for_url(panel.base + "/orders?status=Completed")
    completed = [r[0] for r in panel.sql("SELECT id FROM orders WHERE status = 'Completed' ORDER BY id DESC")]
    assert completed[-2:] == [2, 1]
    assert [int(i.removeprefix("order-")) for i in page.locator("tr[id^=order-]").evaluate_all(
        "rows => rows.map(r => r.id)")] == completed
    page.get_by_role("link", name="All", exact=True).click()
    page.get_by_label("Search by order ID or link").fill("p/xyz")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r".*search=p%2Fxyz"))
    assert page.locator("tr[id^=order-]").count() == 1 and _row(page, 2).is_visible()

    page.get_by_role("link", name="Refills").first.click()
    page.wait_for_url(panel.base + "/refills")
    assert page.locator("#refill-1").is_visible()
    shoot(page, "refills")

    page.get_by_role("link", name="Mass order").first.click()
    page.get_by_label("Orders").fill(f"{followers} | https://instagram.com/p/m1 | 100\n"
                                     f"{followers} | https://instagram.com/p/m2 | 5\nnonsense")
    page.get_by_role("button", name="Place orders").click()
    results = page.locator(".results li strong").all_inner_texts()
    assert results == ["Order ID 4", "Quantity less than minimal 10", "Write service_id | link | quantity"]
    shoot(page, "massorder")

    page.goto(panel.base + f"/?service={followers}")
    page.get_by_label("Link").fill("https://instagram.com/p/drip")
    page.get_by_label("Quantity").fill("100")
    page.get_by_label("Runs").fill("3")
    page.get_by_label("Interval in minutes").fill("10")
    page.locator("#charge").filter(has_text="0.27000 USD").wait_for()
    page.get_by_role("button", name="Place order").click()
    page.locator("#placed").wait_for()
    page.get_by_role("link", name="Drip-feed").first.click()
    page.wait_for_url(panel.base + "/drip-feed")
    assert "Runs 0 of 3" in page.locator("main").inner_text()
    shoot(page, "drip-feed")
    page.get_by_role("link", name="Subscriptions").first.click()
    shoot(page, "subscriptions")
