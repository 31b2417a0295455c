"""The console's Subscriptions and Drip-feed queues in Chromium: open Drip-feed from the navigation, Reject a
parent not yet run and read the notice; screenshots of both pages (tests/artifacts/, and /tmp/shots/ for a
look by hand)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from smmpanel.money import charge_units, format_units, parse_amount
from tests.browser.conftest import shoot
from tests.browser.test_console_b import staff_page
from tests.conftest import Panel
from tests.functional.fulfilment.conftest import add_provider

SHOTS = Path("/tmp/shots")


def look(page: Any, name: str) -> None:
    shoot(page, f"console-{name}")
    SHOTS.mkdir(exist_ok=True)
    for width, label in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_reject_a_dripfeed_order_and_see_the_notice(page: Any, panel: Panel) -> None:
    provider = add_provider(panel, "simulated", step_seconds=0)
    dripfeed = panel.service(provider_id=provider, provider_service="1", dripfeed=True, rate="1.23457")
    subscriptions = panel.service(provider_id=provider, provider_service="2", type="Subscriptions",
                                  name="Instagram Auto Likes", rate="0.3", min=50, max=1000)
    key = panel.customer("10")
    parent = int(panel.api(key=key, action="add", service=dripfeed, link="https://www.instagram.com/p/queue-test/",
                           quantity=500, runs=4, interval=30)["order"])
    panel.api(key=key, action="add", service=subscriptions, username="queue_tester", min=50, max=200, posts=10,
              delay=15, expiry="31/12/2030")
    staff = staff_page(page, panel)
    staff.get_by_role("link", name="Subscriptions", exact=True).click()
    staff.wait_for_url(panel.base + "/admin/subscriptions")
    assert "queue_tester" in staff.locator("table").inner_text()
    look(staff, "queues-subscriptions")
    staff.get_by_role("link", name="Drip-feed", exact=True).click()
    staff.wait_for_url(panel.base + "/admin/drip-feed")
    look(staff, "queues-dripfeed")
    staff.locator(f"#order-{parent}").get_by_role("button", name="Reject").click()
    staff.wait_for_url(panel.base + "/admin/drip-feed?tab=Active&done=*")
    refund = format_units(charge_units(parse_amount("1.23457"), 2000))
    assert staff.locator(".alert.ok").inner_text() == f"Order {parent}: Canceled; refunded {refund}."
    staff.get_by_role("link", name="Finished").click()
    assert "Canceled" in staff.locator(f"#order-{parent}").inner_text()
    look(staff, "queues-dripfeed-finished")
    staff.context.close()
