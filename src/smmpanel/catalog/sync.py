"""Catalogue sync: follow each provider's services onto the services we sell from it.

Why it exists: an upstream panel changes prices and limits and drops services without telling anyone; a
reseller that does not follow sells at a loss or takes orders nobody can fulfil. The rules, in order:

* a rate that follows a markup rule (`markup`, `min_margin`) moves with the cost:
  rate = money.apply_markup(cost, markup, min_margin);
* a hand-set rate (`price_locked`, or no markup rule at all) is never overwritten;
* nothing sells below cost: a rate (locked or not) under the new cost disables the service, and says so;
* a service the provider no longer offers is disabled ("gone upstream");
* min, max, refill, cancel and the provider's drip-feed follow upstream; our own drip-feed flag follows
  only when the provider's flag changes (the operator may turn it off while the provider offers it);
* sync never re-enables a service: the operator decides that.

`plan_sync` is pure (a table-tested function from our rows and their list to a list of Change); applying a
plan is one transaction per provider that re-reads our rows, writes the changes and bumps the catalogue
version, so the cached `services` answer refreshes. The upstream call happens before that transaction
(never a transaction open across HTTP). An empty upstream list changes nothing: a panel answering `[]`
by mistake must not disable a whole catalogue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from smmpanel.catalog.services import bump_version, write
from smmpanel.client import ClientError, Service
from smmpanel.db.connect import Database
from smmpanel.money import MoneyError, apply_markup, cost_units, format_units, parse_percent
from smmpanel.providers import registry
from smmpanel.providers.registry import open_provider

DEFAULT_REFILL_DAYS = 30  # upstream says only "refill: true"; this is the window we then offer
MONEY_FIELDS = frozenset({"rate", "cost"})
SYNC_TIMEOUT = 30.0  # seconds per upstream call


@dataclass(frozen=True, slots=True)
class Mapped:
    """One of our services mapped onto the provider being synced: what the plan needs to know."""

    id: int
    provider_service: str
    rate: int
    cost: int | None = None
    markup: str | None = None
    min_margin: int | None = None
    price_locked: bool = False
    enabled: bool = True
    min: int = 1
    max: int = 1
    refill_days: int = 0
    cancel: bool = False
    dripfeed: bool = False
    provider_dripfeed: bool = False


@dataclass(frozen=True, slots=True)
class Change:
    """One field of one service moving from `old` to `new`; `note` says why when it is not obvious."""

    service_id: int
    field: str
    old: Any
    new: Any
    note: str = ""

    def shown(self, value: Any) -> str:
        if self.field in MONEY_FIELDS and isinstance(value, int):
            return format_units(value)
        return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


@dataclass
class SyncResult:
    provider: str
    checked: int = 0  # our services mapped onto this provider
    offered: int = 0  # services the provider lists
    changes: list[Change] = field(default_factory=list)
    error: str | None = None
    applied: bool = False


def _rule(markup: str | None) -> Any:
    if markup is None:
        return None
    try:
        return parse_percent(markup)
    except MoneyError:
        return None  # unreadable rule: treat the rate as hand-set rather than guess


def _plan_one(ours: Mapped, theirs: Service, refill_days: int) -> list[Change]:
    changes: list[Change] = []

    def move(name: str, old: Any, new: Any, note: str = "") -> None:
        if old != new:
            changes.append(Change(ours.id, name, old, new, note))

    try:
        cost = cost_units(theirs.rate)
    except MoneyError:
        if ours.enabled:
            move("enabled", True, False, f"disabled: unreadable upstream rate {theirs.rate}")
        return changes
    move("cost", ours.cost, cost)
    rate = ours.rate
    percent = _rule(ours.markup)
    if not ours.price_locked and percent is not None:
        rate = apply_markup(cost, percent, ours.min_margin or 0)
        move("rate", ours.rate, rate, f"markup {ours.markup}% on cost {format_units(cost)}")
    if 1 <= theirs.min <= theirs.max:  # an impossible upstream range is not copied
        move("min", ours.min, theirs.min)
        move("max", ours.max, theirs.max)
    if theirs.refill != (ours.refill_days > 0):
        move("refill_days", ours.refill_days, refill_days if theirs.refill else 0)
    move("cancel", ours.cancel, theirs.cancel)
    if theirs.dripfeed != ours.provider_dripfeed:
        move("provider_dripfeed", ours.provider_dripfeed, theirs.dripfeed)
        move("dripfeed", ours.dripfeed, theirs.dripfeed)
    if rate < cost and ours.enabled:
        kind = "locked rate" if ours.price_locked else "hand-set rate" if percent is None else "rate"
        move("enabled", True, False, f"disabled: {kind} {format_units(rate)} below cost {format_units(cost)}")
    return changes


def plan_sync(
    ours: Iterable[Mapped], theirs: Iterable[Service], *, refill_days: int = DEFAULT_REFILL_DAYS
) -> list[Change]:
    """Every change that brings our services in line with the provider's list (pure: no I/O)."""
    offered: dict[str, Service] = {}
    for service in theirs:
        offered.setdefault(str(service.service), service)
    changes: list[Change] = []
    for mine in sorted(ours, key=lambda m: m.id):
        upstream = offered.get(mine.provider_service)
        if upstream is None:
            if mine.enabled:
                changes.append(Change(mine.id, "enabled", True, False, "disabled: gone upstream"))
            continue
        changes.extend(_plan_one(mine, upstream, refill_days))
    return changes


_MAPPED = (
    "SELECT id, provider_service, rate, cost, markup, min_margin, price_locked, enabled, min, max, refill_days,"
    " cancel, dripfeed, provider_dripfeed FROM services WHERE provider_id = $1 AND provider_service IS NOT NULL"
    " ORDER BY id"
)


async def mapped(db: Database, provider_id: int, *, lock: bool = False) -> list[Mapped]:
    sql = _MAPPED + (" FOR UPDATE" if lock and db.dialect == "postgresql" else "")
    return [
        Mapped(
            int(r[0]),
            str(r[1]),
            int(r[2]),
            None if r[3] is None else int(r[3]),
            r[4],
            None if r[5] is None else int(r[5]),
            bool(r[6]),
            bool(r[7]),
            int(r[8]),
            int(r[9]),
            int(r[10]),
            bool(r[11]),
            bool(r[12]),
            bool(r[13]),
        )  # fmt: skip
        for r in await db.fetch(sql, provider_id)
    ]


async def apply(tx: Database, changes: Sequence[Change]) -> None:
    """Write a plan inside the caller's transaction (one UPDATE per service)."""
    per_service: dict[int, dict[str, Any]] = defaultdict(dict)
    for change in changes:
        per_service[change.service_id][change.field] = change.new
    for service_id, values in per_service.items():
        await write(tx, service_id, values)


async def fetch_services(db: Database, row: Any) -> list[Service] | None:
    """The provider's service list (None for a manual provider). Raises ClientError; the key never shows."""
    provider = await open_provider(db, row, timeout=SYNC_TIMEOUT)
    if provider is None:
        return None
    try:
        return await provider.services()
    finally:
        await provider.aclose()


async def sync_provider(db: Database, row: Any, *, dry_run: bool = False) -> SyncResult:
    result = SyncResult(provider=str(row["name"]))
    try:
        theirs = await fetch_services(db, row)
    except ClientError as exc:
        result.error = registry.scrub(str(exc), row)
        return result
    if theirs is None:
        result.error = "a manual provider has no catalogue to sync"
        return result
    result.offered = len(theirs)
    async with db.transaction() as tx:
        ours = await mapped(tx, int(row["id"]), lock=not dry_run)
        result.checked = len(ours)
        if not theirs and ours:
            result.error = "the provider listed no services; nothing changed"
            return result
        result.changes = plan_sync(ours, theirs)
        if result.changes and not dry_run:
            await apply(tx, result.changes)
            await bump_version(tx)
            result.applied = True
    return result


async def sync_all(db: Database, name: str | None = None, *, dry_run: bool = False) -> list[SyncResult]:
    """Sync one provider by name, or every enabled provider that some service is mapped onto."""
    if name is not None:
        rows = [await registry.find(db, name)]
    else:
        used = {
            int(r[0])
            for r in await db.fetch("SELECT DISTINCT provider_id FROM services WHERE provider_id IS NOT NULL")
        }
        rows = [
            r
            for r in await registry.list_all(db)
            if r["enabled"] and int(r["id"]) in used and r["kind"] != "manual"
        ]
    return [await sync_provider(db, row, dry_run=dry_run) for row in rows]
