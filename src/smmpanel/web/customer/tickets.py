"""/tickets: open a ticket, read its thread, reply, close. Another customer's ticket is a 404."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.accounts.passwords import Identity
from smmpanel.support import tickets as support
from smmpanel.support.tickets import Refusal, TicketError
from smmpanel.web.customer._views import int_param, signed_in
from smmpanel.web.security import form_value
from smmpanel.web.site import Site

_FIELD = {Refusal.SUBJECT: "subject", Refusal.MESSAGE: "message", Refusal.ORDER: "order"}


async def _list(request: Request, site: Site, customer: Identity, *, status: int = 200,
                values: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> Response:
    found, next_before = await support.of_customer(site.db, customer.customer_id,
                                                   before=int_param(request.query_params.get("before")))
    return await site.render(request, "tickets.html", {
        "tickets": found, "next_before": next_before, "errors": errors or {},
        "values": values or {"subject": "", "message": "", "order": ""}}, status=status)


@signed_in
async def ticket_list(request: Request, site: Site, customer: Identity) -> Response:
    if request.method == "GET":
        return await _list(request, site, customer)
    values = {k: form_value(request, k) for k in ("subject", "message", "order")}
    order_id = int_param(values["order"])
    if values["order"].strip() and order_id is None:
        return await _list(request, site, customer, status=400, values=values,
                           errors={"order": "Incorrect order ID"})
    try:
        ticket_id = await support.open_ticket(site.db, customer.customer_id, values["subject"], values["message"],
                                              order_id)
    except TicketError as exc:
        return await _list(request, site, customer, status=400, values=values,
                           errors={_FIELD.get(exc.reason, "message"): str(exc)})
    return site.redirect(f"/tickets/{ticket_id}")


async def _not_found(request: Request, site: Site) -> Response:
    return await site.render(request, "error.html", {"title": "Not found",
                                                      "message": "There is no such ticket."}, status=404)


@signed_in
async def ticket(request: Request, site: Site, customer: Identity) -> Response:
    ticket_id = int_param(request.path_params["ticket_id"])
    if ticket_id is None:
        return await _not_found(request, site)
    error = None
    if request.method == "POST":
        try:
            if form_value(request, "action") == "close":
                await support.customer_close(site.db, customer.customer_id, ticket_id)
            else:
                await support.customer_reply(site.db, customer.customer_id, ticket_id, form_value(request, "message"))
            return site.redirect(f"/tickets/{ticket_id}")
        except TicketError as exc:
            if exc.reason is Refusal.NOT_FOUND:
                return await _not_found(request, site)
            error = str(exc)
    try:
        found, messages = await support.customer_ticket(site.db, customer.customer_id, ticket_id)
    except TicketError:
        return await _not_found(request, site)
    return await site.render(request, "ticket.html", {"ticket": found, "messages": messages, "error": error},
                             status=400 if error else 200)
