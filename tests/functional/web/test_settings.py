"""Settings that change the website: closed sign-up, https public URL (Secure cookies, absolute URLs)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smmpanel.config import Settings
from tests.conftest import Panel
from tests.functional.web.conftest import PASSWORD, Visitor


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, run_worker=False, signup="closed",
                    public_url="https://panel.example.com/")


@pytest.fixture
def guest(panel: Panel) -> Iterator[Visitor]:
    one = Visitor(panel)
    yield one
    one.close()


def test_closed_sign_up_refuses_new_customers(panel: Panel, guest: Visitor) -> None:
    page = guest.get("/signup")
    assert page.status_code == 403 and "Sign-up is closed" in page.text
    assert 'href="/signup"' not in guest.get("/login").text
    refused = guest.post("/signup", {"username": "closedshop", "email": "c@example.com", "password": PASSWORD,
                                     "confirm": PASSWORD})
    assert refused.status_code == 403
    assert panel.sql("SELECT COUNT(*) FROM customers") == [(0,)]


def test_https_public_url_makes_cookies_secure_and_urls_absolute(panel: Panel, guest: Visitor) -> None:
    page = guest.get("/login")
    assert "Secure" in page.headers["set-cookie"]
    assert '<code id="api-url">https://panel.example.com/api/v2</code>' in guest.get("/api").text
    assert "public $api_url = 'https://panel.example.com/api/v2';" in guest.get("/api/sample.php").text
