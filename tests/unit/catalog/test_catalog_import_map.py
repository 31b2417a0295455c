"""catalog.importing: mapping one upstream service onto ours (pure), and picking what to import."""

from __future__ import annotations

from decimal import Decimal

import pytest

from smmpanel.catalog.importing import ImportRefused, Pricing, Skip, map_service, pick
from smmpanel.catalog.ordertypes import ORDER_TYPES
from smmpanel.client import Service

UP = Service(5, " Likes ", "Default", "Instagram", Decimal("0.5"), 10, 5000, refill=True, cancel=True,
             dripfeed=True, desc="fast")  # fmt: skip


def test_maps_every_field_and_prices_from_cost() -> None:
    values = map_service(UP, Pricing(), markup=Decimal("20"), min_margin=0)
    assert values == {
        "name": "Likes", "type": "Default", "category": "Instagram", "rate": 60_000, "min": 10, "max": 5000,
        "refill_days": 30, "cancel": True, "dripfeed": True, "provider_dripfeed": True, "description": "fast",
        "cost": 50_000, "markup": "20", "min_margin": 0, "provider_service": "5",
    }  # fmt: skip


def test_overrides_category_and_refill_days_and_min_margin() -> None:
    values = map_service(UP, Pricing(category="Mine", refill_days=7), markup=Decimal("0"), min_margin=10_000)
    assert (values["category"], values["refill_days"], values["rate"]) == ("Mine", 7, 60_000)
    no_refill = map_service(Service(5, "x", "Package", "c", Decimal(1), 1, 1), Pricing(), markup=Decimal(0),
                            min_margin=0)  # fmt: skip
    assert no_refill["refill_days"] == 0


@pytest.mark.parametrize("kind", ORDER_TYPES)
def test_every_api_v2_type_is_imported(kind: str) -> None:
    assert map_service(Service(1, "x", kind, "c", Decimal(1), 1, 10), Pricing(), markup=Decimal(0),
                       min_margin=0)["type"] == kind  # fmt: skip


@pytest.mark.parametrize(
    ("service", "reason"),
    [
        (Service(1, "x", "Custom Likes", "c", Decimal(1), 1, 10), "unknown type 'Custom Likes'"),
        (Service(1, "x", "default", "c", Decimal(1), 1, 10), "unknown type 'default'"),
        (
            Service(1, "x", "Mentions Media Likes", "c", Decimal(1), 1, 10),
            "unknown type 'Mentions Media Likes'",
        ),
        (Service(1, " ", "Default", "c", Decimal(1), 1, 10), "no name"),
        (Service(1, "x", "Default", "c", Decimal(1), 0, 10), "bad limits min 0 max 10"),
        (Service(1, "x", "Default", "c", Decimal(1), 20, 10), "bad limits min 20 max 10"),
        (Service(1, "x", "Default", "c", Decimal(-1), 1, 10), "bad rate: not a cost: Decimal('-1')"),
    ],
)
def test_unimportable_services_are_skipped_with_a_reason(service: Service, reason: str) -> None:
    with pytest.raises(Skip) as caught:
        map_service(service, Pricing(), markup=Decimal(0), min_margin=0)
    assert str(caught.value) == reason


def test_pick_refuses_without_ids_or_all() -> None:
    with pytest.raises(ImportRefused, match="offers 1 services: pick some with --ids"):
        pick([UP], None, False)
    assert pick([UP], None, True) == ([UP], [])
    assert pick([UP], [5, 9, 5], False) == ([UP], [9])
