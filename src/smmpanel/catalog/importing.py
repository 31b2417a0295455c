"""Catalogue import: turn services a provider offers into services we sell, priced from their cost.

Why it exists: a reseller's catalogue starts as a copy of an upstream one. The mapping is deliberate:

* only the 17 exact API v2 types (catalog.ordertypes.ORDER_TYPES) are imported; an unknown upstream type is
  skipped and reported, never guessed into one of ours;
* the operator picks what to import (`ids`), or says "everything" (`all_`) — never 5,000 services by
  surprise (ImportRefused);
* rate = money.apply_markup(cost, markup, min_margin), and the rule is stored with the service so sync
  can follow the cost later; upstream says only whether refill exists, so refill means `refill_days`;
* re-importing an upstream service updates the services already mapped onto it (provider_id +
  provider_service) instead of adding a duplicate, keeping its markup rule and category unless new ones
  are given; a hand-set (locked) rate is kept, and a locked rate now below cost disables the service, as
  sync does. Re-import never re-enables a service.

The whole import is one transaction and one catalogue-version bump; the upstream call happens before it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from smmpanel.catalog.ordertypes import ORDER_TYPES
from smmpanel.catalog.services import bump_version, insert, write
from smmpanel.catalog.sync import DEFAULT_REFILL_DAYS
from smmpanel.client import Service
from smmpanel.db.connect import Database
from smmpanel.money import MoneyError, apply_markup, cost_units, format_units, parse_percent, percent_text

DEFAULT_MARKUP = Decimal(0)  # without --markup a new import sells at cost (the CLI warns about it)
_TYPES = frozenset(ORDER_TYPES)


class ImportRefused(ValueError):
    """The request itself is refused (nothing picked); nothing was written."""


class Skip(ValueError):
    """One upstream service that cannot be imported, and why."""


@dataclass(frozen=True, slots=True)
class Outcome:
    upstream_id: str
    name: str
    action: str  # "added" | "updated" | "unchanged" | "skipped"
    service_id: int | None = None
    rate: int | None = None
    cost: int | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "upstream": self.upstream_id,
            "service": self.service_id,
            "name": self.name,
            "action": self.action,
            "rate": None if self.rate is None else format_units(self.rate),
            "cost": None if self.cost is None else format_units(self.cost),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Pricing:
    """How imported services are priced and described; None means "upstream's / what the service had"."""

    markup: Decimal | None = None
    min_margin: int | None = None
    category: str | None = None
    refill_days: int = DEFAULT_REFILL_DAYS


def map_service(upstream: Service, pricing: Pricing, *, markup: Decimal, min_margin: int) -> dict[str, Any]:
    """Our service columns for one upstream service (pure); raises Skip when it cannot be imported."""
    if upstream.type not in _TYPES:
        raise Skip(f"unknown type {upstream.type!r}")
    if not upstream.name.strip():
        raise Skip("no name")
    if not 1 <= upstream.min <= upstream.max:
        raise Skip(f"bad limits min {upstream.min} max {upstream.max}")
    try:
        cost = cost_units(upstream.rate)
    except MoneyError as exc:
        raise Skip(f"bad rate: {exc}") from exc
    return {
        "name": upstream.name.strip(),
        "type": upstream.type,
        "category": upstream.category if pricing.category is None else pricing.category,
        "rate": apply_markup(cost, markup, min_margin),
        "min": upstream.min,
        "max": upstream.max,
        "refill_days": pricing.refill_days if upstream.refill else 0,
        "cancel": upstream.cancel,
        "dripfeed": upstream.dripfeed,
        "provider_dripfeed": upstream.dripfeed,
        "description": upstream.desc,
        "cost": cost,
        "markup": percent_text(markup),
        "min_margin": min_margin,
        "provider_service": str(upstream.service),
    }


def pick(
    theirs: Sequence[Service], ids: Collection[int] | None, all_: bool
) -> tuple[list[Service], list[int]]:
    """The upstream services to import, and the asked-for ids the provider does not offer."""
    if ids is None and not all_:
        raise ImportRefused(
            f"the provider offers {len(theirs)} services: pick some with --ids 1,2,… or import them all with --all"
        )
    if ids is None:
        return list(theirs), []
    wanted = list(dict.fromkeys(ids))
    offered = {s.service: s for s in theirs}
    return [offered[i] for i in wanted if i in offered], [i for i in wanted if i not in offered]


_EXISTING = (
    "SELECT id, provider_service, name, type, category, rate, min, max, refill_days, cancel, dripfeed,"
    " provider_dripfeed, description, cost, markup, min_margin, price_locked, enabled"
    " FROM services WHERE provider_id = $1 AND provider_service IS NOT NULL ORDER BY id"
)


async def import_services(
    db: Database,
    provider_id: int,
    chosen: Sequence[Service],
    pricing: Pricing,
    *,
    progress: Callable[[int], None] | None = None,
) -> list[Outcome]:
    """Add or update one service of ours per chosen upstream service, in one transaction."""
    outcomes: list[Outcome] = []
    async with db.transaction() as tx:
        existing: dict[str, list[Any]] = defaultdict(list)
        for row in await tx.fetch(_EXISTING, provider_id):
            existing[str(row["provider_service"])].append(row)
        for upstream in chosen:
            outcomes.extend(await _import_one(tx, provider_id, upstream, pricing, existing))
            if progress is not None:
                progress(1)
        if any(o.action in ("added", "updated") for o in outcomes):
            await bump_version(tx)
    return outcomes


async def _import_one(
    tx: Database, provider_id: int, upstream: Service, pricing: Pricing, existing: dict[str, list[Any]]
) -> list[Outcome]:
    upstream_id = str(upstream.service)
    rows = existing.get(upstream_id, [])
    if not rows:
        markup = DEFAULT_MARKUP if pricing.markup is None else pricing.markup
        try:
            values = map_service(upstream, pricing, markup=markup, min_margin=pricing.min_margin or 0)
        except Skip as exc:
            return [Outcome(upstream_id, upstream.name, "skipped", reason=str(exc))]
        service_id = await insert(tx, values | {"provider_id": provider_id})
        return [Outcome(upstream_id, upstream.name, "added", service_id, values["rate"], values["cost"])]
    outcomes = []
    for row in rows:
        outcomes.append(await _reimport(tx, row, upstream, pricing))
    return outcomes


async def _reimport(tx: Database, row: Any, upstream: Service, pricing: Pricing) -> Outcome:
    """Refresh one of our services from its upstream service; keep a locked rate and our own enabled flag."""
    upstream_id, service_id = str(upstream.service), int(row["id"])
    markup = pricing.markup
    if markup is None:
        try:
            markup = DEFAULT_MARKUP if row["markup"] is None else parse_percent(row["markup"])
        except MoneyError:
            markup = DEFAULT_MARKUP
    min_margin = pricing.min_margin if pricing.min_margin is not None else int(row["min_margin"] or 0)
    try:
        values = map_service(upstream, pricing, markup=markup, min_margin=min_margin)
    except Skip as exc:
        return Outcome(upstream_id, upstream.name, "skipped", service_id, reason=str(exc))
    if pricing.category is None:
        values["category"] = row["category"]  # an override given at the first import stays
    reason = ""
    if row["price_locked"]:
        values["rate"] = int(row["rate"])
        reason = "price locked: rate kept"
        if values["rate"] < values["cost"] and row["enabled"]:
            values["enabled"] = False
            reason = f"disabled: locked rate {format_units(values['rate'])} below cost {format_units(values['cost'])}"
    changed = {k: v for k, v in values.items() if _differs(row[k] if k in row.keys() else None, v)}
    if not changed:
        return Outcome(
            upstream_id, upstream.name, "unchanged", service_id, values["rate"], values["cost"], reason
        )
    await write(tx, service_id, changed)
    return Outcome(upstream_id, upstream.name, "updated", service_id, values["rate"], values["cost"], reason)


def _differs(old: Any, new: Any) -> bool:
    if isinstance(new, bool):
        return old is None or bool(old) != new
    if isinstance(new, int) and old is not None:
        return int(old) != new
    return bool(old != new)
