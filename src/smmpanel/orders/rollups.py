"""Daily money rollups: orders placed, charged, refunded and provider cost per UTC day and customer, service
and provider — what the dashboard and the reports read instead of scanning orders.

Invariant: every change is written by `add` INSIDE the transaction of the ledger row (charge: placing.py;
refund: lifecycle.move) or the cost record (lifecycle.move) that moves the money, so for any set of days
SUM(charged) − SUM(refunded) equals what the ledger's charge and refund rows of those days say.
Revenue = charged − refunded; profit = revenue − cost.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from smmpanel.db.connect import Database

DAY = 86400
_UPSERT = (
    "INSERT INTO order_rollups (day, customer_id, service_id, provider_id, orders, charged, refunded, cost)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (day, customer_id, service_id, provider_id) DO UPDATE"
    " SET orders = order_rollups.orders + excluded.orders, charged = order_rollups.charged + excluded.charged,"
    " refunded = order_rollups.refunded + excluded.refunded, cost = order_rollups.cost + excluded.cost"
)


def day_of(timestamp: int) -> int:
    return timestamp // DAY


async def add(
    tx: Database, *, customer_id: int, service_id: int, provider_id: int | None, orders: int = 0, charged: int = 0,
    refunded: int = 0, cost: int = 0, at: int | None = None,
) -> None:
    """Count money into today's (or `at`'s) rollup row, in the caller's transaction."""
    day = day_of(int(time.time()) if at is None else at)
    await tx.execute(_UPSERT, day, customer_id, service_id, provider_id or 0, orders, charged, refunded, cost)


@dataclass(frozen=True, slots=True)
class Totals:
    orders: int
    charged: int
    refunded: int
    cost: int

    @property
    def revenue(self) -> int:
        return self.charged - self.refunded

    @property
    def profit(self) -> int:
        return self.revenue - self.cost


_SUMS = "COALESCE(SUM(orders), 0), COALESCE(SUM(charged), 0), COALESCE(SUM(refunded), 0), COALESCE(SUM(cost), 0)"


def _totals(row: object) -> Totals:
    values = [int(v) for v in row]  # type: ignore[attr-defined]
    return Totals(*values)


async def totals(db: Database, first_day: int, last_day: int) -> Totals:
    """The sums over days first_day..last_day (inclusive)."""
    row = await db.fetchrow(f"SELECT {_SUMS} FROM order_rollups WHERE day >= $1 AND day <= $2", first_day, last_day)
    return _totals(row)


async def by_day(db: Database, first_day: int, last_day: int) -> dict[int, Totals]:
    rows = await db.fetch(
        f"SELECT day, {_SUMS} FROM order_rollups WHERE day >= $1 AND day <= $2 GROUP BY day ORDER BY day",
        first_day, last_day,
    )  # fmt: skip
    return {int(r[0]): _totals(list(r)[1:]) for r in rows}


_DIMENSIONS = {
    "day": ("r.day", "CAST(r.day AS TEXT)", ""),
    "service": ("r.service_id", "COALESCE(s.name, 'service ' || CAST(r.service_id AS TEXT))",
                " LEFT JOIN services s ON s.id = r.service_id"),
    "provider": ("r.provider_id", "COALESCE(p.name, 'by hand')", " LEFT JOIN providers p ON p.id = r.provider_id"),
    "customer": ("r.customer_id", "COALESCE(c.name, 'customer ' || CAST(r.customer_id AS TEXT))",
                 " LEFT JOIN customers c ON c.id = r.customer_id"),
}
DIMENSIONS = tuple(_DIMENSIONS)


@dataclass(frozen=True, slots=True)
class ReportRow:
    key: int
    label: str
    totals: Totals


async def report(db: Database, dimension: str, first_day: int, last_day: int) -> list[ReportRow]:
    """Sums per day, service, provider or customer over days first_day..last_day, biggest revenue first
    (by day: in day order)."""
    key, label, join = _DIMENSIONS[dimension]
    sums = ("COALESCE(SUM(r.orders), 0), COALESCE(SUM(r.charged), 0), COALESCE(SUM(r.refunded), 0),"
            " COALESCE(SUM(r.cost), 0)")
    order = "1" if dimension == "day" else "(SUM(r.charged) - SUM(r.refunded)) DESC, 1"
    rows = await db.fetch(
        f"SELECT {key}, MIN({label}), {sums} FROM order_rollups r{join} WHERE r.day >= $1 AND r.day <= $2"
        f" GROUP BY {key} ORDER BY {order}",
        first_day, last_day,
    )  # fmt: skip
    return [ReportRow(int(r[0]), str(r[1]), _totals(list(r)[2:])) for r in rows]
