"""How the website words a domain refusal (orders.refusals.Reason): the very words of API v2.

The website may not import the API front end (the API app mounts the website), so it keeps its own table;
tests/unit/web/test_wording.py proves it says the same as api/errors.py for every reason, so a customer
reads the same sentence on a form as in an API answer.
"""

from __future__ import annotations

from smmpanel.orders.refusals import OrderRefused, Reason

REFUSALS: dict[Reason, str] = {
    Reason.UNKNOWN_SERVICE: "Incorrect service ID",
    Reason.MISSING: "Incorrect request",
    Reason.INVALID: "Incorrect request",
    Reason.BAD_LINK: "Incorrect link",
    Reason.TOO_FEW: "Quantity less than minimal {limit}",
    Reason.TOO_MANY: "Quantity more than maximum {limit}",
    Reason.DRIPFEED_DISABLED: "Drip-feed is disabled for this service",
    Reason.ACTIVE_ORDER: "You have active order with this link. Please wait until order being completed.",
    Reason.NOT_ENOUGH_FUNDS: "Not enough funds on balance",
    Reason.ORDER_NOT_FOUND: "Incorrect order ID",
    Reason.REFILL_NOT_FOUND: "Refill not found",
    Reason.REFILL_DISABLED: "Refill is disabled for this service",
    Reason.NOT_COMPLETED: "The order is not completed",
    Reason.REFILL_DAYS_OVER: "Refill days are over",
    Reason.REFILL_TOO_SOON: "The order was completed or refill was requested less than 24 hours ago",
    Reason.CANCEL_DISABLED: "Cancel is disabled for this service",
    Reason.CANNOT_CANCEL: "The order can not be canceled",
}


def refusal_text(refused: OrderRefused) -> str:
    text = REFUSALS[refused.reason]
    return text if refused.limit is None else text.format(limit=refused.limit)
