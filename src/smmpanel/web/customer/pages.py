"""The signed-in home page (the new-order form, ordering.py) and the public price list."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from smmpanel.web.customer import auth, ordering
from smmpanel.web.customer._views import listing, site_of


async def home(request: Request) -> Response:
    site = site_of(request)
    customer = await site.customer(request)
    if customer is None:
        return await auth.login(request)
    response = await ordering.order_page(request, site, customer, extra={"revealed_key": None})
    key = await auth.take_revealed_key(request, response, customer.customer_id)
    if key is None:
        return response
    fresh = await ordering.order_page(request, site, customer, extra={"revealed_key": key})
    fresh.headers.append("set-cookie", response.headers["set-cookie"])
    return fresh


async def services(request: Request) -> Response:
    """Every enabled service by category, at the signed-in customer's own rates (guests: the list price)."""
    site = site_of(request)
    customer = await site.customer(request)
    body = await listing(site).body(site.db, customer.customer_id if customer else 0)
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

