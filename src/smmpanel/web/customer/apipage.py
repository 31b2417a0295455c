"""/api: the API documentation, the customer's key (Generate new key), and the PHP sample `/api/sample.php`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.accounts import keys, queries
from smmpanel.accounts.passwords import Identity
from smmpanel.web import apidocs
from smmpanel.web.customer._views import signed_in, site_of
from smmpanel.web.site import Site


async def _page(request: Request, site: Site, customer: Identity | None, new_key: str | None = None) -> Response:
    base = site.base_url(request)
    prefixes = await queries.live_key_prefixes(site.db, customer.customer_id) if customer else []
    return await site.render(request, "api.html", {
        "api_url": base + "/api/v2", "base_url": base, "actions": apidocs.ACTIONS,
        "order_types": apidocs.ORDER_TYPES, "prefixes": prefixes, "new_key": new_key})


async def api_page(request: Request) -> Response:
    site = site_of(request)
    return await _page(request, site, await site.customer(request))


@signed_in
async def new_key(request: Request, site: Site, customer: Identity) -> Response:
    """Every old key stops working now; the new one is shown in this answer only."""
    key = await keys.replace_all(site.db, customer.customer_id)
    return await _page(request, site, customer, new_key=key)


async def sample_php(request: Request) -> Response:
    site = site_of(request)
    base = site.base_url(request)
    body = site.env.get_template("sample.php").render(api_url=base + "/api/v2", base_url=base)
    return Response(body, media_type="text/plain; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="sample.php"'})
