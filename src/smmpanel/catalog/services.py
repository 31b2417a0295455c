"""Services the panel sells: what a customer may order, at which rate, within which limits.

Every change bumps the catalogue version in `panel_state`, so the cached `services` answer (listing.py) is
rebuilt by whichever process serves the API, even when the change came from the operator's CLI.

A service may be mapped onto a provider (`provider_id`, `provider_service`) and priced from the upstream
cost by a rule (`markup` percent, `min_margin`); catalogue sync (sync.py) follows that rule unless the
operator set the rate by hand, which locks it (`price_locked`). An upstream provider needs the upstream
service id; simulated and manual providers default it to our own id.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from smmpanel.catalog.ordertypes import ORDER_TYPES
from smmpanel.db.connect import Database
from smmpanel.db.witness import Witness, tell
from smmpanel.money import MoneyError, apply_markup, parse_percent

# what `update(..., clear=PROVIDER_FIELDS)` resets when a service is detached from its provider
PROVIDER_FIELDS = (
    "provider_id",
    "provider_service",
    "provider_dripfeed",
    "failover_provider_id",
    "failover_service",
    "cost",
    "markup",
    "min_margin",
    "price_locked",
)
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
    *PROVIDER_FIELDS,
)
_FALSE_WHEN_CLEARED = ("provider_dripfeed", "price_locked")  # NOT NULL columns


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
    provider_id: int | None = None  # set only when an engine-driven provider (upstream, simulated) fulfils it
    provider_dripfeed: bool = False  # that provider drip-feeds itself; else the engine schedules the runs


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
    if (values.get("cost") or 0) < 0 or (values.get("min_margin") or 0) < 0:
        raise ServiceError("cost and min margin must not be negative")
    if values.get("markup") is not None:
        try:
            parse_percent(values["markup"])
        except MoneyError as exc:
            raise ServiceError(f"markup: {exc}") from exc
    for column in ("provider_service", "failover_service"):
        if values.get(column) is not None and not (0 < len(str(values[column]).strip()) <= 64):
            raise ServiceError(f"{column.replace('_', ' ')} must be 1 to 64 characters")


def _check_mapping(final: dict[str, Any]) -> None:
    """A service's provider columns as they will be after the change: a provider service id or a failover
    means nothing without the provider it belongs to (dispatch never reaches them)."""
    if final.get("provider_service") is not None and final.get("provider_id") is None:
        raise ServiceError("a provider service id needs a provider (by hand has none)")
    if final.get("failover_provider_id") is not None and final.get("provider_id") is None:
        raise ServiceError("a failover provider needs a provider to fail over from (by hand has none)")
    if final.get("failover_service") is not None and final.get("failover_provider_id") is None:
        raise ServiceError("a failover service id needs a failover provider")
    if final.get("failover_provider_id") is not None and (
        final.get("failover_provider_id"), final.get("failover_service") or final.get("provider_service"),
    ) == (final.get("provider_id"), final.get("provider_service")):  # fmt: skip
        raise ServiceError("the failover is the service's own provider service: it would fail over to itself")


async def _provider_kind(db: Database, provider_id: int) -> str:
    kind = await db.fetchval("SELECT kind FROM providers WHERE id = $1", provider_id)
    if kind is None:
        raise ServiceError(f"no provider {provider_id}")
    return str(kind)


async def _default_mapping(
    db: Database, service_id: int | None, values: dict[str, Any], current: Any = None
) -> None:
    """Fill in the provider's service id when it was left out: required upstream, our own id otherwise
    (service_id None: only check, before the insert that will give the id)."""
    for provider, remote in (("provider_id", "provider_service"), ("failover_provider_id", "failover_service")):
        provider_id = values.get(provider)
        if provider_id is None or values.get(remote) is not None:
            continue
        if current is not None and current[provider] == provider_id and current[remote] is not None:
            continue  # same provider as before: keep its mapping
        if await _provider_kind(db, provider_id) == "upstream":
            flag = "--provider-service" if provider == "provider_id" else "--failover-service"
            raise ServiceError(f"{flag} (the upstream service id) is required for an upstream provider")
        if service_id is not None:
            values[remote] = str(service_id)


async def insert(tx: Database, values: dict[str, Any]) -> int:
    """Insert one service inside the caller's transaction (the caller bumps the version)."""
    values = {k: v for k, v in values.items() if v is not None}
    for required in ("name", "type", "rate", "min", "max"):
        if required not in values:
            raise ServiceError(f"--{required} is required")
    _check(values)
    _check_mapping(values)
    for provider in ("provider_id", "failover_provider_id"):
        if provider in values:
            await _provider_kind(tx, values[provider])
    await _default_mapping(tx, None, dict(values))  # refuse before the insert spends an id
    now = int(time.time())
    values |= {"created_at": now, "updated_at": now}
    names = list(values)
    sql = (
        f"INSERT INTO services ({', '.join(names)}) VALUES ({', '.join(f'${i + 1}' for i in range(len(names)))})"
        " RETURNING id"
    )
    service_id = int(await tx.fetchval(sql, *values.values()))
    mapping = dict(values)
    await _default_mapping(tx, service_id, mapping)
    filled: dict[str, Any] = {
        k: mapping[k] for k in ("provider_service", "failover_service") if k in mapping and k not in values
    }
    if filled:
        await write(tx, service_id, filled)
    return service_id


async def write(tx: Database, service_id: int, values: dict[str, Any]) -> int:
    """Set columns of one service inside the caller's transaction; no checks, no version bump."""
    values = dict(values) | {"updated_at": int(time.time())}
    sets = ", ".join(f"{name} = ${i + 2}" for i, name in enumerate(values))
    return await tx.execute(f"UPDATE services SET {sets} WHERE id = $1", service_id, *values.values())


async def create(db: Database, **values: Any) -> int:
    """`add` with keyword values (the CLI's `services add`)."""
    return await add(db, values)


async def add(db: Database, values: dict[str, Any], *, witness: Witness | None = None) -> int:
    """Add a service (None values are left to their defaults); the witness is told None → the values given,
    with the new "id"."""
    async with db.transaction() as tx:
        service_id = await insert(tx, values)
        await bump_version(tx)
        await tell(witness, tx, None, {"id": service_id} | {k: v for k, v in values.items() if v is not None})
    return service_id


async def update(db: Database, service_id: int, *, clear: tuple[str, ...] = (), **values: Any) -> None:
    """`edit` with keyword values (the CLI's `services edit`)."""
    await edit(db, service_id, values, clear=clear)


async def edit(
    db: Database,
    service_id: int,
    values: dict[str, Any],
    *,
    clear: tuple[str, ...] = (),
    witness: Witness | None = None,
) -> None:
    """Change the given columns (None means "leave it"); `clear` resets provider columns to NULL/false.

    A rate set by hand on a service that has a provider locks its price, so sync keeps it (unless the
    caller says otherwise with price_locked).
    """
    values = {k: v for k, v in values.items() if v is not None and k in EDITABLE}
    unknown = set(clear) - set(PROVIDER_FIELDS)
    if unknown:
        raise ServiceError(f"cannot clear {', '.join(sorted(unknown))}")
    async with db.transaction() as tx:
        current = await tx.fetchrow(
            "SELECT min, max, provider_id, provider_service, failover_provider_id, failover_service, "
            + ", ".join(f"{name} AS old_{name}" for name in EDITABLE)
            + " FROM services WHERE id = $1",
            service_id,
        )
        if current is None:
            raise ServiceError(f"no service {service_id}")
        _check({"min": current["min"], "max": current["max"]} | values)
        await _default_mapping(tx, service_id, values, current)
        for provider in ("provider_id", "failover_provider_id"):
            if provider in values:
                await _provider_kind(tx, values[provider])
        provider_after = values.get("provider_id", None if "provider_id" in clear else current["provider_id"])
        if "rate" in values and "price_locked" not in values and provider_after is not None:
            values["price_locked"] = True
        changes = {name: (False if name in _FALSE_WHEN_CLEARED else None) for name in clear if name not in values}
        changes |= values
        if not changes:
            return
        _check_mapping({name: changes.get(name, current[name]) for name in
                        ("provider_id", "provider_service", "failover_provider_id", "failover_service")})
        await write(tx, service_id, changes)
        await bump_version(tx)
        await tell(witness, tx, {name: current[f"old_{name}"] for name in changes}, changes)


async def reprice(
    db: Database, service_ids: list[int], percent: str, *, witness: Witness | None = None
) -> dict[int, tuple[int, int]]:
    """The console's bulk price change: every rate × (1 + percent/100), rounded half-up (money.apply_markup),
    in one transaction; a repriced service with a provider locks its price, as a rate set by hand does.
    Returns {id: (old rate, new rate)}."""
    try:
        factor = parse_percent(percent)
    except MoneyError as exc:
        raise ServiceError(f"percent: {exc}") from exc
    changed: dict[int, tuple[int, int]] = {}
    async with db.transaction() as tx:
        for service_id in dict.fromkeys(service_ids):
            row = await tx.fetchrow("SELECT rate, provider_id FROM services WHERE id = $1", service_id)
            if row is None:
                raise ServiceError(f"no service {service_id}")
            new = apply_markup(int(row[0]), factor)
            values: dict[str, Any] = {"rate": new}
            if row[1] is not None:
                values["price_locked"] = True
            await write(tx, service_id, values)
            changed[service_id] = (int(row[0]), new)
        if changed:
            await bump_version(tx)
            await tell(witness, tx, {str(k): v[0] for k, v in changed.items()},
                       {str(k): v[1] for k, v in changed.items()} | {"percent": percent})
    return changed


async def list_all(db: Database) -> list[Any]:
    return await db.fetch(
        "SELECT id, name, type, category, rate, min, max, refill_days, cancel, dripfeed, description, enabled,"
        " link_guard FROM services ORDER BY id"
    )


async def set_custom_rate(
    db: Database, customer_id: int, service_id: int, rate: int | None, *, witness: Witness | None = None
) -> None:
    """A customer's own rate for a service (None removes it)."""
    if rate is not None and rate < 0:
        raise ServiceError("the rate must not be negative")
    async with db.transaction() as tx:
        if await tx.fetchval("SELECT 1 FROM services WHERE id = $1", service_id) is None:
            raise ServiceError(f"no service {service_id}")
        old = await tx.fetchval(
            "SELECT rate FROM custom_rates WHERE customer_id = $1 AND service_id = $2", customer_id, service_id
        )
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
        await tell(witness, tx, {"service": service_id, "rate": old}, {"service": service_id, "rate": rate})


async def for_order(db: Database, service_id: int, customer_id: int) -> ServiceForOrder | None:
    """An enabled service with the caller's rate, or None."""
    row = await db.fetchrow(
        "SELECT s.id, s.type, COALESCE(cr.rate, s.rate), s.min, s.max, s.dripfeed, s.link_guard,"
        " CASE WHEN p.kind IN ('upstream', 'simulated') THEN p.id END, s.provider_dripfeed"
        " FROM services s LEFT JOIN custom_rates cr ON cr.service_id = s.id AND cr.customer_id = $2"
        " LEFT JOIN providers p ON p.id = s.provider_id"
        " WHERE s.id = $1 AND s.enabled",
        service_id,
        customer_id,
    )
    if row is None:
        return None
    return ServiceForOrder(
        row[0], row[1], int(row[2]), row[3], row[4], bool(row[5]), bool(row[6]), row[7], bool(row[8])
    )
