"""/account: change the password, see and end sessions, turn two-factor sign-in on or off."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.accounts import passwords, sessions, twofactor
from smmpanel.accounts.passwords import CredentialError, Identity
from smmpanel.web.customer._views import signed_in
from smmpanel.web.security import form_value
from smmpanel.web.site import Site

_DONE = {
    "password": "Your password was changed.",
    "others": "Every other session was signed out.",
    "2fa-off": "Two-factor sign-in is off.",
}


async def _page(request: Request, site: Site, customer: Identity, *, status: int = 200, **extra: object) -> Response:
    current = await site.session(request)
    context = {
        "sessions": await sessions.list_live(site.db, "customer", customer.customer_id),
        "current_id": current.id if current else None,
        "email": await passwords.email_of(site.db, customer.customer_id),
        "two_factor_on": bool(customer.totp_secret),
        "codes_left": await twofactor.recovery_codes_left(site.db, customer.customer_id),
        "done": _DONE.get(request.query_params.get("done", "")),
        "errors": {},
        **extra,
    }
    return await site.render(request, "account.html", context, status=status)


@signed_in
async def account(request: Request, site: Site, customer: Identity) -> Response:
    return await _page(request, site, customer)


@signed_in
async def change_password(request: Request, site: Site, customer: Identity) -> Response:
    try:
        await passwords.change_password(
            site.db, customer.customer_id, form_value(request, "current"), form_value(request, "password"),
            form_value(request, "confirm"),
        )
    except CredentialError as exc:
        return await _page(request, site, customer, status=400, errors={exc.field: str(exc)})
    current = await site.session(request)
    await sessions.revoke_others(site.db, "customer", customer.customer_id, current.id if current else None)
    return site.redirect("/account?done=password")


@signed_in
async def sign_out_others(request: Request, site: Site, customer: Identity) -> Response:
    current = await site.session(request)
    await sessions.revoke_others(site.db, "customer", customer.customer_id, current.id if current else None)
    return site.redirect("/account?done=others")


@signed_in
async def two_factor_setup(request: Request, site: Site, customer: Identity) -> Response:
    """Show a new secret; it is stored only once a code from it is entered (two_factor_enable)."""
    secret = form_value(request, "secret") or twofactor.new_secret()
    return await site.render(request, "two_factor_setup.html", {
        "secret": secret, "uri": twofactor.provisioning_uri(secret, customer.name), "error": None})


@signed_in
async def two_factor_enable(request: Request, site: Site, customer: Identity) -> Response:
    secret = form_value(request, "secret")
    valid_secret = len(secret) == 32 and secret.isalnum()
    codes = await twofactor.enable(site.db, customer.customer_id, secret, form_value(request, "code")) \
        if valid_secret else None
    if codes is None:
        secret = secret if valid_secret else twofactor.new_secret()
        return await site.render(request, "two_factor_setup.html", {
            "secret": secret, "uri": twofactor.provisioning_uri(secret, customer.name),
            "error": "That code is not valid. Check the clock of your phone and try the next code."}, status=400)
    return await site.render(request, "recovery_codes.html", {"codes": codes})


@signed_in
async def two_factor_disable(request: Request, site: Site, customer: Identity) -> Response:
    if await passwords.verify(site.db, customer.name, form_value(request, "current")) is None:
        return await _page(request, site, customer, status=400,
                           errors={"disable": "The current password is wrong."})
    await twofactor.disable(site.db, customer.customer_id)
    return site.redirect("/account?done=2fa-off")
