"""Services: the catalogue by category in the order `services` answers in, with enable/disable, Add service
(the fields of `smmpanel services add`), edit (those and the provider mapping, failover and price unlock of
`smmpanel services update`), the order of categories and of services within one, a bulk price change
by percent, import from a provider with a markup, and sync with its report. Admin and owner only (prices).

Every change is a catalog/ function (services.add, services.edit, services.reprice, ordering.…, importing,
sync), each bumping the catalogue version, so the API's cached `services` body is rebuilt at its next request.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.catalog import importing, ordering, services, sync
from smmpanel.catalog.ordertypes import ORDER_TYPES
from smmpanel.client import ClientError
from smmpanel.db.connect import Database
from smmpanel.money import MoneyError, format_units, parse_amount, parse_percent
from smmpanel.providers import registry
from smmpanel.staff.roles import Permission
from smmpanel.web.console._views import StaffContext, int_field, staff_page
from smmpanel.web.console._witness import witness
from smmpanel.web.security import form_value

DONE = {"saved": "Service saved.", "added": "Service added.", "enabled": "Service enabled.",
        "disabled": "Service disabled.", "repriced": "Prices changed.", "ordered": "Order saved."}
_LIST = ("SELECT s.id, s.name, s.type, s.category, s.rate, s.min, s.max, s.enabled, s.cost, p.name AS provider"
         " FROM services s LEFT JOIN providers p ON p.id = s.provider_id " + ordering.CATALOG_ORDER_JOIN
         + " ORDER BY " + ordering.CATALOG_ORDER)


async def _catalogue(db: Database) -> list[tuple[str, list[Any]]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in await db.fetch(_LIST):
        grouped[str(row["category"])].append(row)
    return [(name, grouped[name]) for name in await ordering.category_order(db)]


async def _page(request: Request, ctx: StaffContext, *, error: str | None = None, report: Any = None,
                status: int = 200) -> Response:
    db = ctx.console.db
    return await ctx.render(request, "console/services.html", {
        "title": "Services", "categories": await _catalogue(db), "providers": await registry.list_all(db),
        "error": error, "report": report, "notice": DONE.get(request.query_params.get("done", ""))},
        status=status)


@staff_page(Permission.MANAGE_CATALOG)
async def service_list(request: Request, ctx: StaffContext) -> Response:
    return await _page(request, ctx)


@staff_page(Permission.MANAGE_CATALOG)
async def toggle(request: Request, ctx: StaffContext) -> Response:
    service_id = int(request.path_params["service_id"])
    enabled = form_value(request, "enabled") == "true"
    try:
        await services.edit(ctx.console.db, service_id, {"enabled": enabled},
                            witness=witness(ctx, "service.enable" if enabled else "service.disable", "service",
                                              service_id))
    except services.ServiceError as exc:
        return await _page(request, ctx, error=str(exc), status=404)
    return ctx.console.redirect("/admin/services?done=" + ("enabled" if enabled else "disabled"))


_FLAGS = ("cancel", "dripfeed", "enabled", "link_guard")
_ROW = ("SELECT s.id, s.name, s.type, s.category, s.rate, s.min, s.max, s.refill_days, s.cancel, s.dripfeed,"
        " s.description, s.enabled, s.link_guard, s.provider_id, s.provider_service, s.provider_dripfeed,"
        " s.failover_provider_id, s.failover_service, s.cost, s.markup, s.min_margin, s.price_locked,"
        " p.name AS provider, f.name AS failover_provider FROM services s"
        " LEFT JOIN providers p ON p.id = s.provider_id LEFT JOIN providers f ON f.id = s.failover_provider_id"
        " WHERE s.id = $1")


def _fields(request: Request, flags: tuple[str, ...]) -> dict[str, Any]:
    """The fields of `services add` from the form, as services values (money and numbers parsed)."""
    number = {name: form_value(request, name).strip() for name in ("min", "max", "refill_days")}
    for name, text in number.items():
        if not text.isdigit():
            raise services.ServiceError(f"{name.replace('_', ' ')} must be a whole number")
    return {
        "name": form_value(request, "name").strip(), "type": form_value(request, "type"),
        "category": form_value(request, "category").strip(), "rate": parse_amount(form_value(request, "rate")),
        "min": int(number["min"]), "max": int(number["max"]), "refill_days": int(number["refill_days"]),
        "description": form_value(request, "description"),
        **{flag: form_value(request, flag) == "on" for flag in flags},
    }


async def _provider_id(db: Database, name: str) -> int | None:
    """A provider chosen by name, as `--provider NAME` is (registry.find); "" is by hand."""
    return int((await registry.find(db, name))["id"]) if name else None


def _text(request: Request, name: str) -> str | None:
    return form_value(request, name).strip() or None


async def _edited(request: Request, db: Database, current: Any) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The edit form as services.edit's (values, clear), holding only what differs from the service now, so
    saving an untouched rate does not lock a synced price and the activity row shows the real change.

    Fulfilment as `services update`'s flags would say it: "By hand" is --no-provider (the provider service
    id and drip-feed left in the form are what it detaches); Failover "none" drops the failover pair. What
    is left contradictory (a failover on a by-hand service, a failover service id without its provider) is
    passed on for services.edit to refuse."""
    wanted = _fields(request, _FLAGS)
    values = {k: v for k, v in wanted.items() if v != current[k]}
    clear: tuple[str, ...] = ()
    provider_id = await _provider_id(db, form_value(request, "provider"))
    failover_id = await _provider_id(db, form_value(request, "failover_provider"))
    failover_service = _text(request, "failover_service")
    if provider_id is None:
        if any(current[name] for name in services.PROVIDER_FIELDS):
            clear = services.PROVIDER_FIELDS
    else:
        provider_service = _text(request, "provider_service")
        if provider_id != current["provider_id"] or provider_service not in (None, current["provider_service"]):
            values |= {"provider_id": provider_id, "provider_service": provider_service}
        dripfeed = form_value(request, "provider_dripfeed") == "on"
        if dripfeed != bool(current["provider_dripfeed"]):
            values["provider_dripfeed"] = dripfeed
        if failover_id is None and (current["failover_provider_id"] or current["failover_service"]):
            clear = ("failover_provider_id", "failover_service")
    if failover_id is not None:
        if failover_id != current["failover_provider_id"] or failover_service not in (
                None, current["failover_service"]):
            values |= {"failover_provider_id": failover_id, "failover_service": failover_service}
    elif failover_service not in (None, current["failover_service"]):
        values["failover_service"] = failover_service  # without a failover provider: refused
    if form_value(request, "unlock_price") == "on" and current["price_locked"]:
        values["price_locked"] = False
    return values, clear


def _shown(row: Any) -> dict[str, Any]:
    """A service as the form shows it."""
    shown = dict(row)
    shown["rate"] = format_units(int(row["rate"]))
    return shown


def _posted(request: Request, flags: tuple[str, ...]) -> dict[str, Any]:
    """What was typed, shown back with the error."""
    names = ("name", "type", "category", "rate", "min", "max", "refill_days", "description", "provider",
             "provider_service", "failover_provider", "failover_service")
    return ({name: form_value(request, name) for name in names}
            | {flag: form_value(request, flag) == "on" for flag in (*flags, "provider_dripfeed", "unlock_price")})


async def _form(request: Request, ctx: StaffContext, s: dict[str, Any], *, error: str | None = None,
                pricing: Any = None) -> Response:
    new = s.get("id") is None
    return await ctx.render(request, "console/service.html", {
        "title": "Add service" if new else f"Service {s['id']}", "s": s, "types": ORDER_TYPES,
        "providers": await registry.list_all(ctx.console.db), "error": error,
        "pricing": pricing if ctx.allows(Permission.VIEW_MONEY) else None,
        "notice": DONE.get(request.query_params.get("done", ""))},
        status=400 if error else 200)


@staff_page(Permission.MANAGE_CATALOG)
async def edit(request: Request, ctx: StaffContext) -> Response:
    service_id = int(request.path_params["service_id"])
    db = ctx.console.db
    row = await db.fetchrow(_ROW, service_id)
    if row is None:
        return await ctx.render(request, "console/error.html", {
            "title": "Not found", "message": f"There is no service {service_id}."}, status=404)
    if request.method == "POST":
        try:
            values, clear = await _edited(request, db, row)
            await services.edit(db, service_id, values, clear=clear,
                                witness=witness(ctx, "service.edit", "service", service_id))
            return ctx.console.redirect("/admin/services?done=saved")
        except (MoneyError, services.ServiceError, registry.ProviderError) as exc:
            shown = {"id": service_id, "price_locked": row["price_locked"]} | _posted(request, _FLAGS)
            return await _form(request, ctx, shown, error=str(exc),
                               pricing=row)
    return await _form(request, ctx, _shown(row), pricing=row)


@staff_page(Permission.MANAGE_CATALOG)
async def create(request: Request, ctx: StaffContext) -> Response:
    """Add service: the fields of `smmpanel services add`, through services.add as the CLI's create does."""
    flags = ("cancel", "dripfeed", "link_guard")
    if request.method != "POST":
        return await _form(request, ctx, {"type": ORDER_TYPES[0], "refill_days": "0", "link_guard": True})
    db = ctx.console.db
    try:
        values = _fields(request, flags) | {
            "provider_id": await _provider_id(db, form_value(request, "provider")),
            "provider_service": _text(request, "provider_service"),
            "provider_dripfeed": form_value(request, "provider_dripfeed") == "on"}
        service_id = await services.add(db, values,
                                        witness=witness(ctx, "service.create", "service", None, id_key="id"))
    except (MoneyError, services.ServiceError, registry.ProviderError) as exc:
        return await _form(request, ctx, _posted(request, flags), error=str(exc))
    return ctx.console.redirect(f"/admin/services/{service_id}?done=added")


@staff_page(Permission.MANAGE_CATALOG)
async def reprice(request: Request, ctx: StaffContext) -> Response:
    """Bulk price change: the ticked services' rates × (1 + percent/100)."""
    form: Any = request.state.form
    ids = [i for i in (int_field(v) for v in form.getlist("service")) if i is not None]
    try:
        if not ids:
            raise services.ServiceError("tick the services to reprice")
        percent = form_value(request, "percent").strip()
        await services.reprice(ctx.console.db, ids, percent,
                               witness=witness(ctx, "service.reprice", "service", ",".join(map(str, ids))[:64]))
    except services.ServiceError as exc:
        return await _page(request, ctx, error=str(exc), status=400)
    return ctx.console.redirect("/admin/services?done=repriced")


@staff_page(Permission.MANAGE_CATALOG)
async def order(request: Request, ctx: StaffContext) -> Response:
    """The order of the categories (one name a line), or of one category's services (ids, any separator)."""
    db = ctx.console.db
    try:
        category = form_value(request, "category")
        if form_value(request, "what") == "services":
            ids = [int(t) for t in form_value(request, "order").replace(",", " ").split() if t.isdigit()]
            await ordering.order_services(db, category, ids,
                                          witness=witness(ctx, "service.order", "category", category[:64]))
        else:
            names = [line.strip() for line in form_value(request, "order").splitlines() if line.strip()]
            await ordering.order_categories(db, names, witness=witness(ctx, "category.order", "catalog", None))
    except services.ServiceError as exc:
        return await _page(request, ctx, error=str(exc), status=400)
    return ctx.console.redirect("/admin/services?done=ordered")


@staff_page(Permission.MANAGE_CATALOG)
async def import_from(request: Request, ctx: StaffContext) -> Response:
    """Import the given upstream service ids (or all) from a provider, priced with the markup given."""
    db = ctx.console.db
    try:
        row = await registry.find(db, form_value(request, "provider"))
        markup = form_value(request, "markup").strip()
        pricing = importing.Pricing(markup=parse_percent(markup) if markup else None,
                                    category=form_value(request, "category").strip() or None)
        wanted = form_value(request, "ids").replace(",", " ").split()
        try:
            theirs = await sync.fetch_services(db, row)
        except ClientError as exc:  # the key must never be shown back, not even in an upstream's error text
            key = row["api_key"]
            raise importing.ImportRefused(str(exc).replace(key, "***") if key else str(exc)) from exc
        if theirs is None:
            raise importing.ImportRefused("a manual provider has no catalogue to import")
        chosen, missing = importing.pick(theirs, [int(t) for t in wanted if t.isdigit()] or None,
                                         form_value(request, "all") == "on")
        outcomes = await importing.import_services(db, int(row["id"]), chosen, pricing)
    except (registry.ProviderError, importing.ImportRefused, MoneyError) as exc:
        return await _page(request, ctx, error=str(exc), status=400)
    report = {"title": f"Import from {row['name']}", "lines": [
        f"{o.upstream_id} {o.name}: {o.action}{' (' + o.reason + ')' if o.reason else ''}" for o in outcomes]
        + [f"{i}: not offered by the provider" for i in missing]}
    return await _page(request, ctx, report=report)


@staff_page(Permission.MANAGE_CATALOG)
async def sync_now(request: Request, ctx: StaffContext) -> Response:
    """Sync one provider's mapped services now (or preview with dry run) and show the report."""
    db = ctx.console.db
    try:
        results = await sync.sync_all(db, form_value(request, "provider") or None,
                                      dry_run=form_value(request, "dry_run") == "on")
    except registry.ProviderError as exc:
        return await _page(request, ctx, error=str(exc), status=400)
    lines = []
    for result in results:
        head = f"{result.provider}: {result.checked} mapped, {result.offered} offered, {len(result.changes)} changes"
        lines.append(head + (" applied" if result.applied else "") + (f" — {result.error}" if result.error else ""))
        lines += [f"  service {c.service_id} {c.field}: {c.shown(c.old)} → {c.shown(c.new)} {c.note}".rstrip()
                  for c in result.changes]
    return await _page(request, ctx, report={"title": "Sync", "lines": lines or ["no provider to sync"]})
