"""Payments: the customers' payment requests (pending first) with **Approve** / **Reject** (a reason
required), and the payment methods (name, instructions, minimum; add, edit, disable).

Approving goes through payments/requests.py's compare-and-set, so two staff (or one double click) credit a
request once; the activity row is written by the transaction that won, and the loser sees "already
Approved" with nothing moved.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.money import MoneyError, parse_amount
from smmpanel.payments import methods, requests
from smmpanel.staff.roles import Permission
from smmpanel.web.console._views import StaffContext, int_field, staff_page
from smmpanel.web.console._witness import witness
from smmpanel.web.security import form_value

DONE = {"approved": "Payment approved: the balance was credited.", "rejected": "Payment rejected.",
        "method": "Payment method saved."}


async def _page(request: Request, ctx: StaffContext, *, error: str | None = None, status: int = 200) -> Response:
    db = ctx.console.db
    return await ctx.render(request, "console/payments.html", {
        "title": "Payments", "pending": await requests.list_requests(db, "Pending"),
        "decided": [r for r in await requests.list_requests(db, None, limit=50) if r.status != "Pending"],
        "methods": await methods.list_all(db), "error": error,
        "notice": DONE.get(request.query_params.get("done", ""))}, status=status)


@staff_page(Permission.MOVE_MONEY)
async def payment_list(request: Request, ctx: StaffContext) -> Response:
    return await _page(request, ctx)


@staff_page(Permission.MOVE_MONEY)
async def approve(request: Request, ctx: StaffContext) -> Response:
    request_id = int(request.path_params["request_id"])
    try:
        await requests.approve(ctx.console.db, request_id, by=ctx.member.name,
                               witness=witness(ctx, "payment.approve", "payment_request", request_id))
    except requests.PaymentError as exc:
        return await _page(request, ctx, error=str(exc), status=409)
    return ctx.console.redirect("/admin/payments?done=approved")


@staff_page(Permission.MOVE_MONEY)
async def reject(request: Request, ctx: StaffContext) -> Response:
    request_id = int(request.path_params["request_id"])
    try:
        await requests.reject(ctx.console.db, request_id, form_value(request, "reason"), by=ctx.member.name,
                              witness=witness(ctx, "payment.reject", "payment_request", request_id))
    except requests.PaymentError as exc:
        code = 400 if exc.reason is requests.Refusal.REASON else 409
        return await _page(request, ctx, error=str(exc), status=code)
    return ctx.console.redirect("/admin/payments?done=rejected")


@staff_page(Permission.MOVE_MONEY)
async def save_method(request: Request, ctx: StaffContext) -> Response:
    """Add a method (no id) or edit one (every field, including Enabled)."""
    method_id = int_field(form_value(request, "id"))
    try:
        minimum = parse_amount(form_value(request, "min_amount") or "0")
        name, instructions = form_value(request, "name"), form_value(request, "instructions")
        if method_id is None:
            await methods.add(ctx.console.db, name, instructions, minimum,
                              witness=witness(ctx, "payment_method.add", "payment_method", None))
        else:
            await methods.edit(ctx.console.db, method_id, name=name, instructions=instructions, min_amount=minimum,
                               enabled=form_value(request, "enabled") == "on",
                               witness=witness(ctx, "payment_method.edit", "payment_method", method_id))
    except (MoneyError, methods.MethodError) as exc:
        return await _page(request, ctx, error=str(exc), status=400)
    return ctx.console.redirect("/admin/payments?done=method")
