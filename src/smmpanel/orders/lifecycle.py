"""The order status machine and the one place where a finished order is refunded.

    Pending ──▶ Processing ──▶ In progress ──▶ Completed
       │             │               │
       └─────────────┴───────────────┴──▶ Partial (refund what remains) · Canceled (refund what is unrefunded)

Pending, Processing and In progress are *active* and may move to any status; Completed, Partial and
Canceled are final. Every persisted change is a compare-and-set on the expected status, so two actors
(operator, engine, cancel) can never both move the same order; the refund rides in the same transaction
and the unique refund row per order makes a second refund impossible even if a bug tried.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from smmpanel.accounts import ledger
from smmpanel.db.connect import Database
from smmpanel.db.tables import ORDER_STATUSES
from smmpanel.money import refund_units

ACTIVE = ("Pending", "Processing", "In progress")
FINAL = ("Completed", "Partial", "Canceled")


class TransitionError(ValueError):
    pass


def can_move(old: str, new: str) -> bool:
    return old in ACTIVE and new in ORDER_STATUSES


@dataclass(frozen=True)
class Outcome:
    order_id: int
    status: str
    remains: int
    refunded: int  # refunded by this change, in units


def settle(status: str, *, quantity: int, charge: int, refunded: int, remains: int | None) -> tuple[int, int]:
    """(remains to store, refund owed now) for a move into `status`; a pure function."""
    if status == "Canceled":
        return quantity, charge - refunded
    if status == "Partial":
        left = quantity if remains is None else max(0, min(remains, quantity))
        return left, refund_units(charge, left, quantity, refunded)
    if status == "Completed":
        return (0 if remains is None or remains > 0 else remains), 0
    return (quantity if remains is None else remains), 0


async def move(
    db: Database,
    order_id: int,
    status: str,
    *,
    expected: str | None = None,
    start_count: int | None = None,
    remains: int | None = None,
    note: str | None = None,
) -> Outcome:
    """Move an active order to `status`, refunding exactly once when it ends Partial or Canceled."""
    if status not in ORDER_STATUSES:
        raise TransitionError(f"unknown status {status!r}; one of: {', '.join(ORDER_STATUSES)}")
    async with db.transaction() as tx:
        row = await tx.fetchrow(
            "SELECT customer_id, status, quantity, charge, refunded, start_count FROM orders WHERE id = $1", order_id
        )
        if row is None:
            raise TransitionError(f"no order {order_id}")
        customer_id, current, quantity, charge, refunded, old_start = row
        if expected is not None and current != expected:
            raise TransitionError(f"order {order_id} is {current}, not {expected}")
        if not can_move(current, status):
            raise TransitionError(f"order {order_id} is {current}: a finished order cannot change")
        new_remains, refund = settle(status, quantity=quantity, charge=charge, refunded=refunded, remains=remains)
        now = int(time.time())
        changed = await tx.execute(
            "UPDATE orders SET status = $1, remains = $2, start_count = $3, refunded = refunded + $4,"
            " updated_at = $5, completed_at = CASE WHEN $8 THEN $5 ELSE completed_at END"
            " WHERE id = $6 AND status = $7",
            status,
            new_remains,
            old_start if start_count is None else start_count,
            refund,
            now,
            order_id,
            current,
            status == "Completed",
        )
        if changed != 1:
            raise TransitionError(f"order {order_id} changed meanwhile; try again")
        if refund > 0:
            await ledger.credit(tx, customer_id, "refund", refund, order_id=order_id, note=note or status)
    return Outcome(order_id, status, new_remains, refund)
