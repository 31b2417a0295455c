"""The Subscriptions and Drip-feed queues: each order with what it was asked to do and where it stands, and
two actions on an active one — Forward (send it, or run the next drip-feed run, on the engine's next cycle:
fulfilment/resolve.py `forward`) and Reject (cancel: at once with a full refund while nothing is with a
provider, else a cancel request the engine carries upstream: orders/cancels.py `staff_cancel`). Both are a
compare-and-set on the status the page showed; the activity row is written in the change's transaction."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

import orjson
from starlette.requests import Request
from starlette.responses import Response

from smmpanel.fulfilment import resolve
from smmpanel.fulfilment.dripfeed import delivered
from smmpanel.fulfilment.resolve import ResolveError
from smmpanel.money import format_units
from smmpanel.orders import lifecycle, queries
from smmpanel.orders.cancels import staff_cancel
from smmpanel.orders.status import SUBSCRIPTION_STATUS
from smmpanel.orders.types import UNLIMITED_POSTS
from smmpanel.staff.activity import Actor
from smmpanel.staff.roles import Permission
from smmpanel.web.console._views import StaffContext, int_field, staff_page
from smmpanel.web.security import form_value

TABS = ("Active", "Finished")
# Reject refunds (at once or once the engine settles): money; Forward only sends
ACTIONS = {"forward": Permission.MANAGE_ORDERS, "reject": Permission.MOVE_MONEY}
KINDS = {"subscriptions": "Subscriptions", "drip-feed": "Drip-feed"}
TEMPLATES = {"subscriptions": "console/subscriptions.html", "drip-feed": "console/dripfeed.html"}


def _fields(row: Any) -> dict[str, Any]:
    try:
        found = orjson.loads(row["fields"] or "{}")
    except orjson.JSONDecodeError:
        return {}
    return found if isinstance(found, dict) else {}


async def _page(request: Request, ctx: StaffContext, kind: str, *, error: str | None = None,
                status: int = 200) -> Response:
    tab = request.query_params.get("tab", "Active")
    tab = tab if tab in TABS else "Active"
    db = ctx.console.db
    before = int_field(request.query_params.get("before"))
    if kind == "subscriptions":
        page = await queries.console_subscriptions(db, active=tab == "Active", before_id=before, limit=50)
        children: dict[int, list[Any]] = {}
    else:
        page = await queries.console_dripfeeds(db, active=tab == "Active", before_id=before, limit=50)
        children = await queries.children_of(db, [int(r["id"]) for r in page.rows])
    rows = []
    for row in page.rows:
        runs = children.get(int(row["id"]), [])
        finished = [(r["quantity"], r["remains"]) for r in runs if r["status"] in lifecycle.FINAL]
        rows.append({"o": row, "fields": _fields(row), "children": [int(r["id"]) for r in runs],
                     "delivered": delivered(finished), "per_run": int(row["quantity"]) // int(row["runs"] or 1),
                     "word": SUBSCRIPTION_STATUS.get(row["status"], row["status"]),
                     "active": row["status"] in lifecycle.ACTIVE,
                     "waiting": row["dispatch"] in (lifecycle.QUEUED, lifecycle.HELD, lifecycle.SCHEDULED)
                     and not row["cancel_requested"]})
    return await ctx.render(request, TEMPLATES[kind], {
        "title": KINDS[kind], "rows": rows, "next_before": page.next, "tab": tab, "tabs": TABS,
        "unlimited": UNLIMITED_POSTS, "scheduled": lifecycle.SCHEDULED, "error": error,
        "notice": request.query_params.get("done"), "money": ctx.allows(Permission.VIEW_MONEY),
        "can_forward": ctx.allows(Permission.MANAGE_ORDERS), "can_reject": ctx.allows(Permission.MOVE_MONEY)},
        status=status)


async def _act(request: Request, ctx: StaffContext, kind: str) -> Response:
    order_id = int_field(str(request.path_params["order_id"]))
    action, expected = form_value(request, "action"), form_value(request, "expected")
    if action not in ACTIONS or order_id is None:
        return await _page(request, ctx, kind, error="Unknown action.", status=400)
    if not ctx.allows(ACTIONS[action]):
        return await ctx.forbidden(request)
    if expected not in lifecycle.ACTIVE:
        return await _page(request, ctx, kind, error=f"Order {order_id}: only an active order can be changed.",
                           status=409)
    db = ctx.console.db
    actor = Actor(ctx.member.id, ctx.address, f"{kind}.{action}")
    try:
        if action == "forward":
            done = f"Order {order_id}: {await resolve.forward(db, order_id, expected=expected, actor=actor)}."
        else:
            outcome = await staff_cancel(db, order_id, expected=expected, actor=actor)
            if outcome is not None:
                done = f"Order {order_id}: Canceled; refunded {format_units(outcome.refunded)}."
            else:
                done = f"Order {order_id}: Cancel requested from the provider."
    except (ResolveError, lifecycle.TransitionError) as exc:
        return await _page(request, ctx, kind, error=f"Not changed: {exc}.", status=409)
    return ctx.console.redirect(f"/admin/{kind}?tab=Active&done=" + quote_plus(done))


@staff_page(Permission.SUPPORT)
async def subscription_list(request: Request, ctx: StaffContext) -> Response:
    return await _page(request, ctx, "subscriptions")


@staff_page(Permission.SUPPORT)
async def subscription_act(request: Request, ctx: StaffContext) -> Response:
    return await _act(request, ctx, "subscriptions")


@staff_page(Permission.SUPPORT)
async def dripfeed_list(request: Request, ctx: StaffContext) -> Response:
    return await _page(request, ctx, "drip-feed")


@staff_page(Permission.SUPPORT)
async def dripfeed_act(request: Request, ctx: StaffContext) -> Response:
    return await _act(request, ctx, "drip-feed")
