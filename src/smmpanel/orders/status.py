"""The `status` answer for one order or many: five strings, plus `runs`/`orders` for drip-feed parents and
`posts`/`orders`/`expiry` for subscriptions (spec §0). `charge` is what the order costs after refunds."""

from __future__ import annotations

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


async def _render(db: Database, row: Any, currency: str) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "charge": format_units(row[1]),
        "start_count": str(row[2]),
        "status": row[3],
        "remains": str(row[4]),
        "currency": currency,
    }
    if row[5] is not None:
        answer["runs"] = str(row[6])
        answer["orders"] = [r[0] for r in await db.fetch(_CHILDREN, row[0])]
    elif row[7] == "Subscriptions":
        answer["posts"] = str(row[6])
        answer["orders"] = [r[0] for r in await db.fetch(_CHILDREN, row[0])]
        expiry = orjson.loads(row[8]).get("expiry")
        if expiry:
            answer["expiry"] = expiry
    return answer


async def status_one(db: Database, caller: Caller, value: object) -> dict[str, Any]:
    order_id = parse_id(value)
    row = None if order_id is None else await db.fetchrow(_ONE, order_id, caller.customer_id)
    return ERROR if row is None else await _render(db, row, caller.currency)


async def status_many(db: Database, caller: Caller, keys: list[str]) -> dict[str, Any]:
    wanted = {key: parse_id(key) for key in keys}
    ids = [n for n in wanted.values() if n is not None]
    found: dict[int, Any] = {}
    if ids:
        if db.dialect == "postgresql":
            sql = _COLUMNS + " WHERE o.id = ANY($1::int[]) AND o.customer_id = $2"
            rows = await db.fetch(sql, ids, caller.customer_id)
        else:
            marks = ", ".join(f"${i + 2}" for i in range(len(ids)))
            sql = _COLUMNS + f" WHERE o.id IN ({marks}) AND o.customer_id = $1"
            rows = await db.fetch(sql, caller.customer_id, *ids)
        found = {row[0]: row for row in rows}
    answer: dict[str, Any] = {}
    for key in keys:
        number = wanted[key]
        row = None if number is None else found.get(number)
        answer[key] = ERROR if row is None else await _render(db, row, caller.currency)
    return answer
