"""Customers: a name, a status (active/suspended), a currency and a balance that only the ledger moves.

Creating a customer and changing its status tell the caller cache (accounts/callers.py); balance changes
(the ledger) do not need to, as the cache keeps who a key belongs to, never a balance."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from smmpanel.accounts import callers, keys, ledger
from smmpanel.db.connect import UNIQUE_VIOLATION, Database
from smmpanel.db.witness import Witness, tell

STATUSES = ("active", "suspended")
MAX_REASON = 500


class CustomerError(ValueError):
    pass


async def create(
    db: Database, name: str, *, balance: int = 0, currency: str = "USD",
    then: Callable[[Database, int], Awaitable[None]] | None = None,
) -> tuple[int, str]:
    """Create a customer with a first API key — and whatever `then(tx, customer_id)` adds (the website's
    credentials) — in ONE transaction; return (id, plaintext key). Raises CustomerError when the name is
    taken, also when a concurrent create took it first."""
    name = name.strip()
    if not name or len(name) > 64:
        raise CustomerError("a name is 1 to 64 characters")
    if await db.fetchval("SELECT 1 FROM customers WHERE name = $1", name):
        raise CustomerError(f"customer {name!r} exists")
    try:
        async with callers.changing(db), db.transaction() as tx:
            customer_id = await tx.fetchval(
                "INSERT INTO customers (name, currency, created_at) VALUES ($1, $2, $3) RETURNING id",
                name,
                currency,
                int(time.time()),
            )
            if balance:
                await ledger.credit(tx, customer_id, "deposit", balance, note="opening balance")
            key = await keys.insert_key(tx, customer_id)
            if then is not None:
                await then(tx, customer_id)
    except UNIQUE_VIOLATION as exc:
        if await db.fetchval("SELECT 1 FROM customers WHERE name = $1", name):
            raise CustomerError(f"customer {name!r} exists") from exc
        raise
    return customer_id, key


async def find(db: Database, name: str) -> Any:
    row = await db.fetchrow(
        "SELECT id, name, status, balance, currency, created_at FROM customers WHERE name = $1", name.strip()
    )
    if row is None:
        raise CustomerError(f"no customer named {name!r}")
    return row


async def set_status(db: Database, name: str, status: str) -> None:
    row = await find(db, name)
    await change_status(db, int(row["id"]), status)


async def change_status(db: Database, customer_id: int, status: str, *, witness: Witness | None = None) -> bool:
    """Suspend or activate; False when the customer already had that status (nothing changes, no witness)."""
    if status not in STATUSES:
        raise CustomerError(f"a status is one of {', '.join(STATUSES)}")
    async with callers.changing(db), db.transaction() as tx:
        old = await tx.fetchval("SELECT status FROM customers WHERE id = $1", customer_id)
        if old is None:
            raise CustomerError(f"no customer {customer_id}")
        changed = await tx.execute(
            "UPDATE customers SET status = $1 WHERE id = $2 AND status = $3", status, customer_id, old
        )
        if changed == 1 and old != status:
            await tell(witness, tx, {"status": old}, {"status": status})
            return True
    return False


async def add_funds(db: Database, name: str, amount: int, note: str | None = None) -> int:
    """Deposit (amount > 0) or adjust down (amount < 0, never below zero); return the new balance."""
    row = await find(db, name)
    return await move_funds(db, int(row[0]), amount, kind="deposit" if amount > 0 else "adjustment", note=note)


async def adjust_balance(
    db: Database, customer_id: int, amount: int, *, reason: str, by: str, witness: Witness | None = None
) -> int:
    """The operator's adjustment (either sign): one `adjustment` ledger row whose note names who made it and
    why; a negative amount never takes the balance below zero. Returns the new balance."""
    reason = " ".join(reason.split())
    if not reason:
        raise CustomerError("give a reason for the adjustment")
    if len(reason) > MAX_REASON:
        raise CustomerError(f"a reason is at most {MAX_REASON} characters")
    return await move_funds(db, customer_id, amount, kind="adjustment", note=f"by {by}: {reason}", witness=witness)


async def move_funds(
    db: Database, customer_id: int, amount: int, *, kind: str, note: str | None, witness: Witness | None = None
) -> int:
    """One ledger movement of `amount` (credit if > 0, conditional debit if < 0) and its witness, in one
    transaction; return the new balance."""
    if amount == 0:
        raise CustomerError("the amount must not be zero")
    async with db.transaction() as tx:
        before = await tx.fetchval("SELECT balance FROM customers WHERE id = $1", customer_id)
        if before is None:
            raise CustomerError(f"no customer {customer_id}")
        if amount > 0:
            await ledger.credit(tx, customer_id, kind, amount, note=note)
        elif not await ledger.debit(tx, customer_id, kind, -amount, note=note):
            raise CustomerError("the balance does not cover that adjustment")
        after = int(await tx.fetchval("SELECT balance FROM customers WHERE id = $1", customer_id))
        # `before` may be stale under concurrency; the witness records the amount and the balance it left
        await tell(witness, tx, {"balance": after - amount}, {"balance": after, "amount": amount, "note": note})
        return after
