"""API v2 `add` parameters → the typed order request of the service's type (orders.requests).

Why this module exists: what API v2 clients actually send is wire knowledge (spec §2, traps 10–11) — links
URL-encoded twice, the literal two characters `\\n` between lines, commas between usernames, JSON arrays,
integers as strings or JSON numbers, one-element lists. It is read here and nowhere else; the domain gets
plain values and does the business validation (orders.types). Only the fields the order type uses are read:
extra or irrelevant fields are ignored, never refused (spec §4).

A value the wire cannot read (two values for one field, "12.5" for a number, a date that is not d/m/Y)
raises `BadRequest`, answered `Incorrect request`. Spec §3.2 gives that answer the place of the field it
concerns; all such fields come before the link and the quantity checks, except after a drip-feed request:
"drip-feed is disabled" outranks a bad value of the fields read after runs/interval, so those are read
after `orders.types.check_dripfeed`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import unquote

from smmpanel.api.params import BadRequest, integer, items, parse_expiry, parse_int, text
from smmpanel.catalog.services import ServiceForOrder
from smmpanel.orders import requests as rq
from smmpanel.orders.types import check_dripfeed

Wire = Mapping[str, object]
_DOUBLE_ENCODED_PREFIXES = ("http%3a", "https%3a")


def order_request(service: ServiceForOrder, params: Wire) -> rq.OrderRequest:
    """The request of the service's type built from the `add` parameters; BadRequest when unreadable."""
    parser = _PARSERS.get(service.type)
    if parser is None:
        raise ValueError(f"unknown order type: {service.type!r}")
    return parser(service, params)


def link(params: Wire, name: str = "link") -> str:
    """Trimmed, with one level of double encoding undone (spec §2 rule 6); validated by the domain."""
    value = text(params, name)
    return unquote(value).strip() if _looks_double_encoded(value) else value


def _looks_double_encoded(value: str) -> bool:
    lowered = value.lower()
    return lowered.startswith(_DOUBLE_ENCODED_PREFIXES) or ("%2f" in lowered and "/" not in value)


def _dripfeed(service: ServiceForOrder, params: Wire) -> tuple[int | None, int | None]:
    """runs and interval; empty strings mean "not given" (spec §4). Asked on a service without drip-feed,
    that refusal comes before any unreadable value read later."""
    runs, interval = text(params, "runs"), text(params, "interval")
    if not runs and not interval:
        return None, None
    check_dripfeed(service)
    return (parse_int(runs) if runs else None), (parse_int(interval) if interval else None)


def _only_if_used(params: Wire, name: str) -> str:
    """A field the order type reads only in some cases: a value the wire cannot read counts as not given,
    so it is refused only when the domain needs it (as missing)."""
    try:
        return text(params, name)
    except BadRequest:
        return ""


def _default(service: ServiceForOrder, params: Wire) -> rq.DefaultOrder:
    quantity = integer(params, "quantity")
    runs, interval = _dripfeed(service, params)
    return rq.DefaultOrder(quantity=quantity, runs=runs, interval=interval, link=link(params))


def _package(service: ServiceForOrder, params: Wire) -> rq.PackageOrder:
    return rq.PackageOrder(link=link(params))


def _seo(service: ServiceForOrder, params: Wire) -> rq.SeoOrder:
    quantity = integer(params, "quantity")
    return rq.SeoOrder(quantity=quantity, keywords=items(params, "keywords"), link=link(params))


def _custom_comments(service: ServiceForOrder, params: Wire) -> rq.CustomCommentsOrder:
    return rq.CustomCommentsOrder(comments=items(params, "comments"), link=link(params))


def _comments_package(service: ServiceForOrder, params: Wire) -> rq.CustomCommentsPackageOrder:
    return rq.CustomCommentsPackageOrder(comments=items(params, "comments"), link=link(params))


def _mentions(service: ServiceForOrder, params: Wire) -> rq.MentionsOrder:
    quantity = integer(params, "quantity")
    usernames = items(params, "usernames", commas=True)
    return rq.MentionsOrder(quantity=quantity, usernames=usernames, link=link(params))


def _mentions_with_hashtags(service: ServiceForOrder, params: Wire) -> rq.MentionsWithHashtagsOrder:
    quantity = integer(params, "quantity")
    usernames = items(params, "usernames", commas=True)
    hashtags = items(params, "hashtags", commas=True)
    return rq.MentionsWithHashtagsOrder(
        quantity=quantity, usernames=usernames, hashtags=hashtags, link=link(params)
    )


def _mentions_custom_list(service: ServiceForOrder, params: Wire) -> rq.MentionsCustomListOrder:
    return rq.MentionsCustomListOrder(usernames=items(params, "usernames", commas=True), link=link(params))


def _mentions_hashtag(service: ServiceForOrder, params: Wire) -> rq.MentionsHashtagOrder:
    quantity = integer(params, "quantity")
    return rq.MentionsHashtagOrder(quantity=quantity, hashtag=text(params, "hashtag"), link=link(params))


def _mentions_user_followers(service: ServiceForOrder, params: Wire) -> rq.MentionsUserFollowersOrder:
    quantity = integer(params, "quantity")
    return rq.MentionsUserFollowersOrder(
        quantity=quantity, username=text(params, "username"), link=link(params)
    )


def _mentions_media_likers(service: ServiceForOrder, params: Wire) -> rq.MentionsMediaLikersOrder:
    quantity = integer(params, "quantity")
    return rq.MentionsMediaLikersOrder(quantity=quantity, media=text(params, "media"), link=link(params))


def _comment_likes(service: ServiceForOrder, params: Wire) -> rq.CommentLikesOrder:
    quantity = integer(params, "quantity")
    return rq.CommentLikesOrder(quantity=quantity, username=text(params, "username"), link=link(params))


def _poll(service: ServiceForOrder, params: Wire) -> rq.PollOrder:
    quantity = integer(params, "quantity")
    answer = integer(params, "answer_number")
    return rq.PollOrder(quantity=quantity, answer_number=answer, link=link(params))


def _comment_replies(service: ServiceForOrder, params: Wire) -> rq.CommentRepliesOrder:
    username = text(params, "username")
    return rq.CommentRepliesOrder(username=username, comments=items(params, "comments"), link=link(params))


def _invites_from_groups(service: ServiceForOrder, params: Wire) -> rq.InvitesFromGroupsOrder:
    quantity = integer(params, "quantity")
    return rq.InvitesFromGroupsOrder(quantity=quantity, groups=items(params, "groups"), link=link(params))


def _subscription(service: ServiceForOrder, params: Wire) -> rq.SubscriptionOrder:
    low, high, delay = integer(params, "min"), integer(params, "max"), integer(params, "delay")
    posts, old_posts = integer(params, "posts"), integer(params, "old_posts")
    expiry = text(params, "expiry")
    return rq.SubscriptionOrder(
        min=low,
        max=high,
        delay=delay,
        posts=posts,
        old_posts=old_posts,
        expiry=parse_expiry(expiry) if expiry else None,
        username=link(params, "username"),
    )


def _web_traffic(service: ServiceForOrder, params: Wire) -> rq.WebTrafficOrder:
    quantity = integer(params, "quantity")
    runs, interval = _dripfeed(service, params)
    return rq.WebTrafficOrder(
        quantity=quantity,
        runs=runs,
        interval=interval,
        country=text(params, "country"),
        device=integer(params, "device"),
        type_of_traffic=integer(params, "type_of_traffic"),
        google_keyword=_only_if_used(params, "google_keyword"),
        referring_url=_only_if_used(params, "referring_url"),
        link=link(params),
    )


_PARSERS: dict[str, Callable[[ServiceForOrder, Wire], rq.OrderRequest]] = {
    "Default": _default,
    "Package": _package,
    "SEO": _seo,
    "Custom Comments": _custom_comments,
    "Custom Comments Package": _comments_package,
    "Mentions": _mentions,
    "Mentions with Hashtags": _mentions_with_hashtags,
    "Mentions Custom List": _mentions_custom_list,
    "Mentions Hashtag": _mentions_hashtag,
    "Mentions User Followers": _mentions_user_followers,
    "Mentions Media Likers": _mentions_media_likers,
    "Comment Likes": _comment_likes,
    "Poll": _poll,
    "Comment Replies": _comment_replies,
    "Invites from Groups": _invites_from_groups,
    "Subscriptions": _subscription,
    "Web Traffic": _web_traffic,
}
assert set(_PARSERS) == set(rq.REQUEST_TYPES), "every order type needs exactly one parser"
