"""`smmpanel payments …`: the customers' payment requests (approve credits the ledger exactly once) and the
payment methods they choose from."""

from __future__ import annotations

import getpass

import typer

from smmpanel.cli._common import console, fail, run, show
from smmpanel.db.connect import Database
from smmpanel.money import MoneyError, format_units, parse_amount
from smmpanel.payments import methods, requests
from smmpanel.payments.requests import PaymentError, PaymentRequest

app = typer.Typer(help="Payment requests: list, approve, reject; payment methods.", no_args_is_help=True)
methods_app = typer.Typer(help="Payment methods customers choose on /addfunds.", no_args_is_help=True)
app.add_typer(methods_app, name="methods")


def _operator() -> str:
    try:
        return "cli:" + getpass.getuser()
    except Exception:
        return "cli"


def _row(r: PaymentRequest) -> dict[str, object]:
    return {"id": r.id, "customer": r.customer, "method": r.method, "amount": format_units(r.amount),
            "reference": r.reference, "status": r.status, "reason": r.reason}


@app.command("list")
def payments_list(
    status: str = typer.Option(None, "--status", help="Pending, Approved or Rejected"),
    json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """Payment requests, newest first."""

    async def work(db: Database) -> list[PaymentRequest]:
        return await requests.list_requests(db, status)

    show([_row(r) for r in run(work)], ["id", "customer", "method", "amount", "reference", "status", "reason"],
         as_json=json)


@app.command("approve")
def payments_approve(request_id: int) -> None:
    """Credit a Pending request to the customer's balance (once, however often it is approved)."""

    async def work(db: Database) -> PaymentRequest:
        return await requests.approve(db, request_id, by=_operator())

    try:
        done = run(work)
    except PaymentError as exc:
        fail(str(exc))
        return
    console.print(f"payment request {done.id} approved: {format_units(done.amount)} credited to {done.customer}")


@app.command("reject")
def payments_reject(request_id: int, reason: str = typer.Option(..., "--reason", help="Shown to the customer")) -> None:
    """Refuse a Pending request; the customer sees the reason."""

    async def work(db: Database) -> PaymentRequest:
        return await requests.reject(db, request_id, reason, by=_operator())

    try:
        done = run(work)
    except PaymentError as exc:
        fail(str(exc))
        return
    console.print(f"payment request {done.id} rejected")


@methods_app.command("add")
def methods_add(
    name: str,
    instructions: str = typer.Option(..., "--instructions", help="What the customer reads before paying"),
    min_amount: str = typer.Option("0", "--min", help="Smallest amount accepted, e.g. 10"),
) -> None:
    """Add a manual payment method."""
    try:
        minimum = parse_amount(min_amount)
    except MoneyError as exc:
        fail(str(exc))
        return

    async def work(db: Database) -> int:
        return await methods.add(db, name, instructions, minimum)

    try:
        method_id = run(work)
    except methods.MethodError as exc:
        fail(str(exc))
        return
    console.print(f"payment method {name} (id {method_id}) added")


@methods_app.command("list")
def methods_list(json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Every payment method."""
    rows = run(methods.list_all)
    show([{"id": m.id, "name": m.name, "min": format_units(m.min_amount), "enabled": m.enabled,
           "instructions": m.instructions} for m in rows], ["id", "name", "min", "enabled", "instructions"],
         as_json=json)
