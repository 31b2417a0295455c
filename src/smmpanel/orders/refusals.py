"""Why the business says no: the one exception the orders package raises, with a reason and the field at fault.

Placing an order, requesting a refill and requesting a cancel refuse by raising `OrderRefused`. It carries
a `Reason` (what rule said no), the `field` of the request at fault when one is (`link`, `quantity`, `runs`,
`comments`, `service`…) and `limit`, the number the message needs (the minimum or maximum quantity). It
holds no wording: every front end words a reason itself (api/errors.py holds the exact API v2 texts, the
website its own), so a web form can put the refusal next to the field that caused it.

A refusal is raised before any money moves or inside the transaction that would have moved it, so a refused
request leaves no trace in the balance or the ledger.
"""

from __future__ import annotations

from enum import Enum


class Reason(Enum):
    # placing an order
    UNKNOWN_SERVICE = "unknown_service"  # no such service, or not enabled
    MISSING = "missing"  # a field the order type requires was not given (or is blank)
    INVALID = "invalid"  # a field's value is outside what the rules accept (runs < 1, a delay not offered…)
    BAD_LINK = "bad_link"  # empty, overlong, or with whitespace or control characters inside
    TOO_FEW = "too_few"  # quantity below the service minimum (limit = the minimum)
    TOO_MANY = "too_many"  # quantity above the service maximum (limit = the maximum)
    DRIPFEED_DISABLED = "dripfeed_disabled"  # runs/interval on a service without drip-feed
    ACTIVE_ORDER = "active_order"  # an active order of this service on this link already exists
    NOT_ENOUGH_FUNDS = "not_enough_funds"
    # refills and cancels
    ORDER_NOT_FOUND = "order_not_found"  # no such order of this customer
    REFILL_NOT_FOUND = "refill_not_found"
    REFILL_DISABLED = "refill_disabled"  # the service offers no refills
    NOT_COMPLETED = "not_completed"  # only Completed orders are refilled
    REFILL_DAYS_OVER = "refill_days_over"
    REFILL_TOO_SOON = "refill_too_soon"  # within the cooldown after completion or the last refill
    CANCEL_DISABLED = "cancel_disabled"  # the service does not allow cancels
    CANNOT_CANCEL = "cannot_cancel"  # finished, or a cancel is already requested


class OrderRefused(Exception):
    """The business refused a request: `reason`, the request `field` at fault (or None), and the `limit`
    for TOO_FEW / TOO_MANY."""

    def __init__(self, reason: Reason, field: str | None = None, limit: int | None = None) -> None:
        super().__init__(reason.value if field is None else f"{reason.value}: {field}")
        self.reason = reason
        self.field = field
        self.limit = limit

    def __repr__(self) -> str:
        return f"OrderRefused({self.reason}, field={self.field!r}, limit={self.limit!r})"
