"""The business at a glance, for the console's dashboard: money for today / 7 / 30 days from the daily
rollups (orders/rollups.py, never a scan of orders), live order counts by status along the status index,
the queues waiting for a human (held orders, payment requests, open tickets), provider balances against
their low-balance thresholds, and the engine's heartbeat. Nothing here writes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from smmpanel.db.connect import Database
from smmpanel.db.tables import ORDER_STATUSES
from smmpanel.orders import lifecycle, rollups
from smmpanel.orders.rollups import Totals


@dataclass(frozen=True, slots=True)
class ProviderBalance:
    name: str
    balance: int | None
    currency: str
    low_balance: int | None
    checked_at: int | None

    @property
    def low(self) -> bool:
        return self.balance is not None and self.low_balance is not None and self.balance < self.low_balance


@dataclass(frozen=True, slots=True)
class Heartbeat:
    last_cycle: int | None  # the freshest engine heartbeat (Unix seconds)
    lag: int | None  # seconds since then
    workers: int
    last_error: str | None
    last_error_at: int | None


@dataclass(frozen=True, slots=True)
class Overview:
    today: Totals
    week: Totals
    month: Totals
    chart: list[tuple[int, Totals]]  # the last 30 days, oldest first, every day present
    by_status: dict[str, int]
    held: int
    payments_waiting: int
    open_tickets: int
    providers: list[ProviderBalance]
    heartbeat: Heartbeat


async def _count(db: Database, sql: str, *args: object) -> int:
    return int(await db.fetchval(sql, *args) or 0)


async def overview(db: Database, now: int | None = None) -> Overview:
    now = int(time.time()) if now is None else now
    today = rollups.day_of(now)
    days = await rollups.by_day(db, today - 29, today)
    empty = Totals(0, 0, 0, 0)

    def span(n: int) -> Totals:
        picked = [days[d] for d in range(today - n + 1, today + 1) if d in days]
        return Totals(*(sum(getattr(t, f) for t in picked) for f in ("orders", "charged", "refunded", "cost")))

    by_status = {s: await _count(db, "SELECT COUNT(*) FROM orders WHERE status = $1", s) for s in ORDER_STATUSES}
    held = await _count(db, f"SELECT COUNT(*) FROM orders WHERE dispatch = '{lifecycle.HELD}'")
    payments = await _count(db, "SELECT COUNT(*) FROM payment_requests WHERE status = 'Pending'")
    tickets = await _count(db, "SELECT COUNT(*) FROM tickets WHERE status = 'Open'")
    providers = [
        ProviderBalance(r[0], None if r[1] is None else int(r[1]), r[2] or "", None if r[3] is None else int(r[3]),
                        None if r[4] is None else int(r[4]))
        for r in await db.fetch(
            "SELECT name, balance, currency, low_balance, balance_checked_at FROM providers WHERE kind <> 'manual'"
            " ORDER BY name")
    ]  # fmt: skip
    beats = [int(r[0]) for r in await db.fetch("SELECT value FROM panel_state WHERE key LIKE 'worker:%'")]
    error = await db.fetchrow("SELECT detail, created_at FROM order_events WHERE kind = 'held' ORDER BY id DESC LIMIT 1")
    heartbeat = Heartbeat(max(beats) if beats else None, max(0, now - max(beats)) if beats else None, len(beats),
                          None if error is None else str(error[0]), None if error is None else int(error[1]))
    return Overview(
        today=span(1), week=span(7), month=span(30),
        chart=[(d, days.get(d, empty)) for d in range(today - 29, today + 1)],
        by_status=by_status, held=held, payments_waiting=payments, open_tickets=tickets, providers=providers,
        heartbeat=heartbeat,
    )  # fmt: skip
