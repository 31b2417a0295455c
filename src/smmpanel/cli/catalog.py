"""`smmpanel services …`: the catalogue the panel sells."""

from __future__ import annotations

from typing import Any

import typer

from smmpanel.catalog import queries, services
from smmpanel.cli import catalog_upstream
from smmpanel.cli._common import console, fail, run, show
from smmpanel.db.connect import Database
from smmpanel.money import MoneyError, format_units, parse_amount
from smmpanel.providers.registry import ProviderError

app = typer.Typer(help="Services: add, list, update, import and sync from providers.", no_args_is_help=True)
app.command("import")(catalog_upstream.import_)
app.command("sync")(catalog_upstream.sync)


def _rate(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return parse_amount(text)
    except MoneyError as exc:
        fail(f"--rate: {exc}")
        raise


def _row(r: Any) -> dict[str, Any]:
    return {
        "id": r["id"],
        "name": r["name"],
        "type": r["type"],
        "category": r["category"],
        "rate": format_units(int(r["rate"])),
        "min": r["min"],
        "max": r["max"],
        "refill_days": r["refill_days"],
        "cancel": bool(r["cancel"]),
        "dripfeed": bool(r["dripfeed"]),
        "enabled": bool(r["enabled"]),
        "link_guard": bool(r["link_guard"]),
        "desc": r["description"],
    }


@app.command("add")
def add(
    name: str = typer.Option(..., "--name"),
    type: str = typer.Option(..., "--type", help='API v2 type, e.g. "Default", "Custom Comments"'),
    category: str = typer.Option(..., "--category"),
    rate: str = typer.Option(..., "--rate", help="Price per 1000 (per package for package types)"),
    min: int = typer.Option(..., "--min"),
    max: int = typer.Option(..., "--max"),
    refill_days: int = typer.Option(0, "--refill-days", help="Refill window in days (0: no refill)"),
    cancel: bool = typer.Option(False, "--cancel", help="Customers may cancel"),
    dripfeed: bool = typer.Option(False, "--dripfeed", help="Drip-feed (runs/interval) allowed"),
    desc: str = typer.Option("", "--desc"),
    allow_duplicate_links: bool = typer.Option(
        False, "--allow-duplicate-links", help="Turn off the active-order-on-same-link guard"
    ),
    provider: str = typer.Option(None, "--provider", help="Provider NAME that fulfils it (default: by hand)"),
    provider_service: str = typer.Option(None, "--provider-service", help="Its service id at the provider"),
    provider_dripfeed: bool = typer.Option(False, "--provider-dripfeed", help="The provider does drip-feed"),
) -> None:
    """Add a service; its id is printed on the last line."""
    values = {
        "name": name,
        "type": type,
        "category": category,
        "rate": _rate(rate),
        "min": min,
        "max": max,
        "refill_days": refill_days,
        "cancel": cancel,
        "dripfeed": dripfeed,
        "description": desc,
        "link_guard": not allow_duplicate_links,
        "provider_service": provider_service,
        "provider_dripfeed": provider_dripfeed,
    }

    async def work(db: Database) -> int:
        return await services.create(db, **values, **await catalog_upstream.provider_ids(db, provider_id=provider))

    try:
        service_id = run(work)
    except (services.ServiceError, ProviderError) as exc:
        fail(str(exc))
        return
    console.print(f"service {name!r} added")
    print(service_id)


@app.command("list")
def list_(json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Every service, enabled or not."""
    rows = [_row(r) for r in run(services.list_all)]
    show(rows, ["id", "name", "type", "category", "rate", "min", "max", "refill_days", "cancel", "dripfeed",
                "enabled"], as_json=json)


@app.command("update")
def update(
    service_id: int = typer.Argument(..., metavar="ID"),
    name: str = typer.Option(None, "--name"),
    type: str = typer.Option(None, "--type"),
    category: str = typer.Option(None, "--category"),
    rate: str = typer.Option(None, "--rate"),
    min: int = typer.Option(None, "--min"),
    max: int = typer.Option(None, "--max"),
    refill_days: int = typer.Option(None, "--refill-days"),
    cancel: bool = typer.Option(None, "--cancel/--no-cancel"),
    dripfeed: bool = typer.Option(None, "--dripfeed/--no-dripfeed"),
    desc: str = typer.Option(None, "--desc"),
    enabled: bool = typer.Option(None, "--enable/--disable"),
    link_guard: bool = typer.Option(None, "--link-guard/--allow-duplicate-links"),
    provider: str = typer.Option(None, "--provider", help="Provider NAME that fulfils it"),
    provider_service: str = typer.Option(None, "--provider-service", help="Its service id at the provider"),
    provider_dripfeed: bool = typer.Option(None, "--provider-dripfeed/--no-provider-dripfeed"),
    failover_provider: str = typer.Option(None, "--failover-provider", help="Provider NAME to use when it fails"),
    failover_service: str = typer.Option(None, "--failover-service", help="Its service id at the failover"),
    no_provider: bool = typer.Option(False, "--no-provider", help="Detach: fulfil by hand, forget the pricing rule"),
    unlock_price: bool = typer.Option(False, "--unlock-price", help="Let sync set the rate from cost again"),
) -> None:
    """Change a service; only the flags given change. A hand-set --rate on a synced service locks it."""
    if no_provider and (provider or provider_service or failover_provider or failover_service):
        fail("--no-provider cannot be combined with other provider options")
    values = {
        "name": name,
        "type": type,
        "category": category,
        "rate": _rate(rate),
        "min": min,
        "max": max,
        "refill_days": refill_days,
        "cancel": cancel,
        "dripfeed": dripfeed,
        "description": desc,
        "enabled": enabled,
        "link_guard": link_guard,
        "provider_service": provider_service,
        "provider_dripfeed": provider_dripfeed,
        "failover_service": failover_service,
        "price_locked": False if unlock_price else None,
    }
    clear = services.PROVIDER_FIELDS if no_provider else ()

    async def work(db: Database) -> None:
        ids = await catalog_upstream.provider_ids(db, provider_id=provider, failover_provider_id=failover_provider)
        await services.update(db, service_id, clear=clear, **values, **ids)

    try:
        run(work)
    except (services.ServiceError, ProviderError) as exc:
        fail(str(exc))
    console.print(f"service {service_id} updated")


@app.command("rate")
def custom_rate(
    service_id: int = typer.Argument(..., metavar="ID"),
    customer: str = typer.Argument(..., metavar="NAME"),
    rate: str = typer.Argument(None, help="The customer's own rate; omit to remove it"),
) -> None:
    """Set (or remove) a customer's custom rate for a service."""
    from smmpanel.accounts.customers import CustomerError, find

    units = _rate(rate)

    async def work(db: Database) -> None:
        row = await find(db, customer)
        if not await queries.service_exists(db, service_id):
            raise services.ServiceError(f"no service {service_id}")
        await services.set_custom_rate(db, row["id"], service_id, units)

    try:
        run(work)
    except (CustomerError, services.ServiceError) as exc:
        fail(str(exc))
    console.print(f"service {service_id}: {customer} pays {'the list rate' if units is None else format_units(units)}")
