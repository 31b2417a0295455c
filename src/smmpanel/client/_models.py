"""What a panel's answers mean, as immutable values with exact money.

The panels disagree about types (a number or a string, `desc` or `description`, missing flags); by the
time an answer becomes one of these values it has been normalised (see `_parse`), so code using them
never meets a float, a thousands separator or a "Cancelled". Money is always `Decimal`, never rounded
by the client: a panel that keeps 7 places keeps them here. `raw` keeps the panel's original object
for anything the model does not name; it takes no part in equality.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Service:
    """One item of the `services` list. `rate` is per 1000 units (per package for package types)."""

    service: int
    name: str
    type: str
    category: str
    rate: Decimal
    min: int
    max: int
    refill: bool = False
    cancel: bool = False
    dripfeed: bool = False
    desc: str = ""
    raw: Mapping[str, object] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class OrderStatus:
    """The `status` of one order.

    The five standard fields are None when a panel leaves them out (drip-feed parents and subscriptions
    often answer only `status`, `runs`/`posts` and `orders`). `status` is normalised to the standard
    spelling ("Canceled", "In progress"); unknown words pass through unchanged. `remains` may be
    negative (over-delivery).
    """

    status: str
    charge: Decimal | None = None
    start_count: int | None = None
    remains: int | None = None
    currency: str | None = None
    runs: int | None = None
    orders: list[int] | None = None
    posts: int | None = None
    expiry: str | None = None
    raw: Mapping[str, object] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Balance:
    """The account balance, in `currency` ("" when the panel does not say)."""

    balance: Decimal
    currency: str
