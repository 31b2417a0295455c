"""A visitor with a cookie jar, for testing the website over real HTTP against the running panel."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import Panel

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


class Visitor:
    """One browser: its own cookies; `post` sends the CSRF token of the page it last read."""

    def __init__(self, panel: Panel) -> None:
        self.panel = panel
        self.http = httpx.Client(base_url=panel.base, timeout=30, follow_redirects=False)
        self.csrf = ""
        self.name = ""
        self.key = ""

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.get(path, **kwargs)
        found = _CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True) -> httpx.Response:
        fields = dict(data or {})
        if csrf:
            fields.setdefault("csrf_token", self.csrf)
        response = self.http.post(path, data=fields)
        found = _CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def sign_up(self, name: str | None = None, password: str = PASSWORD) -> httpx.Response:
        self.name = name or f"u{uuid.uuid4().hex[:8]}"
        self.get("/signup")
        response = self.post("/signup", {"username": self.name, "email": f"{self.name}@example.com",
                                         "password": password, "confirm": password})
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/"
        home = self.get("/")
        found = re.search(r'<code id="new-key">([0-9a-f]{32})</code>', home.text)
        assert found, home.text
        self.key = found.group(1)
        return home

    def sign_in(self, login: str, password: str = PASSWORD) -> httpx.Response:
        self.get("/login")
        return self.post("/login", {"login": login, "password": password})

    def sign_out(self) -> httpx.Response:
        self.get("/")  # the page's token: the sign-out button of the page the visitor is on
        return self.post("/logout")

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def visitor(panel: Panel) -> Iterator[Visitor]:
    one = Visitor(panel)
    yield one
    one.close()


@pytest.fixture
def other(panel: Panel) -> Iterator[Visitor]:
    one = Visitor(panel)
    yield one
    one.close()
