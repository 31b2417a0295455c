"""Services the panel sells: what a customer may order, at which rate, within which limits.

Every change bumps the catalogue version in `panel_state`, so the cached `services` answer (listing.py) is
rebuilt by whichever process serves the API, even when the change came from the operator's CLI.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from smmpanel.db.connect import Database
from smmpanel.orders.types import ORDER_TYPES

EDITABLE = (
    "name",
    "type",
    "category",
    "rate",
    "min",
    "max",
    "refill_days",
    "cancel",
    "dripfeed",
    "description",
    "enabled",
    "link_guard",
)


class ServiceError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ServiceForOrder:
    """What `add`, `refill` and `cancel` need to know about a service, with the caller's own rate."""

    id: int
    type: str
    rate: int
    min: int
    max: int
    dripfeed: bool
    link_guard: bool


async def bump_version(db: Database) -> None:
    await db.execute(
        "INSERT INTO panel_state (key, value) VALUES ('catalog_version', 1)"
        " ON CONFLICT (key) DO UPDATE SET value = panel_state.value + 1"
    )


async def version(db: Database) -> int:
    return int(await db.fetchval("SELECT value FROM panel_state WHERE key = 'catalog_version'") or 0)


def _check(values: dict[str, Any]) -> None:
    if "type" in values and values["type"] not in ORDER_TYPES:
        raise ServiceError(f"unknown type {values['type']!r}; one of: {', '.join(ORDER_TYPES)}")
    if "name" in values and not str(values["name"]).strip():
        raise ServiceError("a service needs a name")
    if values.get("rate", 0) < 0:
        raise ServiceError("the rate must not be negative")
    if "min" in values and values["min"] < 1:
        raise ServiceError("min must be at least 1")
    if "min" in values and "max" in values and values["max"] < values["min"]:
        raise ServiceError("max must be at least min")
    if values.get("refill_days", 0) < 0:
        raise ServiceError("refill days must not be negative")


async def create(db: Database, **values: Any) -> int:
    values = {k: v for k, v in values.items() if v is not None}
    for required in ("name", "type", "rate", "min", "max"):
        if required not in values:
            raise ServiceError(f"--{required} is required")
    _check(values)
    now = int(time.time())
    values |= {"created_at": now, "updated_at": now}
    names = list(values)
    sql = (
        f"INSERT INTO services ({', '.join(names)}) VALUES ({', '.join(f'${i + 1}' for i in range(len(names)))})"
        " RETURNING id"
    )
    async with db.transaction() as tx:
        service_id = int(await tx.fetchval(sql, *values.values()))
        await bump_version(tx)
    return service_id


async def update(db: Database, service_id: int, **values: Any) -> None:
    values = {k: v for k, v in values.items() if v is not None and k in EDITABLE}
    current = await db.fetchrow("SELECT min, max FROM services WHERE id = $1", service_id)
    if current is None:
        raise ServiceError(f"no service {service_id}")
    _check({"min": current[0], "max": current[1]} | values)
    if not values:
        return
    values["updated_at"] = int(time.time())
    sets = ", ".join(f"{name} = ${i + 2}" for i, name in enumerate(values))
    async with db.transaction() as tx:
        await tx.execute(f"UPDATE services SET {sets} WHERE id = $1", service_id, *values.values())
        await bump_version(tx)


async def list_all(db: Database) -> list[Any]:
    return await db.fetch(
        "SELECT id, name, type, category, rate, min, max, refill_days, cancel, dripfeed, description, enabled,"
        " link_guard FROM services ORDER BY id"
    )


async def set_custom_rate(db: Database, customer_id: int, service_id: int, rate: int | None) -> None:
    """A customer's own rate for a service (None removes it)."""
    async with db.transaction() as tx:
        await tx.execute(
            "DELETE FROM custom_rates WHERE customer_id = $1 AND service_id = $2", customer_id, service_id
        )
        if rate is not None:
            await tx.execute(
                "INSERT INTO custom_rates (customer_id, service_id, rate) VALUES ($1, $2, $3)",
                customer_id,
                service_id,
                rate,
            )
        await bump_version(tx)


async def for_order(db: Database, service_id: int, customer_id: int) -> ServiceForOrder | None:
    """An enabled service with the caller's rate, or None."""
    row = await db.fetchrow(
        "SELECT s.id, s.type, COALESCE(cr.rate, s.rate), s.min, s.max, s.dripfeed, s.link_guard"
        " FROM services s LEFT JOIN custom_rates cr ON cr.service_id = s.id AND cr.customer_id = $2"
        " WHERE s.id = $1 AND s.enabled",
        service_id,
        customer_id,
    )
    if row is None:
        return None
    return ServiceForOrder(row[0], row[1], int(row[2]), row[3], row[4], bool(row[5]), bool(row[6]))
