"""API v2: turns one parameter map into one answer (a JSON-able value). Knows the wire shapes, not SQL.

Order of checks: key → action → the action's own parameters. The domain (orders/) refuses with
OrderRefused, worded here through api.errors.REFUSALS; a value the wire cannot read is `Incorrect request`.
Per-item errors in batches never abort the batch; id lists hold at most `max_ids` distinct ids (spec §0).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from smmpanel.accounts import queries as account_queries
from smmpanel.accounts.keys import Caller, authenticate
from smmpanel.api import errors
from smmpanel.api.add import order_request
from smmpanel.api.errors import refusal
from smmpanel.api.params import BadRequest, Params, parse_id, scalar, split_ids
from smmpanel.catalog.listing import Body, ServiceListing
from smmpanel.config import Settings
from smmpanel.db.connect import Database
from smmpanel.money import format_units
from smmpanel.orders.cancels import request_cancel
from smmpanel.orders.placing import orderable_service, place_order
from smmpanel.orders.refills import refill_status, request_refill
from smmpanel.orders.refusals import OrderRefused, Reason
from smmpanel.orders.status import SUBSCRIPTION_STATUS, SUBSCRIPTIONS, OrderState, order_state, order_states

BAD_REQUEST = {"error": errors.INCORRECT_REQUEST}
INCORRECT_ORDER = {"error": errors.INCORRECT_ORDER}
REFILL_NOT_FOUND = {"error": errors.REFILL_NOT_FOUND}
Answer = Any  # a JSON-able value, or a cached Body for `services`


class ApiV2:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.listing = ServiceListing()
        self.actions: dict[str, Callable[[Caller, Params], Awaitable[Answer]]] = {
            "services": self.services,
            "add": self.add,
            "status": self.status,
            "refill": self.refill,
            "refill_status": self.refill_status,
            "cancel": self.cancel,
            "balance": self.balance,
        }

    async def handle(self, params: Params, header_key: str | None = None) -> Answer:
        key = scalar(params, "key") or (header_key or "").strip()
        caller = await authenticate(self.db, key) if key else None
        if caller is None:
            return {"error": errors.INVALID_KEY}
        action = scalar(params, "action").lower()
        if not action and "action" not in params:
            action = _inferred_action(params)
        handler = self.actions.get(action)
        if handler is None:
            return BAD_REQUEST
        try:
            return await handler(caller, params)
        except OrderRefused as refused:
            return refusal(refused)
        except BadRequest:
            return BAD_REQUEST

    def _ids(self, params: Params, name: str) -> list[str] | None:
        return split_ids(params.get(name), self.settings.max_ids)

    async def services(self, caller: Caller, params: Params) -> Body:
        return await self.listing.body(self.db, caller.customer_id)

    async def add(self, caller: Caller, params: Params) -> Answer:
        service = await orderable_service(self.db, caller.customer_id, parse_id(params.get("service")))
        request = order_request(service, params)
        return {"order": await place_order(self.db, caller.customer_id, service, request)}

    async def status(self, caller: Caller, params: Params) -> Answer:
        if "orders" in params:
            keys = self._ids(params, "orders")
            return BAD_REQUEST if not keys else await self._status_many(caller, keys)
        if "order" in params:
            order_id = parse_id(params["order"])
            state = None if order_id is None else await order_state(self.db, caller.customer_id, order_id)
            return INCORRECT_ORDER if state is None else _status(state, caller.currency)
        return BAD_REQUEST

    async def _status_many(self, caller: Caller, keys: list[str]) -> Answer:
        wanted = {key: parse_id(key) for key in keys}
        found = await order_states(self.db, caller.customer_id, [n for n in wanted.values() if n is not None])
        answer: dict[str, Any] = {}
        currency = caller.currency
        for key, number in wanted.items():
            state = None if number is None else found.get(number)
            answer[key] = INCORRECT_ORDER if state is None else _status(state, currency)
        return answer

    async def refill(self, caller: Caller, params: Params) -> Answer:
        cooldown = self.settings.refill_cooldown_hours
        if "orders" in params:
            ids = self._ids(params, "orders")
            if not ids:
                return BAD_REQUEST
            answer = []
            for key in ids:
                order_id = parse_id(key)
                try:
                    if order_id is None:
                        raise OrderRefused(Reason.ORDER_NOT_FOUND)
                    result: Any = await request_refill(
                        self.db, caller.customer_id, order_id, cooldown_hours=cooldown
                    )
                except OrderRefused as refused:
                    result = refusal(refused)
                answer.append({"order": key if order_id is None else order_id, "refill": result})
            return answer
        if "order" in params:
            order_id = parse_id(params["order"])
            if order_id is None:
                return INCORRECT_ORDER
            return {
                "refill": str(
                    await request_refill(self.db, caller.customer_id, order_id, cooldown_hours=cooldown)
                )
            }
        return BAD_REQUEST

    async def refill_status(self, caller: Caller, params: Params) -> Answer:
        if "refills" in params:
            ids = self._ids(params, "refills")
            if not ids:
                return BAD_REQUEST
            answer = []
            for key in ids:
                refill_id = parse_id(key)
                try:
                    if refill_id is None:
                        raise OrderRefused(Reason.REFILL_NOT_FOUND)
                    result: Any = await refill_status(self.db, caller.customer_id, refill_id)
                except OrderRefused as refused:
                    result = refusal(refused)
                answer.append({"refill": key if refill_id is None else refill_id, "status": result})
            return answer
        if "refill" in params:
            refill_id = parse_id(params["refill"])
            if refill_id is None:
                return REFILL_NOT_FOUND
            return {"status": await refill_status(self.db, caller.customer_id, refill_id)}
        return BAD_REQUEST

    async def cancel(self, caller: Caller, params: Params) -> Answer:
        name = "orders" if "orders" in params else "order" if "order" in params else None
        ids = None if name is None else self._ids(params, name)
        if not ids:
            return BAD_REQUEST
        answer = []
        for key in ids:
            order_id = parse_id(key)
            try:
                if order_id is None:
                    raise OrderRefused(Reason.ORDER_NOT_FOUND)
                await request_cancel(self.db, caller.customer_id, order_id)
                result: Any = 1  # accepted (spec §3.9)
            except OrderRefused as refused:
                result = refusal(refused)
            answer.append({"order": key if order_id is None else order_id, "cancel": result})
        return answer

    async def balance(self, caller: Caller, params: Params) -> Answer:
        units = await account_queries.balance(self.db, caller.customer_id)
        return {"balance": format_units(units), "currency": caller.currency}


def _status(state: OrderState, currency: str) -> dict[str, Any]:
    """The five strings (spec §3.3); drip-feed parents add `runs` and `orders`, subscriptions speak their own
    status vocabulary and add `posts`, `orders` and `expiry` when set (spec §0)."""
    answer: dict[str, Any] = {
        "charge": format_units(state.charge),
        "start_count": str(state.start_count),
        "status": state.status,
        "remains": str(state.remains),
        "currency": currency,
    }
    if state.runs is not None:
        answer["runs"] = str(state.runs_done)
        answer["orders"] = state.children
    elif state.type == SUBSCRIPTIONS:
        answer["status"] = SUBSCRIPTION_STATUS[state.status]
        answer["posts"] = str(state.runs_done)
        answer["orders"] = state.children
        if state.expiry:
            answer["expiry"] = state.expiry
    return answer


def _inferred_action(params: Params) -> str:
    """The action-less refill calls of the buggy PHP sample (spec §2.1)."""
    for name, action in (
        ("order", "refill"),
        ("orders", "refill"),
        ("refill", "refill_status"),
        ("refills", "refill_status"),
    ):
        if name in params:
            return action
    return ""
