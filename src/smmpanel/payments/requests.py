"""Payment requests: a customer says "I paid AMOUNT by METHOD, reference REF"; the operator approves (the
balance is credited) or rejects (with a reason).

    Pending ──approve──▶ Approved   (one deposit ledger row, in the same transaction)
       └─────reject───▶ Rejected

Invariant: a request is credited exactly once, whoever approves it and however often: the status change is a
compare-and-set (`WHERE status = 'Pending'`) and the ledger row is written only by the transaction whose
compare-and-set changed the row; a concurrent second approval finds nothing Pending and changes nothing.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass

from smmpanel.accounts import ledger
from smmpanel.db.connect import Database
from smmpanel.db.witness import Witness, tell
from smmpanel.payments import methods

_NEWEST = 2**31 - 1  # above every id (ids are 32-bit integers on PostgreSQL)
MAX_AMOUNT = 10**6 * 10**5  # one million in the currency, per request


class Refusal(enum.Enum):
    METHOD = "method"
    AMOUNT_LOW = "amount_low"
    AMOUNT_HIGH = "amount_high"
    REFERENCE = "reference"
    NOT_FOUND = "not_found"
    NOT_PENDING = "not_pending"
    REASON = "reason"


class PaymentError(ValueError):
    def __init__(self, reason: Refusal, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    id: int
    customer_id: int
    customer: str
    method: str
    amount: int
    reference: str
    status: str
    reason: str | None
    created_at: int
    decided_at: int | None


_SELECT = (
    "SELECT r.id, r.customer_id, c.name, m.name, r.amount, r.reference, r.status, r.reason, r.created_at,"
    " r.decided_at FROM payment_requests r JOIN customers c ON c.id = r.customer_id"
    " JOIN payment_methods m ON m.id = r.method_id"
)


def _request(r: object) -> PaymentRequest:
    row = r  # sqlite3.Row or asyncpg.Record
    v = [row[i] for i in range(10)]  # type: ignore[index]
    return PaymentRequest(int(v[0]), int(v[1]), v[2], v[3], int(v[4]), v[5], v[6], v[7], int(v[8]), v[9])


async def submit(db: Database, customer_id: int, method_id: int, amount: int, reference: str) -> int:
    method = await methods.get(db, method_id)
    if method is None or not method.enabled:
        raise PaymentError(Refusal.METHOD, "Choose a payment method.")
    if amount <= 0 or amount < method.min_amount:
        raise PaymentError(Refusal.AMOUNT_LOW, "The amount is below this method's minimum.")
    if amount > MAX_AMOUNT:
        raise PaymentError(Refusal.AMOUNT_HIGH, "The amount is too large.")
    reference = reference.strip()
    if not reference or len(reference) > 256:
        raise PaymentError(Refusal.REFERENCE, "Give the payment's reference (1 to 256 characters).")
    return int(
        await db.fetchval(
            "INSERT INTO payment_requests (customer_id, method_id, amount, reference, status, created_at)"
            " VALUES ($1, $2, $3, $4, 'Pending', $5) RETURNING id",
            customer_id,
            method_id,
            amount,
            reference,
            int(time.time()),
        )
    )


async def of_customer(
    db: Database, customer_id: int, *, before: int | None = None, limit: int = 25
) -> tuple[list[PaymentRequest], int | None]:
    """One keyset page of the customer's requests, newest first, and the `before` of the next page."""
    rows = await db.fetch(
        _SELECT + " WHERE r.customer_id = $1 AND r.id < $2 ORDER BY r.id DESC LIMIT $3",
        customer_id,
        before if before is not None else _NEWEST,
        limit + 1,
    )
    found = [_request(r) for r in rows[:limit]]
    return found, (found[-1].id if len(rows) > limit else None)


async def list_requests(db: Database, status: str | None = None, limit: int = 200) -> list[PaymentRequest]:
    if status is None:
        rows = await db.fetch(_SELECT + " ORDER BY r.id DESC LIMIT $1", limit)
    else:
        rows = await db.fetch(_SELECT + " WHERE r.status = $1 ORDER BY r.id DESC LIMIT $2", status, limit)
    return [_request(r) for r in rows]


async def get(db: Database, request_id: int) -> PaymentRequest | None:
    row = await db.fetchrow(_SELECT + " WHERE r.id = $1", request_id)
    return None if row is None else _request(row)


async def approve(db: Database, request_id: int, *, by: str, witness: Witness | None = None) -> PaymentRequest:
    """Credit the request's amount once; a request no longer Pending is refused and nothing moves. The
    witness (the console's activity row) is written by the transaction that won the compare-and-set only."""
    now = int(time.time())
    async with db.transaction() as tx:
        row = await tx.fetchrow(
            "UPDATE payment_requests SET status = 'Approved', decided_at = $2, decided_by = $3"
            " WHERE id = $1 AND status = 'Pending' RETURNING customer_id, amount",
            request_id,
            now,
            by[:64],
        )
        if row is not None:
            await ledger.credit(tx, int(row[0]), "deposit", int(row[1]), note=f"payment request {request_id}")
            await tell(witness, tx, {"status": "Pending"}, {"status": "Approved", "amount": int(row[1])})
    return await _decided(db, request_id, row is not None)


async def reject(
    db: Database, request_id: int, reason: str, *, by: str, witness: Witness | None = None
) -> PaymentRequest:
    reason = reason.strip()
    if not reason:
        raise PaymentError(Refusal.REASON, "a rejection needs a reason")
    async with db.transaction() as tx:
        changed = await tx.execute(
            "UPDATE payment_requests SET status = 'Rejected', reason = $2, decided_at = $3, decided_by = $4"
            " WHERE id = $1 AND status = 'Pending'",
            request_id,
            reason,
            int(time.time()),
            by[:64],
        )
        if changed == 1:
            await tell(witness, tx, {"status": "Pending"}, {"status": "Rejected", "reason": reason})
    return await _decided(db, request_id, changed == 1)


async def _decided(db: Database, request_id: int, changed: bool) -> PaymentRequest:
    found = await get(db, request_id)
    if found is None:
        raise PaymentError(Refusal.NOT_FOUND, f"no payment request {request_id}")
    if not changed:
        raise PaymentError(Refusal.NOT_PENDING, f"payment request {request_id} is already {found.status}")
    return found
