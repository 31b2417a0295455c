"""Staff sign-in at /admin/login (Username, Password, then a TOTP code when the member has one) and sign-out.
Same machinery as the website's: throttling (accounts/throttle.py, accounts counted as "staff:NAME"),
sessions of kind "staff" (accounts/sessions.py), CSRF on every form.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.accounts import throttle
from smmpanel.staff import accounts
from smmpanel.web.console._views import PREFIX, client_address, console_of
from smmpanel.web.security import form_value
from smmpanel.web.site import safe_next

_TOO_MANY = "Too many failed sign-ins. Wait 15 minutes and try again."
_WRONG = "Wrong username or password."


def _throttle_key(name: str) -> str:
    return "staff:" + name.strip()


def _next(request: Request) -> str:
    target = safe_next(request.query_params.get("next") or form_value(request, "next"))
    return target if target == PREFIX or target.startswith(PREFIX + "/") else PREFIX


async def login(request: Request) -> Response:
    console = console_of(request)
    next_page = _next(request)
    if await console.member(request) is not None:
        return console.redirect(next_page)
    if request.method == "GET":
        return await console.render(request, "console/login.html", {"username": "", "next": next_page, "error": None})
    name = form_value(request, "username")
    context = {"username": name, "next": next_page}
    address = client_address(request)
    if not await throttle.allowed(console.db, _throttle_key(name), address):
        return await console.render(request, "console/login.html", context | {"error": _TOO_MANY}, status=429)
    found = await accounts.authenticate(console.db, name, form_value(request, "password"))
    if found is None:
        await throttle.failed(console.db, _throttle_key(name), address)
        return await console.render(request, "console/login.html", context | {"error": _WRONG}, status=400)
    await throttle.succeeded(console.db, _throttle_key(name))
    stage = "password" if found.totp_secret else "complete"
    response = console.redirect(PREFIX + "/login/two-factor?next=" + next_page if stage == "password" else next_page)
    await console.auth.sign_in(request, response, console.db, await console.secret(), found.id, stage=stage)
    if stage == "complete":
        await accounts.signed_in(console.db, found.id)
    return response


async def two_factor(request: Request) -> Response:
    console = console_of(request)
    next_page = _next(request)
    session = await console.session(request)
    if session is None:
        return console.redirect(PREFIX + "/login")
    if session.stage == "complete":
        return console.redirect(next_page)
    if request.method == "GET":
        return await console.render(request, "console/two_factor.html", {"next": next_page, "error": None})
    found = await accounts.member(console.db, session.subject_id)
    if found is None or not found.active or not found.totp_secret:
        return console.redirect(PREFIX + "/login")
    address = client_address(request)
    if not await throttle.allowed(console.db, _throttle_key(found.name), address):
        return await console.render(request, "console/two_factor.html", {"next": next_page, "error": _TOO_MANY},
                                    status=429)
    if not accounts.second_factor_matches(found, form_value(request, "code")):
        await throttle.failed(console.db, _throttle_key(found.name), address)
        return await console.render(request, "console/two_factor.html",
                                    {"next": next_page, "error": "That code is not valid."}, status=400)
    await throttle.succeeded(console.db, _throttle_key(found.name))
    response = console.redirect(next_page)
    await console.auth.sign_in(request, response, console.db, await console.secret(), found.id, stage="complete")
    await accounts.signed_in(console.db, found.id)
    return response


async def logout(request: Request) -> Response:
    console = console_of(request)
    response = console.redirect(PREFIX + "/login")
    await console.auth.sign_out(request, response, console.db, await console.secret())
    return response
