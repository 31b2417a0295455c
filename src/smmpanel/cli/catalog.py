"""`smmpanel services …`: the catalogue the panel sells."""

from __future__ import annotations

from typing import Any

import typer

from smmpanel.catalog import services
from smmpanel.cli._common import console, fail, run, show
from smmpanel.db.connect import Database
from smmpanel.money import MoneyError, format_units, parse_amount

app = typer.Typer(help="Services: add, list, update.", no_args_is_help=True)


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
    }

    async def work(db: Database) -> int:
        return await services.create(db, **values)

    try:
        service_id = run(work)
    except services.ServiceError as exc:
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
) -> None:
    """Change a service; only the flags given change."""
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
    }

    async def work(db: Database) -> None:
        await services.update(db, service_id, **values)

    try:
        run(work)
    except services.ServiceError as exc:
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
        if await db.fetchval("SELECT 1 FROM services WHERE id = $1", service_id) is None:
            raise services.ServiceError(f"no service {service_id}")
        await services.set_custom_rate(db, row["id"], service_id, units)

    try:
        run(work)
    except (CustomerError, services.ServiceError) as exc:
        fail(str(exc))
    console.print(f"service {service_id}: {customer} pays {'the list rate' if units is None else format_units(units)}")
