"""The signed-in home page, the public price list, and the pages that arrive with the order forms."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from smmpanel.accounts.passwords import Identity
from smmpanel.catalog.listing import ServiceListing
from smmpanel.web.customer import auth
from smmpanel.web.customer._views import signed_in, site_of
from smmpanel.web.site import Site

_listing = ServiceListing()  # the same cached price list (with custom rates) the API's `services` answers

COMING = {
    "/orders": "Orders",
    "/massorder": "Mass order",
    "/refills": "Refills",
    "/subscriptions": "Subscriptions",
    "/drip-feed": "Drip-feed",
}


async def home(request: Request) -> Response:
    site = site_of(request)
    customer = await site.customer(request)
    if customer is None:
        return await auth.login(request)
    response = await site.render(request, "home.html", {"revealed_key": None})
    key = await auth.take_revealed_key(request, response, customer.customer_id)
    if key is None:
        return response
    fresh = await site.render(request, "home.html", {"revealed_key": key})
    fresh.headers.append("set-cookie", response.headers["set-cookie"])
    return fresh


async def services(request: Request) -> Response:
    """Every enabled service by category, at the signed-in customer's own rates (guests: the list price)."""
    site = site_of(request)
    customer = await site.customer(request)
    body = await _listing.body(site.db, customer.customer_id if customer else 0)
    items: list[dict[str, Any]] = orjson.loads(body.plain)
    search = request.query_params.get("search", "").strip()
    if search:
        needle = search.lower()
        items = [i for i in items if needle in i["name"].lower() or needle in i["category"].lower()
                 or needle == str(i["service"])]
    categories: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for item in items:
        categories.setdefault(item["category"] or "Other", []).append(item)
    return await site.render(request, "services.html", {"categories": categories, "search": search,
                                                        "count": len(items)})


@signed_in
async def coming(request: Request, site: Site, customer: Identity) -> Response:
    title = COMING.get(request.url.path, "")
    return await site.render(request, "coming.html", {"title": title})
