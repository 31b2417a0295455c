"""catalog.sync.plan_sync: a table of our service, their service, and exactly the changes expected."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from smmpanel.catalog.sync import Change, Mapped, plan_sync
from smmpanel.client import Service

# ours: rate 1.25000 from cost 1.00000 with markup 25 %, limits 10..1000, 30-day refill, cancel, no drip-feed
OURS = Mapped(
    id=7, provider_service="101", rate=125_000, cost=100_000, markup="25", min_margin=0, price_locked=False,
    enabled=True, min=10, max=1000, refill_days=30, cancel=True, dripfeed=False, provider_dripfeed=False,
)  # fmt: skip
THEIRS = Service(101, "Followers", "Default", "IG", Decimal("1.00"), 10, 1000, refill=True, cancel=True)


def their(**changes: object) -> Service:
    return replace(THEIRS, **changes)  # type: ignore[arg-type]


CASES = [
    ("in step: nothing", OURS, [THEIRS], []),
    (
        "price up follows the markup",
        OURS,
        [their(rate=Decimal("2"))],
        [
            Change(7, "cost", 100_000, 200_000),
            Change(7, "rate", 125_000, 250_000, "markup 25% on cost 2.00000"),
        ],
    ),
    (
        "price down follows the markup",
        OURS,
        [their(rate=Decimal("0.8"))],
        [
            Change(7, "cost", 100_000, 80_000),
            Change(7, "rate", 125_000, 100_000, "markup 25% on cost 0.80000"),
        ],
    ),
    (
        "min margin wins over a small markup",
        replace(OURS, min_margin=50_000),
        [their(rate=Decimal("0.1"))],
        [
            Change(7, "cost", 100_000, 10_000),
            Change(7, "rate", 125_000, 60_000, "markup 25% on cost 0.10000"),
        ],
    ),
    (
        "an upstream rate with 7 places rounds the cost up",
        OURS,
        [their(rate=Decimal("1.0000001"))],
        [
            Change(7, "cost", 100_000, 100_001),
            Change(7, "rate", 125_000, 125_001, "markup 25% on cost 1.00001"),
        ],
    ),
    (
        "a locked price is kept",
        replace(OURS, price_locked=True, rate=150_000),
        [their(rate=Decimal("1.2"))],
        [Change(7, "cost", 100_000, 120_000)],
    ),
    (
        "a locked price below the new cost disables",
        replace(OURS, price_locked=True),
        [their(rate=Decimal("1.3"))],
        [
            Change(7, "cost", 100_000, 130_000),
            Change(7, "enabled", True, False, "disabled: locked rate 1.25000 below cost 1.30000"),
        ],
    ),
    (
        "no markup rule: the rate is hand-set and protected",
        replace(OURS, markup=None, cost=None),
        [their(rate=Decimal("1.5"))],
        [
            Change(7, "cost", None, 150_000),
            Change(7, "enabled", True, False, "disabled: hand-set rate 1.25000 below cost 1.50000"),
        ],
    ),
    (
        "a negative margin rule cannot sell below cost",
        replace(OURS, markup="-50", min_margin=0),
        [THEIRS],
        [Change(7, "rate", 125_000, 100_000, "markup -50% on cost 1.00000")],
    ),
    (
        "gone upstream",
        OURS,
        [their(service=999)],
        [Change(7, "enabled", True, False, "disabled: gone upstream")],
    ),
    ("gone upstream, already disabled: nothing", replace(OURS, enabled=False), [], []),
    (
        "a disabled service still follows prices but is not re-enabled",
        replace(OURS, enabled=False),
        [their(rate=Decimal("2"))],
        [
            Change(7, "cost", 100_000, 200_000),
            Change(7, "rate", 125_000, 250_000, "markup 25% on cost 2.00000"),
        ],
    ),
    (
        "limits follow",
        OURS,
        [their(min=50, max=5000)],
        [Change(7, "min", 10, 50), Change(7, "max", 1000, 5000)],
    ),
    ("impossible upstream limits are not copied", OURS, [their(min=0, max=5000)], []),
    ("refill dropped", OURS, [their(refill=False)], [Change(7, "refill_days", 30, 0)]),
    ("refill added: 30 days", replace(OURS, refill_days=0), [THEIRS], [Change(7, "refill_days", 0, 30)]),
    ("refill kept: our own window stays", replace(OURS, refill_days=7), [THEIRS], []),
    ("cancel dropped", OURS, [their(cancel=False)], [Change(7, "cancel", True, False)]),
    (
        "drip-feed added upstream: both flags follow",
        OURS,
        [their(dripfeed=True)],
        [Change(7, "provider_dripfeed", False, True), Change(7, "dripfeed", False, True)],
    ),
    (
        "drip-feed we turned off stays off while upstream is unchanged",
        replace(OURS, provider_dripfeed=True, dripfeed=False),
        [their(dripfeed=True)],
        [],
    ),
    ("the first of duplicate upstream ids wins", OURS, [THEIRS, their(rate=Decimal("9"))], []),
]


@pytest.mark.parametrize(("ours", "theirs", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_plan_sync(ours: Mapped, theirs: list[Service], expected: list[Change]) -> None:
    assert plan_sync([ours], theirs) == expected


def test_plan_sync_orders_by_service_and_maps_by_string_id() -> None:
    second = replace(OURS, id=3, provider_service="102")
    changes = plan_sync([OURS, second], [their(rate=Decimal("2"))])
    assert [(c.service_id, c.field) for c in changes] == [(3, "enabled"), (7, "cost"), (7, "rate")]


def test_change_shows_money_as_wire_decimals() -> None:
    change = Change(1, "rate", 125_000, 250_000)
    assert (change.shown(change.old), change.shown(change.new)) == ("1.25000", "2.50000")
    assert Change(1, "enabled", True, False).shown(False) == "false"
