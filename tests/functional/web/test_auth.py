"""Sign-up, sign-in, sign-out, CSRF, throttling, sessions and two-factor sign-in, over real HTTP."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pyotp
import pytest

from smmpanel.accounts import throttle
from smmpanel.api import errors
from tests.common.cli import cli, last_line
from tests.conftest import Panel
from tests.functional.web.conftest import PASSWORD, Visitor


def customers_named(panel: Panel, name: str) -> int:
    return int(panel.sql("SELECT COUNT(*) FROM customers WHERE name = $1", name)[0][0])


def test_sign_up_creates_a_customer_with_a_key_shown_once(panel: Panel, visitor: Visitor) -> None:
    home = visitor.sign_up()
    assert f"Welcome, {visitor.name}" in home.text
    assert panel.api(key=visitor.key, action="balance") == {"balance": "0.00000", "currency": "USD"}
    assert 'id="new-key"' not in visitor.get("/").text  # shown once
    api_page = visitor.get("/api").text
    assert f"<code class=\"prefix\">{visitor.key[:8]}…</code>" in api_page and visitor.key not in api_page
    # the username is the customer's name, as the CLI knows it
    assert customers_named(panel, visitor.name) == 1
    assert last_line(cli(panel.db_url, "users", "list", "--json")).strip() == "]"


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"confirm": "something else!"}, "confirm", "The two passwords differ."),
        ({"password": "short", "confirm": "short"}, "password", "Use at least 10 characters."),
        ({"username": "a b"}, "username", "Use 3 to 32 letters, digits, dots, dashes or underscores."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ],
)
def test_sign_up_refusals_name_the_field(
    panel: Panel, visitor: Visitor, change: dict[str, str], field: str, message: str
) -> None:
    name = f"u{uuid.uuid4().hex[:8]}"
    visitor.get("/signup")
    data = {"username": name, "email": f"{name}@example.com", "password": PASSWORD, "confirm": PASSWORD} | change
    response = visitor.post("/signup", data)
    assert response.status_code == 400
    assert f'<p class="error" id="e-{field}">{message}</p>' in response.text
    assert customers_named(panel, data["username"]) == 0
    assert "smmpanel_session" not in response.cookies


def test_sign_up_refuses_a_taken_username_or_email(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    visitor.sign_up()
    other.get("/signup")
    taken_name = other.post("/signup", {"username": visitor.name, "email": "new@example.com",
                                        "password": PASSWORD, "confirm": PASSWORD})
    assert taken_name.status_code == 400 and "This username is taken." in taken_name.text
    taken_email = other.post("/signup", {"username": "fresh_name", "email": f"{visitor.name}@EXAMPLE.com",
                                         "password": PASSWORD, "confirm": PASSWORD})
    assert taken_email.status_code == 400 and "An account with this email exists." in taken_email.text
    assert customers_named(panel, "fresh_name") == 0


def test_simultaneous_sign_ups_of_one_email_or_one_username_make_one_whole_account(panel: Panel) -> None:
    """The race the checks before the INSERT cannot close: exactly one account, with its credentials and
    key; every other sign-up is refused on its field — never a 500, never a customer without credentials."""
    visitors = [Visitor(panel) for _ in range(12)]
    try:
        for one in visitors:
            one.get("/signup")
        forms = [{"username": f"race_{i}", "email": "race@example.com"} for i in range(6)]
        forms += [{"username": "race_name", "email": f"race{i}@example.com"} for i in range(6)]

        def sign_up(pair: tuple[Visitor, dict[str, str]]) -> httpx.Response:
            return pair[0].post("/signup", pair[1] | {"password": PASSWORD, "confirm": PASSWORD})

        with ThreadPoolExecutor(len(visitors)) as pool:
            answers = list(pool.map(sign_up, zip(visitors, forms, strict=True)))
        codes = [a.status_code for a in answers]
        assert sorted(set(codes)) == [303, 400], codes
        assert codes[:6].count(303) == 1 and codes[6:].count(303) <= 1
        for answer in answers:
            if answer.status_code == 400:
                assert ("An account with this email exists." in answer.text
                        or "This username is taken." in answer.text), answer.text
        orphans = panel.sql("SELECT COUNT(*) FROM customers c WHERE NOT EXISTS"
                            " (SELECT 1 FROM customer_credentials k WHERE k.customer_id = c.id)")
        keyless = panel.sql("SELECT COUNT(*) FROM customers c WHERE NOT EXISTS"
                            " (SELECT 1 FROM api_keys k WHERE k.customer_id = c.id)")
        assert orphans == [(0,)] and keyless == [(0,)]
        assert customers_named(panel, "race_name") == 1
        assert panel.sql("SELECT COUNT(*) FROM customer_credentials WHERE email = 'race@example.com'") == [(1,)]
    finally:
        for one in visitors:
            one.close()


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(panel: Panel, visitor: Visitor) -> None:
    visitor.get("/signup")
    data = {"username": "nocsrf", "email": "nocsrf@example.com", "password": PASSWORD, "confirm": PASSWORD}
    missing = visitor.post("/signup", data, csrf=False)
    wrong = visitor.post("/signup", data | {"csrf_token": "0" * 64})
    for response in (missing, wrong):
        assert response.status_code == 403
        assert "This form has expired or was not sent by this site." in response.text
    assert customers_named(panel, "nocsrf") == 0
    # a token from another visitor's cookie does not fit this one
    stranger = Visitor(panel)
    stranger.get("/signup")
    stranger.http.cookies.clear()
    stranger.get("/signup")  # new visitor cookie
    assert stranger.post("/signup", data | {"csrf_token": visitor.csrf}).status_code == 403
    stranger.close()


def test_signed_in_posts_need_the_session_token_and_script_requests_use_the_header(
    panel: Panel, visitor: Visitor
) -> None:
    visitor.sign_up()
    page = visitor.get("/tickets")
    assert page.status_code == 200
    refused = visitor.http.post("/tickets", data={"subject": "Hi", "message": "Hello"})
    assert refused.status_code == 403
    accepted = visitor.http.post("/tickets", data={"subject": "Hi", "message": "Hello"},
                                 headers={"X-CSRF-Token": visitor.csrf})
    assert accepted.status_code == 303
    assert panel.sql("SELECT subject FROM tickets") == [("Hi",)]


def test_api_v2_has_no_csrf_and_no_web_headers(panel: Panel, visitor: Visitor) -> None:
    visitor.sign_up()
    answer = visitor.http.post("/api/v2", data={"key": visitor.key, "action": "balance"})
    assert answer.json() == {"balance": "0.00000", "currency": "USD"}
    assert "content-security-policy" not in answer.headers and "set-cookie" not in answer.headers
    page = visitor.get("/login")
    assert page.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'")
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in page.text and " on" + "click=" not in page.text


def test_sign_in_with_username_or_email_and_sign_out_is_a_post(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    visitor.sign_up()
    for login in (visitor.name, f"{visitor.name.upper()}@example.com".lower()):
        signed = other.sign_in(login)
        assert signed.status_code == 303 and signed.headers["location"] == "/"
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
        assert "Welcome" in other.get("/").text
        assert other.http.get("/logout").status_code == 405
        assert other.post("/logout", csrf=False).status_code == 403
        out = other.post("/logout")
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert other.get("/account").headers["location"] == "/login?next=/account"


def test_a_revoked_session_cookie_opens_nothing(panel: Panel, visitor: Visitor) -> None:
    visitor.sign_up()
    cookie = visitor.http.cookies["smmpanel_session"]
    visitor.post("/logout")
    visitor.http.cookies.set("smmpanel_session", cookie)
    assert visitor.get("/account").status_code == 303
    forged = cookie.rsplit(".", 1)[0] + ".AAAA"
    visitor.http.cookies.set("smmpanel_session", forged)
    assert visitor.get("/account").status_code == 303


def test_wrong_password_and_unknown_user_answer_alike(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    visitor.sign_up()
    for login in (visitor.name, "nobody_here"):
        response = other.sign_in(login, "wrong password!")
        assert response.status_code == 400
        assert "Wrong username, email or password." in response.text
    assert "smmpanel_session" not in other.http.cookies


def test_failed_sign_ins_are_throttled_per_account(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    visitor.sign_up()
    for _ in range(throttle.MAX_PER_ACCOUNT):
        assert other.sign_in(visitor.name, "wrong password!").status_code == 400
    refused = other.sign_in(visitor.name, PASSWORD)  # even the right password, for now
    assert refused.status_code == 429
    assert "Too many failed sign-ins. Wait 15 minutes and try again." in refused.text
    # the window passes: the account opens again
    panel.execute("UPDATE sign_in_failures SET created_at = created_at - $1", throttle.WINDOW + 1)
    assert other.sign_in(visitor.name, PASSWORD).status_code == 303


def test_failed_sign_ins_are_throttled_per_address(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    visitor.sign_up()
    for n in range(throttle.MAX_PER_ADDRESS):
        assert other.sign_in(f"guess{n}", "wrong password!").status_code == 400
    assert other.sign_in(visitor.name, PASSWORD).status_code == 429


def test_a_suspended_customer_cannot_sign_in(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    visitor.sign_up()
    cli(panel.db_url, "users", "suspend", visitor.name)
    assert visitor.get("/account").status_code == 303  # the open session stops working too
    refused = other.sign_in(visitor.name)
    assert refused.status_code == 403 and "This account is suspended." in refused.text


def test_next_is_followed_only_on_this_site(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    visitor.sign_up()
    for target, expected in (("/tickets", "/tickets"), ("https://evil.example/", "/"), ("//evil.example", "/")):
        other.get("/login?next=" + target)
        response = other.post("/login", {"login": visitor.name, "password": PASSWORD, "next": target})
        assert response.headers["location"] == expected
        other.post("/logout")


def test_operator_sets_a_web_password_for_a_cli_customer(panel: Panel, visitor: Visitor) -> None:
    key = panel.customer(name="fromcli")
    password = last_line(cli(panel.db_url, "users", "password", "fromcli"))
    assert len(password) == 20
    signed = visitor.sign_in("fromcli", password)
    assert signed.status_code == 303
    assert "Welcome, fromcli" in visitor.get("/").text
    assert panel.balance(key) == "100.00000"
    cli(panel.db_url, "users", "password", "nobody", code=1)


def test_change_password_signs_out_the_other_sessions(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    visitor.sign_up()
    other.sign_in(visitor.name)
    visitor.get("/account")
    wrong = visitor.post("/account/password", {"current": "nope nope nope", "password": "a new password 1",
                                               "confirm": "a new password 1"})
    assert wrong.status_code == 400 and "The current password is wrong." in wrong.text
    mismatch = visitor.post("/account/password", {"current": PASSWORD, "password": "a new password 1",
                                                  "confirm": "a new password 2"})
    assert mismatch.status_code == 400 and "The two passwords differ." in mismatch.text
    done = visitor.post("/account/password", {"current": PASSWORD, "password": "a new password 1",
                                              "confirm": "a new password 1"})
    assert done.headers["location"] == "/account?done=password"
    assert "Your password was changed." in visitor.get("/account?done=password").text
    assert other.get("/account").status_code == 303  # signed out
    assert other.sign_in(visitor.name, PASSWORD).status_code == 400
    assert other.sign_in(visitor.name, "a new password 1").status_code == 303


def test_sessions_are_listed_and_the_others_signed_out(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    visitor.sign_up()
    other.http.headers["user-agent"] = "OtherBrowser/1.0"
    other.sign_in(visitor.name)
    page = visitor.get("/account").text
    assert "OtherBrowser/1.0" in page and page.count("This session") == 1
    assert visitor.post("/account/sessions/sign-out-others").headers["location"] == "/account?done=others"
    assert "OtherBrowser/1.0" not in visitor.get("/account").text
    assert other.get("/account").status_code == 303
    assert visitor.get("/account").status_code == 200


def _enable_two_factor(visitor: Visitor) -> tuple[str, list[str]]:
    visitor.get("/account")
    setup = visitor.post("/account/two-factor/setup")
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]{32})</code>', setup.text)
    assert secret, setup.text
    wrong = visitor.post("/account/two-factor/enable", {"secret": secret.group(1), "code": "000000"})
    assert wrong.status_code == 400 and "That code is not valid." in wrong.text
    done = visitor.post("/account/two-factor/enable",
                        {"secret": secret.group(1), "code": pyotp.TOTP(secret.group(1)).now()})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{8}-[0-9a-f]{8})</code></li>", done.text)
    assert len(codes) == 10
    return secret.group(1), codes


def test_two_factor_sign_in_with_a_code_or_a_recovery_code(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    visitor.sign_up()
    secret, codes = _enable_two_factor(visitor)
    first = other.sign_in(visitor.name)
    assert first.headers["location"] == "/login/two-factor?next=/"
    assert other.get("/account").status_code == 303  # half signed in opens nothing
    assert other.get("/login/two-factor").status_code == 200
    wrong = other.post("/login/two-factor", {"code": "123456"})
    assert wrong.status_code == 400 and "That code is not valid." in wrong.text
    ok = other.post("/login/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert ok.headers["location"] == "/"
    assert other.get("/account").status_code == 200
    other.sign_out()
    other.sign_in(visitor.name)
    other.get("/login/two-factor")
    assert other.post("/login/two-factor", {"code": codes[0]}).headers["location"] == "/"
    other.sign_out()
    other.sign_in(visitor.name)
    other.get("/login/two-factor")
    assert other.post("/login/two-factor", {"code": codes[0]}).status_code == 400  # spent
    assert "9 recovery codes left" in visitor.get("/account").text
    off = visitor.post("/account/two-factor/disable", {"current": PASSWORD})
    assert off.headers["location"] == "/account?done=2fa-off"
    assert Visitor(panel).sign_in(visitor.name).headers["location"] == "/"


def test_api_key_error_for_a_made_up_key(panel: Panel) -> None:
    assert panel.api(key="0" * 32, action="balance") == {"error": errors.INVALID_KEY}
