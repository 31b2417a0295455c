"""The new-order form: which inputs a service type has, and form text → the typed order request.

Why this module exists: the inputs of each of the 17 order types are not listed here a second time — they
are read from the typed request classes (`dataclasses.fields(REQUEST_TYPES[type])`, orders/requests.py), so
a field added to a request appears on the form. What is the form's own business is reading text: a whole
number typed as text ("abc" is refused here, by field, with a clear sentence), a list typed one item per line,
a date from a date input. The business rules (required fields, link, quantity bounds, price) stay in the
domain (orders.types), which refuses with a reason the view words like the API (wording.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from smmpanel.orders.requests import REQUEST_TYPES, OrderRequest

DRIPFEED = ("runs", "interval")
_LABELS = {
    "link": "Link",
    "quantity": "Quantity",
    "comments": "Comments",
    "usernames": "Usernames",
    "hashtags": "Hashtags",
    "username": "Username",
    "media": "Media",
    "answer_number": "Answer number",
    "groups": "Groups",
    "posts": "Posts",
    "old_posts": "Old posts",
    "min": "Min",
    "max": "Max",
    "delay": "Delay (minutes)",
    "expiry": "Expiry",
    "keywords": "Keywords",
    "hashtag": "Hashtag",
    "country": "Country",
    "device": "Device (1–5)",
    "type_of_traffic": "Type of traffic (1 Google keyword, 2 referrer, 3 blank)",
    "google_keyword": "Google keyword",
    "referring_url": "Referring URL",
    "runs": "Runs",
    "interval": "Interval (minutes)",
}
_OPTIONAL = {"runs", "interval", "posts", "old_posts", "expiry", "google_keyword", "referring_url", "delay"}
WHOLE_NUMBER = "Enter a whole number, such as 1000."
A_DATE = "Enter a date such as 2027-01-31."
MAX_INTEGER = 2**63 - 1


@dataclass(frozen=True)
class Input:
    """One input of the form: its field name, label, kind ("text", "number", "lines", "date")."""

    name: str
    label: str
    kind: str
    required: bool

    @property
    def hint(self) -> str:
        return "One per line." if self.kind == "lines" else ""


class FormError(ValueError):
    """Form text that is not a value of the field's kind; `field` names the input, `message` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _kind(annotation: object) -> str:
    spelled = str(annotation)
    if "list[str]" in spelled:
        return "lines"
    if "int" in spelled:
        return "number"
    if "date" in spelled:
        return "date"
    return "text"


def inputs(order_type: str) -> list[Input]:
    """The inputs of a type's request, in its declared order (drip-feed's runs/interval included)."""
    return [Input(f.name, _LABELS.get(f.name, f.name.replace("_", " ").capitalize()), _kind(f.type),
                  f.name not in _OPTIONAL)
            for f in dataclasses.fields(REQUEST_TYPES[order_type])]


def whole_number(name: str, text: str) -> int | None:
    """Blank → None; digits → the number; anything else is refused for this field."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise FormError(name, WHOLE_NUMBER)
    number = int(text)
    if number > MAX_INTEGER:
        raise FormError(name, WHOLE_NUMBER)
    return number


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def a_date(name: str, text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FormError(name, A_DATE) from None


def build_request(order_type: str, value: Callable[[str], str]) -> OrderRequest:
    """The typed request of `order_type` from form text (`value(name)`: "" when absent); FormError when
    a field's text cannot be read."""
    values: dict[str, object] = {}
    for one in inputs(order_type):
        text = value(one.name)
        if one.kind == "number":
            values[one.name] = whole_number(one.name, text)
        elif one.kind == "lines":
            values[one.name] = lines(text)
        elif one.kind == "date":
            values[one.name] = a_date(one.name, text)
        else:
            values[one.name] = text
    return REQUEST_TYPES[order_type](**values)  # type: ignore[arg-type]
