"""What a customer asks for when placing an order: one typed request per order type (spec §4).

Why typed values: every front end builds the same request from its own input — api/ from the API v2
parameter map (api/add.py: double-encoded links, literal `\\n`, commas, JSON arrays, integer parsing are
wire tolerance and stay there), the website from its form fields — and the domain (orders.types) does the
business validation: required fields, link validity, quantity bounds, drip-feed and subscription rules,
charge. The fields are plain values a form can fill: `str` ("" when not given), `int | None` (None when not
given), `list[str]` (one item per line), and a `date` for a subscription's expiry. No field is checked here.

`REQUEST_TYPES` names the request class of each service type; `orders.types.build_order` refuses (as a
programming error) a request whose class does not match the service type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from smmpanel.catalog.ordertypes import ORDER_TYPES


@dataclass(frozen=True, kw_only=True)
class DefaultOrder:
    """Units to deliver; `runs` and `interval` (minutes) together ask for drip-feed (spec §7.1)."""

    link: str = ""
    quantity: int | None = None  # per run when drip-fed
    runs: int | None = None
    interval: int | None = None


@dataclass(frozen=True, kw_only=True)
class PackageOrder:
    """One fixed bundle at the package price; no quantity."""

    link: str = ""


@dataclass(frozen=True, kw_only=True)
class SeoOrder:
    link: str = ""
    quantity: int | None = None
    keywords: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class CustomCommentsOrder:
    """One comment per item; the quantity is the number of comments."""

    link: str = ""
    comments: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class CustomCommentsPackageOrder:
    """Comments sold at a flat package price, whatever their number."""

    link: str = ""
    comments: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class MentionsOrder:
    link: str = ""
    quantity: int | None = None
    usernames: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class MentionsWithHashtagsOrder:
    link: str = ""
    quantity: int | None = None
    usernames: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class MentionsCustomListOrder:
    """The quantity is the number of usernames."""

    link: str = ""
    usernames: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class MentionsHashtagOrder:
    """`hashtag`: the one hashtag whose users are mentioned."""

    link: str = ""
    quantity: int | None = None
    hashtag: str = ""


@dataclass(frozen=True, kw_only=True)
class MentionsUserFollowersOrder:
    """`username`: the account (or its URL) whose followers are mentioned."""

    link: str = ""
    quantity: int | None = None
    username: str = ""


@dataclass(frozen=True, kw_only=True)
class MentionsMediaLikersOrder:
    """`media`: the post whose likers are mentioned."""

    link: str = ""
    quantity: int | None = None
    media: str = ""


@dataclass(frozen=True, kw_only=True)
class CommentLikesOrder:
    """`link` is the post, `username` the comment owner."""

    link: str = ""
    quantity: int | None = None
    username: str = ""


@dataclass(frozen=True, kw_only=True)
class PollOrder:
    """Votes for option `answer_number` (1-based)."""

    link: str = ""
    quantity: int | None = None
    answer_number: int | None = None


@dataclass(frozen=True, kw_only=True)
class CommentRepliesOrder:
    """Replies to `username`'s comment; the quantity is the number of replies."""

    link: str = ""
    username: str = ""
    comments: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class InvitesFromGroupsOrder:
    link: str = ""
    quantity: int | None = None
    groups: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class SubscriptionOrder:
    """Watch `username`; for each new post after `delay` minutes, order between `min` and `max` units.

    `posts`: new posts to cover (None: unlimited; 0 with `old_posts`: old posts only); `expiry`: the last
    day (None: never expires). No link, no quantity (spec §7.5)."""

    username: str = ""
    min: int | None = None
    max: int | None = None
    delay: int | None = None
    posts: int | None = None
    old_posts: int | None = None
    expiry: date | None = None


@dataclass(frozen=True, kw_only=True)
class WebTrafficOrder:
    """Visits from `country` on `device` (1–5) with `type_of_traffic` (1 Google keyword: `google_keyword`,
    2 custom referrer: `referring_url`, 3 blank referrer); drip-feed like Default."""

    link: str = ""
    quantity: int | None = None
    country: str = ""
    device: int | None = None
    type_of_traffic: int | None = None
    google_keyword: str = ""
    referring_url: str = ""
    runs: int | None = None
    interval: int | None = None


OrderRequest = (
    DefaultOrder
    | PackageOrder
    | SeoOrder
    | CustomCommentsOrder
    | CustomCommentsPackageOrder
    | MentionsOrder
    | MentionsWithHashtagsOrder
    | MentionsCustomListOrder
    | MentionsHashtagOrder
    | MentionsUserFollowersOrder
    | MentionsMediaLikersOrder
    | CommentLikesOrder
    | PollOrder
    | CommentRepliesOrder
    | InvitesFromGroupsOrder
    | SubscriptionOrder
    | WebTrafficOrder
)

REQUEST_TYPES: dict[str, type[OrderRequest]] = {
    "Default": DefaultOrder,
    "Package": PackageOrder,
    "SEO": SeoOrder,
    "Custom Comments": CustomCommentsOrder,
    "Custom Comments Package": CustomCommentsPackageOrder,
    "Mentions": MentionsOrder,
    "Mentions with Hashtags": MentionsWithHashtagsOrder,
    "Mentions Custom List": MentionsCustomListOrder,
    "Mentions Hashtag": MentionsHashtagOrder,
    "Mentions User Followers": MentionsUserFollowersOrder,
    "Mentions Media Likers": MentionsMediaLikersOrder,
    "Comment Likes": CommentLikesOrder,
    "Poll": PollOrder,
    "Comment Replies": CommentRepliesOrder,
    "Invites from Groups": InvitesFromGroupsOrder,
    "Subscriptions": SubscriptionOrder,
    "Web Traffic": WebTrafficOrder,
}
assert tuple(REQUEST_TYPES) == ORDER_TYPES, "every order type needs exactly one request type, in spec order"
