"""The `add` parameters of every order type through the API layer and the domain rules (spec §2, §3.2, §4,
§7.1, §7.5): wire tolerance (api.add), then validation and pricing (orders.types), then the exact API v2 text
of any refusal (api.errors). The pure rules alone, with typed requests: tests/unit/orders/test_types.py."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmpanel.api import errors
from smmpanel.api.add import order_request
from smmpanel.api.errors import quantity_less, quantity_more, refusal_text
from smmpanel.api.params import BadRequest
from smmpanel.catalog.ordertypes import ORDER_TYPES
from smmpanel.catalog.services import ServiceForOrder
from smmpanel.money import MAX_UNITS, charge_units
from smmpanel.orders import types
from smmpanel.orders.refusals import OrderRefused
from smmpanel.orders.requests import DefaultOrder
from smmpanel.orders.types import OrderDraft, build_order

RATE = 90_000  # 0.9 per 1000
LINK = "https://instagram.com/p/abc"


def rules(
    type_: str, *, rate: int = RATE, low: int = 10, high: int = 1000, dripfeed: bool = False
) -> ServiceForOrder:
    return ServiceForOrder(id=1, type=type_, rate=rate, min=low, max=high, dripfeed=dripfeed, link_guard=True)


def order(type_: str, params: dict[str, object], **service: object) -> OrderDraft:
    """What `add` does between finding the service and the transaction: read the wire, apply the rules."""
    found = rules(type_, **service)  # type: ignore[arg-type]
    return build_order(found, order_request(found, params))


def answer(type_: str, params: dict[str, object], **service: object) -> str:
    """The API v2 error text of a refused `add`, as api.v2 words it."""
    try:
        order(type_, params, **service)
    except BadRequest:
        return errors.INCORRECT_REQUEST
    except OrderRefused as refused:
        return refusal_text(refused)
    raise AssertionError("not refused")


def refusal(type_: str, params: dict[str, object], **service: object) -> str:
    return answer(type_, params, **service)


# The type list ------------------------------------------------------------------------------------


def test_order_types_are_the_spec_names_in_spec_order() -> None:
    assert ORDER_TYPES == (
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


def test_unknown_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        order("mentions with hashtags", {"link": LINK, "quantity": "100"})
    with pytest.raises(ValueError):
        build_order(rules("mentions with hashtags"), DefaultOrder(link=LINK, quantity=100))


# Default ------------------------------------------------------------------------------------------


def test_default_valid() -> None:
    draft = order("Default", {"link": LINK, "quantity": "100"})
    assert draft == OrderDraft(LINK, 100, None, None, 9000, {})


def test_default_charge_rounds_half_up() -> None:
    assert order("Default", {"link": LINK, "quantity": "15"}, rate=1).charge == 0  # 0.015 units
    assert order("Default", {"link": LINK, "quantity": "500"}, rate=1, low=1).charge == 1  # 0.5 → 1


def test_default_ignores_irrelevant_fields() -> None:
    params = {
        "link": LINK,
        "quantity": "100",
        "comments": "a\nb",
        "usernames": "x",
        "runs": "",
        "interval": "",
    }
    params |= {"key": "K", "action": "add", "service": "1", "expiry": "garbage"}
    assert order("Default", params) == OrderDraft(LINK, 100, None, None, 9000, {})


def test_default_trims_values() -> None:
    draft = order("Default", {"link": f"  {LINK}\n", "quantity": " 0100 "})
    assert (draft.link, draft.quantity) == (LINK, 100)


def test_default_json_number_and_one_element_list_are_accepted() -> None:
    assert order("Default", {"link": [LINK], "quantity": 100}).quantity == 100  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("quantity", "error"),
    [
        (None, quantity_less(10)),
        ("", quantity_less(10)),
        ("   ", quantity_less(10)),
        ("0", quantity_less(10)),
        ("9", quantity_less(10)),
        ("-5", quantity_less(10)),
        ("-" + "9" * 40, quantity_less(10)),
        ("1001", quantity_more(1000)),
        ("9" * 19, quantity_more(1000)),
        ("1" + "0" * 5000, quantity_more(1000)),  # beyond Python's int-from-str digit limit
        ("abc", errors.INCORRECT_REQUEST),
        ("1e3", errors.INCORRECT_REQUEST),
        ("12.5", errors.INCORRECT_REQUEST),
        ("100.0", errors.INCORRECT_REQUEST),
        ("+100", errors.INCORRECT_REQUEST),
        ("1 000", errors.INCORRECT_REQUEST),
        ("\u0661\u0660\u0660", errors.INCORRECT_REQUEST),  # Arabic-Indic digits are not base-10 ASCII
        (["100", "200"], errors.INCORRECT_REQUEST),
    ],
)
def test_default_quantity_errors(quantity: object, error: str) -> None:
    params: dict[str, object] = {"link": LINK}
    if quantity is not None:
        params["quantity"] = quantity
    assert refusal("Default", params) == error


def test_default_bounds_are_inclusive() -> None:
    assert order("Default", {"link": LINK, "quantity": "10"}).quantity == 10
    assert order("Default", {"link": LINK, "quantity": "1000"}).quantity == 1000


def test_zero_minimum_still_refuses_an_empty_order() -> None:
    assert refusal("Default", {"link": LINK, "quantity": "0"}, low=0) == quantity_less(1)


def test_validation_order_request_then_link_then_quantity() -> None:
    assert refusal("Default", {"link": "", "quantity": "abc"}) == errors.INCORRECT_REQUEST
    assert refusal("Default", {"link": "", "quantity": "5"}) == errors.INCORRECT_LINK
    assert refusal("Default", {"link": "a b", "quantity": "999999"}) == errors.INCORRECT_LINK


# Links --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("https%3A%2F%2Fx.com%2Fp%3Fa%3D1", "https://x.com/p?a=1"),
        ("HTTP%3a%2f%2fx.com%2Fp", "HTTP://x.com/p"),  # decoded, not otherwise rewritten
        ("instagram.com%2Fsomeone", "instagram.com/someone"),
        ("https://x.com/p?u=a%2Fb", "https://x.com/p?u=a%2Fb"),  # has "/": encoded once only, kept
        ("someuser", "someuser"),  # bare usernames are valid links
        ("@someuser", "@someuser"),
        ("https://x.com/p?igshid=1&x=2", "https://x.com/p?igshid=1&x=2"),
        ("  https://x.com/p\r\n", "https://x.com/p"),
        ("x" * 2048, "x" * 2048),
    ],
)
def test_link_normalization(raw: str, normalized: str) -> None:
    assert order("Default", {"link": raw, "quantity": "100"}).link == normalized


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "https://x.com/a b",
        "https://x.com/a\tb",
        "https://x.com/a\nb",
        "https://x.com/a\x00b",
        "https://x.com/a\x7fb",
        "https://x.com/a\u200bb",  # zero-width space
        "https://x.com/a\u00a0b",  # no-break space
        "https%3A%2F%2Fx.com%2Fa%20b",  # whitespace revealed by the decoding
        "x" * 2049,
        "\ud800",  # lone surrogate (from a JSON body)
        [],
    ],
)
def test_incorrect_links(raw: object) -> None:
    params: dict[str, object] = {"quantity": "100"}
    if raw is not None:
        params["link"] = raw
    assert refusal("Default", params) == errors.INCORRECT_LINK


def test_two_links_are_an_incorrect_request() -> None:
    assert refusal("Default", {"link": [LINK, LINK], "quantity": "100"}) == errors.INCORRECT_REQUEST


# Drip-feed (Default, Web Traffic) -----------------------------------------------------------------


def test_dripfeed_total_and_charge() -> None:
    draft = order("Default", {"link": LINK, "quantity": "100", "runs": "3", "interval": "15"}, dripfeed=True)
    assert draft == OrderDraft(LINK, 300, 3, 15, 27_000, {})  # 0.27 = 0.9 × 300 / 1000


def test_dripfeed_total_is_checked_against_max() -> None:
    params = {"link": LINK, "quantity": "400", "runs": "3", "interval": "0"}
    assert refusal("Default", params, dripfeed=True) == quantity_more(1000)


def test_dripfeed_total_and_each_run_are_checked_against_min() -> None:
    params = {"link": LINK, "quantity": "4", "runs": "2", "interval": "0"}
    assert refusal("Default", params, dripfeed=True) == quantity_less(10)
    params["runs"] = "3"  # 12 in all, but each run of 4 would be a doomed order upstream (issue 7, row 7)
    assert refusal("Default", params, dripfeed=True) == quantity_less(10)
    params.update(quantity="10", runs="3")
    assert order("Default", params, dripfeed=True).quantity == 30


def test_dripfeed_huge_runs_is_a_quantity_error() -> None:
    params = {"link": LINK, "quantity": "100", "runs": "9" * 30, "interval": "1"}
    assert refusal("Default", params, dripfeed=True) == quantity_more(1000)


def test_dripfeed_single_run_and_zero_interval_are_allowed() -> None:
    draft = order("Default", {"link": LINK, "quantity": "100", "runs": "1", "interval": "0"}, dripfeed=True)
    assert (draft.quantity, draft.runs, draft.interval, draft.charge) == (100, 1, 0, 9000)


@pytest.mark.parametrize(
    ("runs", "interval"),
    [
        ("3", ""),
        ("", "10"),
        ("3", None),
        (None, "10"),
        ("0", "10"),
        ("-1", "10"),
        ("3", "-1"),
        ("x", "1"),
        ("2", "1.5"),
        ("2", "525601"),
        ("2", "9" * 25),
    ],
)
def test_dripfeed_bad_runs_or_interval(runs: str | None, interval: str | None) -> None:
    params: dict[str, object] = {"link": LINK, "quantity": "100"}
    params |= {k: v for k, v in (("runs", runs), ("interval", interval)) if v is not None}
    assert refusal("Default", params, dripfeed=True) == errors.INCORRECT_REQUEST


def test_dripfeed_on_a_service_without_it() -> None:
    params = {"link": LINK, "quantity": "100", "runs": "3", "interval": "10"}
    assert refusal("Default", params, dripfeed=False) == errors.DRIPFEED_DISABLED
    assert refusal("Default", {**params, "interval": ""}, dripfeed=False) == errors.DRIPFEED_DISABLED


def test_dripfeed_fields_are_ignored_by_other_types() -> None:
    params = {"link": LINK, "quantity": "100", "runs": "3", "interval": "10", "usernames": "a"}
    draft = order("Mentions", params)
    assert (draft.quantity, draft.runs, draft.interval) == (100, None, None)


# Package ------------------------------------------------------------------------------------------


def test_package_is_flat_and_ignores_quantity() -> None:
    draft = order(
        "Package", {"link": LINK, "quantity": "5000", "comments": "x"}, rate=1_234_567, low=1, high=1
    )
    assert draft == OrderDraft(LINK, 1, None, None, 1_234_567, {})


def test_package_needs_a_link() -> None:
    assert refusal("Package", {"quantity": "1"}) == errors.INCORRECT_LINK


def test_package_ignores_dripfeed_fields() -> None:
    draft = order("Package", {"link": LINK, "runs": "3", "interval": "1"}, low=1, high=1)
    assert (draft.runs, draft.charge) == (None, RATE)


# SEO ----------------------------------------------------------------------------------------------


def test_seo_valid() -> None:
    draft = order("SEO", {"link": LINK, "quantity": "200", "keywords": "buy shoes\r\n\r\ncheap shoes, red\n"})
    assert draft == OrderDraft(LINK, 200, None, None, 18_000, {"keywords": ["buy shoes", "cheap shoes, red"]})


@pytest.mark.parametrize("keywords", [None, "", " \n \\n ", []])
def test_seo_needs_keywords(keywords: object) -> None:
    params: dict[str, object] = {"link": "", "quantity": "5"}  # the required field is checked first
    if keywords is not None:
        params["keywords"] = keywords
    assert refusal("SEO", params) == errors.INCORRECT_REQUEST


def test_seo_quantity_limits() -> None:
    assert refusal("SEO", {"link": LINK, "keywords": "k", "quantity": "2000"}) == quantity_more(1000)


# Custom Comments ----------------------------------------------------------------------------------


def test_custom_comments_counts_lines() -> None:
    comments = "good pic\r\ngreat photo\n\n  nice!  \\nwow\n"
    draft = order("Custom Comments", {"link": LINK, "comments": comments, "quantity": "999"}, low=1)
    assert draft == OrderDraft(
        LINK, 4, None, None, 360, {"comments": ["good pic", "great photo", "nice!", "wow"]}
    )


def test_custom_comments_keep_commas() -> None:
    draft = order("Custom Comments", {"link": LINK, "comments": "hello, world\nbye"}, low=1)
    assert draft.fields == {"comments": ["hello, world", "bye"]}


def test_custom_comments_as_a_json_list() -> None:
    params = {"link": LINK, "comments": ["first", " ", "second\nthird"]}
    draft = order("Custom Comments", params, low=1)
    assert (draft.quantity, draft.fields) == (3, {"comments": ["first", "second", "third"]})


@pytest.mark.parametrize("comments", [None, "", "\n\n", []])
def test_custom_comments_without_lines(comments: object) -> None:
    params: dict[str, object] = {"link": LINK, "quantity": "100"}
    if comments is not None:
        params["comments"] = comments
    assert refusal("Custom Comments", params) == quantity_less(10)


def test_custom_comments_limits_apply_to_line_count() -> None:
    assert refusal("Custom Comments", {"link": LINK, "comments": "a\nb"}, low=3) == quantity_less(3)
    assert refusal("Custom Comments", {"link": LINK, "comments": "a\nb\nc"}, low=1, high=2) == quantity_more(
        2
    )


def test_custom_comments_huge_list_is_just_too_many() -> None:
    comments = "\n".join(f"c{i}" for i in range(150_000))
    assert refusal("Custom Comments", {"link": LINK, "comments": comments}) == quantity_more(1000)


def test_custom_comments_link_checked_before_count() -> None:
    assert refusal("Custom Comments", {"link": "a b"}) == errors.INCORRECT_LINK


def test_custom_comments_nul_is_refused() -> None:
    assert refusal("Custom Comments", {"link": LINK, "comments": "a\x00b"}, low=1) == errors.INCORRECT_REQUEST


# Custom Comments Package --------------------------------------------------------------------------


def test_custom_comments_package_is_flat() -> None:
    params = {"link": LINK, "comments": "a\nb\nc", "quantity": "50"}
    draft = order("Custom Comments Package", params, rate=500_000, low=1, high=1)  # no min/max check
    assert draft == OrderDraft(LINK, 3, None, None, 500_000, {"comments": ["a", "b", "c"]})


@pytest.mark.parametrize("comments", [None, "", " \r\n "])
def test_custom_comments_package_needs_a_line(comments: str | None) -> None:
    params: dict[str, object] = {"link": LINK}
    if comments is not None:
        params["comments"] = comments
    assert refusal("Custom Comments Package", params, low=10) == quantity_less(1)


def test_custom_comments_package_needs_a_link() -> None:
    assert refusal("Custom Comments Package", {"comments": "a"}) == errors.INCORRECT_LINK


# Mentions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "usernames",
    [
        "alice\nbob\r\ncarol",
        "alice, bob,carol",
        "alice\\nbob\\ncarol",
        ["alice", "bob, carol"],
        ["alice", "bob", "carol"],
    ],
)
def test_mentions_username_forms(usernames: object) -> None:
    draft = order("Mentions", {"link": LINK, "quantity": "100", "usernames": usernames})
    assert draft == OrderDraft(LINK, 100, None, None, 9000, {"usernames": ["alice", "bob", "carol"]})


@pytest.mark.parametrize("usernames", [None, "", " , ,\n", []])
def test_mentions_need_usernames(usernames: object) -> None:
    params: dict[str, object] = {"link": LINK, "quantity": "100"}
    if usernames is not None:
        params["usernames"] = usernames
    assert refusal("Mentions", params) == errors.INCORRECT_REQUEST


def test_mentions_quantity_limits() -> None:
    assert refusal("Mentions", {"link": LINK, "usernames": "a"}) == quantity_less(10)


def test_mentions_with_hashtags_valid() -> None:
    params = {"link": LINK, "quantity": "100", "usernames": "test, testing", "hashtags": "#a\n#b,#c"}
    draft = order("Mentions with Hashtags", params)
    assert draft == OrderDraft(
        LINK, 100, None, None, 9000, {"usernames": ["test", "testing"], "hashtags": ["#a", "#b", "#c"]}
    )


@pytest.mark.parametrize("missing", ["usernames", "hashtags"])
def test_mentions_with_hashtags_need_both_lists(missing: str) -> None:
    params = {"link": LINK, "quantity": "100", "usernames": "a", "hashtags": "#b"}
    params[missing] = ""
    assert refusal("Mentions with Hashtags", params) == errors.INCORRECT_REQUEST


def test_mentions_custom_list_counts_usernames() -> None:
    params = {"link": LINK, "usernames": "a,b\nc\\nd", "quantity": "1"}
    draft = order("Mentions Custom List", params, low=1)
    assert draft == OrderDraft(LINK, 4, None, None, 360, {"usernames": ["a", "b", "c", "d"]})


def test_mentions_custom_list_limits() -> None:
    assert refusal("Mentions Custom List", {"link": LINK}, low=2) == quantity_less(2)
    assert refusal(
        "Mentions Custom List", {"link": LINK, "usernames": "a,b,c"}, low=1, high=2
    ) == quantity_more(2)


@pytest.mark.parametrize(
    ("type_", "name", "value"),
    [
        ("Mentions Hashtag", "hashtag", "#sunset"),
        ("Mentions User Followers", "username", "https://instagram.com/someone"),
        ("Mentions Media Likers", "media", "https://instagram.com/p/xyz"),
        ("Comment Likes", "username", "commenter"),
    ],
)
def test_single_value_types(type_: str, name: str, value: str) -> None:
    draft = order(type_, {"link": LINK, "quantity": "250", name: f" {value} ", "usernames": "ignored"})
    assert draft == OrderDraft(LINK, 250, None, None, 22_500, {name: value})


@pytest.mark.parametrize(
    ("type_", "name"),
    [
        ("Mentions Hashtag", "hashtag"),
        ("Mentions User Followers", "username"),
        ("Mentions Media Likers", "media"),
        ("Comment Likes", "username"),
    ],
)
@pytest.mark.parametrize("value", [None, "", "   ", ["a", "b"]])
def test_single_value_types_need_their_field(type_: str, name: str, value: object) -> None:
    params: dict[str, object] = {"link": LINK, "quantity": "100"}
    if value is not None:
        params[name] = value
    assert refusal(type_, params) == errors.INCORRECT_REQUEST


@pytest.mark.parametrize(
    ("type_", "name", "value"),
    [
        ("Mentions Hashtag", "hashtag", "#a"),
        ("Comment Likes", "username", "u"),
        ("Mentions Media Likers", "media", "m"),
    ],
)
def test_single_value_types_check_link_and_quantity(type_: str, name: str, value: str) -> None:
    assert refusal(type_, {name: value, "quantity": "100"}) == errors.INCORRECT_LINK
    assert refusal(type_, {name: value, "link": LINK, "quantity": "1001"}) == quantity_more(1000)


# Poll ---------------------------------------------------------------------------------------------


def test_poll_valid() -> None:
    draft = order("Poll", {"link": LINK, "quantity": "100", "answer_number": "7"})
    assert draft == OrderDraft(LINK, 100, None, None, 9000, {"answer_number": 7})


@pytest.mark.parametrize("answer", [None, "", "0", "-1", "two", "1.5"])
def test_poll_needs_a_positive_answer(answer: str | None) -> None:
    params: dict[str, object] = {"link": LINK, "quantity": "100"}
    if answer is not None:
        params["answer_number"] = answer
    assert refusal("Poll", params) == errors.INCORRECT_REQUEST


def test_poll_quantity_limits() -> None:
    assert refusal("Poll", {"link": LINK, "answer_number": "1", "quantity": "5"}) == quantity_less(10)


# Comment Replies ----------------------------------------------------------------------------------


def test_comment_replies_count_reply_lines() -> None:
    params = {"link": LINK, "username": "owner", "comments": "thanks\nagreed", "quantity": "500"}
    draft = order("Comment Replies", params, low=1)
    assert draft == OrderDraft(
        LINK, 2, None, None, 180, {"username": "owner", "comments": ["thanks", "agreed"]}
    )


def test_comment_replies_errors() -> None:
    assert refusal("Comment Replies", {"link": LINK, "comments": "a"}, low=1) == errors.INCORRECT_REQUEST
    assert refusal("Comment Replies", {"link": LINK, "username": "o"}, low=1) == quantity_less(1)
    assert refusal("Comment Replies", {"username": "o", "comments": "a"}, low=1) == errors.INCORRECT_LINK
    assert refusal("Comment Replies", {"link": LINK, "username": "o", "comments": "a\nb"}, low=1, high=1) == (
        quantity_more(1)
    )


# Invites from Groups ------------------------------------------------------------------------------


def test_invites_from_groups_valid() -> None:
    params = {"link": LINK, "quantity": "100", "groups": "group one\nhttps://t.me/two"}
    draft = order("Invites from Groups", params)
    assert draft == OrderDraft(LINK, 100, None, None, 9000, {"groups": ["group one", "https://t.me/two"]})


def test_invites_from_groups_errors() -> None:
    assert refusal("Invites from Groups", {"link": LINK, "quantity": "100", "groups": "\n"}) == (
        errors.INCORRECT_REQUEST
    )
    assert refusal("Invites from Groups", {"link": LINK, "quantity": "1", "groups": "g"}) == quantity_less(10)


# Subscriptions ------------------------------------------------------------------------------------

SUB = {"username": "someone", "min": "100", "max": "200", "delay": "30"}


def test_subscription_with_post_limit() -> None:
    draft = order(
        "Subscriptions", {**SUB, "posts": "5", "expiry": "11/11/2022", "link": "ignored", "quantity": "9"}
    )
    fields = {
        "username": "someone",
        "min": 100,
        "max": 200,
        "delay": 30,
        "posts": 5,
        "old_posts": 0,
        "expiry": "11/11/2022",
    }
    assert draft == OrderDraft("someone", 1000, None, None, 90_000, fields)  # 200 × 5 posts


def test_subscription_unlimited_posts_are_prepaid_as_the_cap() -> None:
    draft = order("Subscriptions", SUB)
    cap = types.UNLIMITED_POSTS
    assert (draft.quantity, draft.charge, draft.fields["posts"], draft.fields["expiry"]) == (
        200 * cap, 90 * 200 * cap, cap, None
    )  # fmt: skip


def test_subscription_posts_zero_alone_is_unlimited() -> None:
    draft = order("Subscriptions", {**SUB, "posts": "0"})
    cap = types.UNLIMITED_POSTS
    assert (draft.fields["posts"], draft.fields["old_posts"], draft.quantity) == (cap, 0, 200 * cap)


def test_subscription_posts_zero_with_old_posts_is_old_posts_only() -> None:
    draft = order("Subscriptions", {**SUB, "posts": "0", "old_posts": "5"})
    assert (draft.fields["posts"], draft.fields["old_posts"], draft.quantity, draft.charge) == (
        0,
        5,
        1000,
        90_000,
    )


def test_subscription_unlimited_new_posts_and_old_posts() -> None:
    draft = order("Subscriptions", {**SUB, "old_posts": "5"})
    cap = types.UNLIMITED_POSTS
    assert (draft.fields["posts"], draft.fields["old_posts"], draft.quantity) == (cap, 5, 200 * (cap + 5))


def test_subscription_posts_and_old_posts_together() -> None:
    draft = order("Subscriptions", {**SUB, "posts": "3", "old_posts": "2", "posts_extra": "x"})
    assert (draft.quantity, draft.charge) == (1000, 90_000)


def test_subscription_username_is_the_link() -> None:
    draft = order("Subscriptions", {**SUB, "username": " https%3A%2F%2Finstagram.com%2Fsomeone "})
    assert draft.link == draft.fields["username"] == "https://instagram.com/someone"


@pytest.mark.parametrize("username", [None, "", "some one"])
def test_subscription_needs_a_username(username: str | None) -> None:
    params = {k: v for k, v in SUB.items() if k != "username"}
    if username is not None:
        params["username"] = username
    assert refusal("Subscriptions", params) == errors.INCORRECT_LINK


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"min": "5"}, quantity_less(10)),
        ({"min": "-100"}, quantity_less(10)),
        ({"max": "1001"}, quantity_more(1000)),
        ({"max": "9" * 30}, quantity_more(1000)),
        ({"min": "300"}, errors.INCORRECT_REQUEST),  # min > max
        ({"min": ""}, errors.INCORRECT_REQUEST),
        ({"max": "ten"}, errors.INCORRECT_REQUEST),
        ({"delay": ""}, errors.INCORRECT_REQUEST),
        ({"delay": "25"}, errors.INCORRECT_REQUEST),
        ({"delay": "-5"}, errors.INCORRECT_REQUEST),
        ({"posts": "-1"}, errors.INCORRECT_REQUEST),
        ({"posts": "abc"}, errors.INCORRECT_REQUEST),
        ({"posts": "1000001"}, errors.INCORRECT_REQUEST),
        ({"old_posts": "-1"}, errors.INCORRECT_REQUEST),
        ({"expiry": "2030-01-13"}, errors.INCORRECT_REQUEST),
        ({"expiry": "tomorrow"}, errors.INCORRECT_REQUEST),
        ({"expiry": "31/02/2030"}, errors.INCORRECT_REQUEST),
        ({"expiry": "1/2/30"}, errors.INCORRECT_REQUEST),
        ({"expiry": "01/13/2030"}, errors.INCORRECT_REQUEST),  # m/d/Y is not accepted
    ],
)
def test_subscription_errors(changes: dict[str, str], error: str) -> None:
    assert refusal("Subscriptions", {**SUB, **changes}) == error


def test_subscription_missing_field_beats_bad_username() -> None:
    assert refusal("Subscriptions", {**SUB, "username": "", "delay": "7"}) == errors.INCORRECT_REQUEST


@pytest.mark.parametrize(
    "delay",
    [0, 5, 10, 15, 20, 30, 40, 50, 60, 90, 120, 150, 180, 210, 240, 270, 300, 360, 420, 480, 540, 600],
)
def test_subscription_delays(delay: int) -> None:
    assert order("Subscriptions", {**SUB, "delay": str(delay)}).fields["delay"] == delay


@pytest.mark.parametrize(
    ("expiry", "stored"),
    [
        ("13/01/2030", "13/01/2030"),
        ("1/2/2030", "01/02/2030"),
        ("29/02/2028", "29/02/2028"),
        (" 11/11/2022 ", "11/11/2022"),
    ],
)
def test_subscription_expiry_is_day_first(expiry: str, stored: str) -> None:
    assert order("Subscriptions", {**SUB, "expiry": expiry}).fields["expiry"] == stored


def test_subscription_min_equal_max_and_service_bounds() -> None:
    draft = order("Subscriptions", {**SUB, "min": "10", "max": "10", "posts": "1"}, low=10, high=10)
    assert (draft.quantity, draft.charge) == (10, 900)


# Web Traffic --------------------------------------------------------------------------------------

WEB = {"link": LINK, "quantity": "1000", "country": "United States", "device": "5", "type_of_traffic": "3"}


def test_web_traffic_blank_referrer() -> None:
    draft = order(
        "Web Traffic", {**WEB, "google_keyword": "ignored", "referring_url": "ignored"}, high=10_000
    )
    fields = {"country": "United States", "device": 5, "type_of_traffic": 3}
    assert draft == OrderDraft(LINK, 1000, None, None, 90_000, fields)


def test_web_traffic_google_keyword() -> None:
    draft = order("Web Traffic", {**WEB, "type_of_traffic": "1", "google_keyword": "best shoes"}, high=10_000)
    assert draft.fields == {
        "country": "United States",
        "device": 5,
        "type_of_traffic": 1,
        "google_keyword": "best shoes",
    }


def test_web_traffic_referrer() -> None:
    draft = order(
        "Web Traffic", {**WEB, "type_of_traffic": "2", "referring_url": "https://ref.example"}, high=10_000
    )
    assert draft.fields["referring_url"] == "https://ref.example"


def test_web_traffic_dripfeed() -> None:
    params = {**WEB, "quantity": "100", "runs": "4", "interval": "60"}
    draft = order("Web Traffic", params, dripfeed=True)
    assert (draft.quantity, draft.runs, draft.interval, draft.charge) == (400, 4, 60, 36_000)
    assert refusal("Web Traffic", params, dripfeed=False) == errors.DRIPFEED_DISABLED
    assert refusal("Web Traffic", {**params, "runs": "11"}, dripfeed=True) == quantity_more(1000)


@pytest.mark.parametrize(
    "changes",
    [
        {"country": ""},
        {"device": ""},
        {"device": "0"},
        {"device": "6"},
        {"type_of_traffic": "4"},
        {"type_of_traffic": "x"},
        {"type_of_traffic": "1"},
        {"type_of_traffic": "1", "google_keyword": "  "},
        {"type_of_traffic": "2"},
    ],
)
def test_web_traffic_errors(changes: dict[str, str]) -> None:
    assert refusal("Web Traffic", {**WEB, **changes}, high=10_000) == errors.INCORRECT_REQUEST


def test_web_traffic_link_and_quantity() -> None:
    assert refusal("Web Traffic", {**WEB, "link": "a b"}, high=10_000) == errors.INCORRECT_LINK
    assert refusal("Web Traffic", WEB, high=999) == quantity_more(999)


# Properties ---------------------------------------------------------------------------------------


@settings(database=None, max_examples=300)
@given(rate=st.integers(0, 10**17 - 1), quantity=st.integers(1, 10**9))
def test_default_charge_property(rate: int, quantity: int) -> None:
    params = {"link": LINK, "quantity": str(quantity)}
    if charge_units(rate, quantity) > MAX_UNITS:  # more than any balance can hold: refused, never stored
        assert refusal("Default", params, rate=rate, low=1, high=10**9) == errors.NOT_ENOUGH_FUNDS
        return
    draft = order("Default", params, rate=rate, low=1, high=10**9)
    assert draft.charge == charge_units(rate, quantity)
    assert draft.charge >= 0


@settings(database=None, max_examples=200)
@given(
    rate=st.integers(0, 10**12),
    quantity=st.integers(1, 10**6),
    runs=st.integers(1, 1000),
)
def test_dripfeed_charge_property(rate: int, quantity: int, runs: int) -> None:
    params = {"link": LINK, "quantity": str(quantity), "runs": str(runs), "interval": "5"}
    if charge_units(rate, quantity * runs) > MAX_UNITS:  # more than any balance can hold: refused, never stored
        assert refusal("Default", params, rate=rate, low=1, high=10**9, dripfeed=True) == errors.NOT_ENOUGH_FUNDS
        return
    draft = order("Default", params, rate=rate, low=1, high=10**9, dripfeed=True)
    assert draft.quantity == quantity * runs
    assert draft.charge == charge_units(rate, quantity * runs) >= 0


ALL_TEXTS = set(errors.REFUSALS.values())
FIELD_NAMES = [
    "link",
    "quantity",
    "runs",
    "interval",
    "comments",
    "usernames",
    "hashtags",
    "hashtag",
    "username",
    "media",
    "answer_number",
    "groups",
    "keywords",
    "min",
    "max",
    "delay",
    "posts",
    "old_posts",
    "expiry",
    "country",
    "device",
    "type_of_traffic",
    "google_keyword",
    "referring_url",
]
_plausible = st.one_of(
    st.text(),
    st.from_regex(r"\A-?[0-9]{1,30}\Z"),
    st.sampled_from(
        ["1", "2", "3", "5", "30", "100", "11/11/2030", "31/12/2030", LINK, "https%3A%2F%2Fx%2Fp"]
    ),
)
_values = st.one_of(_plausible, st.lists(_plausible, max_size=4))


@settings(database=None, max_examples=600)
@given(
    type_=st.sampled_from(ORDER_TYPES),
    dripfeed=st.booleans(),
    params=st.dictionaries(
        st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8)), _values, max_size=12
    ),
)
def test_add_only_ever_refuses_with_api_errors(type_: str, dripfeed: bool, params: dict[str, object]) -> None:
    try:
        draft = order(type_, params, low=1, high=10**6, dripfeed=dripfeed)
    except BadRequest:
        pass
    except OrderRefused as refused:
        assert refusal_text(refused) in ALL_TEXTS or refusal_text(refused).startswith("Quantity ")
    else:
        assert draft.charge >= 0 and draft.quantity >= 0
        assert draft.link and len(draft.link) <= 2048


def test_a_subscription_beyond_what_any_balance_holds_is_refused_not_a_crash() -> None:
    """max × posts × rate past the books' range (issue 7, row 8): `Not enough funds on balance`, no overflow."""
    params = {**SUB, "max": str(10**12), "posts": "1000000", "old_posts": "1000000"}
    assert refusal("Subscriptions", params, high=10**12, rate=10**9) == errors.NOT_ENOUGH_FUNDS
