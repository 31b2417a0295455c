"""Placing an order (`add`): validate → conditional debit → duplicate-link guard → insert → ledger row,
all in one short transaction. Any refusal raises ApiError inside the transaction, which rolls it back, so a
refused order never leaves a trace in the balance or the ledger.

The debit comes first on purpose: it locks the customer's row (PostgreSQL), so two concurrent orders of the
same customer are serialised and the duplicate-link check sees the other's committed order. The error
precedence of spec §3.2 (duplicate link before funds) is kept by checking the guard before reporting funds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import orjson

from smmpanel.accounts import ledger
from smmpanel.accounts.keys import Caller
from smmpanel.api import errors
from smmpanel.api.errors import ApiError
from smmpanel.catalog.services import for_order
from smmpanel.db.connect import Database
from smmpanel.orders import lifecycle
from smmpanel.orders.ids import parse_id
from smmpanel.orders.types import ServiceRules, build_order

_ACTIVE_LINK = (
    f"SELECT 1 FROM orders WHERE customer_id = $1 AND service_id = $2 AND link = $3 AND {lifecycle.ACTIVE_SQL} LIMIT 1"
)
_INSERT = (
    "INSERT INTO orders (customer_id, service_id, link, quantity, runs, interval, fields, charge, remains,"
    " created_at, updated_at, provider_id, dispatch) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $4, $9, $9, $10, $11)"
    " RETURNING id"
)


def _dispatch_state(provider_id: int | None, runs: int | None, provider_dripfeed: bool) -> str | None:
    """None: fulfilled by hand; 'scheduled': the engine runs the drip-feed itself; 'queued': dispatch it."""
    if provider_id is None:
        return None
    return "scheduled" if runs and not provider_dripfeed else "queued"


async def place_order(db: Database, caller: Caller, params: Mapping[str, str | list[str]]) -> int:
    service_id = parse_id(params.get("service"))
    service = None if service_id is None else await for_order(db, service_id, caller.customer_id)
    if service is None:
        raise ApiError(errors.INCORRECT_SERVICE)
    draft = build_order(ServiceRules(service.type, service.rate, service.min, service.max, service.dripfeed), params)
    fields = orjson.dumps(draft.fields).decode() if draft.fields else "{}"
    async with db.transaction() as tx:
        paid = await ledger.take(tx, caller.customer_id, draft.charge)
        if service.link_guard and await tx.fetchval(_ACTIVE_LINK, caller.customer_id, service.id, draft.link):
            raise ApiError(errors.ACTIVE_ORDER)
        if not paid:
            raise ApiError(errors.NOT_ENOUGH_FUNDS)
        order_id = int(
            await tx.fetchval(
                _INSERT,
                caller.customer_id,
                service.id,
                draft.link,
                draft.quantity,
                draft.runs,
                draft.interval,
                fields,
                draft.charge,
                int(time.time()),
                service.provider_id,
                _dispatch_state(service.provider_id, draft.runs, service.provider_dripfeed),
            )
        )
        await ledger.record(tx, caller.customer_id, "charge", -draft.charge, order_id=order_id)
    return order_id
