"""Per-order-type rules for placing an order (spec §3.2, §4, §7.1, §7.5): validate a typed request, price it.

Why this module exists: the service `type` string is a protocol (trap 15). Each of the 17 types decides
which fields the customer must give, what the quantity means and how the charge is computed, and getting
any of that wrong either refuses orders real clients send or mis-charges money (traps 11, 12, 14). The rules
live here, pure — no I/O, no database, no wire format — so every front end (api/, the website) builds a
typed request (orders.requests), calls `build_order`, and words the `OrderRefused` it may get itself.

Validation order inside `build_order` (spec §3.2, first failure wins): drip-feed allowed, the fields the type
requires, then the link, then quantity min/max (the drip-feed total). A front end that reads its input lazily
keeps that order by calling `check_dripfeed` as soon as it knows drip-feed was asked for (api/add.py does).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from smmpanel.catalog.ordertypes import ORDER_TYPES
from smmpanel.catalog.services import ServiceForOrder
from smmpanel.money import MAX_UNITS, charge_units
from smmpanel.orders import requests as rq
from smmpanel.orders.refusals import OrderRefused, Reason

SUBSCRIPTION_DELAYS = frozenset(
    {0, 5, 10, 15, 20, 30, 40, 50, 60, 90, 120, 150, 180, 210, 240, 270, 300, 360, 420, 480, 540, 600}
)
MAX_INTERVAL_MINUTES = 525_600  # one year between drip-feed runs; more would overflow schedulers' dates
MAX_SUBSCRIPTION_POSTS = 1_000_000  # per `posts` and per `old_posts`; keeps quantity inside BIGINT
MAX_QUANTITY = 2**63 - 1  # orders.quantity is a BIGINT
# An "unlimited" subscription is prepaid, and forwarded upstream, as this many new posts: the provider bills
# the panel per post, so a truly unlimited one would deliver posts nobody paid for. Unused posts are refunded
# when the subscription ends (Expired/Canceled → Partial, orders.lifecycle).
UNLIMITED_POSTS = 30
WEB_TRAFFIC_DEVICES = range(1, 6)
WEB_TRAFFIC_KINDS = range(1, 4)
MAX_LINK_LENGTH = 2048

_BAD_LINK_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})  # controls, invisibles, spaces
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL and lone surrogates break JSON/SQL storage


class _PerUnitRequest(Protocol):
    """A request of a type whose quantity the customer states."""

    @property
    def link(self) -> str: ...

    @property
    def quantity(self) -> int | None: ...


@dataclass(frozen=True)
class OrderDraft:
    """A validated order, priced, ready for the duplicate-link and balance checks."""

    link: str  # normalized link; for Subscriptions the watched username
    quantity: int  # total units delivered and charged for (per-run quantity × runs for drip-feed)
    runs: int | None  # drip-feed runs, None when not drip-feed
    interval: int | None  # drip-feed minutes between runs
    charge: int  # units
    fields: dict[str, object]  # type-specific extras, normalized; empty for Default


def build_order(service: ServiceForOrder, request: rq.OrderRequest) -> OrderDraft:
    """Validate a request for the service's type and price it; raise OrderRefused on the first failure."""
    handler = _HANDLERS.get(service.type)
    if handler is None:
        raise ValueError(f"unknown order type: {service.type!r}")
    if not isinstance(request, rq.REQUEST_TYPES[service.type]):
        raise ValueError(f"a {service.type!r} service takes a {rq.REQUEST_TYPES[service.type].__name__}")
    return handler(service, request)


def check_dripfeed(service: ServiceForOrder) -> None:
    """Drip-feed was asked for (runs or interval given): refuse it on a service that cannot drip-feed."""
    if not service.dripfeed:
        raise OrderRefused(Reason.DRIPFEED_DISABLED, "runs")


# Field rules ----------------------------------------------------------------------------------------


def normalize_link(raw: str, name: str = "link") -> str:
    """Trimmed; refused when empty, overlong, or with whitespace, control or invisible characters inside."""
    link = raw.strip()
    if not link or len(link) > MAX_LINK_LENGTH or any(_bad_link_char(char) for char in link):
        raise OrderRefused(Reason.BAD_LINK, name)
    return link


def _bad_link_char(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in _BAD_LINK_CATEGORIES


def _required_text(value: str, name: str) -> str:
    """A trimmed value stored as it is: blank is missing; NUL and lone surrogates cannot be stored."""
    if _UNSTORABLE.search(value):
        raise OrderRefused(Reason.INVALID, name)
    text = value.strip()
    if not text:
        raise OrderRefused(Reason.MISSING, name)
    return text


def _items(values: list[str], name: str) -> list[str]:
    """A list field: items trimmed, blank ones dropped (spec §2 rule 5); NUL and lone surrogates refused."""
    items = []
    for value in values:
        if _UNSTORABLE.search(value):
            raise OrderRefused(Reason.INVALID, name)
        item = value.strip()
        if item:
            items.append(item)
    return items


def _required_items(values: list[str], name: str) -> list[str]:
    items = _items(values, name)
    if not items:
        raise OrderRefused(Reason.MISSING, name)
    return items


def _choice(value: int | None, name: str, allowed: range | frozenset[int]) -> int:
    if value is None:
        raise OrderRefused(Reason.MISSING, name)
    if value not in allowed:
        raise OrderRefused(Reason.INVALID, name)
    return value


# Shared steps ---------------------------------------------------------------------------------------


def _dripfeed(service: ServiceForOrder, runs: int | None, interval: int | None) -> tuple[int, int] | None:
    """(runs, interval) when drip-feed is asked for (spec §7.1), None when both are absent."""
    if runs is None and interval is None:
        return None
    check_dripfeed(service)
    if runs is None:
        raise OrderRefused(Reason.MISSING, "runs")
    if interval is None:
        raise OrderRefused(Reason.MISSING, "interval")
    if runs < 1:
        raise OrderRefused(Reason.INVALID, "runs")
    if not 0 <= interval <= MAX_INTERVAL_MINUTES:
        raise OrderRefused(Reason.INVALID, "interval")
    return runs, interval


def _charge(service: ServiceForOrder, quantity: int, name: str = "quantity") -> int:
    """rate × quantity ÷ 1000; a quantity or charge beyond what the books can hold (a subscription's
    max × posts can get there) is refused as what it is — more than any balance can pay — never a crash."""
    if quantity > MAX_QUANTITY:
        raise OrderRefused(Reason.INVALID, name)
    charge = charge_units(service.rate, quantity)
    if charge > MAX_UNITS:
        raise OrderRefused(Reason.NOT_ENOUGH_FUNDS)
    return charge


def _check_quantity(service: ServiceForOrder, quantity: int, name: str = "quantity") -> None:
    """Spec §3.2 step 5. An order of nothing is never valid, whatever the configured minimum."""
    minimum = max(service.min, 1)
    if quantity < minimum:
        raise OrderRefused(Reason.TOO_FEW, name, minimum)
    if quantity > service.max:
        raise OrderRefused(Reason.TOO_MANY, name, service.max)


def _priced(
    service: ServiceForOrder, link: str, quantity: int, fields: dict[str, object], name: str = "quantity"
) -> OrderDraft:
    """A per-1000-priced order after its min/max check."""
    _check_quantity(service, quantity, name)
    return OrderDraft(link, quantity, None, None, _charge(service, quantity, name), fields)


def _per_unit(
    service: ServiceForOrder,
    request: _PerUnitRequest,
    fields: Callable[[], dict[str, object]],
    drip: tuple[int, int] | None = None,
) -> OrderDraft:
    """Types where the customer states the quantity: the type's fields, the link, maybe drip-feed."""
    quantity = 0 if request.quantity is None else request.quantity  # missing: refused by the minimum
    extras = fields()
    link = normalize_link(request.link)
    if drip is None:
        return _priced(service, link, quantity, extras)
    runs, interval = drip
    total = quantity * runs
    _check_quantity(service, total)
    if quantity < max(service.min, 1):  # every run is an order of its own upstream: each must be orderable
        raise OrderRefused(Reason.TOO_FEW, "quantity", max(service.min, 1))
    return OrderDraft(link, total, runs, interval, _charge(service, total), extras)


def _counted(
    service: ServiceForOrder, link_text: str, name: str, values: list[str], extras: dict[str, object]
) -> OrderDraft:
    """Types whose quantity is the number of items in a list field."""
    items = _items(values, name)
    link = normalize_link(link_text)
    return _priced(service, link, len(items), {**extras, name: items}, name)


# One handler per type -------------------------------------------------------------------------------


def _default(service: ServiceForOrder, request: rq.DefaultOrder) -> OrderDraft:
    drip = _dripfeed(service, request.runs, request.interval)
    return _per_unit(service, request, dict, drip)


def _package(service: ServiceForOrder, request: rq.PackageOrder) -> OrderDraft:
    """One fixed bundle at the flat package price; no min/max."""
    return OrderDraft(normalize_link(request.link), 1, None, None, service.rate, {})


def _seo(service: ServiceForOrder, request: rq.SeoOrder) -> OrderDraft:
    return _per_unit(service, request, lambda: {"keywords": _required_items(request.keywords, "keywords")})


def _custom_comments(service: ServiceForOrder, request: rq.CustomCommentsOrder) -> OrderDraft:
    return _counted(service, request.link, "comments", request.comments, {})


def _comments_package(service: ServiceForOrder, request: rq.CustomCommentsPackageOrder) -> OrderDraft:
    """Flat package price whatever the line count (spec §0); at least one comment."""
    comments = _items(request.comments, "comments")
    link = normalize_link(request.link)
    if not comments:
        raise OrderRefused(Reason.TOO_FEW, "comments", 1)
    return OrderDraft(link, len(comments), None, None, service.rate, {"comments": comments})


def _mentions(service: ServiceForOrder, request: rq.MentionsOrder) -> OrderDraft:
    return _per_unit(service, request, lambda: {"usernames": _required_items(request.usernames, "usernames")})


def _mentions_with_hashtags(service: ServiceForOrder, request: rq.MentionsWithHashtagsOrder) -> OrderDraft:
    def fields() -> dict[str, object]:
        return {
            "usernames": _required_items(request.usernames, "usernames"),
            "hashtags": _required_items(request.hashtags, "hashtags"),
        }

    return _per_unit(service, request, fields)


def _mentions_custom_list(service: ServiceForOrder, request: rq.MentionsCustomListOrder) -> OrderDraft:
    return _counted(service, request.link, "usernames", request.usernames, {})


def _mentions_hashtag(service: ServiceForOrder, request: rq.MentionsHashtagOrder) -> OrderDraft:
    return _per_unit(service, request, lambda: {"hashtag": _required_text(request.hashtag, "hashtag")})


def _with_username(
    service: ServiceForOrder, request: rq.MentionsUserFollowersOrder | rq.CommentLikesOrder
) -> OrderDraft:
    return _per_unit(service, request, lambda: {"username": _required_text(request.username, "username")})


def _mentions_media_likers(service: ServiceForOrder, request: rq.MentionsMediaLikersOrder) -> OrderDraft:
    return _per_unit(service, request, lambda: {"media": _required_text(request.media, "media")})


def _poll(service: ServiceForOrder, request: rq.PollOrder) -> OrderDraft:
    def fields() -> dict[str, object]:
        if request.answer_number is None:
            raise OrderRefused(Reason.MISSING, "answer_number")
        if request.answer_number < 1:
            raise OrderRefused(Reason.INVALID, "answer_number")
        return {"answer_number": request.answer_number}

    return _per_unit(service, request, fields)


def _comment_replies(service: ServiceForOrder, request: rq.CommentRepliesOrder) -> OrderDraft:
    username = _required_text(request.username, "username")
    return _counted(service, request.link, "comments", request.comments, {"username": username})


def _invites_from_groups(service: ServiceForOrder, request: rq.InvitesFromGroupsOrder) -> OrderDraft:
    return _per_unit(service, request, lambda: {"groups": _required_items(request.groups, "groups")})


def _web_traffic(service: ServiceForOrder, request: rq.WebTrafficOrder) -> OrderDraft:
    drip = _dripfeed(service, request.runs, request.interval)

    def fields() -> dict[str, object]:
        extras: dict[str, object] = {
            "country": _required_text(request.country, "country"),
            "device": _choice(request.device, "device", WEB_TRAFFIC_DEVICES),
            "type_of_traffic": _choice(request.type_of_traffic, "type_of_traffic", WEB_TRAFFIC_KINDS),
        }
        if extras["type_of_traffic"] == 1:
            extras["google_keyword"] = _required_text(request.google_keyword, "google_keyword")
        elif extras["type_of_traffic"] == 2:
            extras["referring_url"] = _required_text(request.referring_url, "referring_url")
        return extras

    return _per_unit(service, request, fields, drip)


# Subscriptions (spec §4, §7.5, §0) ------------------------------------------------------------------


def _count(value: int | None, name: str) -> int | None:
    """An optional post count: None when absent, else 0..MAX_SUBSCRIPTION_POSTS."""
    if value is not None and not 0 <= value <= MAX_SUBSCRIPTION_POSTS:
        raise OrderRefused(Reason.INVALID, name)
    return value


def _subscription(service: ServiceForOrder, request: rq.SubscriptionOrder) -> OrderDraft:
    """Charged upfront: max × (new posts + old posts), an unlimited one as UNLIMITED_POSTS new posts."""
    low, high = request.min, request.max
    if low is None or high is None:
        raise OrderRefused(Reason.MISSING, "min" if low is None else "max")
    delay = _choice(request.delay, "delay", SUBSCRIPTION_DELAYS)
    posts, old_posts = _count(request.posts, "posts"), _count(request.old_posts, "old_posts") or 0
    if posts is None or (posts == 0 and old_posts == 0):
        posts = UNLIMITED_POSTS  # absent or `posts=0` alone means unlimited; 0 with old_posts: old posts only
    expiry = request.expiry
    username = normalize_link(request.username, "username")
    minimum = max(service.min, 1)
    if low < minimum:
        raise OrderRefused(Reason.TOO_FEW, "min", minimum)
    if high > service.max:
        raise OrderRefused(Reason.TOO_MANY, "max", service.max)
    if low > high:
        raise OrderRefused(Reason.INVALID, "min")
    quantity = high * (posts + old_posts)
    fields: dict[str, object] = {
        "username": username,
        "min": low,
        "max": high,
        "delay": delay,
        "posts": posts,
        "old_posts": old_posts,
        "expiry": None if expiry is None else f"{expiry.day:02d}/{expiry.month:02d}/{expiry.year:04d}",
    }
    return OrderDraft(username, quantity, None, None, _charge(service, quantity, "max"), fields)


_HANDLERS: dict[str, Callable[[ServiceForOrder, Any], OrderDraft]] = {
    "Default": _default,
    "Package": _package,
    "SEO": _seo,
    "Custom Comments": _custom_comments,
    "Custom Comments Package": _comments_package,
    "Mentions": _mentions,
    "Mentions with Hashtags": _mentions_with_hashtags,
    "Mentions Custom List": _mentions_custom_list,
    "Mentions Hashtag": _mentions_hashtag,
    "Mentions User Followers": _with_username,
    "Mentions Media Likers": _mentions_media_likers,
    "Comment Likes": _with_username,
    "Poll": _poll,
    "Comment Replies": _comment_replies,
    "Invites from Groups": _invites_from_groups,
    "Subscriptions": _subscription,
    "Web Traffic": _web_traffic,
}
assert tuple(_HANDLERS) == ORDER_TYPES, "every order type needs exactly one handler, in spec order"
