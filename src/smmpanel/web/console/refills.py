"""Refills: the queue of refill requests by status, with the operator's moves (In progress, Completed,
Reject) through orders/refills.py's `set_refill_status` (a compare-and-set on the status the page showed,
so two staff cannot move one refill twice). No money on this page: support works it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.orders import queries
from smmpanel.orders.lifecycle import REFILL_ACTIVE
from smmpanel.orders.refills import set_refill_status
from smmpanel.staff.roles import Permission
from smmpanel.web.console._views import StaffContext, int_field, staff_page
from smmpanel.web.console._witness import witness
from smmpanel.web.security import form_value

STATUSES = ("Pending", "In progress", "Completed", "Rejected")
MOVES = {"In progress": "Mark in progress", "Completed": "Mark completed", "Rejected": "Reject"}


async def _page(request: Request, ctx: StaffContext, *, error: str | None = None, status: int = 200) -> Response:
    shown = request.query_params.get("status", "Pending")
    shown = shown if shown in STATUSES else "Pending"
    page = await queries.list_refills(ctx.console.db, status=shown,
                                      after_id=int_field(request.query_params.get("after")), limit=50)
    return await ctx.render(request, "console/refills.html", {
        "title": "Refills", "rows": page.rows, "next_after": page.next, "status": shown, "statuses": STATUSES,
        "moves": MOVES, "active": REFILL_ACTIVE, "error": error,
        "notice": "Refill moved." if request.query_params.get("done") else None}, status=status)


@staff_page(Permission.SUPPORT)
async def refill_list(request: Request, ctx: StaffContext) -> Response:
    return await _page(request, ctx)


@staff_page(Permission.SUPPORT)
async def move(request: Request, ctx: StaffContext) -> Response:
    refill_id = int(request.path_params["refill_id"])
    target, expected = form_value(request, "status"), form_value(request, "expected")
    try:
        if target not in MOVES or expected not in REFILL_ACTIVE:
            raise ValueError("choose a move for an active refill")
        await set_refill_status(ctx.console.db, refill_id, target, expected=expected,
                                witness=witness(ctx, "refill.move", "refill", refill_id))
    except ValueError as exc:
        return await _page(request, ctx, error=str(exc), status=409)
    return ctx.console.redirect(f"/admin/refills?status={expected.replace(' ', '+')}&done=1")
