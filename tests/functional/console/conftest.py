"""Staff in a browser-like client, for testing the console over real HTTP against the running panel."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from smmpanel.db.connect import Database
from smmpanel.staff import accounts
from tests.conftest import Panel
from tests.functional.fulfilment.conftest import upstream  # noqa: F401  (fixture: a scripted upstream panel)
from tests.functional.web.conftest import Visitor, other, visitor  # noqa: F401  (fixtures)


class Staff(Visitor):
    """A staff member's browser: signs in at /admin/login."""

    role = ""
    password = ""

    def sign_in_staff(self) -> None:
        self.get("/admin/login")
        response = self.post("/admin/login", {"username": self.name, "password": self.password})
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/admin"


def make_staff(panel: Panel, role: str, name: str | None = None) -> tuple[str, str]:
    name = name or f"{role}{uuid.uuid4().hex[:6]}"

    async def work(db: Database) -> str:
        return await accounts.create(db, name, role)

    return name, panel.run(work)


@pytest.fixture
def staff_of(panel: Panel) -> Iterator[Callable[[str], Staff]]:
    """`staff_of("owner")`: a new staff member of that role, signed in."""
    made: list[Staff] = []

    def factory(role: str) -> Staff:
        one = Staff(panel)
        one.name, one.password = make_staff(panel, role)
        one.role = role
        one.sign_in_staff()
        made.append(one)
        return one

    yield factory
    for one in made:
        one.close()


@pytest.fixture
def owner(staff_of: Callable[[str], Staff]) -> Staff:
    return staff_of("owner")


@pytest.fixture
def admin(staff_of: Callable[[str], Staff]) -> Staff:
    return staff_of("admin")


@pytest.fixture
def support(staff_of: Callable[[str], Staff]) -> Staff:
    return staff_of("support")


def order_for(panel: Panel, *, rate: str = "1.23457", quantity: int = 999, balance: str = "10",
              link: str = "https://ig.example/p/1", service: int | None = None) -> tuple[str, int, int]:
    """A customer's order of a by-hand service through the API: (key, service id, order id)."""
    key = panel.customer(balance)
    service = service or panel.service(rate=rate)
    answer = panel.api(key=key, action="add", service=service, link=link, quantity=quantity)
    return key, service, int(answer["order"])
