"""Placing an order (`add`): validate → conditional debit → duplicate-link guard → insert → ledger row,
all in one short transaction (with the day's money rollup, orders/rollups.py). Any refusal raises OrderRefused inside the transaction, which rolls it back, so
a refused order never leaves a trace in the balance or the ledger.

A front end first asks for the service (`orderable_service`: its type says which typed request to build),
builds the request (orders.requests) from its own input, then calls `place_order`.

The debit comes first on purpose: it locks the customer's row (PostgreSQL), so two concurrent orders of the
same customer are serialised and the duplicate-link check sees the other's committed order. The error
precedence of spec §3.2 (duplicate link before funds) is kept by checking the guard before reporting funds.
"""

from __future__ import annotations

import time

import orjson

from smmpanel.accounts import ledger
from smmpanel.catalog.services import ServiceForOrder, for_order
from smmpanel.db.connect import Database
from smmpanel.orders import lifecycle, rollups
from smmpanel.orders.refusals import OrderRefused, Reason
from smmpanel.orders.requests import OrderRequest
from smmpanel.orders.types import build_order

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


async def orderable_service(db: Database, customer_id: int, service_id: int | None) -> ServiceForOrder:
    """The enabled service with the customer's own rate; refused (field `service`) when there is none.
    `service_id` None: the front end could not read an id, which is refused the same way."""
    service = None if service_id is None else await for_order(db, service_id, customer_id)
    if service is None:
        raise OrderRefused(Reason.UNKNOWN_SERVICE, "service")
    return service


async def place_order(db: Database, customer_id: int, service: ServiceForOrder, request: OrderRequest) -> int:
    """Validate, charge and record one order; its id. Raises OrderRefused, with nothing written."""
    draft = build_order(service, request)
    fields = orjson.dumps(draft.fields).decode() if draft.fields else "{}"
    async with db.transaction() as tx:
        paid = await ledger.take(tx, customer_id, draft.charge)
        if service.link_guard and await tx.fetchval(_ACTIVE_LINK, customer_id, service.id, draft.link):
            raise OrderRefused(Reason.ACTIVE_ORDER, "link")
        if not paid:
            raise OrderRefused(Reason.NOT_ENOUGH_FUNDS)
        order_id = int(
            await tx.fetchval(
                _INSERT,
                customer_id,
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
        await ledger.record(tx, customer_id, "charge", -draft.charge, order_id=order_id)
        await rollups.add(tx, customer_id=customer_id, service_id=service.id, provider_id=service.provider_id,
                          orders=1, charged=draft.charge)
    return order_id
