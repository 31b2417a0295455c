"""The customer website in Chromium: the flows a customer goes through, and a screenshot of every page."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pyotp

from smmpanel.api import errors
from tests.browser.conftest import shoot
from tests.common.cli import cli, last_line
from tests.conftest import Panel

PASSWORD = "correct horse battery"


def sign_up(page: Any, panel: Panel) -> tuple[str, str]:
    name = f"b{uuid.uuid4().hex[:8]}"
    page.goto(panel.base + "/signup")
    shoot(page, "signup")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Email").fill(f"{name}@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(panel.base + "/")
    key = page.locator("#new-key").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    shoot(page, "home-with-new-key")
    return name, key


def sign_in(page: Any, panel: Panel, name: str, password: str = PASSWORD) -> None:
    page.goto(panel.base + "/login")
    page.get_by_label("Username or email").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url(re.compile(r".*/login$"))


def test_sign_up_see_the_key_and_generate_a_new_one(page: Any, panel: Panel) -> None:
    panel.service(name="Instagram Followers [refill 30 days]", description="Real-looking followers", cancel=True,
                  refill_days=30)
    panel.service(name="YouTube Views", category="YouTube", rate="2.5", type="Package", min=1, max=1)
    page.goto(panel.base + "/")
    shoot(page, "login")
    name, key = sign_up(page, panel)
    assert panel.balance(key) == "0.00000"
    page.get_by_role("link", name="API", exact=True).first.click()
    page.wait_for_url(panel.base + "/api")
    assert page.locator("code.prefix").inner_text() == key[:8] + "…"
    shoot(page, "api")
    page.get_by_role("button", name="Generate new key").click()
    new_key = page.locator("#new-key").inner_text().strip()
    assert new_key != key and re.fullmatch(r"[0-9a-f]{32}", new_key)
    shoot(page, "api-new-key")
    assert panel.api(key=key, action="balance") == {"error": errors.INVALID_KEY}
    assert panel.balance(new_key) == "0.00000"
    page.goto(panel.base + "/services")
    assert page.get_by_label("Search services").is_visible()
    shoot(page, "services")
    page.get_by_label("Search services").fill("youtube")  # the script filters as one types
    assert page.get_by_text("YouTube Views").is_visible()
    assert not page.get_by_text("Instagram Followers [refill 30 days]").is_visible()
    for path, title in (("/orders", "orders"), ("/account", "account")):
        page.goto(panel.base + path)
        shoot(page, title)
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_text("Menu").click()  # the phone menu opens without script
    page.get_by_role("link", name="Tickets").click()
    page.wait_for_url(panel.base + "/tickets")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_out(page)
    page.goto(panel.base + "/services")
    shoot(page, "services-guest")
    page.goto(panel.base + "/api")
    shoot(page, "api-guest")
    page.goto(panel.base + "/no-such-page")
    shoot(page, "not-found")


def test_ticket_round_trip(page: Any, panel: Panel) -> None:
    sign_up(page, panel)
    page.get_by_role("link", name="Tickets").click()
    page.get_by_label("Subject").fill("Order not started")
    page.get_by_label("Message").fill("My order has not started yet.\nCan you check?")
    shoot(page, "tickets")
    page.get_by_role("button", name="Open ticket").click()
    page.wait_for_url(re.compile(r".*/tickets/\d+$"))
    ticket_id = page.url.rsplit("/", 1)[1]
    cli(panel.db_url, "tickets", "reply", ticket_id, "It starts within the hour.")
    page.reload()
    assert page.locator(".message.staff .body").inner_text() == "It starts within the hour."
    assert page.locator("h1 .status").inner_text() == "Answered"
    page.get_by_label("Your reply").fill("Thank you!")
    page.get_by_role("button", name="Send reply").click()
    assert page.locator("h1 .status").inner_text() == "Open"
    shoot(page, "ticket")


def test_two_factor_sign_in(page: Any, panel: Panel) -> None:
    name, _ = sign_up(page, panel)
    page.goto(panel.base + "/account")
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    secret = page.locator("#totp-secret").inner_text().strip()
    shoot(page, "two-factor-setup")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    shoot(page, "recovery-codes")
    page.get_by_role("link", name="Done").click()
    sign_out(page)
    sign_in(page, panel, name)
    page.wait_for_url(re.compile(r".*/login/two-factor.*"))
    shoot(page, "two-factor-sign-in")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verify and sign in").click()
    page.wait_for_url(panel.base + "/")
    assert page.get_by_role("heading", name=f"Welcome, {name}").is_visible()


def test_add_funds_approved_by_the_operator_shows_the_balance(page: Any, panel: Panel) -> None:
    cli(panel.db_url, "payments", "methods", "add", "Bank transfer", "--instructions",
        "IBAN DE00 1234 5678\nReference: your username", "--min", "10")
    name, key = sign_up(page, panel)
    page.get_by_role("link", name="Add funds").first.click()
    page.get_by_label("Method").select_option(label="Bank transfer (minimum 10.00000)")
    page.get_by_label("Amount (USD)").fill("25.50")
    page.get_by_label("Reference").fill("TX-2026-001")
    page.get_by_role("button", name="Send payment request").click()
    page.wait_for_url(re.compile(r".*/addfunds\?done=1$"))
    assert page.locator(".status").first.inner_text() == "Pending"
    request_id = panel.sql("SELECT id FROM payment_requests")[0][0]
    assert last_line(cli(panel.db_url, "payments", "approve", str(request_id))).endswith(f"credited to {name}")
    page.reload()
    assert page.locator(".status").first.inner_text() == "Approved"
    assert page.locator(".balance").inner_text() == "25.50000 USD"
    assert panel.balance(key) == "25.50000"
    shoot(page, "addfunds")
