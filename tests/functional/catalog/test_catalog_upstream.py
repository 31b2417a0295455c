"""Catalogue import and sync against a real upstream panel over HTTP (a second smmpanel in a thread).

The upstream's own catalogue changes between syncs (price up, price down, removed, limits); ours must
follow its markup rule, keep hand-set prices, never sell below cost, and refresh the cached `services`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from smmpanel.catalog import services
from smmpanel.catalog.importing import ImportRefused, Outcome, Pricing, import_services, pick
from smmpanel.catalog.sync import Change, SyncResult, fetch_services, sync_all
from smmpanel.db.connect import Database
from smmpanel.money import parse_amount
from smmpanel.providers import registry
from tests.conftest import Panel

COLUMNS = ("name, type, category, rate, min, max, refill_days, cancel, dripfeed, provider_dripfeed, description,"
           " provider_id, provider_service, cost, markup, min_margin, price_locked, enabled")  # fmt: skip


def connect(panel: Panel, upstream: Panel, *, key: str | None = None) -> str:
    """An upstream provider row in our panel pointing at `upstream`; returns the key used there."""
    key = key or upstream.customer("50")
    panel.run(lambda db: registry.add(db, "up", "upstream", url=upstream.url, api_key=key))
    return key


def do_import(
    panel: Panel, ids: list[int] | None = None, *, all_: bool = False, **pricing: Any
) -> list[Outcome]:
    async def work(db: Database) -> list[Outcome]:
        row = await registry.find(db, "up")
        theirs = await fetch_services(db, row)
        assert theirs is not None
        chosen, missing = pick(theirs, ids, all_)
        assert missing == []
        return await import_services(db, int(row["id"]), chosen, Pricing(**pricing))

    return panel.run(work)


def do_sync(panel: Panel, *, dry_run: bool = False) -> SyncResult:
    results = panel.run(lambda db: sync_all(db, "up", dry_run=dry_run))
    assert len(results) == 1
    return results[0]


def row(panel: Panel, service_id: int) -> dict[str, Any]:
    values = panel.sql(f"SELECT {COLUMNS} FROM services WHERE id = $1", service_id)[0]
    return {name.strip(): value for name, value in zip(COLUMNS.split(","), values, strict=True)}


def listed(panel: Panel, key: str) -> dict[int, dict[str, Any]]:
    return {item["service"]: item for item in panel.api(key=key, action="services")}


def set_upstream(upstream: Panel, service_id: int, **values: Any) -> None:
    if "rate" in values:
        values["rate"] = parse_amount(values["rate"])
    upstream.run(lambda db: services.update(db, service_id, **values))


def test_import_needs_ids_or_all_and_writes_nothing(panel: Panel, upstream: Panel) -> None:
    upstream.service()
    connect(panel, upstream)
    with pytest.raises(ImportRefused, match="the provider offers 1 services: pick some with --ids 1,2,… or"):
        do_import(panel)
    assert panel.sql("SELECT COUNT(*) FROM services") == [(0,)]


def test_import_maps_fields_and_prices_from_cost(panel: Panel, upstream: Panel) -> None:
    upstream.service(name="IG Followers", rate="1.00", min=50, max=20_000, refill_days=30, cancel=True,
                     dripfeed=True, description="Real-looking")  # fmt: skip
    upstream.service(name="Views Pack", type="Package", category="YouTube", rate="7.5", min=1, max=1)
    upstream.execute(
        "INSERT INTO services (name, type, category, rate, min, max, created_at, updated_at)"
        " VALUES ('Odd', 'Custom Likes', 'X', 100000, 1, 10, 0, 0)"
    )
    upstream.run(services.bump_version)
    connect(panel, upstream)
    version = panel.run(services.version)

    outcomes = do_import(panel, all_=True, markup=Decimal("25"), min_margin=parse_amount("0.5"))

    assert [(o.upstream_id, o.action, o.service_id, o.reason) for o in outcomes] == [
        ("1", "added", 1, ""), ("2", "added", 2, ""), ("3", "skipped", None, "unknown type 'Custom Likes'"),
    ]  # fmt: skip
    assert row(panel, 1) == {
        "name": "IG Followers", "type": "Default", "category": "Instagram", "rate": 150_000, "min": 50,
        "max": 20_000, "refill_days": 30, "cancel": True, "dripfeed": True, "provider_dripfeed": True,
        "description": "Real-looking", "provider_id": 1, "provider_service": "1", "cost": 100_000,
        "markup": "25", "min_margin": 50_000, "price_locked": False, "enabled": True,
    }  # fmt: skip
    assert row(panel, 2)["rate"] == 937_500 and row(panel, 2)["type"] == "Package"
    assert panel.run(services.version) == version + 1
    ours = listed(panel, panel.customer())
    assert ours[1] == {"service": 1, "name": "IG Followers", "type": "Default", "category": "Instagram",
                       "rate": "1.50000", "min": "50", "max": "20000", "refill": True, "cancel": True,
                       "dripfeed": True, "desc": "Real-looking"}  # fmt: skip
    assert sorted(ours) == [1, 2]


def test_reimport_updates_instead_of_duplicating(panel: Panel, upstream: Panel) -> None:
    upstream.service(rate="1.00")
    connect(panel, upstream)
    assert [o.action for o in do_import(panel, [1], markup=Decimal("10"), category="Mine")] == ["added"]
    assert [o.action for o in do_import(panel, [1])] == ["unchanged"]
    set_upstream(upstream, 1, rate="2.00", max=500)
    [again] = do_import(panel, [1])
    assert (again.action, again.service_id, again.rate, again.cost) == ("updated", 1, 220_000, 200_000)
    assert panel.sql("SELECT COUNT(*) FROM services") == [(1,)]
    assert (row(panel, 1)["markup"], row(panel, 1)["max"], row(panel, 1)["category"]) == ("10", 500, "Mine")


def test_sync_follows_upstream_and_protects_prices(panel: Panel, upstream: Panel) -> None:
    for name in ("Up", "Down", "Gone", "Locked", "Locked under", "Limits"):
        upstream.service(name=name, rate="1.00", refill_days=30, cancel=True)
    connect(panel, upstream)
    do_import(panel, all_=True, markup=Decimal("20"))  # ours 1..6 = theirs 1..6, rate 1.20 on cost 1.00
    for locked, rate in ((4, "1.10"), (5, "1.05")):  # the operator prices these by hand: locked
        panel.run(lambda db, s=locked, r=rate: services.update(db, s, rate=parse_amount(r)))
    assert row(panel, 4)["price_locked"] is True or row(panel, 4)["price_locked"] == 1
    customer = panel.customer()
    assert listed(panel, customer)[1]["rate"] == "1.20000"  # the cache is warm before the sync

    set_upstream(upstream, 1, rate="1.50")
    set_upstream(upstream, 2, rate="0.50")
    set_upstream(upstream, 3, enabled=False)
    set_upstream(upstream, 4, rate="1.08")
    set_upstream(upstream, 5, rate="1.06")
    set_upstream(upstream, 6, min=100, max=9000, refill_days=0, cancel=False)
    expected = [
        Change(1, "cost", 100_000, 150_000), Change(1, "rate", 120_000, 180_000, "markup 20% on cost 1.50000"),
        Change(2, "cost", 100_000, 50_000), Change(2, "rate", 120_000, 60_000, "markup 20% on cost 0.50000"),
        Change(3, "enabled", True, False, "disabled: gone upstream"),
        Change(4, "cost", 100_000, 108_000),
        Change(5, "cost", 100_000, 106_000),
        Change(5, "enabled", True, False, "disabled: locked rate 1.05000 below cost 1.06000"),
        Change(6, "min", 10, 100), Change(6, "max", 10_000, 9000), Change(6, "refill_days", 30, 0),
        Change(6, "cancel", True, False),
    ]  # fmt: skip
    before = {i: row(panel, i) for i in range(1, 7)}
    version = panel.run(services.version)

    dry = do_sync(panel, dry_run=True)
    assert (dry.changes, dry.applied, dry.error) == (expected, False, None)
    assert {i: row(panel, i) for i in range(1, 7)} == before
    assert panel.run(services.version) == version

    done = do_sync(panel)
    assert (done.changes, done.applied, done.checked, done.offered) == (expected, True, 6, 5)
    assert panel.run(services.version) == version + 1
    assert (row(panel, 4)["rate"], bool(row(panel, 4)["enabled"])) == (110_000, True)  # hand-set price kept
    ours = listed(panel, customer)
    assert sorted(ours) == [1, 2, 4, 6]  # 3 gone upstream, 5 would sell below cost
    assert (ours[1]["rate"], ours[2]["rate"], ours[4]["rate"]) == ("1.80000", "0.60000", "1.10000")
    assert (ours[6]["min"], ours[6]["max"], ours[6]["refill"], ours[6]["cancel"]) == (
        "100",
        "9000",
        False,
        False,
    )

    assert do_sync(panel).changes == []  # a second sync finds nothing to do, and does not re-enable
    assert panel.run(services.version) == version + 1


def test_markup_rule_never_sells_below_cost_but_a_hand_mapped_rate_is_disabled(
    panel: Panel, upstream: Panel
) -> None:
    upstream.service(rate="1.00")
    upstream.service(rate="1.00")
    connect(panel, upstream)
    do_import(panel, [1])  # no markup: sells at cost, rate follows the cost exactly
    hand = panel.run(lambda db: services.create(db, name="Mine", type="Default", rate=120_000, min=10, max=10_000,
                                                provider_id=1, provider_service="2"))  # fmt: skip
    set_upstream(upstream, 1, rate="3.00")
    set_upstream(upstream, 2, rate="1.30")
    result = do_sync(panel)
    assert result.changes == [
        Change(1, "cost", 100_000, 300_000), Change(1, "rate", 100_000, 300_000, "markup 0% on cost 3.00000"),
        Change(hand, "cost", None, 130_000),
        Change(hand, "enabled", True, False, "disabled: hand-set rate 1.20000 below cost 1.30000"),
    ]  # fmt: skip


def test_sync_changes_nothing_when_upstream_fails_or_lists_nothing(panel: Panel, upstream: Panel) -> None:
    upstream.service()
    key = connect(panel, upstream)
    do_import(panel, [1], markup=Decimal("5"))
    set_upstream(upstream, 1, enabled=False)  # the upstream now lists []
    empty = do_sync(panel)
    assert (empty.error, empty.changes, bool(row(panel, 1)["enabled"])) == (
        "the provider listed no services; nothing changed", [], True)  # fmt: skip
    panel.execute("UPDATE providers SET url = $1", upstream.base + "/nowhere")
    broken = do_sync(panel)
    assert broken.error is not None and key not in broken.error and broken.changes == []
    assert bool(row(panel, 1)["enabled"])


def test_provider_service_defaults_and_price_lock_rules(panel: Panel, upstream: Panel) -> None:
    connect(panel, upstream)
    sim = panel.run(lambda db: registry.add(db, "sim", "simulated"))
    base = {"name": "S", "type": "Default", "rate": 100_000, "min": 1, "max": 10}
    with pytest.raises(
        services.ServiceError, match="--provider-service .* is required for an upstream provider"
    ):
        panel.run(lambda db: services.create(db, **base, provider_id=1))
    own = panel.run(lambda db: services.create(db, **base, provider_id=sim))
    assert row(panel, own)["provider_service"] == str(own)
    panel.run(lambda db: services.update(db, own, rate=90_000))
    assert bool(row(panel, own)["price_locked"])
    panel.run(lambda db: services.update(db, own, price_locked=False))
    assert not row(panel, own)["price_locked"]
    panel.run(
        lambda db: services.update(db, own, provider_id=1, provider_service="77", failover_provider_id=sim)
    )
    assert (row(panel, own)["provider_id"], row(panel, own)["provider_service"]) == (1, "77")
    assert panel.sql("SELECT failover_service FROM services WHERE id = $1", own) == [(str(own),)]
    panel.run(lambda db: services.update(db, own, clear=services.PROVIDER_FIELDS))
    assert panel.sql("SELECT provider_id, provider_service, failover_provider_id, price_locked FROM services"
                     " WHERE id = $1", own) in ([(None, None, None, False)], [(None, None, None, 0)])  # fmt: skip
    unmapped = panel.run(lambda db: services.create(db, **base))
    panel.run(lambda db: services.update(db, unmapped, rate=80_000))
    assert not row(panel, unmapped)["price_locked"]  # no provider: nothing to lock against


def test_reimport_keeps_a_locked_rate_and_disables_it_below_cost(panel: Panel, upstream: Panel) -> None:
    upstream.service(rate="1.00")
    connect(panel, upstream)
    do_import(panel, [1], markup=Decimal("50"))
    panel.run(lambda db: services.update(db, 1, rate=parse_amount("1.40")))
    set_upstream(upstream, 1, rate="1.20")
    [kept] = do_import(panel, [1], markup=Decimal("60"))
    assert (kept.action, kept.rate, kept.reason) == ("updated", 140_000, "price locked: rate kept")
    set_upstream(upstream, 1, rate="1.50")
    [disabled] = do_import(panel, [1])
    assert (disabled.action, disabled.reason) == ("updated", "disabled: locked rate 1.40000 below cost 1.50000")
    assert (row(panel, 1)["rate"], bool(row(panel, 1)["enabled"]), row(panel, 1)["markup"]) == (140_000, False, "60")
