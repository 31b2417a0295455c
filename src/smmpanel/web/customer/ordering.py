"""Placing orders from the website: the new-order form (/), its live charge (/order/charge) and /massorder.

Every order goes through the domain exactly as an API `add` does: `orderable_service` (the customer's own
rate), a typed request built from the form (orderform.py), `place_order` (one transaction: placed whole or
refused with nothing written). The charge shown while typing is `orders.placing.quote` — the same
`build_order` that charges — never a price computed here. Refusals carry the field at fault and are worded
like the API (wording.py).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from smmpanel.accounts.passwords import Identity
from smmpanel.catalog.services import ServiceForOrder
from smmpanel.money import format_units
from smmpanel.orders.placing import orderable_service, place_order, quote
from smmpanel.orders.refusals import OrderRefused
from smmpanel.orders.requests import OrderRequest
from smmpanel.web.customer import orderform
from smmpanel.web.customer._views import int_param, listing, signed_in
from smmpanel.web.customer.wording import refusal_text
from smmpanel.web.security import form_value
from smmpanel.web.site import Site

QUOTE_LINK = "https://example.com/"  # stands in for a link not typed yet: the link never changes a price
MAX_MASS_LINES = 500


async def _catalogue(site: Site, customer_id: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = orjson.loads((await listing(site).body(site.db, customer_id)).plain)
    return items


async def order_page(request: Request, site: Site, customer: Identity, *, status: int = 200,
                     service_id: int | None = None, values: dict[str, str] | None = None,
                     errors: dict[str, str] | None = None, charge: str | None = None,
                     extra: dict[str, Any] | None = None) -> Response:
    """The new-order form; `service_id` (else ?service=) chooses the service whose inputs are shown."""
    items = await _catalogue(site, customer.customer_id)
    query = request.query_params
    if service_id is None:
        service_id = int_param(query.get("service"))
    chosen = next((i for i in items if i["service"] == service_id), None)
    category = chosen["category"] if chosen else query.get("category", "")
    categories: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for item in items:
        categories.setdefault(item["category"] or "Other", []).append(item)
    if not category and categories:
        category = next(iter(categories))
    shown = categories.get(category or "Other", [])
    if chosen is None and shown:
        chosen = shown[0]
    inputs = []
    if chosen is not None:
        inputs = [i for i in orderform.inputs(chosen["type"]) if i.name not in orderform.DRIPFEED]
    beside = {"service", *(i.name for i in inputs), *(orderform.DRIPFEED if chosen and chosen["dripfeed"] else ())}
    others = {name: message for name, message in (errors or {}).items() if name not in beside}
    return await site.render(request, "home.html", {
        "categories": categories, "category": category, "shown": shown, "chosen": chosen, "inputs": inputs,
        "values": values or {}, "errors": errors or {}, "other_errors": others, "charge": charge,
        "placed": int_param(query.get("placed")), **(extra or {}),
    }, status=status)


def _request(service: ServiceForOrder, value: Any) -> OrderRequest:
    return orderform.build_request(service.type, value)


@signed_in
async def place(request: Request, site: Site, customer: Identity) -> Response:
    """POST /order: "Check the price" (quote only) or "Place order"."""
    form: Any = request.state.form
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    service_id = int_param(values.get("service"))
    errors: dict[str, str] = {}
    try:
        service = await orderable_service(site.db, customer.customer_id, service_id)
        if values.get("type") != service.type:  # the service was changed without script: show its fields
            return await order_page(request, site, customer, service_id=service_id, values=values)
        order = _request(service, lambda name: form_value(request, name))
        if values.get("action") == "check":
            charge = quote(service, order)
            return await order_page(request, site, customer, service_id=service_id, values=values,
                                    charge=format_units(charge))
        order_id = await place_order(site.db, customer.customer_id, service, order)
    except orderform.FormError as exc:
        errors[exc.field] = exc.message
    except OrderRefused as exc:
        errors[exc.field or "form"] = refusal_text(exc)
    else:
        return site.redirect(f"/?service={service.id}&placed={order_id}")
    return await order_page(request, site, customer, status=400, service_id=service_id, values=values,
                            errors=errors)


@signed_in
async def charge(request: Request, site: Site, customer: Identity) -> Response:
    """GET /order/charge?service=…&…: what the order would cost this customer, or why it would be refused."""
    query = request.query_params

    def value(name: str) -> str:
        text = query.get(name, "")
        return QUOTE_LINK if name == "link" and not text.strip() else text

    try:
        service = await orderable_service(site.db, customer.customer_id, int_param(query.get("service")))
        answer: dict[str, Any] = {"charge": format_units(quote(service, _request(service, value))),
                                  "currency": customer.currency}
    except orderform.FormError as exc:
        answer = {"error": exc.message, "field": exc.field}
    except OrderRefused as exc:
        answer = {"error": refusal_text(exc), "field": exc.field}
    return Response(orjson.dumps(answer), media_type="application/json", headers={"cache-control": "no-store"})


def _mass_line(line: str) -> tuple[int | None, str, str] | None:
    parts = [part.strip() for part in line.split("|")]
    if len(parts) != 3:
        return None
    return int_param(parts[0]), parts[1], parts[2]


@signed_in
async def massorder(request: Request, site: Site, customer: Identity) -> Response:
    """One order per line, `service_id | link | quantity`; each line placed whole or refused, in order."""
    if request.method == "GET":
        return await site.render(request, "massorder.html", {"text": "", "results": [], "errors": {}})
    text = form_value(request, "orders")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or len(lines) > MAX_MASS_LINES:
        message = "Enter one order per line." if not lines else f"At most {MAX_MASS_LINES} lines at once."
        return await site.render(request, "massorder.html", {"text": text, "results": [],
                                                             "errors": {"orders": message}}, status=400)
    results = []
    for number, line in enumerate(lines, start=1):
        parsed = _mass_line(line)
        if parsed is None:
            results.append({"line": number, "text": line, "ok": False,
                            "message": "Write service_id | link | quantity"})
            continue
        service_id, link, quantity = parsed
        fields = {"link": link, "quantity": quantity}
        try:
            service = await orderable_service(site.db, customer.customer_id, service_id)
            order = _request(service, lambda name, fields=fields: fields.get(name, ""))
            order_id = await place_order(site.db, customer.customer_id, service, order)
        except orderform.FormError as exc:
            results.append({"line": number, "text": line, "ok": False, "message": f"{exc.field}: {exc.message}"})
        except OrderRefused as exc:
            results.append({"line": number, "text": line, "ok": False, "message": refusal_text(exc)})
        else:
            results.append({"line": number, "text": line, "ok": True, "message": f"Order ID {order_id}"})
    placed = sum(1 for r in results if r["ok"])
    del request.state.customer  # the header shows the balance after these orders
    return await site.render(request, "massorder.html", {"text": "", "results": results, "errors": {},
                                                         "placed": placed})
