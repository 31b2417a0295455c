"""/addfunds: ask for a manual payment to be credited, and read every payment and ledger movement."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.accounts import history
from smmpanel.accounts.passwords import Identity
from smmpanel.money import MoneyError, parse_amount
from smmpanel.payments import methods, requests
from smmpanel.payments.requests import PaymentError, Refusal
from smmpanel.web.customer._views import int_param, signed_in
from smmpanel.web.security import form_value
from smmpanel.web.site import Site

_FIELD = {Refusal.METHOD: "method", Refusal.AMOUNT_LOW: "amount", Refusal.AMOUNT_HIGH: "amount",
          Refusal.REFERENCE: "reference"}


async def _page(request: Request, site: Site, customer: Identity, *, status: int = 200,
                values: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> Response:
    query = request.query_params
    found, next_payments = await requests.of_customer(site.db, customer.customer_id,
                                                      before=int_param(query.get("payments_before")))
    statement = await history.statement(site.db, customer.customer_id, before=int_param(query.get("before")))
    return await site.render(request, "addfunds.html", {
        "methods": await methods.enabled(site.db),
        "payments": found,
        "next_payments": next_payments,
        "statement": statement,
        "values": values or {"method": "", "amount": "", "reference": ""},
        "errors": errors or {},
        "done": query.get("done") == "1",
    }, status=status)


@signed_in
async def addfunds(request: Request, site: Site, customer: Identity) -> Response:
    if request.method == "GET":
        return await _page(request, site, customer)
    values = {k: form_value(request, k) for k in ("method", "amount", "reference")}
    try:
        amount = parse_amount(values["amount"].strip())
    except MoneyError:
        return await _page(request, site, customer, status=400, values=values,
                           errors={"amount": "Enter an amount such as 25 or 25.50."})
    try:
        await requests.submit(site.db, customer.customer_id, int_param(values["method"]) or 0, amount,
                              values["reference"])
    except PaymentError as exc:
        return await _page(request, site, customer, status=400, values=values,
                           errors={_FIELD.get(exc.reason, "method"): str(exc)})
    return site.redirect("/addfunds?done=1")
