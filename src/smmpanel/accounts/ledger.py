"""The append-only ledger: the only way a balance changes.

Every movement is one ledger row plus one balance change, written by one function inside the caller's
transaction. A debit is a single conditional UPDATE (`… WHERE balance >= amount`), so concurrent orders can
never overdraw: the database, not a Python read-then-write, decides. `audit` proves
balance == sum(ledger) for every customer and refunded <= charged for every order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from smmpanel.db.connect import Database

_INSERT = (
    "INSERT INTO ledger (customer_id, kind, amount, order_id, note, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
)


async def credit(
    tx: Database, customer_id: int, kind: str, amount: int, *, order_id: int | None = None, note: str | None = None
) -> None:
    """Add `amount` units (> 0) to the balance: a deposit, a refund or a positive adjustment."""
    if amount <= 0:
        raise ValueError("a credit must be positive")
    changed = await tx.execute("UPDATE customers SET balance = balance + $1 WHERE id = $2", amount, customer_id)
    if changed != 1:
        raise LookupError(f"no customer {customer_id}")
    await tx.execute(_INSERT, customer_id, kind, amount, order_id, note, int(time.time()))


async def take(tx: Database, customer_id: int, amount: int) -> bool:
    """The conditional debit: one statement that fails (returns False) when the balance does not cover it.
    The caller writes the ledger row with `record` in the same transaction."""
    if amount < 0:
        raise ValueError("a debit must not be negative")
    changed = await tx.execute(
        "UPDATE customers SET balance = balance - $1 WHERE id = $2 AND balance >= $1", amount, customer_id
    )
    return changed == 1


async def record(
    tx: Database, customer_id: int, kind: str, amount: int, *, order_id: int | None = None, note: str | None = None
) -> None:
    """The ledger row for a balance change made in this transaction (amount signed: debits negative)."""
    if amount:
        await tx.execute(_INSERT, customer_id, kind, amount, order_id, note, int(time.time()))


async def debit(
    tx: Database, customer_id: int, kind: str, amount: int, *, order_id: int | None = None, note: str | None = None
) -> bool:
    """Take `amount` units if the balance covers it and write its row; False (nothing written) if not."""
    if not await take(tx, customer_id, amount):
        return False
    await record(tx, customer_id, kind, -amount, order_id=order_id, note=note)
    return True


@dataclass(frozen=True)
class Mismatch:
    what: str
    id: int
    expected: int
    found: int


async def audit(db: Database) -> list[Mismatch]:
    """Every balance equals its ledger sum; no order refunded more than charged; refunds match the ledger."""
    problems: list[Mismatch] = []
    rows = await db.fetch(
        "SELECT c.id, c.balance, COALESCE(SUM(l.amount), 0) AS total"
        " FROM customers c LEFT JOIN ledger l ON l.customer_id = c.id GROUP BY c.id, c.balance"
    )
    problems += [Mismatch("balance", r[0], int(r[2]), int(r[1])) for r in rows if int(r[1]) != int(r[2])]
    problems += [Mismatch("balance_negative", r[0], 0, int(r[1])) for r in rows if int(r[1]) < 0]
    rows = await db.fetch(
        "SELECT o.id, o.charge, o.refunded,"
        " COALESCE(SUM(CASE WHEN l.kind = 'charge' THEN -l.amount ELSE 0 END), 0),"
        " COALESCE(SUM(CASE WHEN l.kind = 'refund' THEN l.amount ELSE 0 END), 0)"
        " FROM orders o LEFT JOIN ledger l ON l.order_id = o.id GROUP BY o.id, o.charge, o.refunded"
    )
    for order_id, charge, refunded, charged, refund_rows in rows:
        if int(refunded) > int(charge):
            problems.append(Mismatch("refund_over_charge", order_id, int(charge), int(refunded)))
        if int(charged) != int(charge):
            problems.append(Mismatch("order_charge", order_id, int(charge), int(charged)))
        if int(refund_rows) != int(refunded):
            problems.append(Mismatch("order_refund", order_id, int(refunded), int(refund_rows)))
    return problems
