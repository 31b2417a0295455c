"""Cancel requests (spec §7.4): only where the service allows it, only for unfinished orders.

An order still Pending (not yet handed to fulfilment) is canceled at once with a full refund. Any other
active order gets `cancel_requested`, which fulfilment acts on (forwarding the cancel upstream; the order
later ends Canceled or Partial with the right refund). Either way the answer is `cancel: 1`: accepted.
"""

from __future__ import annotations

import time

from smmpanel.accounts.keys import Caller
from smmpanel.api import errors
from smmpanel.api.errors import ApiError
from smmpanel.db.connect import Database
from smmpanel.orders.ids import parse_id
from smmpanel.orders.lifecycle import TransitionError, move


async def request_cancel(db: Database, caller: Caller, value: object) -> int:
    order_id = parse_id(value)
    row = None
    if order_id is not None:
        row = await db.fetchrow(
            "SELECT o.status, o.cancel_requested, s.cancel FROM orders o JOIN services s ON s.id = o.service_id"
            " WHERE o.id = $1 AND o.customer_id = $2",
            order_id,
            caller.customer_id,
        )
    if order_id is None or row is None:
        raise ApiError(errors.INCORRECT_ORDER)
    status, already, allowed = row
    if not allowed:
        raise ApiError(errors.CANCEL_DISABLED)
    if status == "Pending":
        try:
            await move(db, order_id, "Canceled", expected="Pending", note="canceled by customer")
            return 1
        except TransitionError:
            status = await db.fetchval("SELECT status FROM orders WHERE id = $1", order_id)
    if status not in ("Processing", "In progress") or already:
        raise ApiError(errors.CANNOT_CANCEL)
    changed = await db.execute(
        "UPDATE orders SET cancel_requested = $1, updated_at = $2 WHERE id = $3 AND status = $4"
        " AND NOT cancel_requested",
        True,
        int(time.time()),
        order_id,
        status,
    )
    if changed != 1:
        raise ApiError(errors.CANNOT_CANCEL)
    return 1
