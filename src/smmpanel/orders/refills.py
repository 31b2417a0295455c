"""Refill requests: eligibility (spec §7.2) and refill records with their own ids and statuses.

Eligibility, first failure wins: the service offers refills → the order is Completed → the refill window
(service refill days after completion) is open → nothing happened in the cooldown (24 h by default,
SMMPANEL_REFILL_COOLDOWN_HOURS) since completion or since the last refill request. A refill is free.
"""

from __future__ import annotations

import time

from smmpanel.db.connect import Database
from smmpanel.db.witness import Witness, tell
from smmpanel.orders import lifecycle
from smmpanel.orders.refusals import OrderRefused, Reason

DAY = 86_400


def check_eligible(
    *, refill_days: int, status: str, completed_at: int | None, last_event: int, now: int, cooldown: float
) -> None:
    """Raise OrderRefused when a refill may not be requested now; a pure function."""
    if refill_days <= 0:
        raise OrderRefused(Reason.REFILL_DISABLED)
    if status != "Completed" or completed_at is None:
        raise OrderRefused(Reason.NOT_COMPLETED)
    if now > completed_at + refill_days * DAY:
        raise OrderRefused(Reason.REFILL_DAYS_OVER)
    if now < last_event + cooldown:
        raise OrderRefused(Reason.REFILL_TOO_SOON)


def can_refill(
    *, refill_days: int, status: str, completed_at: int | None, last_event: int, now: int, cooldown: float
) -> bool:
    """Whether `check_eligible` lets a refill be requested now (the website shows its Refill button then)."""
    try:
        check_eligible(refill_days=refill_days, status=status, completed_at=completed_at, last_event=last_event,
                       now=now, cooldown=cooldown)
    except OrderRefused:
        return False
    return True


async def request_refill(db: Database, customer_id: int, order_id: int, *, cooldown_hours: float) -> int:
    """A new refill of the customer's order; its id. Raises OrderRefused (ORDER_NOT_FOUND or ineligible)."""
    now = int(time.time())
    async with db.transaction() as tx:
        if tx.dialect == "postgresql":  # one request per order at a time, so the read below sees the last one
            await tx.execute("SELECT 1 FROM orders WHERE id = $1 FOR UPDATE", order_id)
        row = await tx.fetchrow(
            "SELECT o.status, o.completed_at, s.refill_days,"
            " (SELECT MAX(created_at) FROM refills r WHERE r.order_id = o.id), o.upstream_id"
            " FROM orders o JOIN services s ON s.id = o.service_id WHERE o.id = $1 AND o.customer_id = $2",
            order_id,
            customer_id,
        )
        if row is None:
            raise OrderRefused(Reason.ORDER_NOT_FOUND)
        status, completed_at, refill_days, last_refill, upstream_id = row
        check_eligible(
            refill_days=refill_days,
            status=status,
            completed_at=completed_at,
            last_event=max(completed_at or 0, last_refill or 0),
            now=now,
            cooldown=cooldown_hours * 3600,
        )
        return int(
            await tx.fetchval(
                "INSERT INTO refills (order_id, customer_id, created_at, updated_at, forward)"
                " VALUES ($1, $2, $3, $3, $4) RETURNING id",
                order_id,
                customer_id,
                now,
                None if upstream_id is None else "queued",  # fulfilment forwards it to the provider
            )
        )


async def refill_status(db: Database, customer_id: int, refill_id: int) -> str:
    """The status of the customer's refill; raises OrderRefused(REFILL_NOT_FOUND)."""
    status = await db.fetchval(
        "SELECT status FROM refills WHERE id = $1 AND customer_id = $2", refill_id, customer_id
    )
    if status is None:
        raise OrderRefused(Reason.REFILL_NOT_FOUND)
    return str(status)


async def set_refill_status(
    db: Database, refill_id: int, status: str, *, expected: str | None = None, witness: Witness | None = None
) -> None:
    """Operator or engine: move a refill on (a compare-and-set on `expected` when given). Completed and
    Rejected are final. The witness (the console's activity row) commits with the move."""
    async with db.transaction() as tx:
        old = expected or await tx.fetchval("SELECT status FROM refills WHERE id = $1", refill_id)
        if old is None or not await lifecycle.move_refill(tx, refill_id, status, expected=expected):
            raise ValueError(f"refill {refill_id} does not exist or is already finished")
        await tell(witness, tx, {"status": old}, {"status": status})
