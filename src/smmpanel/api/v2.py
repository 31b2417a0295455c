"""API v2: turns one parameter map into one answer (a JSON-able value). Knows the wire shapes, not SQL.

Order of checks: key → action → the action's own parameters. Per-item errors in batches never abort the
batch; id lists hold at most `max_ids` distinct ids (spec §0).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from smmpanel.accounts import queries as account_queries
from smmpanel.accounts.keys import Caller, authenticate
from smmpanel.api import errors
from smmpanel.api.errors import ApiError
from smmpanel.api.params import Params, scalar
from smmpanel.catalog.listing import Body, ServiceListing
from smmpanel.config import Settings
from smmpanel.db.connect import Database
from smmpanel.money import format_units
from smmpanel.orders.cancels import request_cancel
from smmpanel.orders.ids import parse_id, split_ids
from smmpanel.orders.placing import place_order
from smmpanel.orders.refills import refill_status, request_refill
from smmpanel.orders.status import status_many, status_one

BAD_REQUEST = {"error": errors.INCORRECT_REQUEST}
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
        except ApiError as exc:
            return {"error": exc.text}

    def _ids(self, params: Params, name: str) -> list[str] | None:
        return split_ids(params.get(name), self.settings.max_ids)

    async def services(self, caller: Caller, params: Params) -> Body:
        return await self.listing.body(self.db, caller.customer_id)

    async def add(self, caller: Caller, params: Params) -> Answer:
        return {"order": await place_order(self.db, caller, params)}

    async def status(self, caller: Caller, params: Params) -> Answer:
        if "orders" in params:
            ids = self._ids(params, "orders")
            return BAD_REQUEST if not ids else await status_many(self.db, caller, ids)
        if "order" in params:
            return await status_one(self.db, caller, params["order"])
        return BAD_REQUEST

    async def refill(self, caller: Caller, params: Params) -> Answer:
        cooldown = self.settings.refill_cooldown_hours
        if "orders" in params:
            ids = self._ids(params, "orders")
            if not ids:
                return BAD_REQUEST
            answer = []
            for key in ids:
                try:
                    result: Any = await request_refill(self.db, caller, key, cooldown_hours=cooldown)
                except ApiError as exc:
                    result = {"error": exc.text}
                answer.append({"order": _wire_id(key), "refill": result})
            return answer
        if "order" in params:
            return {"refill": str(await request_refill(self.db, caller, params["order"], cooldown_hours=cooldown))}
        return BAD_REQUEST

    async def refill_status(self, caller: Caller, params: Params) -> Answer:
        if "refills" in params:
            ids = self._ids(params, "refills")
            if not ids:
                return BAD_REQUEST
            answer = []
            for key in ids:
                try:
                    result: Any = await refill_status(self.db, caller, key)
                except ApiError as exc:
                    result = {"error": exc.text}
                answer.append({"refill": _wire_id(key), "status": result})
            return answer
        if "refill" in params:
            return {"status": await refill_status(self.db, caller, params["refill"])}
        return BAD_REQUEST

    async def cancel(self, caller: Caller, params: Params) -> Answer:
        name = "orders" if "orders" in params else "order" if "order" in params else None
        ids = None if name is None else self._ids(params, name)
        if not ids:
            return BAD_REQUEST
        answer = []
        for key in ids:
            try:
                result: Any = await request_cancel(self.db, caller, key)
            except ApiError as exc:
                result = {"error": exc.text}
            answer.append({"order": _wire_id(key), "cancel": result})
        return answer

    async def balance(self, caller: Caller, params: Params) -> Answer:
        units = await account_queries.balance(self.db, caller.customer_id)
        return {"balance": format_units(units), "currency": caller.currency}


def _wire_id(key: str) -> int | str:
    """Batch items echo the id as a number when it is one (spec §3.6), else as the string sent."""
    number = parse_id(key)
    return key if number is None else number


def _inferred_action(params: Params) -> str:
    """The action-less refill calls of the buggy PHP sample (spec §2.1)."""
    for name, action in (("order", "refill"), ("orders", "refill"), ("refill", "refill_status"), ("refills", "refill_status")):
        if name in params:
            return action
    return ""
