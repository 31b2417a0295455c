"""Providers: each provider's kind, URL, last balance against its low-balance threshold, and the error rate
and latency of the recent upstream calls made by this process (providers/calls.py); add and edit (the API
key is write-only: the page never shows it, not even masked — an empty Key field keeps it), and **Test**,
which asks the provider its balance now and stores it (registry.record_balance). Admin and owner only."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.client import ClientError
from smmpanel.money import MoneyError, format_units, parse_amount
from smmpanel.providers import calls, registry
from smmpanel.staff.roles import Permission
from smmpanel.web.console._views import StaffContext, int_field, staff_page
from smmpanel.web.console._witness import witness
from smmpanel.web.security import form_value

TEST_TIMEOUT = 10.0  # seconds: the page waits for the answer


def _view(row: Any) -> dict[str, Any]:
    """What the page may show of a provider row: everything but the key."""
    balance, low = row["balance"], row["low_balance"]
    return {"id": row["id"], "name": row["name"], "kind": row["kind"], "url": row["url"] or "",
            "enabled": bool(row["enabled"]), "balance": balance, "currency": row["currency"] or "",
            "checked_at": row["balance_checked_at"], "low_balance": low,
            "low": balance is not None and low is not None and int(balance) < int(low),
            "has_key": bool(row["api_key"]), "calls": calls.summary(str(row["id"]))}


async def _page(request: Request, ctx: StaffContext, *, error: str | None = None, notice: str | None = None,
                status: int = 200) -> Response:
    rows = await registry.list_all(ctx.console.db)
    return await ctx.render(request, "console/providers.html", {
        "title": "Providers", "providers": [_view(r) for r in rows], "error": error, "kept": calls.KEPT,
        "notice": notice or ("Provider saved." if request.query_params.get("done") else None)}, status=status)


@staff_page(Permission.MANAGE_CATALOG)
async def provider_list(request: Request, ctx: StaffContext) -> Response:
    return await _page(request, ctx)


def _threshold(request: Request) -> int | None:
    text = form_value(request, "low_balance").strip()
    return parse_amount(text) if text else None


@staff_page(Permission.MANAGE_CATALOG)
async def save(request: Request, ctx: StaffContext) -> Response:
    """Add (no id: name, kind, URL, key) or edit (name, URL, key if typed, threshold, enabled)."""
    db = ctx.console.db
    provider_id = int_field(form_value(request, "id"))
    try:
        if provider_id is None:
            kind = form_value(request, "kind")
            await registry.add(db, form_value(request, "name"), kind,
                               url=form_value(request, "url").strip() or None,
                               api_key=form_value(request, "api_key").strip() or None,
                               low_balance=_threshold(request),
                               witness=witness(ctx, "provider.add", "provider", None))
        else:
            await registry.edit(db, provider_id, name=form_value(request, "name"), url=form_value(request, "url"),
                                api_key=form_value(request, "api_key") or None, low_balance=_threshold(request),
                                enabled=form_value(request, "enabled") == "on",
                                witness=witness(ctx, "provider.edit", "provider", provider_id))
    except (registry.ProviderError, MoneyError) as exc:
        return await _page(request, ctx, error=str(exc), status=400)
    return ctx.console.redirect("/admin/providers?done=1")


@staff_page(Permission.MANAGE_CATALOG)
async def test(request: Request, ctx: StaffContext) -> Response:
    """Ask the provider its balance now (no transaction is open across the call) and store it."""
    db = ctx.console.db
    row = await db.fetchrow("SELECT id, name, kind, url, api_key, step_seconds FROM providers WHERE id = $1",
                            int(request.path_params["provider_id"]))
    if row is None:
        return await _page(request, ctx, error="No such provider.", status=404)
    provider = await registry.open_provider(db, row, timeout=TEST_TIMEOUT)
    if provider is None:
        return await _page(request, ctx, error=f"{row['name']} is manual: there is nothing to call.", status=400)
    try:
        answer = await provider.balance()
        units, currency = await registry.record_balance(db, int(row["id"]), answer)
    except (ClientError, MoneyError) as exc:
        text = str(exc).replace(row["api_key"], "***") if row["api_key"] else str(exc)
        return await _page(request, ctx, error=f"{row['name']} did not answer well: {text}", status=502)
    finally:
        await provider.aclose()
    return await _page(request, ctx, notice=f"{row['name']} answered: balance {format_units(units)}"
                                            f" {currency or ''}".rstrip() + ".")
