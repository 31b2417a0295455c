"""`smmpanel users …`, `smmpanel keys …`, `smmpanel funds …`: customers, their API keys and their money."""

from __future__ import annotations

from typing import Any

import typer

from smmpanel.accounts import customers, keys, queries
from smmpanel.cli._common import console, fail, run, show
from smmpanel.config import get_settings
from smmpanel.db.connect import Database
from smmpanel.db.pages import MAX_PAGE
from smmpanel.money import MoneyError, format_units, parse_amount

users = typer.Typer(help="Customers: create, list, show, suspend.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys: add, revoke.", no_args_is_help=True)
funds = typer.Typer(help="Money: deposits and adjustments (always through the ledger).", no_args_is_help=True)


def _amount(text: str, *, allow_negative: bool = False) -> int:
    try:
        return parse_amount(text, allow_negative=allow_negative)
    except MoneyError as exc:
        fail(str(exc))
        raise  # unreachable


def _customer_row(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "status": row["status"],
        "balance": format_units(int(row["balance"])),
        "currency": row["currency"],
    }


@users.command("add")
def users_add(
    name: str,
    balance: str = typer.Option("0", help="Opening balance, e.g. 25.50"),
    currency: str = typer.Option(None, help="Account currency (default SMMPANEL_CURRENCY)"),
) -> None:
    """Create a customer; the new API key is printed on the last line (it is never shown again)."""
    units = _amount(balance)

    async def work(db: Database) -> tuple[int, str]:
        return await customers.create(db, name, balance=units, currency=currency or get_settings().currency)

    try:
        customer_id, key = run(work)
    except customers.CustomerError as exc:
        fail(str(exc))
        return
    console.print(f"customer {name} (id {customer_id}) created with balance {format_units(units)}")
    print(key)


@users.command("list")
def users_list(json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """All customers with balance, order and key counts."""

    async def work(db: Database) -> list[Any]:
        rows: list[Any] = []
        after_id = None
        while True:
            page = await queries.list_customers(db, after_id=after_id, limit=MAX_PAGE)
            rows += page.rows
            if page.next is None:
                return rows
            after_id = page.next

    rows = run(work)
    data = [_customer_row(r) | {"orders": r["orders"], "keys": r["keys"]} for r in rows]
    show(data, ["id", "name", "status", "balance", "currency", "orders", "keys"], as_json=json)


@users.command("show")
def users_show(name: str, json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """One customer, with the last ledger rows."""

    async def work(db: Database) -> tuple[Any, list[Any], list[Any]]:
        row = await customers.find(db, name)
        entries = await queries.ledger_entries(db, row["id"], limit=20)
        return row, entries.rows, await queries.keys_of(db, row["id"])

    try:
        row, entries, key_rows = run(work)
    except customers.CustomerError as exc:
        fail(str(exc))
        return
    data = _customer_row(row) | {
        "keys": [{"prefix": k["prefix"], "revoked": k["revoked_at"] is not None} for k in key_rows],
        "ledger": [
            {"id": e["id"], "kind": e["kind"], "amount": format_units(int(e["amount"])), "order": e["order_id"],
             "note": e["note"]}
            for e in entries
        ],
    }
    if json:
        show([data], [], as_json=True)
        return
    show([data], ["id", "name", "status", "balance", "currency"], as_json=False)
    show([{"prefix": k["prefix"] + "…", "revoked": k["revoked"]} for k in data["keys"]], ["prefix", "revoked"],
         as_json=False, title="API keys")
    show(data["ledger"], ["id", "kind", "amount", "order", "note"], as_json=False, title="Last ledger rows")


def _set_status(name: str, status: str) -> None:
    async def work(db: Database) -> None:
        await customers.set_status(db, name, status)

    try:
        run(work)
    except customers.CustomerError as exc:
        fail(str(exc))
    console.print(f"customer {name} is now {status}")


@users.command("suspend")
def users_suspend(name: str) -> None:
    """Suspend a customer: every API call with their keys answers "Invalid API key"."""
    _set_status(name, "suspended")


@users.command("activate")
def users_activate(name: str) -> None:
    """Re-activate a suspended customer."""
    _set_status(name, "active")


@keys_app.command("add")
def keys_add(name: str) -> None:
    """Give a customer another API key (printed once, on the last line)."""

    async def work(db: Database) -> str:
        row = await customers.find(db, name)
        return await keys.add_key(db, row["id"])

    try:
        key = run(work)
    except customers.CustomerError as exc:
        fail(str(exc))
        return
    print(key)


@keys_app.command("revoke")
def keys_revoke(key_prefix: str) -> None:
    """Revoke the key(s) starting with KEY_PREFIX (at least 6 characters)."""

    async def work(db: Database) -> int:
        return await keys.revoke(db, key_prefix)

    try:
        count = run(work)
    except ValueError as exc:
        fail(str(exc))
        return
    if count == 0:
        fail(f"no live key starts with {key_prefix!r}")
    console.print(f"revoked {count} key(s)")


@funds.command("add")
def funds_add(
    name: str,
    amount: str = typer.Argument(..., help="Amount; negative for a downward adjustment"),
    note: str = typer.Option(None, help="Why (kept in the ledger)"),
) -> None:
    """Deposit AMOUNT (or adjust down with a negative AMOUNT, never below zero)."""
    units = _amount(amount, allow_negative=True)

    async def work(db: Database) -> int:
        return await customers.add_funds(db, name, units, note)

    try:
        balance = run(work)
    except customers.CustomerError as exc:
        fail(str(exc))
        return
    console.print(f"{name}: balance {format_units(balance)}")


@users.command("password")
def users_password(name: str) -> None:
    """Give a customer a new generated web password (printed alone on the last line; shown only now)."""
    from smmpanel.accounts import passwords

    async def work(db: Database) -> str:
        return await passwords.reset_by_name(db, name)

    try:
        password = run(work)
    except customers.CustomerError as exc:
        fail(str(exc))
        return
    console.print(f"new web password for {name} (sign in at /login):")
    print(password)
