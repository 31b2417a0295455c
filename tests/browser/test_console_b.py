"""console-b's pages in Chromium: approve a payment and see the customer's balance move, adjust a balance,
reply to a ticket and see it on the customer's /tickets; screenshots of every page at 1280 and 390 wide."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from smmpanel.accounts import queries
from smmpanel.db.connect import Database
from smmpanel.payments import methods, requests
from smmpanel.providers import registry
from smmpanel.staff import accounts
from tests.browser.conftest import shoot
from tests.browser.test_customer_site import sign_up
from tests.conftest import Panel


def staff_page(page: Any, panel: Panel, role: str = "admin") -> Any:
    """A new staff member of `role`, signed in in a fresh browser context; returns its page."""
    name = f"{role}{uuid.uuid4().hex[:6]}"
    password = panel.run(lambda db: accounts.create(db, name, role))
    context = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    staff = context.new_page()
    staff.set_default_timeout(15_000)
    staff.goto(panel.base + "/admin/login")
    staff.get_by_label("Username").fill(name)
    staff.get_by_label("Password").fill(password)
    staff.get_by_role("button", name="Sign in").click()
    staff.wait_for_url(panel.base + "/admin/")
    return staff


def customer_id(panel: Panel, name: str) -> int:
    found = panel.run(lambda db: queries.customer_id(db, name))
    assert found is not None
    return found


def test_approve_a_payment_and_see_the_balance_move(page: Any, panel: Panel) -> None:
    name, _ = sign_up(page, panel)
    cid = customer_id(panel, name)

    async def submit(db: Database) -> int:
        method = await methods.add(db, "Bank transfer", "IBAN DE00 0000", 100_000)
        return await requests.submit(db, cid, method, 4_200_000, "TX-778")

    request_id = panel.run(submit)
    assert page.locator(".balance").first.inner_text() == "0.00000 USD"
    staff = staff_page(page, panel)
    staff.get_by_role("link", name="Payments", exact=True).click()
    staff.wait_for_url(panel.base + "/admin/payments")
    row = staff.locator(f"#request-{request_id}")
    assert "42.00000" in row.inner_text() and "TX-778" in row.inner_text()
    shoot(staff, "console-payments")
    row.get_by_role("button", name="Approve").click()
    staff.wait_for_url(panel.base + "/admin/payments?done=approved")
    assert "Payment approved" in staff.locator(".alert.ok").inner_text()
    assert "Approved" in staff.locator("table").nth(1).inner_text()
    page.reload()
    assert page.locator(".balance").first.inner_text() == "42.00000 USD"
    staff.context.close()


def test_adjust_a_balance(page: Any, panel: Panel) -> None:
    name, key = sign_up(page, panel)
    cid = customer_id(panel, name)
    staff = staff_page(page, panel)
    staff.get_by_role("link", name="Customers", exact=True).click()
    staff.wait_for_url(panel.base + "/admin/customers")
    shoot(staff, "console-customers")
    staff.get_by_role("link", name=name).click()
    staff.wait_for_url(f"{panel.base}/admin/customers/{cid}")
    staff.get_by_label("Amount").fill("15.25")
    staff.get_by_label("Reason").fill("compensation for order 17")
    staff.get_by_role("button", name="Adjust balance").click()
    staff.wait_for_url(f"{panel.base}/admin/customers/{cid}?done=adjusted")
    assert staff.locator("#balance").inner_text() == "15.25000 USD"
    ledger = staff.locator("#ledger tbody tr").first.inner_text()
    assert "adjustment" in ledger and "15.25000" in ledger and "compensation for order 17" in ledger
    shoot(staff, "console-customer")
    # below zero is refused, nothing moves
    staff.get_by_label("Amount").fill("-20")
    staff.get_by_label("Reason").fill("too much")
    staff.get_by_role("button", name="Adjust balance").click()
    assert "the balance does not cover that adjustment" in staff.locator(".alert.error").inner_text()
    assert panel.balance(key) == "15.25000"
    page.reload()
    assert page.locator(".balance").first.inner_text() == "15.25000 USD"
    staff.context.close()


def test_reply_to_a_ticket_and_the_customer_sees_it(page: Any, panel: Panel) -> None:
    sign_up(page, panel)
    page.goto(panel.base + "/tickets")
    page.get_by_label("Subject").fill("Order stuck")
    page.get_by_label("Message").fill("My order 5 has not started.")
    page.get_by_role("button", name="Open ticket").click()
    page.wait_for_url(f"{panel.base}/tickets/1")
    staff = staff_page(page, panel, "support")
    staff.get_by_role("link", name="Tickets", exact=True).click()
    staff.wait_for_url(panel.base + "/admin/tickets")
    shoot(staff, "console-tickets")
    staff.get_by_role("link", name="Order stuck").click()
    staff.get_by_label("Your reply").fill("It starts within the hour.")
    staff.get_by_role("button", name="Reply").click()
    staff.wait_for_url(panel.base + "/admin/tickets/1?done=replied")
    shoot(staff, "console-ticket")
    page.reload()
    assert "It starts within the hour." in page.locator(".thread").inner_text()
    assert page.locator(".status").first.inner_text() == "Answered"
    # support's view of the customer carries no money
    staff.goto(panel.base + "/admin/customers")
    assert "Balance" not in staff.locator("table").inner_text()
    staff.goto(panel.base + "/admin/refills")
    shoot(staff, "console-refills-support")
    staff.context.close()


def test_map_a_service_to_a_provider_and_add_one(page: Any, panel: Panel) -> None:
    """The service form's Fulfilment fieldset and the Add service form; screenshots to /tmp/shots/svcform-*."""
    shots = Path("/tmp/shots")
    shots.mkdir(parents=True, exist_ok=True)
    service = panel.service(name="Instagram Followers", category="Instagram", rate="0.9")
    sim = panel.run(lambda db: registry.add(db, "sim", "simulated"))
    backup = panel.run(lambda db: registry.add(db, "backup", "simulated"))
    staff = staff_page(page, panel)
    staff.goto(panel.base + f"/admin/services/{service}")
    staff.get_by_label("Provider", exact=True).select_option("sim")
    staff.get_by_label("Provider service ID").fill("42")
    staff.get_by_label("The provider does drip-feed").check()
    staff.get_by_label("Failover provider").select_option("backup")
    staff.get_by_label("Failover service ID").fill("7")
    staff.get_by_label("Rate per 1000").fill("1.1")
    staff.get_by_role("button", name="Save").click()
    staff.wait_for_url(panel.base + "/admin/services?done=saved")
    assert panel.sql("SELECT provider_id, provider_service, failover_provider_id, failover_service FROM services"
                     " WHERE id = $1", service) == [(sim, "42", backup, "7")]
    panel.execute("UPDATE services SET cost = 80000, markup = '25'")
    staff.goto(panel.base + f"/admin/services/{service}")
    assert staff.get_by_label("Let sync set the rate from cost again").is_visible()
    staff.set_viewport_size({"width": 1280, "height": 900})
    staff.screenshot(path=str(shots / "svcform-edit-desktop.png"), full_page=True)
    staff.set_viewport_size({"width": 390, "height": 844})
    staff.screenshot(path=str(shots / "svcform-edit-phone.png"), full_page=True)
    staff.set_viewport_size({"width": 1280, "height": 900})
    shoot(staff, "console-service-edit")
    staff.get_by_label("Failover provider").select_option("")
    staff.get_by_label("Failover service ID").fill("9")
    staff.get_by_role("button", name="Save").click()
    assert "a failover service id needs a failover provider" in staff.locator(".alert.error").inner_text()
    staff.screenshot(path=str(shots / "svcform-edit-error.png"), full_page=True)
    staff.goto(panel.base + "/admin/services")
    staff.get_by_role("link", name="Add service").click()
    staff.wait_for_url(panel.base + "/admin/services/new")
    staff.get_by_label("Name").fill("TikTok Likes")
    staff.get_by_label("Category").fill("TikTok")
    staff.get_by_label("Rate per 1000").fill("1.2")
    staff.get_by_label("Min", exact=True).fill("10")
    staff.get_by_label("Max", exact=True).fill("5000")
    staff.get_by_label("Provider", exact=True).select_option("sim")
    staff.screenshot(path=str(shots / "svcform-add-desktop.png"), full_page=True)
    staff.set_viewport_size({"width": 390, "height": 844})
    staff.screenshot(path=str(shots / "svcform-add-phone.png"), full_page=True)
    staff.set_viewport_size({"width": 1280, "height": 900})
    shoot(staff, "console-service-add")
    staff.get_by_role("button", name="Add service").click()
    assert "Service added." in staff.locator(".alert.ok").inner_text()
    assert panel.sql("SELECT name, provider_id FROM services WHERE name = 'TikTok Likes'") == [
        ("TikTok Likes", sim)]
    staff.context.close()


def test_services_and_providers_pages(page: Any, panel: Panel) -> None:
    panel.service(name="Instagram Followers", category="Instagram", rate="0.9")
    panel.service(name="TikTok Likes", category="TikTok", rate="1.2")
    staff = staff_page(page, panel)
    staff.get_by_role("link", name="Services", exact=True).click()
    staff.wait_for_url(panel.base + "/admin/services")
    shoot(staff, "console-services")
    panel.run(lambda db: registry.add(db, "sim", "simulated", low_balance=1_000_000))
    staff.get_by_role("link", name="Providers", exact=True).click()
    staff.wait_for_url(panel.base + "/admin/providers")
    staff.locator("#provider-1").get_by_role("button", name="Test").click()
    assert "sim answered: balance" in staff.locator(".alert.ok").inner_text()
    shoot(staff, "console-providers")
    staff.context.close()
