"""The simulated provider's progress is a pure function of elapsed steps and the order id."""

from __future__ import annotations

import pytest

from smmpanel.fulfilment.dripfeed import delivered, settlement
from smmpanel.fulfilment.forwarding import refill_status
from smmpanel.fulfilment.tracking import ours
from smmpanel.providers.simulated import progress


@pytest.mark.parametrize(
    ("order_id", "link", "step", "canceled", "expected"),
    [
        (1, "https://x/a", 0, None, ("Pending", 1000)),
        (1, "https://x/a", 1, None, ("In progress", 500)),
        (1, "https://x/a", 2, None, ("Completed", 0)),
        (1, "https://x/a", 99, None, ("Completed", 0)),
        (7, "https://x/a", 2, None, ("Partial", 400)),  # id % 10 == 7: 10–40 % undelivered
        (2, "https://x/partial", 5, None, ("Partial", 300)),
        (3, "https://x/a", 5, 0, ("Canceled", 1000)),
        (3, "https://x/a", 5, 1, ("Partial", 500)),
        (3, "https://x/a", 5, 2, ("Completed", 0)),  # a cancel after the end changes nothing
    ],
)
def test_progress(order_id: int, link: str, step: int, canceled: int | None, expected: tuple[str, int]) -> None:
    assert progress(order_id, link, 1000, step, canceled) == expected


def test_progress_over_the_steps() -> None:
    """Pending, then half delivered, then final at FINAL_STEP (2) and unchanged after; order ids ending in 7
    end Partial with (1 + id % 4) tenths undelivered."""
    assert [progress(1, "l", 100, s, None) for s in range(5)] == [
        ("Pending", 100), ("In progress", 50), ("Completed", 0), ("Completed", 0), ("Completed", 0)
    ]  # fmt: skip
    assert [progress(7, "l", 100, s, None) for s in range(5)] == [
        ("Pending", 100), ("In progress", 50), ("Partial", 40), ("Partial", 40), ("Partial", 40)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("word", "mapped"),
    [("Pending", "Processing"), ("Processing", "Processing"), ("In progress", "In progress"),
     ("Completed", "Completed"), ("Partial", "Partial"), ("Canceled", "Canceled"), ("Cancelled", "Canceled"),
     ("Refunded", "Canceled"), ("Error", None)],
)  # fmt: skip
def test_upstream_order_status_map(word: str, mapped: str | None) -> None:
    assert ours(word) == mapped


@pytest.mark.parametrize(
    ("word", "mapped"),
    [("Pending", "Pending"), ("Awaiting", "Pending"), ("Processing", "In progress"), ("Completed", "Completed"),
     ("tasks.status.completed", "Completed"), ("Rejected", "Rejected"), ("Error", "Rejected"), ("???", None)],
)  # fmt: skip
def test_upstream_refill_status_map(word: str, mapped: str | None) -> None:
    assert refill_status(word) == mapped


def test_dripfeed_settlement() -> None:
    assert delivered([(100, 0), (100, 30), (100, 100), (100, -5)]) == 270
    assert settlement(400, 400, False) == ("Completed", 0)
    assert settlement(400, 270, True) == ("Partial", 130)
    assert settlement(400, 0, True) == ("Canceled", 400)
