"""The simulated provider: a real, built-in provider for the demo and the tests (not a mock).

It accepts orders like an API v2 panel (validating service, link and quantity with the exact texts of
spec §6), keeps them in its own table (`simulated_orders`, `simulated_refills`) and reports progress that
is a pure function of elapsed time and the order id — so it survives restarts and two runs agree:

    step = (now - created_at) // step_seconds          (step_seconds = 0: every order is already final)

    step 0 ──▶ Pending ──▶ step 1 ──▶ In progress (half delivered) ──▶ step ≥ 2 ──▶ Completed
                                                                              └──▶ Partial when the link
                                                     contains "partial" or id % 10 == 7 (10–40 % undelivered)

A cancel accepted before the final step freezes the order: Canceled if nothing was delivered yet (step 0),
else Partial with what remained. A refill of a Completed order goes Pending → In progress → Completed on the
same clock. Nothing here touches money: the simulated "upstream" has an unlimited balance.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from smmpanel.client import ApiError, Balance, ClientError, OrderStatus, Service
from smmpanel.db.connect import Database
from smmpanel.money import charge_units, parse_amount, to_decimal
from smmpanel.providers.base import FieldValue

INCORRECT_SERVICE = "Incorrect service ID"
INCORRECT_LINK = "Incorrect link"
INCORRECT_ORDER = "Incorrect order ID"
CANNOT_CANCEL = "The order can not be canceled"
NOT_COMPLETED = "The order is not completed"
REFILL_NOT_FOUND = "Refill not found"
DRIPFEED_DISABLED = "Drip-feed is disabled for this service"
FINAL_STEP = 2


@dataclass(frozen=True)
class _Item:
    id: int
    name: str
    type: str
    category: str
    rate: str
    min: int
    max: int
    refill: bool = False
    cancel: bool = False
    dripfeed: bool = False


CATALOGUE = (
    _Item(1, "Simulated Followers [30 days refill]", "Default", "Instagram", "0.50", 10, 100_000, True, True, True),
    _Item(2, "Simulated Likes", "Default", "Instagram", "0.10", 10, 50_000, False, True, True),
    _Item(3, "Simulated Views", "Default", "YouTube", "0.02", 100, 1_000_000),
    _Item(4, "Simulated Custom Comments", "Custom Comments", "Instagram", "5.00", 1, 1_000, True),
    _Item(5, "Simulated Views Package 10K", "Package", "YouTube", "7.50", 1, 1),
)
_BY_ID = {item.id: item for item in CATALOGUE}


def _lines(value: FieldValue) -> list[str]:
    if isinstance(value, list):
        return [v for v in value if v.strip()]
    return [v for v in str(value or "").splitlines() if v.strip()]


def progress(order_id: int, link: str, quantity: int, step: int, canceled_step: int | None) -> tuple[str, int]:
    """(status, remains) of a simulated order at `step`; a pure function (the unit tests table it)."""
    if canceled_step is not None and canceled_step < FINAL_STEP:
        if canceled_step == 0:
            return "Canceled", quantity
        return "Partial", max(1, quantity // 2) if quantity > 1 else quantity
    if step <= 0:
        return "Pending", quantity
    if step < FINAL_STEP:
        return "In progress", (quantity + 1) // 2
    partial = ("partial" in link.lower() or order_id % 10 == 7) and quantity >= 2
    if partial:
        return "Partial", max(1, quantity * (1 + order_id % 4) // 10)
    return "Completed", 0


class SimulatedProvider:
    """A Provider whose orders live in this panel's own database (table simulated_orders)."""

    def __init__(
        self, db: Database, provider_id: int, step_seconds: int, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.provider_id = provider_id
        self.step_seconds = max(0, int(step_seconds))
        self.clock = clock

    def __repr__(self) -> str:
        return f"<SimulatedProvider id={self.provider_id} step={self.step_seconds}s>"

    def _now(self) -> int:
        return int(self.clock())

    def _step(self, since: int, until: int | None = None) -> int:
        if self.step_seconds == 0:
            return 1 << 30
        return max(0, ((self._now() if until is None else until) - since) // self.step_seconds)

    async def add(self, service: int, *, extra: Mapping[str, str] | None = None, **fields: FieldValue) -> int:
        item = _BY_ID.get(service)
        if item is None:
            raise ApiError(INCORRECT_SERVICE, action="add")
        link = str(fields.get("link") or "").strip()
        if not link or any(ch.isspace() for ch in link):
            raise ApiError(INCORRECT_LINK, action="add")
        runs = int(fields.get("runs") or 0)  # type: ignore[arg-type]
        if runs and not item.dripfeed:
            raise ApiError(DRIPFEED_DISABLED, action="add")
        if item.type == "Package":
            quantity = 1
        elif item.type == "Custom Comments":
            quantity = len(_lines(fields.get("comments")))
        else:
            quantity = int(fields.get("quantity") or 0) * max(runs, 1)  # type: ignore[arg-type]
        if quantity < item.min:
            raise ApiError(f"Quantity less than minimal {item.min}", action="add")
        if quantity > item.max:
            raise ApiError(f"Quantity more than maximum {item.max}", action="add")
        return int(
            await self.db.fetchval(
                "INSERT INTO simulated_orders (provider_id, service, link, quantity, created_at)"
                " VALUES ($1, $2, $3, $4, $5) RETURNING id",
                self.provider_id,
                service,
                link,
                quantity,
                self._now(),
            )
        )

    async def _orders(self, ids: list[int]) -> dict[int, Any]:
        if not ids:
            return {}
        marks = ", ".join(f"${i + 2}" for i in range(len(ids)))
        rows = await self.db.fetch(
            "SELECT id, service, link, quantity, created_at, canceled_at FROM simulated_orders"
            f" WHERE provider_id = $1 AND id IN ({marks})",
            self.provider_id,
            *ids,
        )
        return {int(r[0]): r for r in rows}

    def _state(self, row: Any) -> tuple[str, int]:
        order_id, _, link, quantity, created_at, canceled_at = row
        canceled = None if canceled_at is None else self._step(created_at, canceled_at)
        return progress(int(order_id), link, int(quantity), self._step(created_at), canceled)

    async def statuses(self, order_ids: Iterable[int]) -> dict[int, OrderStatus | ClientError]:
        ids = list(dict.fromkeys(order_ids))
        rows = await self._orders(ids)
        result: dict[int, OrderStatus | ClientError] = {}
        for order_id in ids:
            row = rows.get(order_id)
            if row is None:
                result[order_id] = ApiError(INCORRECT_ORDER, action="status")
                continue
            status, remains = self._state(row)
            item = _BY_ID[int(row[1])]
            quantity = int(row[3])
            cost = charge_units(parse_amount(item.rate), quantity) if item.type != "Package" else parse_amount(item.rate)
            if status in ("Partial", "Canceled"):
                cost -= charge_units(cost, remains, per=quantity) if status == "Partial" else cost
            result[order_id] = OrderStatus(
                status=status,
                charge=to_decimal(cost),
                start_count=0 if status == "Pending" else (order_id * 7919) % 5000 + 100,
                remains=remains,
                currency="USD",
            )
        return result

    async def cancel(self, order_ids: int | Iterable[int]) -> dict[int, bool | ClientError]:
        ids = [order_ids] if isinstance(order_ids, int) else list(dict.fromkeys(order_ids))
        rows = await self._orders(ids)
        result: dict[int, bool | ClientError] = {}
        for order_id in ids:
            row = rows.get(order_id)
            if row is None:
                result[order_id] = ApiError(INCORRECT_ORDER, action="cancel")
                continue
            status, _ = self._state(row)
            if status not in ("Pending", "In progress") or not _BY_ID[int(row[1])].cancel:
                result[order_id] = ApiError(CANNOT_CANCEL, action="cancel")
                continue
            changed = await self.db.execute(
                "UPDATE simulated_orders SET canceled_at = $1 WHERE id = $2 AND canceled_at IS NULL",
                self._now(),
                order_id,
            )
            result[order_id] = True if changed == 1 else ApiError(CANNOT_CANCEL, action="cancel")
        return result

    async def refills(self, order_ids: Iterable[int]) -> dict[int, int | ClientError]:
        ids = list(dict.fromkeys(order_ids))
        rows = await self._orders(ids)
        result: dict[int, int | ClientError] = {}
        for order_id in ids:
            row = rows.get(order_id)
            if row is None:
                result[order_id] = ApiError(INCORRECT_ORDER, action="refill")
            elif self._state(row)[0] != "Completed":
                result[order_id] = ApiError(NOT_COMPLETED, action="refill")
            else:
                result[order_id] = int(
                    await self.db.fetchval(
                        "INSERT INTO simulated_refills (provider_id, order_id, created_at) VALUES ($1, $2, $3)"
                        " RETURNING id",
                        self.provider_id,
                        order_id,
                        self._now(),
                    )
                )
        return result

    async def refill_statuses(self, refill_ids: Iterable[int]) -> dict[int, str | ClientError]:
        ids = list(dict.fromkeys(refill_ids))
        result: dict[int, str | ClientError] = {}
        for refill_id in ids:
            created = await self.db.fetchval(
                "SELECT created_at FROM simulated_refills WHERE id = $1 AND provider_id = $2",
                refill_id,
                self.provider_id,
            )
            if created is None:
                result[refill_id] = ApiError(REFILL_NOT_FOUND, action="refill_status")
                continue
            step = self._step(int(created))
            result[refill_id] = "Pending" if step == 0 else "In progress" if step < FINAL_STEP else "Completed"
        return result

    async def balance(self) -> Balance:
        return Balance(Decimal("10000.00000"), "USD")

    async def services(self) -> list[Service]:
        return [
            Service(
                service=i.id, name=i.name, type=i.type, category=i.category, rate=Decimal(i.rate), min=i.min,
                max=i.max, refill=i.refill, cancel=i.cancel, dripfeed=i.dripfeed, desc="",
            )  # fmt: skip
            for i in CATALOGUE
        ]

    async def aclose(self) -> None:
        return None
