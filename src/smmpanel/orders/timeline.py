"""An order's timeline: every status move, upstream answer, hold, refund and cost recorded, one row each in
`order_events`, written by orders/lifecycle.py in the transaction of the move it describes (never by a
front end). The order's creation is the timeline's first entry, read from the order itself.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from smmpanel.db.connect import Database

KINDS = ("status", "refund", "cost", "edit", "upstream", "held", "resolved")


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    kind: str
    status_from: str | None
    status_to: str | None
    amount: int | None
    detail: str
    staff: str | None
    created_at: int


async def add(
    tx: Database, order_id: int, kind: str, *, status_from: str | None = None, status_to: str | None = None,
    amount: int | None = None, detail: str = "", staff_id: int | None = None, at: int | None = None,
) -> None:
    assert kind in KINDS
    await tx.execute(
        "INSERT INTO order_events (order_id, kind, status_from, status_to, amount, detail, staff_id, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        order_id, kind, status_from, status_to, amount, detail[:1000], staff_id, int(time.time()) if at is None else at,
    )  # fmt: skip


async def events(db: Database, order_id: int) -> list[Event]:
    rows = await db.fetch(
        "SELECT e.id, e.kind, e.status_from, e.status_to, e.amount, e.detail, s.name, e.created_at"
        " FROM order_events e LEFT JOIN staff s ON s.id = e.staff_id WHERE e.order_id = $1 ORDER BY e.id",
        order_id,
    )
    return [Event(int(r[0]), r[1], r[2], r[3], None if r[4] is None else int(r[4]), r[5], r[6], int(r[7]))
            for r in rows]
