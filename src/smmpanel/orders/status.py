"""Reading where a customer's orders stand: one order or many, by id, only the customer's own.

An `OrderState` is what any front end shows of an order: `charge` is what the order costs after refunds
(units), `remains` may be negative for over-delivery; drip-feed parents (`runs` set) and subscriptions also
carry the ids of their child orders, and a subscription its expiry. Words and shapes belong to the front end
(api/v2.py renders the API v2 `status` answer). This is the hottest read of the panel (`status` is
benchmarked, bench/): one indexed statement per call, a second only for parents and subscriptions.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

import orjson

from smmpanel.db.connect import Database

SUBSCRIPTIONS = "Subscriptions"
# subscriptions speak their own vocabulary (spec §0, §5.3) to the customer and in the console; the order row
# keeps the common one
SUBSCRIPTION_STATUS = {
    "Pending": "Active",
    "Processing": "Active",
    "In progress": "Active",
    "Completed": "Completed",
    "Partial": "Expired",
    "Canceled": "Canceled",
}

_COLUMNS = (
    "SELECT o.id, o.charge - o.refunded, o.start_count, o.status, o.remains, o.runs, o.runs_done,"
    " s.type, o.fields FROM orders o JOIN services s ON s.id = o.service_id"
)
_ONE = _COLUMNS + " WHERE o.id = $1 AND o.customer_id = $2"
_MANY_POSTGRESQL = _COLUMNS + " WHERE o.id = ANY($1::int[]) AND o.customer_id = $2"
_CHILDREN = "SELECT id FROM orders WHERE parent_id = $1 ORDER BY id"


class OrderState(NamedTuple):
    id: int
    charge: int  # units, after refunds
    start_count: int
    status: str  # the order status (orders.lifecycle), whatever the type
    remains: int
    runs: int | None  # drip-feed parents: the runs asked for; else None
    runs_done: int  # drip-feed runs done; for subscriptions, the posts covered
    type: str  # the service type
    children: list[int] | None = None  # child order ids of drip-feed parents and subscriptions
    expiry: str | None = None  # subscriptions: the last day, dd/mm/YYYY, when set


@lru_cache(maxsize=128)
def _sqlite_many(count: int) -> str:
    # `+o.customer_id`: look the rows up by primary key (one B-tree search each) rather than through
    # ix_orders_customer_id_id and then the table (two); the customer check still filters every row
    marks = ", ".join(f"${i + 2}" for i in range(count))
    return _COLUMNS + f" WHERE o.id IN ({marks}) AND +o.customer_id = $1"


async def _state(db: Database, row: Any) -> OrderState:
    if row[5] is None and row[7] != SUBSCRIPTIONS:
        return OrderState(row[0], row[1], row[2], row[3], row[4], None, row[6], row[7])
    children = [r[0] for r in await db.fetch(_CHILDREN, row[0])]
    expiry = orjson.loads(row[8]).get("expiry") if row[5] is None else None
    return OrderState(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], children, expiry)


async def order_state(db: Database, customer_id: int, order_id: int) -> OrderState | None:
    """The customer's order, or None when there is no such order of theirs."""
    row = await db.fetchrow(_ONE, order_id, customer_id)
    return None if row is None else await _state(db, row)


async def order_states(db: Database, customer_id: int, order_ids: list[int]) -> dict[int, OrderState]:
    """The customer's orders among `order_ids`, by id; ids of no order of theirs are left out."""
    if not order_ids:
        return {}
    if db.dialect == "postgresql":
        rows = await db.fetch(_MANY_POSTGRESQL, order_ids, customer_id)
    else:
        rows = await db.fetch(_sqlite_many(len(order_ids)), customer_id, *order_ids)
    return {row[0]: await _state(db, row) for row in rows}
