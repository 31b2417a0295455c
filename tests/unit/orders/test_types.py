"""The per-type order rules with typed requests (spec §3.2, §4, §7.1, §7.5): what each type requires, the
reason and field of every refusal, the quantity and the charge. No wire format here: the API v2 reading of
the same cases, with the exact texts, is tests/unit/api/test_add.py."""

from __future__ import annotations

from datetime import date

import pytest

from smmpanel.catalog.services import ServiceForOrder
from smmpanel.orders import requests as rq
from smmpanel.orders.refusals import OrderRefused, Reason
from smmpanel.orders.types import UNLIMITED_POSTS, OrderDraft, build_order, check_dripfeed, normalize_link

RATE = 90_000  # 0.9 per 1000
LINK = "https://instagram.com/p/abc"


def service(type_: str, *, low: int = 10, high: int = 1000, dripfeed: bool = False) -> ServiceForOrder:
    return ServiceForOrder(id=1, type=type_, rate=RATE, min=low, max=high, dripfeed=dripfeed, link_guard=True)


def refused(type_: str, request: rq.OrderRequest, **rules: object) -> tuple[Reason, str | None, int | None]:
    with pytest.raises(OrderRefused) as caught:
        build_order(service(type_, **rules), request)  # type: ignore[arg-type]
    return caught.value.reason, caught.value.field, caught.value.limit


def test_every_type_has_a_request_type() -> None:
    assert set(rq.REQUEST_TYPES) == {
        "Default", "Package", "SEO", "Custom Comments", "Custom Comments Package", "Mentions",
        "Mentions with Hashtags", "Mentions Custom List", "Mentions Hashtag", "Mentions User Followers",
        "Mentions Media Likers", "Comment Likes", "Poll", "Comment Replies", "Invites from Groups",
        "Subscriptions", "Web Traffic",
    }  # fmt: skip


def test_a_request_of_another_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        build_order(service("Mentions"), rq.DefaultOrder(link=LINK, quantity=100))


# Default and quantity -----------------------------------------------------------------------------


def test_default() -> None:
    draft = build_order(service("Default"), rq.DefaultOrder(link=f" {LINK} ", quantity=100))
    assert draft == OrderDraft(LINK, 100, None, None, 9000, {})


@pytest.mark.parametrize(
    ("quantity", "why"),
    [
        (None, (Reason.TOO_FEW, "quantity", 10)),
        (0, (Reason.TOO_FEW, "quantity", 10)),
        (9, (Reason.TOO_FEW, "quantity", 10)),
        (-5, (Reason.TOO_FEW, "quantity", 10)),
        (1001, (Reason.TOO_MANY, "quantity", 1000)),
        (10**40, (Reason.TOO_MANY, "quantity", 1000)),
    ],
)
def test_quantity_bounds(quantity: int | None, why: tuple[Reason, str, int]) -> None:
    assert refused("Default", rq.DefaultOrder(link=LINK, quantity=quantity)) == why


def test_zero_minimum_still_refuses_an_empty_order() -> None:
    assert refused("Default", rq.DefaultOrder(link=LINK, quantity=0), low=0) == (
        Reason.TOO_FEW,
        "quantity",
        1,
    )


@pytest.mark.parametrize(
    "link", ["", "   ", "a b", "a\tb", "a\x00b", "a\u200bb", "a\u00a0b", "\ud800", "x" * 2049]
)
def test_bad_links(link: str) -> None:
    assert refused("Default", rq.DefaultOrder(link=link, quantity=100)) == (Reason.BAD_LINK, "link", None)


def test_links_are_not_decoded_by_the_domain() -> None:
    assert normalize_link(" https%3A%2F%2Fx ") == "https%3A%2F%2Fx"  # double encoding is wire knowledge
    assert normalize_link("someuser") == "someuser"


def test_link_is_checked_before_quantity() -> None:
    assert refused("Default", rq.DefaultOrder(link="a b", quantity=999_999))[0] is Reason.BAD_LINK


# Drip-feed ----------------------------------------------------------------------------------------


def test_dripfeed_total_and_charge() -> None:
    draft = build_order(
        service("Default", dripfeed=True), rq.DefaultOrder(link=LINK, quantity=100, runs=3, interval=15)
    )
    assert draft == OrderDraft(LINK, 300, 3, 15, 27_000, {})


def test_dripfeed_total_is_checked() -> None:
    request = rq.DefaultOrder(link=LINK, quantity=400, runs=3, interval=0)
    assert refused("Default", request, dripfeed=True) == (Reason.TOO_MANY, "quantity", 1000)


@pytest.mark.parametrize(
    ("runs", "interval", "why"),
    [
        (3, None, (Reason.MISSING, "interval", None)),
        (None, 10, (Reason.MISSING, "runs", None)),
        (0, 10, (Reason.INVALID, "runs", None)),
        (2, -1, (Reason.INVALID, "interval", None)),
        (2, 525_601, (Reason.INVALID, "interval", None)),
    ],
)
def test_dripfeed_bad_runs_or_interval(
    runs: int | None, interval: int | None, why: tuple[object, ...]
) -> None:
    request = rq.DefaultOrder(link=LINK, quantity=100, runs=runs, interval=interval)
    assert refused("Default", request, dripfeed=True) == why


def test_dripfeed_disabled_comes_first() -> None:
    request = rq.DefaultOrder(link="a b", quantity=0, runs=0)
    assert refused("Default", request) == (Reason.DRIPFEED_DISABLED, "runs", None)
    with pytest.raises(OrderRefused):
        check_dripfeed(service("Default"))
    check_dripfeed(service("Default", dripfeed=True))


# List types ---------------------------------------------------------------------------------------


def test_custom_comments_count_the_non_blank_items() -> None:
    request = rq.CustomCommentsOrder(link=LINK, comments=[" a ", "", "b", "  "])
    draft = build_order(service("Custom Comments", low=1), request)
    assert draft == OrderDraft(LINK, 2, None, None, 180, {"comments": ["a", "b"]})
    assert refused("Custom Comments", rq.CustomCommentsOrder(link=LINK, comments=["a"]), low=2) == (
        Reason.TOO_FEW, "comments", 2
    )  # fmt: skip


def test_custom_comments_package_is_flat_and_needs_a_comment() -> None:
    request = rq.CustomCommentsPackageOrder(link=LINK, comments=["a", "b", "c"])
    assert build_order(service("Custom Comments Package"), request).charge == RATE
    empty = rq.CustomCommentsPackageOrder(link=LINK, comments=[" "])
    assert refused("Custom Comments Package", empty) == (Reason.TOO_FEW, "comments", 1)


def test_package_is_flat() -> None:
    assert build_order(service("Package"), rq.PackageOrder(link=LINK)) == OrderDraft(
        LINK, 1, None, None, RATE, {}
    )


@pytest.mark.parametrize(
    ("type_", "request_", "field"),
    [
        ("SEO", rq.SeoOrder(link="", quantity=5), "keywords"),
        ("Mentions", rq.MentionsOrder(link="", quantity=5, usernames=[" "]), "usernames"),
        ("Mentions with Hashtags", rq.MentionsWithHashtagsOrder(link="", usernames=["a"]), "hashtags"),
        ("Mentions Hashtag", rq.MentionsHashtagOrder(link=""), "hashtag"),
        ("Mentions User Followers", rq.MentionsUserFollowersOrder(link=""), "username"),
        ("Mentions Media Likers", rq.MentionsMediaLikersOrder(link=""), "media"),
        ("Comment Likes", rq.CommentLikesOrder(link="", username="  "), "username"),
        ("Poll", rq.PollOrder(link=""), "answer_number"),
        ("Comment Replies", rq.CommentRepliesOrder(link="", comments=["a"]), "username"),
        ("Invites from Groups", rq.InvitesFromGroupsOrder(link=""), "groups"),
        ("Web Traffic", rq.WebTrafficOrder(link="", device=1, type_of_traffic=3), "country"),
        ("Web Traffic", rq.WebTrafficOrder(link="", country="US", type_of_traffic=3), "device"),
        (
            "Web Traffic",
            rq.WebTrafficOrder(link="", country="US", device=1, type_of_traffic=1),
            "google_keyword",
        ),
        (
            "Web Traffic",
            rq.WebTrafficOrder(link="", country="US", device=1, type_of_traffic=2),
            "referring_url",
        ),
    ],
)
def test_required_fields_come_before_the_link(type_: str, request_: rq.OrderRequest, field: str) -> None:
    assert refused(type_, request_) == (Reason.MISSING, field, None)


@pytest.mark.parametrize(
    ("type_", "request_", "field"),
    [
        ("Poll", rq.PollOrder(link=LINK, quantity=100, answer_number=0), "answer_number"),
        ("Web Traffic", rq.WebTrafficOrder(link=LINK, country="US", device=6, type_of_traffic=3), "device"),
        (
            "Web Traffic",
            rq.WebTrafficOrder(link=LINK, country="US", device=1, type_of_traffic=4),
            "type_of_traffic",
        ),
        ("Custom Comments", rq.CustomCommentsOrder(link=LINK, comments=["a\x00b"]), "comments"),
        ("Mentions Hashtag", rq.MentionsHashtagOrder(link=LINK, quantity=100, hashtag="#\ud800"), "hashtag"),
    ],
)
def test_invalid_values(type_: str, request_: rq.OrderRequest, field: str) -> None:
    assert refused(type_, request_, low=1) == (Reason.INVALID, field, None)


def test_typed_fields_are_stored_normalized() -> None:
    request = rq.WebTrafficOrder(
        link=LINK, quantity=100, country=" US ", device=2, type_of_traffic=2, referring_url="r"
    )
    draft = build_order(service("Web Traffic"), request)
    assert draft.fields == {"country": "US", "device": 2, "type_of_traffic": 2, "referring_url": "r"}
    poll = build_order(service("Poll"), rq.PollOrder(link=LINK, quantity=100, answer_number=7))
    assert poll.fields == {"answer_number": 7}


# Subscriptions ------------------------------------------------------------------------------------


def sub(**changes: object) -> rq.SubscriptionOrder:
    values: dict[str, object] = {"username": "someone", "min": 100, "max": 200, "delay": 30} | changes
    return rq.SubscriptionOrder(**values)  # type: ignore[arg-type]


def test_subscription_with_post_limit_and_expiry() -> None:
    draft = build_order(service("Subscriptions"), sub(posts=5, expiry=date(2022, 11, 1)))
    assert draft == OrderDraft(
        "someone",
        1000,
        None,
        None,
        90_000,
        {
            "username": "someone",
            "min": 100,
            "max": 200,
            "delay": 30,
            "posts": 5,
            "old_posts": 0,
            "expiry": "01/11/2022",
        },
    )


def test_subscription_posts() -> None:
    unlimited = build_order(service("Subscriptions"), sub())
    assert (unlimited.fields["posts"], unlimited.quantity) == (UNLIMITED_POSTS, 200 * UNLIMITED_POSTS)
    assert build_order(service("Subscriptions"), sub(posts=0)).fields["posts"] == UNLIMITED_POSTS
    old_only = build_order(service("Subscriptions"), sub(posts=0, old_posts=5))
    assert (old_only.fields["posts"], old_only.quantity) == (0, 1000)


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"min": None}, (Reason.MISSING, "min", None)),
        ({"max": None}, (Reason.MISSING, "max", None)),
        ({"delay": None}, (Reason.MISSING, "delay", None)),
        ({"delay": 25}, (Reason.INVALID, "delay", None)),
        ({"posts": -1}, (Reason.INVALID, "posts", None)),
        ({"old_posts": 1_000_001}, (Reason.INVALID, "old_posts", None)),
        ({"username": "some one"}, (Reason.BAD_LINK, "username", None)),
        ({"min": 5}, (Reason.TOO_FEW, "min", 10)),
        ({"max": 1001}, (Reason.TOO_MANY, "max", 1000)),
        ({"min": 300}, (Reason.INVALID, "min", None)),
        ({"username": "", "delay": 7}, (Reason.INVALID, "delay", None)),  # fields before the username
    ],
)
def test_subscription_refusals(changes: dict[str, object], why: tuple[object, ...]) -> None:
    assert refused("Subscriptions", sub(**changes)) == why
