"""Held orders: each with why (what was sent upstream and what came back, `last_error`) and the operator's
three ways out — Resolve with an upstream order id, Resend, Fail and refund — the same operations as
`smmpanel orders resolve` (fulfilment/resolve.py), with the activity row in the move's transaction."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.fulfilment import resolve
from smmpanel.fulfilment.resolve import ResolveError
from smmpanel.money import format_units
from smmpanel.orders import queries
from smmpanel.staff.activity import Actor
from smmpanel.staff.roles import Permission
from smmpanel.web.console._views import StaffContext, int_field, staff_page
from smmpanel.web.security import form_value

ACTIONS = {"resolve": Permission.MANAGE_ORDERS, "resend": Permission.MANAGE_ORDERS, "fail": Permission.MOVE_MONEY}


async def _page(request: Request, ctx: StaffContext, *, error: str | None = None, notice: str | None = None,
                status: int = 200) -> Response:
    db = ctx.console.db
    page = await queries.console_held(db, after_id=int_field(request.query_params.get("after")), limit=100)
    upstream = {int(r[0]): r[1] for r in await db.fetch("SELECT id, provider_service FROM services")}
    return await ctx.render(request, "console/held.html", {
        "title": "Held orders", "rows": page.rows, "next_after": page.next, "upstream_service": upstream,
        "error": error, "notice": notice or request.query_params.get("done"),
        "can_manage": ctx.allows(Permission.MANAGE_ORDERS), "can_fail": ctx.allows(Permission.MOVE_MONEY),
        "money": ctx.allows(Permission.VIEW_MONEY)}, status=status)


@staff_page(Permission.VIEW_ORDERS)
async def held_list(request: Request, ctx: StaffContext) -> Response:
    return await _page(request, ctx)


@staff_page(Permission.VIEW_ORDERS)
async def held_decide(request: Request, ctx: StaffContext) -> Response:
    order_id = int_field(request.path_params["order_id"])
    action = form_value(request, "action")
    if action not in ACTIONS or order_id is None:
        return await _page(request, ctx, error="Unknown action.", status=400)
    if not ctx.allows(ACTIONS[action]):
        return await ctx.forbidden(request)
    db = ctx.console.db
    actor = Actor(ctx.member.id, ctx.address, f"held.{action}")
    try:
        if action == "resolve":
            text = form_value(request, "upstream_id").strip()
            if not text.isdigit() or len(text) > 18:
                return await _page(request, ctx, error=f"Order {order_id}: the upstream order ID is a number.",
                                   status=400)
            await resolve.attach(db, order_id, int(text), actor=actor)
            done = f"Order {order_id} resolved as upstream order {text}"
        elif action == "resend":
            await resolve.resend(db, order_id, actor=actor)
            done = f"Order {order_id} queued to be sent again"
        else:
            outcome = await resolve.fail(db, order_id, actor=actor)
            done = f"Order {order_id} failed and refunded {format_units(outcome.refunded)}"
    except ResolveError as exc:
        return await _page(request, ctx, error=str(exc), status=409)
    return ctx.console.redirect("/admin/held?done=" + done.replace(" ", "+"))
