"""Tickets: the inbox (status filter), one ticket's thread with **Reply** and **Close**. Replies go through
support/tickets.py's staff functions, so the customer reads them on /tickets exactly as a CLI reply."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.staff.roles import Permission
from smmpanel.support import tickets
from smmpanel.web.console._views import StaffContext, staff_page
from smmpanel.web.console._witness import witness
from smmpanel.web.security import form_value

STATUSES = ("Open", "Answered", "Closed")
DONE = {"replied": "Reply sent.", "closed": "Ticket closed."}


@staff_page(Permission.SUPPORT)
async def ticket_list(request: Request, ctx: StaffContext) -> Response:
    status = request.query_params.get("status", "")
    found = await tickets.list_tickets(ctx.console.db, status if status in STATUSES else None)
    return await ctx.render(request, "console/tickets.html", {
        "title": "Tickets", "tickets": found, "status": status, "statuses": STATUSES})


async def _thread(request: Request, ctx: StaffContext, ticket_id: int, *, error: str | None = None,
                  status: int = 200) -> Response:
    try:
        ticket, messages = await tickets.staff_ticket(ctx.console.db, ticket_id)
    except tickets.TicketError:
        return await ctx.render(request, "console/error.html", {
            "title": "Not found", "message": f"There is no ticket {ticket_id}."}, status=404)
    return await ctx.render(request, "console/ticket.html", {
        "title": f"Ticket #{ticket_id}", "ticket": ticket, "messages": messages, "error": error,
        "notice": DONE.get(request.query_params.get("done", ""))}, status=status)


@staff_page(Permission.SUPPORT)
async def ticket_page(request: Request, ctx: StaffContext) -> Response:
    return await _thread(request, ctx, int(request.path_params["ticket_id"]))


@staff_page(Permission.SUPPORT)
async def reply(request: Request, ctx: StaffContext) -> Response:
    ticket_id = int(request.path_params["ticket_id"])
    try:
        await tickets.staff_reply(ctx.console.db, ticket_id, form_value(request, "message"), by=ctx.member.name,
                                  witness=witness(ctx, "ticket.reply", "ticket", ticket_id))
    except tickets.TicketError as exc:
        if exc.reason is tickets.Refusal.NOT_FOUND:
            return await _thread(request, ctx, ticket_id)
        return await _thread(request, ctx, ticket_id, error=str(exc), status=400)
    return ctx.console.redirect(f"/admin/tickets/{ticket_id}?done=replied")


@staff_page(Permission.SUPPORT)
async def close(request: Request, ctx: StaffContext) -> Response:
    ticket_id = int(request.path_params["ticket_id"])
    try:
        await tickets.staff_close(ctx.console.db, ticket_id, witness=witness(ctx, "ticket.close", "ticket", ticket_id))
    except tickets.TicketError:
        return await _thread(request, ctx, ticket_id)
    return ctx.console.redirect(f"/admin/tickets/{ticket_id}?done=closed")
