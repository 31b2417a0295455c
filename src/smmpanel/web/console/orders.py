"""Orders: the list (filters, search, keyset pages, bulk actions) and one order (details, timeline, actions).
Every action goes through orders/lifecycle.py or fulfilment/resolve.py with the staff member as `actor`, so
the activity row is written in the move's own transaction; Mark Partial shows the refund
(money.refund_units) before the change is confirmed.
"""

from __future__ import annotations

import calendar
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.accounts import queries as accounts_queries
from smmpanel.db.connect import Database
from smmpanel.db.tables import ORDER_STATUSES
from smmpanel.fulfilment import resolve
from smmpanel.fulfilment.resolve import ResolveError
from smmpanel.money import format_units, refund_units
from smmpanel.orders import lifecycle, queries, timeline
from smmpanel.staff.activity import Actor
from smmpanel.staff.roles import Permission
from smmpanel.web.console._views import StaffContext, int_field, staff_page
from smmpanel.web.security import form_value

# action → (permission, what the button says)
ACTIONS: dict[str, tuple[Permission, str]] = {
    "counts": (Permission.MANAGE_ORDERS, "Save counts"),
    "partial": (Permission.MOVE_MONEY, "Mark Partial"),
    "cancel": (Permission.MOVE_MONEY, "Cancel and refund"),
    "resend": (Permission.MANAGE_ORDERS, "Resend"),
}
BULK = {"cancel": Permission.MOVE_MONEY, "resend": Permission.MANAGE_ORDERS, "fail": Permission.MOVE_MONEY}


def _day(text: str, *, end: bool = False) -> int | None:
    """A YYYY-MM-DD field as the Unix second its UTC day starts (`end`: the next day's start)."""
    try:
        parsed = time.strptime(text.strip(), "%Y-%m-%d")
    except ValueError:
        return None
    return calendar.timegm(parsed) + (86400 if end else 0)


async def _options(db: Database) -> dict[str, Any]:
    return {
        "services": await db.fetch("SELECT id, name FROM services ORDER BY id"),
        "providers": await db.fetch("SELECT id, name FROM providers ORDER BY name"),
        "statuses": ORDER_STATUSES,
    }


@staff_page(Permission.VIEW_ORDERS)
async def order_list(request: Request, ctx: StaffContext) -> Response:
    db = ctx.console.db
    q = request.query_params
    filters = {k: q.get(k, "").strip() for k in ("status", "service", "provider", "customer", "from", "until", "q")}
    customer_id = None
    if filters["customer"]:
        customer_id = int_field(filters["customer"]) if filters["customer"].isdigit() else (
            await accounts_queries.customer_id(db, filters["customer"]) or -1)
    page = await queries.console_orders(
        db, status=filters["status"] if filters["status"] in ORDER_STATUSES else None,
        service_id=int_field(filters["service"]), provider_id=int_field(filters["provider"]),
        customer_id=customer_id, created_from=_day(filters["from"]), created_until=_day(filters["until"], end=True),
        search=filters["q"] or None, before_id=int_field(q.get("before")), limit=50,
    )  # fmt: skip
    return await ctx.render(request, "console/orders.html", {
        "title": "Orders", "rows": page.rows, "next_before": page.next, "filters": filters,
        "money": ctx.allows(Permission.VIEW_MONEY), "bulk": [a for a, p in BULK.items() if ctx.allows(p)],
        "notice": q.get("done"), **await _options(db)})


async def _detail(request: Request, ctx: StaffContext, order_id: int, extra: dict[str, Any], status: int = 200
                  ) -> Response:
    db = ctx.console.db
    order = await queries.console_order(db, order_id)
    if order is None:
        return await ctx.render(request, "console/error.html", {"title": "Not found",
                                                                "message": f"There is no order {order_id}."}, status=404)
    return await ctx.render(request, "console/order.html", {
        "title": f"Order {order_id}", "o": order, "events": await timeline.events(db, order_id),
        "money": ctx.allows(Permission.VIEW_MONEY), "can_manage": ctx.allows(Permission.MANAGE_ORDERS),
        "can_move_money": ctx.allows(Permission.MOVE_MONEY), "active": order["status"] in lifecycle.ACTIVE,
        "held": order["dispatch"] == lifecycle.HELD, "preview": None, "error": None, "notice": None, **extra,
    }, status=status)  # fmt: skip


@staff_page(Permission.VIEW_ORDERS)
async def order_detail(request: Request, ctx: StaffContext) -> Response:
    order_id = int_field(request.path_params["order_id"])
    if order_id is None:
        return await ctx.render(request, "console/error.html", {"title": "Not found", "message": "No such order."},
                                status=404)
    if request.method == "GET":
        return await _detail(request, ctx, order_id, {"notice": request.query_params.get("done")})
    action = form_value(request, "action")
    if action not in ACTIONS:
        return await _detail(request, ctx, order_id, {"error": "Unknown action."}, 400)
    if not ctx.allows(ACTIONS[action][0]):
        return await ctx.forbidden(request)
    db = ctx.console.db
    order = await queries.console_order(db, order_id)
    if order is None:
        return await _detail(request, ctx, order_id, {})
    actor = Actor(ctx.member.id, ctx.address, f"order.{action}")
    try:
        if action == "partial":
            remains = _count(form_value(request, "remains"))
            if remains is None or not 0 <= remains <= int(order["quantity"]):
                return await _detail(request, ctx, order_id, {"error": "Remains is a whole number from 0 to the"
                                                              " order's quantity."}, 400)
            if form_value(request, "confirm") != "yes":
                refund = refund_units(int(order["charge"]), remains, int(order["quantity"]), int(order["refunded"]))
                return await _detail(request, ctx, order_id, {"preview": {"remains": remains, "refund": refund}})
            outcome = await lifecycle.move(db, order_id, lifecycle.PARTIAL, expected=order["status"], remains=remains,
                                           note=f"Partial by {ctx.member.name}", actor=actor)
            done = f"Marked Partial; refunded {format_units(outcome.refunded)}"
        elif action == "counts":
            start, remains = _count(form_value(request, "start_count")), _count(form_value(request, "remains"))
            if start is None or remains is None or remains > int(order["quantity"]):
                return await _detail(request, ctx, order_id, {"error": "Start count and remains are whole numbers;"
                                                              " remains at most the quantity."}, 400)
            await lifecycle.move(db, order_id, order["status"], expected=order["status"], start_count=start,
                                 remains=remains, note=f"counts set by {ctx.member.name}", actor=actor)
            done = "Counts saved"
        elif action == "cancel":
            outcome = await lifecycle.move(db, order_id, lifecycle.CANCELED, expected=order["status"],
                                           note=f"canceled by {ctx.member.name}", actor=actor)
            done = f"Canceled; refunded {format_units(outcome.refunded)}"
        else:
            await resolve.resend(db, order_id, actor=actor)
            done = "Queued to be sent again"
    except (lifecycle.TransitionError, ResolveError) as exc:
        return await _detail(request, ctx, order_id, {"error": str(exc)}, 409)
    return ctx.console.redirect(f"/admin/orders/{order_id}?done={done.replace(' ', '+').replace(';', '%3B')}")


def _count(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None


@staff_page(Permission.VIEW_ORDERS)
async def order_bulk(request: Request, ctx: StaffContext) -> Response:
    """One action on a selection: each order in its own move (one failing does not stop the rest)."""
    action = form_value(request, "action")
    if action not in BULK:
        return await ctx.render(request, "console/error.html", {"title": "Unknown action",
                                                                "message": "Choose an action."}, status=400)
    if not ctx.allows(BULK[action]):
        return await ctx.forbidden(request)
    form: Any = request.state.form
    ids = [i for i in (int_field(v) for v in form.getlist("ids")) if i is not None][:500]
    db = ctx.console.db
    done = failed = 0
    for order_id in ids:
        actor = Actor(ctx.member.id, ctx.address, f"order.{action}")
        try:
            if action == "cancel":
                row = await db.fetchrow("SELECT status FROM orders WHERE id = $1", order_id)
                if row is None:
                    raise lifecycle.TransitionError("no such order")
                await lifecycle.move(db, order_id, lifecycle.CANCELED, expected=row[0],
                                     note=f"canceled by {ctx.member.name}", actor=actor)
            elif action == "resend":
                await resolve.resend(db, order_id, actor=actor)
            else:
                await resolve.fail(db, order_id, actor=actor)
            done += 1
        except (lifecycle.TransitionError, ResolveError):
            failed += 1
    message = f"{action}: {done} done" + (f", {failed} not possible" if failed else "")
    return ctx.console.redirect("/admin/orders?done=" + message.replace(" ", "+").replace(",", "%2C"))
