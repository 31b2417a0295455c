"""Customers: a name, a status (active/suspended), a currency and a balance that only the ledger moves.

Creating a customer and changing its status tell the caller cache (accounts/callers.py); balance changes
(the ledger) do not need to, as the cache keeps who a key belongs to, never a balance."""

from __future__ import annotations

import time
from typing import Any

from smmpanel.accounts import callers, keys, ledger
from smmpanel.db.connect import Database


class CustomerError(ValueError):
    pass


async def create(db: Database, name: str, *, balance: int = 0, currency: str = "USD") -> tuple[int, str]:
    """Create a customer with a first API key; return (id, plaintext key)."""
    name = name.strip()
    if not name or len(name) > 64:
        raise CustomerError("a name is 1 to 64 characters")
    if await db.fetchval("SELECT 1 FROM customers WHERE name = $1", name):
        raise CustomerError(f"customer {name!r} exists")
    async with callers.changing(db), db.transaction() as tx:
        customer_id = await tx.fetchval(
            "INSERT INTO customers (name, currency, created_at) VALUES ($1, $2, $3) RETURNING id",
            name,
            currency,
            int(time.time()),
        )
        if balance:
            await ledger.credit(tx, customer_id, "deposit", balance, note="opening balance")
    return customer_id, await keys.add_key(db, customer_id)


async def find(db: Database, name: str) -> Any:
    row = await db.fetchrow(
        "SELECT id, name, status, balance, currency, created_at FROM customers WHERE name = $1", name.strip()
    )
    if row is None:
        raise CustomerError(f"no customer named {name!r}")
    return row


async def set_status(db: Database, name: str, status: str) -> None:
    async with callers.changing(db):
        changed = await db.execute("UPDATE customers SET status = $1 WHERE name = $2", status, name.strip())
    if changed != 1:
        raise CustomerError(f"no customer named {name!r}")


async def add_funds(db: Database, name: str, amount: int, note: str | None = None) -> int:
    """Deposit (amount > 0) or adjust down (amount < 0, never below zero); return the new balance."""
    row = await find(db, name)
    async with db.transaction() as tx:
        if amount > 0:
            await ledger.credit(tx, row[0], "deposit", amount, note=note)
        elif amount < 0:
            if not await ledger.debit(tx, row[0], "adjustment", -amount, note=note):
                raise CustomerError("the balance does not cover that adjustment")
        else:
            raise CustomerError("the amount must not be zero")
        return int(await tx.fetchval("SELECT balance FROM customers WHERE id = $1", row[0]))
