"""The `status` answer for one order or many: five strings, plus `runs`/`orders` for drip-feed parents and
`posts`/`orders`/`expiry` for subscriptions (spec §0). `charge` is what the order costs after refunds."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import orjson

from smmpanel.accounts.keys import Caller
from smmpanel.api import errors
from smmpanel.db.connect import Database
from smmpanel.money import format_units
from smmpanel.orders.ids import parse_id

_COLUMNS = (
    "SELECT o.id, o.charge - o.refunded, o.start_count, o.status, o.remains, o.runs, o.runs_done,"
    " s.type, o.fields FROM orders o JOIN services s ON s.id = o.service_id"
)
_ONE = _COLUMNS + " WHERE o.id = $1 AND o.customer_id = $2"
_CHILDREN = "SELECT id FROM orders WHERE parent_id = $1 ORDER BY id"

ERROR = {"error": errors.INCORRECT_ORDER}
# subscriptions speak their own vocabulary (spec §0, §5.3); the order row keeps the common one
SUBSCRIPTION_STATUS = {
    "Pending": "Active",
    "Processing": "Active",
    "In progress": "Active",
    "Completed": "Completed",
    "Partial": "Expired",
    "Canceled": "Canceled",
}


@lru_cache(maxsize=128)
def _sqlite_many(count: int) -> str:
    # `+o.customer_id`: look the rows up by primary key (one B-tree search each) rather than through
    # ix_orders_customer_id_id and then the table (two); the customer check still filters every row
    marks = ", ".join(f"${i + 2}" for i in range(count))
    return _COLUMNS + f" WHERE o.id IN ({marks}) AND +o.customer_id = $1"


def _plain(row: Any, currency: str) -> dict[str, Any]:
    return {
        "charge": format_units(row[1]),
        "start_count": str(row[2]),
        "status": row[3],
        "remains": str(row[4]),
        "currency": currency,
    }


def _needs_more(row: Any) -> bool:
    """Drip-feed parents and subscriptions also list their child orders (a second query)."""
    return row[5] is not None or row[7] == "Subscriptions"


async def _render(db: Database, row: Any, currency: str) -> dict[str, Any]:
    answer = _plain(row, currency)
    if row[5] is not None:
        answer["runs"] = str(row[6])
        answer["orders"] = [r[0] for r in await db.fetch(_CHILDREN, row[0])]
    elif row[7] == "Subscriptions":
        answer["status"] = SUBSCRIPTION_STATUS[row[3]]
        answer["posts"] = str(row[6])
        answer["orders"] = [r[0] for r in await db.fetch(_CHILDREN, row[0])]
        expiry = orjson.loads(row[8]).get("expiry")
        if expiry:
            answer["expiry"] = expiry
    return answer


async def status_one(db: Database, caller: Caller, value: object) -> dict[str, Any]:
    order_id = parse_id(value)
    row = None if order_id is None else await db.fetchrow(_ONE, order_id, caller.customer_id)
    if row is None:
        return ERROR
    return await _render(db, row, caller.currency) if _needs_more(row) else _plain(row, caller.currency)


async def status_many(db: Database, caller: Caller, keys: list[str]) -> dict[str, Any]:
    wanted = {key: parse_id(key) for key in keys}
    ids = [n for n in wanted.values() if n is not None]
    found: dict[int, Any] = {}
    if ids:
        if db.dialect == "postgresql":
            sql = _COLUMNS + " WHERE o.id = ANY($1::int[]) AND o.customer_id = $2"
            rows = await db.fetch(sql, ids, caller.customer_id)
        else:
            rows = await db.fetch(_sqlite_many(len(ids)), caller.customer_id, *ids)
        found = {row[0]: row for row in rows}
    answer: dict[str, Any] = {}
    currency = caller.currency
    for key in keys:
        number = wanted[key]
        row = None if number is None else found.get(number)
        if row is None:
            answer[key] = ERROR
        elif _needs_more(row):
            answer[key] = await _render(db, row, currency)
        else:
            answer[key] = _plain(row, currency)
    return answer
