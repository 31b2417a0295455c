"""The operator console in Chromium (console-a's pages): sign in, resolve a held order, mark an order
Partial and see the refund before and after confirming, a support account that cannot see profit — and a
screenshot of every page at desktop and phone widths."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from smmpanel.db.connect import Database
from smmpanel.staff import accounts
from tests.browser.conftest import shoot
from tests.conftest import Panel
from tests.functional.fulfilment.conftest import Upstream, add_provider, cycle, order_row


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.stop()


def staff(panel: Panel, name: str, role: str) -> str:
    async def work(db: Database) -> str:
        return await accounts.create(db, name, role)

    return panel.run(work)


def sign_in(page: Any, panel: Panel, name: str, password: str) -> None:
    page.goto(panel.base + "/admin/orders")
    page.wait_for_url(re.compile(r".*/admin/login\?next=/admin/orders$"))
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(panel.base + "/admin/orders")


def business(panel: Panel, upstream: Upstream) -> tuple[str, int, int]:
    """A customer with a by-hand order, an upstream order tracked with its cost, and a held order."""
    key = panel.customer("50", name="alice")
    by_hand = panel.service(name="Instagram Followers", rate="1.23457")
    manual_order = int(panel.api(key=key, action="add", service=by_hand, link="https://ig.example/p/1",
                                 quantity=999)["order"])
    provider = add_provider(panel, "upstream", url=upstream.url, api_key="upstream-secret-key-123456", name="bigpanel")
    views = panel.service(name="YouTube Views", category="YouTube", rate="2", provider_id=provider,
                          provider_service="7")
    tracked = int(panel.api(key=key, action="add", service=views, link="https://yt.example/v/1", quantity=1000)["order"])
    cycle(panel)
    upstream.statuses[int(order_row(panel, tracked)["upstream_id"])] |= {"status": "Completed", "remains": "0",
                                                                         "charge": "0.75"}
    cycle(panel)
    upstream.script = lambda params: (500, b'{"error":"Internal error"}', 0.0)
    held = int(panel.api(key=key, action="add", service=views, link="https://yt.example/v/2", quantity=500)["order"])
    cycle(panel)
    upstream.script = upstream.accept
    assert order_row(panel, held)["dispatch"] == "held"
    return key, manual_order, held


def test_owner_resolves_a_held_order_and_marks_an_order_partial(page: Any, panel: Panel, upstream: Upstream) -> None:
    key, manual_order, held = business(panel, upstream)
    password = staff(panel, "olivia", "owner")
    page.goto(panel.base + "/admin/login")
    shoot(page, "console-login")
    sign_in(page, panel, "olivia", password)
    shoot(page, "console-orders")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    page.wait_for_url(panel.base + "/admin/")
    assert page.locator('[data-span="Today"] [data-k="revenue"]').inner_text() == "4.23334"
    assert page.locator('[data-span="Today"] [data-k="cost"]').inner_text() == "0.75000"
    assert page.locator('[data-span="Today"] [data-k="profit"]').inner_text() == "3.48334"
    assert page.locator("svg.chart rect.revenue").count() == 30
    shoot(page, "console-dashboard")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Held orders").click()
    card = page.locator(f"#held-{held}")
    assert "Internal error" in card.inner_text() or "500" in card.inner_text()
    shoot(page, "console-held")
    card.get_by_label("Upstream order ID").fill("98765")
    card.get_by_role("button", name="Resolve").click()
    page.wait_for_url(re.compile(r".*/admin/held\?done=.*"))
    assert f"Order {held} resolved as upstream order 98765" in page.locator(".alert.ok").inner_text()
    assert order_row(panel, held)["upstream_id"] == 98765

    page.goto(panel.base + f"/admin/orders/{manual_order}")
    page.get_by_label("Remains", exact=True).last.fill("333")
    page.get_by_role("button", name="Mark Partial", exact=True).click()
    assert page.locator("#refund-preview").inner_text() == "0.41111"
    assert panel.balance(key) == "45.76666"  # nothing moved before confirming
    shoot(page, "console-partial-preview")
    page.get_by_role("button", name="Confirm Mark Partial").click()
    page.wait_for_url(re.compile(rf".*/admin/orders/{manual_order}\?done=.*"))
    assert page.locator("#order-status").inner_text() == "Partial"
    assert page.locator("#refunded").inner_text() == "0.41111"
    assert "refund 0.41111" in page.locator("#timeline").inner_text()
    assert panel.balance(key) == "46.17777"
    shoot(page, "console-order")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    assert page.locator("#total-profit").inner_text() == "3.07223"  # 4.23334 − 0.41111 − 0.75
    shoot(page, "console-reports")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
    assert page.locator("tbody tr").count() == 2
    shoot(page, "console-activity")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Staff").click()
    page.get_by_label("Name").fill("sam")
    page.get_by_role("button", name="Add").click()
    assert re.fullmatch(r"\S{20}", page.locator("#new-password").inner_text())
    shoot(page, "console-staff")


def test_support_cannot_see_profit(page: Any, panel: Panel, upstream: Upstream) -> None:
    _, manual_order, _ = business(panel, upstream)
    password = staff(panel, "sue", "support")
    sign_in(page, panel, "sue", password)
    nav = page.locator("nav.nav").inner_text()
    assert "Reports" not in nav and "Staff" not in nav and "Payments" not in nav
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    text = page.locator("main").inner_text()
    assert "Profit" not in text and "Revenue" not in text and "4.23334" not in text
    assert page.locator("svg.chart").count() == 0
    shoot(page, "console-dashboard-support")
    page.goto(panel.base + f"/admin/orders/{manual_order}")
    assert page.get_by_role("button", name="Mark Partial").count() == 0
    assert "1.23334" not in page.locator("main").inner_text()
    response = page.goto(panel.base + "/admin/reports")
    assert response is not None and response.status == 403
    assert "Not allowed" in page.locator("h1").inner_text()
    shoot(page, "console-forbidden")
