"""Every console-a route for every role: who opens it (200), who is refused (403, for GET and for a direct
POST), and the Staff and Activity pages' own behaviour."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.conftest import Panel
from tests.functional.console.conftest import Staff, order_for
from tests.functional.web.conftest import Visitor

# path → the roles that may open it
PAGES = {
    "/admin/": ("owner", "admin", "support"),
    "/admin/orders": ("owner", "admin", "support"),
    "/admin/orders/{order}": ("owner", "admin", "support"),
    "/admin/held": ("owner", "admin", "support"),
    "/admin/reports": ("owner", "admin"),
    "/admin/activity": ("owner", "admin"),
    "/admin/staff": ("owner",),
}
# (path, form) → the roles that may do it
ACTIONS = {
    ("/admin/staff", (("action", "add"), ("name", "newbie"), ("role", "support"))): ("owner",),
    ("/admin/orders/{order}", (("action", "cancel"),)): ("owner", "admin"),
    ("/admin/orders/{order}", (("action", "partial"), ("remains", "1"), ("confirm", "yes"))): ("owner", "admin"),
    ("/admin/orders/{order}", (("action", "counts"), ("start_count", "1"), ("remains", "1"))): ("owner", "admin"),
    ("/admin/orders/bulk", (("action", "cancel"), ("ids", "{order}"))): ("owner", "admin"),
    ("/admin/held/{order}", (("action", "fail"),)): ("owner", "admin"),
    ("/admin/held/{order}", (("action", "resolve"), ("upstream_id", "1"))): ("owner", "admin"),
}


@pytest.mark.parametrize("role", ["owner", "admin", "support"])
def test_every_page_for_every_role(panel: Panel, staff_of: Callable[[str], Staff], role: str) -> None:
    _, _, order = order_for(panel)
    one = staff_of(role)
    for path, allowed in PAGES.items():
        response = one.get(path.format(order=order))
        assert response.status_code == (200 if role in allowed else 403), (role, path)


@pytest.mark.parametrize("role", ["admin", "support"])
def test_refused_actions_change_nothing(panel: Panel, staff_of: Callable[[str], Staff], role: str) -> None:
    key, _, order = order_for(panel)
    one = staff_of(role)
    one.get("/admin/")
    for (path, form), allowed in ACTIONS.items():
        if role in allowed:
            continue
        data = {k: v.format(order=order) for k, v in form}
        response = one.post(path.format(order=order), data)
        assert response.status_code == 403, (role, path, form)
        assert "Not allowed" in response.text
    assert panel.balance(key) == "8.76666"
    assert panel.sql("SELECT status, start_count, remains FROM orders WHERE id = $1", order) == [("Pending", 0, 999)]
    assert panel.sql("SELECT COUNT(*) FROM staff_activity") == [(0,)]
    assert panel.sql("SELECT COUNT(*) FROM staff WHERE name = 'newbie'") == [(0,)]


def test_owner_manages_staff_with_activity_rows(panel: Panel, owner: Staff, visitor: Visitor) -> None:
    owner.get("/admin/staff")
    added = owner.post("/admin/staff", {"action": "add", "name": "helper", "role": "support"})
    assert added.status_code == 200
    password = re.search(r'<code id="new-password">([^<]+)</code>', added.text)
    assert password
    visitor.get("/admin/login")
    assert visitor.post("/admin/login", {"username": "helper", "password": password.group(1)}).status_code == 303
    assert visitor.get("/admin/").status_code == 200
    reset = owner.post("/admin/staff", {"action": "password", "name": "helper"})
    assert reset.status_code == 200 and "New password for helper." in reset.text
    assert visitor.get("/admin/").status_code == 303  # a reset signs the member out
    owner.post("/admin/staff", {"action": "disable", "name": "helper"})
    assert panel.sql("SELECT status FROM staff WHERE name = 'helper'") == [("disabled",)]
    duplicate = owner.post("/admin/staff", {"action": "add", "name": "helper", "role": "admin"})
    assert duplicate.status_code == 400 and "a staff member named helper exists" in duplicate.text
    rows = panel.sql("SELECT action, before, after FROM staff_activity ORDER BY id")
    assert rows == [("staff.add", None, '{"name":"helper","role":"support","status":"active"}'),
                    ("staff.password", '{"role":"support","status":"active"}', '{"password":"reset"}'),
                    ("staff.disable", '{"role":"support","status":"active"}', '{"status":"disabled"}')]
    page = owner.get("/admin/activity?action=staff.disable")
    assert page.status_code == 200
    assert page.text.count('<td data-label="Action">') == 1 and "staff.disable" in page.text
    everything = owner.get("/admin/activity").text
    assert everything.count('<td data-label="Action">') == 3
    assert everything.count("127.0.0.1") == 3
