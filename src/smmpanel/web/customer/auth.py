"""Sign up, sign in (with the optional second factor) and sign out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.accounts import passwords, throttle, twofactor
from smmpanel.accounts.passwords import CredentialError
from smmpanel.web import security
from smmpanel.web.customer._views import site_of
from smmpanel.web.security import form_value
from smmpanel.web.site import safe_next

REVEAL_COOKIE = "smmpanel_reveal"
_TOO_MANY = "Too many failed sign-ins. Wait 15 minutes and try again."
_WRONG = "Wrong username, email or password."


def _address(request: Request) -> str:
    return request.client.host if request.client else ""


async def signup(request: Request) -> Response:
    site = site_of(request)
    if site.settings.signup == "closed":
        return await site.render(request, "error.html", {"title": "Sign-up is closed",
                                 "message": "This panel does not accept new accounts at the moment."}, status=403)
    if await site.customer(request) is not None:
        return site.redirect("/")
    values = {"username": "", "email": ""}
    if request.method == "GET":
        return await site.render(request, "signup.html", {"values": values, "errors": {}})
    values = {"username": form_value(request, "username"), "email": form_value(request, "email")}
    try:
        customer_id, key = await passwords.sign_up(
            site.db, values["username"], values["email"], form_value(request, "password"),
            form_value(request, "confirm"), site.settings.currency,
        )
    except CredentialError as exc:
        return await site.render(request, "signup.html", {"values": values, "errors": {exc.field: str(exc)}},
                                 status=400)
    response = site.redirect("/")
    secret = await site.secret()
    await site.auth.sign_in(request, response, site.db, secret, customer_id, stage="complete")
    # the new key is shown once, on the next page: it travels in a short-lived HttpOnly cookie, never stored
    response.set_cookie(REVEAL_COOKIE, security.sign(secret, f"{customer_id}:{key}"), max_age=300, path="/", httponly=True,
                        samesite="lax", secure=site.secure)
    return response


async def login(request: Request) -> Response:
    site = site_of(request)
    next_page = safe_next(request.query_params.get("next") or form_value(request, "next"))
    if await site.customer(request) is not None:
        return site.redirect(next_page)
    if request.method == "GET":
        return await site.render(request, "login.html", {"login": "", "next": next_page, "error": None})
    login_name = form_value(request, "login")
    context = {"login": login_name, "next": next_page}
    if not await throttle.allowed(site.db, login_name, _address(request)):
        return await site.render(request, "login.html", context | {"error": _TOO_MANY}, status=429)
    found = await passwords.verify(site.db, login_name, form_value(request, "password"))
    if found is None:
        await throttle.failed(site.db, login_name, _address(request))
        return await site.render(request, "login.html", context | {"error": _WRONG}, status=400)
    if found.status != "active":
        return await site.render(request, "login.html", context | {"error": "This account is suspended."},
                                 status=403)
    await throttle.succeeded(site.db, login_name)
    stage = "password" if found.totp_secret else "complete"
    target = "/login/two-factor?next=" + next_page if stage == "password" else next_page
    response = site.redirect(target)
    await site.auth.sign_in(request, response, site.db, await site.secret(), found.customer_id, stage=stage)
    return response


async def two_factor(request: Request) -> Response:
    """The second step: a code from the authenticator app, or a recovery code."""
    site = site_of(request)
    next_page = safe_next(request.query_params.get("next") or form_value(request, "next"))
    session = await site.session(request)
    if session is None:
        return site.redirect("/login")
    if session.stage == "complete":
        return site.redirect(next_page)
    if request.method == "GET":
        return await site.render(request, "two_factor.html", {"next": next_page, "error": None})
    found = await passwords.identity(site.db, session.subject_id)
    if found is None or not found.totp_secret:
        return site.redirect("/login")
    if not await throttle.allowed(site.db, found.name, _address(request)):
        return await site.render(request, "two_factor.html", {"next": next_page, "error": _TOO_MANY}, status=429)
    if not await twofactor.second_factor(site.db, found.customer_id, found.totp_secret, form_value(request, "code")):
        await throttle.failed(site.db, found.name, _address(request))
        return await site.render(request, "two_factor.html", {"next": next_page, "error": "That code is not valid."},
                                 status=400)
    await throttle.succeeded(site.db, found.name)
    response = site.redirect(next_page)
    # a new token for the full session: the half-signed-in token dies here
    await site.auth.sign_in(request, response, site.db, await site.secret(), found.customer_id, stage="complete")
    return response


async def logout(request: Request) -> Response:
    site = site_of(request)
    response = site.redirect("/login")
    await site.auth.sign_out(request, response, site.db, await site.secret())
    return response


async def take_revealed_key(request: Request, response: Response, customer_id: int) -> str | None:
    """The key made at sign-up for this customer, once: the cookie is read and deleted."""
    signed = request.cookies.get(REVEAL_COOKIE)
    if signed is None:
        return None
    site = site_of(request)
    response.delete_cookie(REVEAL_COOKIE, path="/", httponly=True, samesite="lax", secure=site.secure)
    value = security.unsign(await site.secret(), signed)
    if value is None or not value.startswith(f"{customer_id}:"):
        return None
    return value.partition(":")[2]
