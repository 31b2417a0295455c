"""Staff sign-in at /admin/login, the role guard of every console page, and the staff/activity commands."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pyotp

from smmpanel.db.connect import Database
from smmpanel.staff import activity
from tests.common.cli import as_json, cli, last_line, refused
from tests.conftest import Panel
from tests.functional.console.conftest import Staff, make_staff
from tests.functional.web.conftest import Visitor

NAV = ["Dashboard", "Orders", "Held orders", "Refills", "Subscriptions", "Drip-feed", "Customers", "Services",
       "Providers", "Payments", "Tickets", "Reports", "Activity", "Staff"]


def nav_labels(html: str) -> list[str]:
    nav = html.split('<nav class="nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="/admin[^"]*"[^>]*>([^<]+)</a>', nav)


def test_signed_out_visitor_is_sent_to_sign_in(panel: Panel, visitor: Visitor) -> None:
    for path in ("/admin/", "/admin/activity", "/admin/staff"):
        response = visitor.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/admin/login?next=" + path
    page = visitor.get("/admin/login")
    assert page.status_code == 200
    assert 'name="username"' in page.text and 'name="password"' in page.text
    assert ">Sign in</button>" in page.text
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert visitor.get("/admin").headers["location"] == "/admin/"


def test_sign_in_opens_the_console_with_the_whole_navigation_for_an_owner(panel: Panel, owner: Staff) -> None:
    page = owner.get("/admin/")
    assert page.status_code == 200
    assert nav_labels(page.text) == NAV
    assert f"{owner.name} · owner" in page.text


def test_support_sees_only_what_it_may_open(panel: Panel, support: Staff, admin: Staff) -> None:
    assert nav_labels(support.get("/admin/").text) == ["Dashboard", "Orders", "Held orders", "Refills",
                                                      "Subscriptions", "Drip-feed", "Customers", "Tickets"]
    assert nav_labels(admin.get("/admin/").text) == NAV[:-1]


def test_wrong_password_is_refused_and_throttled(panel: Panel, visitor: Visitor) -> None:
    name, password = make_staff(panel, "admin")
    visitor.get("/admin/login")
    for _ in range(5):
        response = visitor.post("/admin/login", {"username": name, "password": "wrong password!"})
        assert response.status_code == 400
        assert "Wrong username or password." in response.text
    response = visitor.post("/admin/login", {"username": name, "password": password})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text
    assert panel.sql("SELECT subject FROM sign_in_failures WHERE scope = 'account' LIMIT 1") == [(f"staff:{name}",)]


def test_sign_in_form_needs_its_csrf_token(panel: Panel, visitor: Visitor) -> None:
    name, password = make_staff(panel, "admin")
    visitor.get("/admin/login")
    response = visitor.post("/admin/login", {"username": name, "password": password}, csrf=False)
    assert response.status_code == 403
    assert "Form expired" in response.text
    assert "smmpanel_staff" not in response.headers.get("set-cookie", "")


def test_a_customer_session_never_opens_the_console(panel: Panel, visitor: Visitor) -> None:
    visitor.sign_up()
    assert visitor.get("/account").status_code == 200
    response = visitor.get("/admin/")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login?next=/admin/"
    # nor does a customer's password sign in as staff of the same name
    make_staff(panel, "owner", visitor.name)
    visitor.get("/admin/login")
    assert visitor.post("/admin/login", {"username": visitor.name, "password": "correct horse battery"}
                        ).status_code == 400


def test_staff_session_does_not_open_the_customer_site(panel: Panel, owner: Staff) -> None:
    response = owner.get("/account")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_sign_out_ends_the_session(panel: Panel, owner: Staff) -> None:
    owner.get("/admin/")
    response = owner.post("/admin/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login"
    assert owner.get("/admin/").status_code == 303
    assert panel.sql("SELECT COUNT(*) FROM web_sessions WHERE kind = 'staff' AND revoked_at IS NULL") == [(0,)]


def test_two_factor_step(panel: Panel, visitor: Visitor) -> None:
    name, password = make_staff(panel, "admin")
    done = cli(panel.db_url, "staff", "two-factor", name)
    secret = re.search(r"secret=([A-Z2-7]+)", last_line(done))
    assert secret
    visitor.get("/admin/login")
    response = visitor.post("/admin/login", {"username": name, "password": password})
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login/two-factor?next=/admin"
    assert visitor.get("/admin/").status_code == 303  # half signed in opens nothing
    visitor.get("/admin/login/two-factor")
    assert visitor.post("/admin/login/two-factor", {"code": "000000"}).status_code == 400
    response = visitor.post("/admin/login/two-factor", {"code": pyotp.TOTP(secret.group(1)).now()})
    assert response.status_code == 303
    assert visitor.get("/admin/").status_code == 200


def test_disabled_staff_is_signed_out_and_cannot_sign_in(panel: Panel, admin: Staff) -> None:
    assert admin.get("/admin/").status_code == 200
    cli(panel.db_url, "staff", "disable", admin.name)
    assert admin.get("/admin/").status_code == 303
    admin.get("/admin/login")
    assert admin.post("/admin/login", {"username": admin.name, "password": admin.password}).status_code == 400


def test_staff_commands(panel: Panel) -> None:
    done = cli(panel.db_url, "staff", "add", "alice", "--role", "admin")
    password = last_line(done)
    assert len(password) == 20
    refused(panel.db_url, "staff", "add", "alice", "--role", "admin", message="a staff member named alice exists")
    refused(panel.db_url, "staff", "add", "bob", "--role", "boss", message="the role is owner, admin or support")
    rows = as_json(cli(panel.db_url, "staff", "list", "--json"))
    assert [(r["name"], r["role"], r["status"]) for r in rows] == [("alice", "admin", "active")]
    new_password = last_line(cli(panel.db_url, "staff", "password", "alice"))
    assert new_password != password and len(new_password) == 20
    visitor = Visitor(panel)
    try:
        visitor.get("/admin/login")
        assert visitor.post("/admin/login", {"username": "alice", "password": password}).status_code == 400
        assert visitor.post("/admin/login", {"username": "alice", "password": new_password}).status_code == 303
    finally:
        visitor.close()
    cli(panel.db_url, "staff", "disable", "alice")
    assert as_json(cli(panel.db_url, "staff", "list", "--json"))[0]["status"] == "disabled"
    refused(panel.db_url, "staff", "password", "nobody", message="no staff member named nobody")


def test_activity_is_recorded_in_the_transaction_and_listed(panel: Panel) -> None:
    name, _ = make_staff(panel, "owner")
    staff_id = panel.sql("SELECT id FROM staff WHERE name = $1", name)[0][0]

    async def work(db: Database) -> None:
        async with db.transaction() as tx:
            await activity.record(tx, staff_id=staff_id, action="test.kept", object_type="order", object_id=7,
                                  before={"remains": 10}, after={"remains": 4}, address="127.0.0.1")
        try:
            async with db.transaction() as tx:
                await activity.record(tx, staff_id=staff_id, action="test.rolled_back", object_type="order",
                                      object_id=8, before=None, after=None, address=None)
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass

    panel.run(work)
    rows = as_json(cli(panel.db_url, "activity", "--json"))
    assert [(r["staff"], r["action"], r["object"], r["before"], r["after"], r["address"]) for r in rows] == [
        (name, "test.kept", "order 7", '{"remains":10}', '{"remains":4}', "127.0.0.1")]
    assert as_json(cli(panel.db_url, "activity", "--staff", name, "--action", "other", "--json")) == []
    assert int(time.time()) - 60 < panel.sql("SELECT created_at FROM staff_activity")[0][0] <= int(time.time())


def test_every_console_page_refuses_a_role_without_permission(
    panel: Panel, staff_of: Callable[[str], Staff]
) -> None:
    """The guard answers 403 (not a redirect) for pages and direct POSTs the role may not open."""
    support = staff_of("support")
    admin = staff_of("admin")
    support.get("/admin/")
    for path in ("/admin/staff", "/admin/activity"):
        assert support.get(path).status_code == 403, path
    assert admin.get("/admin/staff").status_code == 403
    response = support.post("/admin/staff", {"name": "mallory", "role": "owner"})
    assert response.status_code == 403
    assert "Not allowed" in response.text
    assert panel.sql("SELECT COUNT(*) FROM staff WHERE name = 'mallory'") == [(0,)]
