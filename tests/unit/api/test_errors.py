"""The API v2 wording of domain refusals: every reason has a text, and the texts are the spec's (§0, §6)."""

from __future__ import annotations

import pytest

from smmpanel.api import errors
from smmpanel.api.errors import REFUSALS, refusal, refusal_text
from smmpanel.orders.refusals import OrderRefused, Reason


def test_every_reason_has_a_text() -> None:
    assert set(REFUSALS) == set(Reason)


def test_the_texts_are_the_spec_strings() -> None:
    assert {reason.name: text for reason, text in REFUSALS.items()} == {
        "UNKNOWN_SERVICE": "Incorrect service ID",
        "MISSING": "Incorrect request",
        "INVALID": "Incorrect request",
        "BAD_LINK": "Incorrect link",
        "TOO_FEW": "Quantity less than minimal {limit}",
        "TOO_MANY": "Quantity more than maximum {limit}",
        "DRIPFEED_DISABLED": "Drip-feed is disabled for this service",
        "ACTIVE_ORDER": "You have active order with this link. Please wait until order being completed.",
        "NOT_ENOUGH_FUNDS": "Not enough funds on balance",
        "ORDER_NOT_FOUND": "Incorrect order ID",
        "REFILL_NOT_FOUND": "Refill not found",
        "REFILL_DISABLED": "Refill is disabled for this service",
        "NOT_COMPLETED": "The order is not completed",
        "REFILL_DAYS_OVER": "Refill days are over",
        "REFILL_TOO_SOON": "The order was completed or refill was requested less than 24 hours ago",
        "CANCEL_DISABLED": "Cancel is disabled for this service",
        "CANNOT_CANCEL": "The order can not be canceled",
    }


def test_the_other_wire_texts() -> None:
    assert (
        errors.INVALID_KEY,
        errors.INCORRECT_REQUEST,
        errors.TOO_MANY_REQUESTS,
        errors.INTERNAL_ERROR,
    ) == (
        "Invalid API key",
        "Incorrect request",
        "Too many requests, please wait",
        "Internal error",
    )


@pytest.mark.parametrize(
    ("refused", "text"),
    [
        (OrderRefused(Reason.TOO_FEW, "quantity", 50), "Quantity less than minimal 50"),
        (OrderRefused(Reason.TOO_MANY, "min", 10000), "Quantity more than maximum 10000"),
        (OrderRefused(Reason.BAD_LINK, "username"), "Incorrect link"),
        (OrderRefused(Reason.NOT_ENOUGH_FUNDS), "Not enough funds on balance"),
    ],
)
def test_refusal_text_fills_the_limit(refused: OrderRefused, text: str) -> None:
    assert refusal_text(refused) == text
    assert refusal(refused) == {"error": text}
    assert errors.quantity_less(50) == "Quantity less than minimal 50"
    assert errors.quantity_more(7) == "Quantity more than maximum 7"
