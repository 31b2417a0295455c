"""A customer's ledger as a statement: every movement, newest first, with the balance after it, one keyset
page at a time (`before` = the smallest id of the previous page), so any page costs one indexed range scan.

Invariant: the running balance is derived from the ledger itself (sum of the rows up to and including each
one), so it always agrees with `audit`.
"""

from __future__ import annotations

from dataclasses import dataclass

from smmpanel.db.connect import Database

_NEWEST = 2**31 - 1  # above every id (ids are 32-bit integers on PostgreSQL)


@dataclass(frozen=True, slots=True)
class Movement:
    id: int
    kind: str
    amount: int
    order_id: int | None
    note: str | None
    created_at: int
    balance_after: int


@dataclass(frozen=True, slots=True)
class Page:
    movements: list[Movement]
    next_before: int | None  # pass as `before` for the next (older) page; None: this is the last


async def statement(db: Database, customer_id: int, *, before: int | None = None, limit: int = 25) -> Page:
    rows = await db.fetch(
        "SELECT id, kind, amount, order_id, note, created_at FROM ledger WHERE customer_id = $1 AND id < $2"
        " ORDER BY id DESC LIMIT $3",
        customer_id,
        before if before is not None else _NEWEST,
        limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return Page([], None)
    balance = int(
        await db.fetchval(
            "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE customer_id = $1 AND id <= $2", customer_id, rows[0][0]
        )
    )
    movements = []
    for row in rows:
        movements.append(Movement(int(row[0]), row[1], int(row[2]), row[3], row[4], int(row[5]), balance))
        balance -= int(row[2])
    return Page(movements, movements[-1].id if more else None)
