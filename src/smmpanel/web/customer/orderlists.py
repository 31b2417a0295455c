"""The customer's own lists: /orders (tabs, search, keyset pages, Refill and Cancel), the live state of its
active rows (/orders/state), /refills, /subscriptions and /drip-feed.

Every query is scoped to the signed-in customer (orders.queries `customer_*`); the buttons are shown only
where the domain's own rules allow them (`orders.refills.can_refill`, `orders.cancels.can_cancel`) and call
the same functions as the API (`request_refill`, `request_cancel`), which check everything again.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response

from smmpanel.accounts.passwords import Identity
from smmpanel.db.connect import Row
from smmpanel.money import format_units
from smmpanel.orders import lifecycle, queries
from smmpanel.orders.cancels import can_cancel, request_cancel
from smmpanel.orders.refills import can_refill, request_refill
from smmpanel.orders.refusals import OrderRefused, Reason
from smmpanel.orders.status import order_states
from smmpanel.web.customer._views import int_param, signed_in
from smmpanel.web.customer.wording import REFUSALS
from smmpanel.web.site import Site

TABS = (("", "All"), ("Pending", "Pending"), ("In progress", "In progress"), ("Completed", "Completed"),
        ("Partial", "Partial"), ("Processing", "Processing"), ("Canceled", "Canceled"))
PAGE = 50
MAX_POLLED = 100
_BACK = ("/orders", "/subscriptions", "/drip-feed")
_REASONS = {reason.value: reason for reason in Reason}


def _row(row: Row, now: int, cooldown: float) -> dict[str, Any]:
    one = dict(row)
    one["net_charge"] = row["charge"] - row["refunded"]
    one["active"] = row["status"] in lifecycle.ACTIVE
    one["refill"] = can_refill(refill_days=row["refill_days"], status=row["status"],
                               completed_at=row["completed_at"],
                               last_event=max(row["completed_at"] or 0, row["last_refill"] or 0),
                               now=now, cooldown=cooldown)
    one["cancel"] = can_cancel(allowed=bool(row["cancel"]), status=row["status"],
                               already=bool(row["cancel_requested"]))
    return one


def _rows(site: Site, rows: list[Row]) -> list[dict[str, Any]]:
    now = int(time.time())
    cooldown = site.settings.refill_cooldown_hours * 3600
    return [_row(row, now, cooldown) for row in rows]


@signed_in
async def order_list(request: Request, site: Site, customer: Identity) -> Response:
    query = request.query_params
    status = query.get("status", "")
    if status not in dict(TABS):
        status = ""
    search = query.get("search", "").strip()[:200]
    page = await queries.customer_orders(site.db, customer.customer_id, status=status or None, search=search,
                                         before_id=int_param(query.get("before")), limit=PAGE)
    keep = {k: v for k, v in (("status", status), ("search", search)) if v}
    return await site.render(request, "orders.html", {
        "rows": _rows(site, page.rows), "tabs": TABS, "status": status, "search": search,
        "next": page.next, "keep": urlencode(keep), **_messages(request),
        "back": "/orders" + (("?" + urlencode(keep)) if keep else ""),
    })


def _messages(request: Request) -> dict[str, str | None]:
    """What the last button did, from the redirect's query: a notice, or the refusal in the API's words."""
    query = request.query_params
    notice = None
    refill_id, canceled = int_param(query.get("refill")), int_param(query.get("canceled"))
    if refill_id is not None:
        notice = f"Refill ID {refill_id} requested."
    elif canceled is not None:
        notice = f"Cancel of order {canceled} requested."
    refused = _REASONS.get(query.get("refused", ""))
    return {"notice": notice, "error": REFUSALS[refused] if refused else None}


def _back(request: Request) -> str:
    """Where a button returns to: the /orders view it was pressed on (never another site)."""
    form: Any = request.state.form
    back = form.get("back") if form is not None else None
    if isinstance(back, str) and back.startswith(_BACK) and "//" not in back and "\\" not in back:
        return back
    return "/orders"


def _with(back: str, **values: object) -> str:
    return back + ("&" if "?" in back else "?") + urlencode(values)


@signed_in
async def refill(request: Request, site: Site, customer: Identity) -> Response:
    order_id = int_param(request.path_params["order_id"])
    try:
        if order_id is None:
            raise OrderRefused(Reason.ORDER_NOT_FOUND)
        refill_id = await request_refill(site.db, customer.customer_id, order_id,
                                         cooldown_hours=site.settings.refill_cooldown_hours)
    except OrderRefused as exc:
        return site.redirect(_with(_back(request), refused=exc.reason.value))
    return site.redirect(_with(_back(request), refill=refill_id))


@signed_in
async def cancel(request: Request, site: Site, customer: Identity) -> Response:
    order_id = int_param(request.path_params["order_id"])
    try:
        if order_id is None:
            raise OrderRefused(Reason.ORDER_NOT_FOUND)
        await request_cancel(site.db, customer.customer_id, order_id)
    except OrderRefused as exc:
        return site.redirect(_with(_back(request), refused=exc.reason.value))
    return site.redirect(_with(_back(request), canceled=order_id))


@signed_in
async def states(request: Request, site: Site, customer: Identity) -> Response:
    """GET /orders/state?ids=1,2,3: the live columns of the customer's own orders among the ids (others'
    ids are left out, as if they did not exist)."""
    ids = [n for n in (int_param(part) for part in request.query_params.get("ids", "").split(",")[:MAX_POLLED])
           if n is not None]
    found = await order_states(site.db, customer.customer_id, sorted(set(ids)))
    answer = {str(i): {"status": s.status, "start_count": s.start_count, "remains": s.remains,
                       "charge": format_units(s.charge),
                       "active": s.status in lifecycle.ACTIVE}
              for i, s in found.items()}
    return Response(orjson.dumps(answer), media_type="application/json", headers={"cache-control": "no-store"})


@signed_in
async def refill_list(request: Request, site: Site, customer: Identity) -> Response:
    page = await queries.customer_refills(site.db, customer.customer_id,
                                          before_id=int_param(request.query_params.get("before")))
    return await site.render(request, "refills.html", {"rows": page.rows, "next": page.next})


async def _parents(request: Request, site: Site, customer: Identity, *, subscriptions: bool) -> Response:
    page = await queries.customer_parents(site.db, customer.customer_id, subscriptions=subscriptions,
                                          before_id=int_param(request.query_params.get("before")))
    children = await queries.customer_children(site.db, customer.customer_id, [r["id"] for r in page.rows])
    parents = []
    for row in _rows(site, page.rows):
        row["children_rows"] = _rows(site, children.get(row["id"], []))
        row["extra"] = orjson.loads(row["fields"] or "{}")
        parents.append(row)
    return await site.render(request, "parents.html", {
        "parents": parents, "next": page.next, "subscriptions": subscriptions,
        "title": "Subscriptions" if subscriptions else "Drip-feed", "back": request.url.path,
        **_messages(request)})


@signed_in
async def subscription_list(request: Request, site: Site, customer: Identity) -> Response:
    return await _parents(request, site, customer, subscriptions=True)


@signed_in
async def dripfeed_list(request: Request, site: Site, customer: Identity) -> Response:
    return await _parents(request, site, customer, subscriptions=False)

