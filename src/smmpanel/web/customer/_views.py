"""Helpers the customer views share: the signed-in guard and small form readers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.accounts.passwords import Identity
from smmpanel.catalog.listing import ServiceListing
from smmpanel.web.site import Site

CustomerView = Callable[[Request, Site, Identity], Awaitable[Response]]


def site_of(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def listing(site: Site) -> ServiceListing:
    """The price list cache of this app (one per app, as its database is: never shared between panels)."""
    found = site.state.get("web_listing")
    if not isinstance(found, ServiceListing):
        found = site.state["web_listing"] = ServiceListing()
    return found


def signed_in(view: CustomerView) -> Callable[[Request], Awaitable[Response]]:
    """The view runs only for a signed-in customer; anyone else is sent to the sign-in page."""

    @wraps(view)
    async def guarded(request: Request) -> Response:
        site = site_of(request)
        customer = await site.customer(request)
        if customer is None:
            return site.sign_in_redirect(request) if request.method == "GET" else site.redirect("/login")
        return await view(request, site, customer)

    return guarded


def int_param(value: str | None) -> int | None:
    """A positive integer from a query or form field, or None."""
    if value is None:
        return None
    value = value.strip()
    if not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number < 2**31 else None  # ids are 32-bit integers on PostgreSQL
