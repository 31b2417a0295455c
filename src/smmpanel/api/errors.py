"""The exact API v2 error texts (spec §6 and §0): one constant each, imported by the code and the tests, and
the one table that words each domain refusal (orders.refusals.Reason) in them.

Clients compare these strings with `==`; never paraphrase them. The domain raises reasons, not texts; the
website words the same reasons its own way.
"""

from __future__ import annotations

from smmpanel.orders.refusals import OrderRefused, Reason

INVALID_KEY = "Invalid API key"
INCORRECT_REQUEST = "Incorrect request"
INCORRECT_SERVICE = "Incorrect service ID"
INCORRECT_LINK = "Incorrect link"
NOT_ENOUGH_FUNDS = "Not enough funds on balance"
ACTIVE_ORDER = "You have active order with this link. Please wait until order being completed."
INCORRECT_ORDER = "Incorrect order ID"
REFILL_NOT_FOUND = "Refill not found"
REFILL_DISABLED = "Refill is disabled for this service"
REFILL_TOO_SOON = "The order was completed or refill was requested less than 24 hours ago"
REFILL_DAYS_OVER = "Refill days are over"
NOT_COMPLETED = "The order is not completed"
CANCEL_DISABLED = "Cancel is disabled for this service"
CANNOT_CANCEL = "The order can not be canceled"
DRIPFEED_DISABLED = "Drip-feed is disabled for this service"
TOO_MANY_REQUESTS = "Too many requests, please wait"
INTERNAL_ERROR = "Internal error"


QUANTITY_LESS = "Quantity less than minimal {limit}"
QUANTITY_MORE = "Quantity more than maximum {limit}"


def quantity_less(minimum: int) -> str:
    return QUANTITY_LESS.format(limit=minimum)


def quantity_more(maximum: int) -> str:
    return QUANTITY_MORE.format(limit=maximum)


# reason → text; "{limit}" is filled with the refusal's limit
REFUSALS: dict[Reason, str] = {
    Reason.UNKNOWN_SERVICE: INCORRECT_SERVICE,
    Reason.MISSING: INCORRECT_REQUEST,
    Reason.INVALID: INCORRECT_REQUEST,
    Reason.BAD_LINK: INCORRECT_LINK,
    Reason.TOO_FEW: QUANTITY_LESS,
    Reason.TOO_MANY: QUANTITY_MORE,
    Reason.DRIPFEED_DISABLED: DRIPFEED_DISABLED,
    Reason.ACTIVE_ORDER: ACTIVE_ORDER,
    Reason.NOT_ENOUGH_FUNDS: NOT_ENOUGH_FUNDS,
    Reason.ORDER_NOT_FOUND: INCORRECT_ORDER,
    Reason.REFILL_NOT_FOUND: REFILL_NOT_FOUND,
    Reason.REFILL_DISABLED: REFILL_DISABLED,
    Reason.NOT_COMPLETED: NOT_COMPLETED,
    Reason.REFILL_DAYS_OVER: REFILL_DAYS_OVER,
    Reason.REFILL_TOO_SOON: REFILL_TOO_SOON,
    Reason.CANCEL_DISABLED: CANCEL_DISABLED,
    Reason.CANNOT_CANCEL: CANNOT_CANCEL,
}


def refusal_text(refused: OrderRefused) -> str:
    """The exact API v2 text for a domain refusal."""
    text = REFUSALS[refused.reason]
    return text if refused.limit is None else text.format(limit=refused.limit)


def refusal(refused: OrderRefused) -> dict[str, str]:
    """The `{"error": text}` answer for a domain refusal."""
    return {"error": refusal_text(refused)}
