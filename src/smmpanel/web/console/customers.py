"""Customers: the list (balance, spent, last sign-in, status; keyset pages) and one customer's page (ledger
with running balance, custom rates, keys, sessions) with its actions. Every action is one domain function
(accounts/…, catalog/services.py) given the console's witness, so its activity row shares its transaction.

Support sees customers but never money: balances, spent, ledger amounts and rates are left out of the page
for a role without VIEW_MONEY, and every action checks its own permission on the server.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.accounts import customers, history, keys, passwords, queries, sessions
from smmpanel.catalog import services
from smmpanel.money import MoneyError, parse_amount
from smmpanel.staff.roles import Permission
from smmpanel.web.console._views import StaffContext, int_field, staff_page
from smmpanel.web.console._witness import witness
from smmpanel.web.security import form_value

DONE = {
    "adjusted": "Balance adjusted.",
    "suspended": "Customer suspended.",
    "activated": "Customer activated.",
    "keys": "API keys revoked.",
    "sessions": "Sessions signed out.",
    "rate": "Custom rate saved.",
}


@staff_page(Permission.VIEW_CUSTOMERS)
async def customer_list(request: Request, ctx: StaffContext) -> Response:
    search = request.query_params.get("q", "").strip()[:64]
    page = await queries.console_customers(ctx.console.db, after_id=int_field(request.query_params.get("after")),
                                           name_prefix=search, limit=50)
    return await ctx.render(request, "console/customers.html", {
        "title": "Customers", "rows": page.rows, "next_after": page.next, "search": search,
        "money": ctx.allows(Permission.VIEW_MONEY)})


async def _detail(request: Request, ctx: StaffContext, customer_id: int, *, error: str | None = None,
                  password: str | None = None, status: int = 200) -> Response:
    db = ctx.console.db
    row = await queries.console_customer(db, customer_id)
    if row is None:
        return await ctx.render(request, "console/error.html", {
            "title": "Not found", "message": f"There is no customer {customer_id}."}, status=404)
    money = ctx.allows(Permission.VIEW_MONEY)
    context: dict[str, Any] = {
        "title": f"Customer {row['name']}", "c": row, "money": money, "error": error, "password": password,
        "notice": DONE.get(request.query_params.get("done", "")),
        "keys": await queries.keys_of(db, customer_id),
        "sessions": await sessions.list_live(db, "customer", customer_id),
        "can_manage": ctx.allows(Permission.MANAGE_CUSTOMERS), "can_move": ctx.allows(Permission.MOVE_MONEY),
        "can_price": ctx.allows(Permission.MANAGE_CATALOG),
    }
    if money:
        statement = await history.statement(db, customer_id, before=int_field(request.query_params.get("before")))
        context |= {"statement": statement.movements, "next_before": statement.next_before,
                    "rates": await queries.custom_rates_of(db, customer_id)}
    return await ctx.render(request, "console/customer.html", context, status=status)


@staff_page(Permission.VIEW_CUSTOMERS)
async def customer_page(request: Request, ctx: StaffContext) -> Response:
    return await _detail(request, ctx, int(request.path_params["customer_id"]))


def _back(ctx: StaffContext, customer_id: int, done: str) -> Response:
    return ctx.console.redirect(f"/admin/customers/{customer_id}?done={done}")


@staff_page(Permission.MOVE_MONEY)
async def adjust(request: Request, ctx: StaffContext) -> Response:
    """**Adjust balance**: Amount (either sign) and a required Reason → one adjustment ledger row."""
    customer_id = int(request.path_params["customer_id"])
    try:
        amount = parse_amount(form_value(request, "amount"), allow_negative=True)
        await customers.adjust_balance(
            ctx.console.db, customer_id, amount, reason=form_value(request, "reason"), by=ctx.member.name,
            witness=witness(ctx, "customer.adjust_balance", "customer", customer_id))
    except (MoneyError, customers.CustomerError) as exc:
        return await _detail(request, ctx, customer_id, error=str(exc), status=400)
    return _back(ctx, customer_id, "adjusted")


@staff_page(Permission.MANAGE_CUSTOMERS)
async def set_status(request: Request, ctx: StaffContext) -> Response:
    customer_id = int(request.path_params["customer_id"])
    status = form_value(request, "status")
    try:
        await customers.change_status(ctx.console.db, customer_id, status,
                                      witness=witness(ctx, f"customer.{status}", "customer", customer_id))
    except customers.CustomerError as exc:
        return await _detail(request, ctx, customer_id, error=str(exc), status=400)
    return _back(ctx, customer_id, "suspended" if status == "suspended" else "activated")


@staff_page(Permission.MANAGE_CUSTOMERS)
async def revoke_keys(request: Request, ctx: StaffContext) -> Response:
    customer_id = int(request.path_params["customer_id"])
    await keys.revoke_all(ctx.console.db, customer_id,
                          witness=witness(ctx, "customer.revoke_keys", "customer", customer_id))
    return _back(ctx, customer_id, "keys")


@staff_page(Permission.MANAGE_CUSTOMERS)
async def reset_password(request: Request, ctx: StaffContext) -> Response:
    """A generated password, shown once on the answer to this POST (never in a URL)."""
    customer_id = int(request.path_params["customer_id"])
    try:
        password = await passwords.reset(ctx.console.db, customer_id,
                                         witness=witness(ctx, "customer.reset_password", "customer", customer_id))
    except customers.CustomerError as exc:
        return await _detail(request, ctx, customer_id, error=str(exc), status=404)
    return await _detail(request, ctx, customer_id, password=password)


@staff_page(Permission.MANAGE_CUSTOMERS)
async def sign_out(request: Request, ctx: StaffContext) -> Response:
    customer_id = int(request.path_params["customer_id"])
    await sessions.revoke_others(ctx.console.db, "customer", customer_id, None,
                                 witness=witness(ctx, "customer.sign_out", "customer", customer_id))
    return _back(ctx, customer_id, "sessions")


@staff_page(Permission.MANAGE_CATALOG)
async def custom_rate(request: Request, ctx: StaffContext) -> Response:
    """Set (or, with an empty Rate, remove) the customer's own rate for one service."""
    customer_id = int(request.path_params["customer_id"])
    service_id = int_field(form_value(request, "service"))
    text = form_value(request, "rate").strip()
    try:
        if service_id is None:
            raise services.ServiceError("give a service id")
        rate = parse_amount(text) if text else None
        await services.set_custom_rate(ctx.console.db, customer_id, service_id, rate,
                                       witness=witness(ctx, "customer.custom_rate", "customer", customer_id))
    except (MoneyError, services.ServiceError) as exc:
        return await _detail(request, ctx, customer_id, error=str(exc), status=400)
    return _back(ctx, customer_id, "rate")
