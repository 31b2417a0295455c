"""Per-order-type rules for the API v2 `add` action (spec §3.2, §4, §7.1, §7.5).

Why this module exists: the service `type` string is a protocol (trap 15). Each of the 17 types decides
which fields the client must send, what `quantity` means and how the charge is computed, and getting any of
that wrong either rejects orders real clients send or mis-charges money (traps 11, 12, 14). The rules live
here, pure — no I/O, no database — so the HTTP layer can call `build_order` right after resolving the
service, then run the duplicate-link and balance checks itself, and so every rule can be tested in
isolation.

Validation order inside `build_order` (spec §3.2, first failure wins): the fields the type requires, then
the link, then quantity min/max (the drip-feed total).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

from smmpanel.api.errors import DRIPFEED_DISABLED, ApiError, quantity_less, quantity_more
from smmpanel.money import charge_units
from smmpanel.orders.fields import Params, incorrect_request, normalize_link, parse_expiry

ORDER_TYPES: tuple[str, ...] = (
    "Default",
    "Package",
    "SEO",
    "Custom Comments",
    "Custom Comments Package",
    "Mentions",
    "Mentions with Hashtags",
    "Mentions Custom List",
    "Mentions Hashtag",
    "Mentions User Followers",
    "Mentions Media Likers",
    "Comment Likes",
    "Poll",
    "Comment Replies",
    "Invites from Groups",
    "Subscriptions",
    "Web Traffic",
)

SUBSCRIPTION_DELAYS = frozenset(
    {0, 5, 10, 15, 20, 30, 40, 50, 60, 90, 120, 150, 180, 210, 240, 270, 300, 360, 420, 480, 540, 600}
)
MAX_INTERVAL_MINUTES = 525_600  # one year between drip-feed runs; more would overflow schedulers' dates
MAX_SUBSCRIPTION_POSTS = 1_000_000  # per `posts` and per `old_posts`; keeps quantity inside BIGINT
# An "unlimited" subscription is prepaid, and forwarded upstream, as this many new posts: the provider bills
# the panel per post, so a truly unlimited one would deliver posts nobody paid for. Unused posts are refunded
# when the subscription ends (Expired/Canceled → Partial, orders.lifecycle).
UNLIMITED_POSTS = 30
WEB_TRAFFIC_DEVICES = range(1, 6)
WEB_TRAFFIC_KINDS = range(1, 4)


@dataclass(frozen=True)
class ServiceRules:
    """What `build_order` needs to know about the service being ordered."""

    type: str
    rate: int  # units per 1000, or per package for Package / Custom Comments Package
    min: int
    max: int
    dripfeed: bool


@dataclass(frozen=True)
class OrderDraft:
    """A validated order, priced, ready for the duplicate-link and balance checks."""

    link: str  # normalized link; for Subscriptions the watched username
    quantity: int  # total units delivered and charged for (per-run quantity × runs for drip-feed)
    runs: int | None  # drip-feed runs, None when not drip-feed
    interval: int | None  # drip-feed minutes between runs
    charge: int  # units
    fields: dict[str, object]  # type-specific extras, normalized; empty for Default


_Extras = Callable[[Params], dict[str, object]]
_Handler = Callable[[ServiceRules, Params], OrderDraft]


def build_order(service: ServiceRules, params: Mapping[str, str | list[str]]) -> OrderDraft:
    """Validate `add` parameters for the service's type; raise ApiError(<exact text>) on the first failure."""
    handler = _HANDLERS.get(service.type)
    if handler is None:
        raise ValueError(f"unknown order type: {service.type!r}")
    return handler(service, Params(params))


# Shared steps ---------------------------------------------------------------------------------------


def _quantity(params: Params) -> int:
    """The client's `quantity`; missing or empty counts as 0, so the minimum check refuses it."""
    quantity = params.integer("quantity")
    return 0 if quantity is None else quantity


def _dripfeed(service: ServiceRules, params: Params) -> tuple[int, int] | None:
    """(runs, interval) when drip-feed is asked for (spec §7.1), None when both are absent or empty."""
    runs_text, interval_text = params.text("runs"), params.text("interval")
    if not runs_text and not interval_text:
        return None
    if not service.dripfeed:
        raise ApiError(DRIPFEED_DISABLED)
    runs, interval = params.integer("runs"), params.integer("interval")
    if runs is None or interval is None or runs < 1 or not 0 <= interval <= MAX_INTERVAL_MINUTES:
        raise incorrect_request()
    return runs, interval


def _check_quantity(service: ServiceRules, quantity: int) -> None:
    """Spec §3.2 step 5. An order of nothing is never valid, whatever the configured minimum."""
    minimum = max(service.min, 1)
    if quantity < minimum:
        raise ApiError(quantity_less(minimum))
    if quantity > service.max:
        raise ApiError(quantity_more(service.max))


def _priced(service: ServiceRules, link: str, quantity: int, fields: dict[str, object]) -> OrderDraft:
    """A per-1000-priced order after its min/max check."""
    _check_quantity(service, quantity)
    return OrderDraft(link, quantity, None, None, charge_units(service.rate, quantity), fields)


# Handler factories ----------------------------------------------------------------------------------


def _no_extras(params: Params) -> dict[str, object]:
    return {}


def _per_unit(extras: _Extras, *, dripfeed: bool = False) -> _Handler:
    """Types where the client states `quantity`: link, quantity, the type's extras, maybe drip-feed."""

    def handler(service: ServiceRules, params: Params) -> OrderDraft:
        quantity = _quantity(params)
        drip = _dripfeed(service, params) if dripfeed else None
        fields = extras(params)
        link = normalize_link(params.text("link"))
        if drip is None:
            return _priced(service, link, quantity, fields)
        runs, interval = drip
        total = quantity * runs
        _check_quantity(service, total)
        return OrderDraft(link, total, runs, interval, charge_units(service.rate, total), fields)

    return handler


def _counted(name: str, *, commas: bool = False, extras: _Extras = _no_extras) -> _Handler:
    """Types whose quantity is the number of items in a list field; any sent `quantity` is ignored."""

    def handler(service: ServiceRules, params: Params) -> OrderDraft:
        fields = extras(params)
        items = params.items(name, commas=commas)
        link = normalize_link(params.text("link"))
        return _priced(service, link, len(items), {**fields, name: items})

    return handler


def _package(service: ServiceRules, params: Params) -> OrderDraft:
    """One fixed bundle at the flat package price; no min/max."""
    link = normalize_link(params.text("link"))
    return OrderDraft(link, 1, None, None, service.rate, {})


def _comments_package(service: ServiceRules, params: Params) -> OrderDraft:
    """Flat package price whatever the line count (spec §0); at least one comment."""
    comments = params.items("comments")
    link = normalize_link(params.text("link"))
    if not comments:
        raise ApiError(quantity_less(1))
    return OrderDraft(link, len(comments), None, None, service.rate, {"comments": comments})


# Type-specific extras -------------------------------------------------------------------------------


def _required_field(name: str) -> _Extras:
    return lambda params: {name: params.required_field(name)}


def _required_items(name: str, *, commas: bool = False) -> _Extras:
    return lambda params: {name: params.required_items(name, commas=commas)}


def _mentions_with_hashtags(params: Params) -> dict[str, object]:
    return {
        "usernames": params.required_items("usernames", commas=True),
        "hashtags": params.required_items("hashtags", commas=True),
    }


def _choice(params: Params, name: str, allowed: range | frozenset[int]) -> int:
    value = params.integer(name)
    if value is None or value not in allowed:
        raise incorrect_request()
    return value


def _poll(params: Params) -> dict[str, object]:
    answer = params.integer("answer_number")
    if answer is None or answer < 1:
        raise incorrect_request()
    return {"answer_number": answer}


def _web_traffic(params: Params) -> dict[str, object]:
    fields: dict[str, object] = {
        "country": params.required_field("country"),
        "device": _choice(params, "device", WEB_TRAFFIC_DEVICES),
        "type_of_traffic": _choice(params, "type_of_traffic", WEB_TRAFFIC_KINDS),
    }
    if fields["type_of_traffic"] == 1:
        fields["google_keyword"] = params.required_field("google_keyword")
    elif fields["type_of_traffic"] == 2:
        fields["referring_url"] = params.required_field("referring_url")
    return fields


# Subscriptions (spec §4, §7.5, §0) ------------------------------------------------------------------


def _count(params: Params, name: str) -> int | None:
    """An optional post count: None when absent, else 0..MAX_SUBSCRIPTION_POSTS."""
    value = params.integer(name)
    if value is not None and not 0 <= value <= MAX_SUBSCRIPTION_POSTS:
        raise incorrect_request()
    return value


@dataclass(frozen=True)
class _Terms:
    min: int
    max: int
    delay: int
    posts: int  # new posts to cover; 0: old posts only; "unlimited" is UNLIMITED_POSTS
    old_posts: int
    expiry: str | None  # dd/mm/YYYY


def _subscription_terms(params: Params) -> _Terms:
    """min, max, delay, posts, old_posts, expiry: shape checks only (bounds come after the username)."""
    low, high = params.integer("min"), params.integer("max")
    if low is None or high is None:
        raise incorrect_request()
    delay = _choice(params, "delay", SUBSCRIPTION_DELAYS)
    posts, old_posts = _count(params, "posts"), _count(params, "old_posts") or 0
    if posts is None or (posts == 0 and old_posts == 0):
        posts = UNLIMITED_POSTS  # absent or `posts=0` alone means unlimited; 0 with old_posts: old posts only
    expiry_text = params.text("expiry")
    expiry = parse_expiry(expiry_text) if expiry_text else None
    return _Terms(low, high, delay, posts, old_posts, expiry)


def _check_subscription_bounds(service: ServiceRules, terms: _Terms) -> None:
    minimum = max(service.min, 1)
    if terms.min < minimum:
        raise ApiError(quantity_less(minimum))
    if terms.max > service.max:
        raise ApiError(quantity_more(service.max))
    if terms.min > terms.max:
        raise incorrect_request()


def _subscription(service: ServiceRules, params: Params) -> OrderDraft:
    """Charged upfront: max × (new posts + old posts), an unlimited one as UNLIMITED_POSTS new posts."""
    terms = _subscription_terms(params)
    username = normalize_link(params.text("username"))
    _check_subscription_bounds(service, terms)
    quantity = terms.max * (terms.posts + terms.old_posts)
    fields: dict[str, object] = {"username": username, **asdict(terms)}
    return OrderDraft(username, quantity, None, None, charge_units(service.rate, quantity), fields)


_HANDLERS: dict[str, _Handler] = {
    "Default": _per_unit(_no_extras, dripfeed=True),
    "Package": _package,
    "SEO": _per_unit(_required_items("keywords")),
    "Custom Comments": _counted("comments"),
    "Custom Comments Package": _comments_package,
    "Mentions": _per_unit(_required_items("usernames", commas=True)),
    "Mentions with Hashtags": _per_unit(_mentions_with_hashtags),
    "Mentions Custom List": _counted("usernames", commas=True),
    "Mentions Hashtag": _per_unit(_required_field("hashtag")),
    "Mentions User Followers": _per_unit(_required_field("username")),
    "Mentions Media Likers": _per_unit(_required_field("media")),
    "Comment Likes": _per_unit(_required_field("username")),
    "Poll": _per_unit(_poll),
    "Comment Replies": _counted("comments", extras=_required_field("username")),
    "Invites from Groups": _per_unit(_required_items("groups")),
    "Subscriptions": _subscription,
    "Web Traffic": _per_unit(_web_traffic, dripfeed=True),
}
assert tuple(_HANDLERS) == ORDER_TYPES, "every order type needs exactly one handler, in spec order"
