"""The exact API v2 error texts (spec §6 and §0): one constant each, imported by the code and the tests.

Clients compare these strings with `==`; never paraphrase them.
"""

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


def quantity_less(minimum: int) -> str:
    return f"Quantity less than minimal {minimum}"


def quantity_more(maximum: int) -> str:
    return f"Quantity more than maximum {maximum}"


class ApiError(Exception):
    """A refusal whose text goes to the client verbatim as {"error": text}."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text
