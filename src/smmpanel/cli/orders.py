"""`smmpanel orders …` and `smmpanel refills …`: look at orders and fulfil them by hand."""

from __future__ import annotations

from typing import Any

import typer

from smmpanel.accounts import queries as accounts_queries
from smmpanel.cli._common import console, fail, run, show
from smmpanel.db.connect import Database
from smmpanel.db.pages import MAX_PAGE
from smmpanel.db.tables import ORDER_STATUSES, REFILL_STATUSES
from smmpanel.money import format_units
from smmpanel.orders import lifecycle, queries, refills

app = typer.Typer(help="Orders: list, update (manual fulfilment).", no_args_is_help=True)
refills_app = typer.Typer(help="Refills: list, update.", no_args_is_help=True)

def _row(r: Any) -> dict[str, Any]:
    return {
        "id": r["id"],
        "customer": r["customer"],
        "service": r["service_id"],
        "link": r["link"],
        "quantity": r["quantity"],
        "charge": format_units(int(r["charge"])),
        "refunded": format_units(int(r["refunded"])),
        "status": r["status"],
        "start_count": r["start_count"],
        "remains": r["remains"],
        "cancel_requested": bool(r["cancel_requested"]),
        "provider": r["provider"],
        "upstream": r["upstream_id"],
        "dispatch": r["dispatch"],
        "last_error": r["last_error"],
    }


@app.command("list")
def list_(
    user: str = typer.Option(None, "--user", help="Only this customer's orders"),
    status: str = typer.Option(None, "--status", help="Only orders in this status"),
    limit: int = typer.Option(100, "--limit"),
    json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """The newest orders, optionally filtered."""
    if status is not None and status not in ORDER_STATUSES:
        fail(f"unknown status {status!r}; one of: {', '.join(ORDER_STATUSES)}")

    async def work(db: Database) -> list[Any]:
        customer_id = None
        if user:
            customer_id = await accounts_queries.customer_id(db, user)
            if customer_id is None:
                return []
        rows: list[Any] = []
        before_id = None
        while len(rows) < limit:
            page = await queries.list_orders(
                db, customer_id=customer_id, status=status or None, before_id=before_id, limit=limit - len(rows)
            )
            rows += page.rows
            if page.next is None:
                break
            before_id = page.next
        return rows

    rows = [_row(r) for r in run(work)]
    show(rows, ["id", "customer", "service", "link", "quantity", "charge", "refunded", "status", "start_count",
                "remains", "cancel_requested", "provider", "upstream", "dispatch", "last_error"], as_json=json)


@app.command("update")
def update(
    order_id: int = typer.Argument(..., metavar="ID"),
    status: str = typer.Option(..., "--status", help=" | ".join(ORDER_STATUSES)),
    start_count: int = typer.Option(None, "--start-count"),
    remains: int = typer.Option(None, "--remains"),
) -> None:
    """Record progress by hand. Partial refunds what remains, Canceled refunds in full (exactly once)."""

    async def work(db: Database) -> lifecycle.Outcome:
        return await lifecycle.move(db, order_id, status, start_count=start_count, remains=remains,
                                    note="operator")

    try:
        outcome = run(work)
    except lifecycle.TransitionError as exc:
        fail(str(exc))
        return
    refunded = f", refunded {format_units(outcome.refunded)}" if outcome.refunded else ""
    console.print(f"order {order_id}: {outcome.status}, remains {outcome.remains}{refunded}")


@refills_app.command("list")
def refills_list(
    status: str = typer.Option(None, "--status"),
    json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """Refill requests, oldest first."""

    async def work(db: Database) -> list[Any]:
        rows: list[Any] = []
        after_id = None
        while True:
            page = await queries.list_refills(db, status=status or None, after_id=after_id, limit=MAX_PAGE)
            rows += page.rows
            if page.next is None:
                return rows
            after_id = page.next

    rows = [
        {"id": r["id"], "order": r["order_id"], "customer": r["name"], "status": r["status"]} for r in run(work)
    ]
    show(rows, ["id", "order", "customer", "status"], as_json=json)


@refills_app.command("update")
def refills_update(
    refill_id: int = typer.Argument(..., metavar="ID"),
    status: str = typer.Option(..., "--status", help=" | ".join(REFILL_STATUSES)),
) -> None:
    """Move a refill on (Completed and Rejected are final)."""

    async def work(db: Database) -> None:
        await refills.set_refill_status(db, refill_id, status)

    try:
        run(work)
    except ValueError as exc:
        fail(str(exc))
    console.print(f"refill {refill_id}: {status}")
