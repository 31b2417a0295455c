"""`can_refill` and `can_cancel` say yes exactly when the request functions' own rules would accept."""

from __future__ import annotations

import pytest

from smmpanel.orders.cancels import can_cancel, check_cancellable
from smmpanel.orders.refills import DAY, can_refill
from smmpanel.orders.refusals import OrderRefused, Reason

NOW = 1_800_000_000


@pytest.mark.parametrize(("allowed", "status", "already", "expected"), [
    (True, "Pending", False, None),
    (True, "Pending", True, None),
    (True, "Processing", False, None),
    (True, "In progress", False, None),
    (True, "In progress", True, Reason.CANNOT_CANCEL),
    (True, "Completed", False, Reason.CANNOT_CANCEL),
    (True, "Partial", False, Reason.CANNOT_CANCEL),
    (True, "Canceled", False, Reason.CANNOT_CANCEL),
    (False, "Pending", False, Reason.CANCEL_DISABLED),
])
def test_cancel(allowed: bool, status: str, already: bool, expected: Reason | None) -> None:
    assert can_cancel(allowed=allowed, status=status, already=already) is (expected is None)
    if expected is not None:
        with pytest.raises(OrderRefused) as refused:
            check_cancellable(allowed=allowed, status=status, already=already)
        assert refused.value.reason is expected


@pytest.mark.parametrize(("days", "status", "completed", "last", "expected"), [
    (30, "Completed", NOW - 2 * DAY, NOW - 2 * DAY, True),
    (30, "Completed", NOW - 2 * DAY, NOW - 3600, False),  # refilled an hour ago: cooldown
    (30, "Completed", NOW - 3600, NOW - 3600, False),
    (30, "Completed", NOW - 31 * DAY, NOW - 31 * DAY, False),
    (0, "Completed", NOW - 2 * DAY, NOW - 2 * DAY, False),
    (30, "In progress", None, 0, False),
])
def test_refill(days: int, status: str, completed: int | None, last: int, expected: bool) -> None:
    assert can_refill(refill_days=days, status=status, completed_at=completed, last_event=last, now=NOW,
                      cooldown=24 * 3600) is expected
