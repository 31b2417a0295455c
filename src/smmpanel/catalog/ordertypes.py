"""The order-type vocabulary: the 17 exact API v2 service `type` names (spec §4), in spec order.

Why a leaf module: the catalogue validates a service's type against this list and the order rules
(orders.types) keep one rule per name; both import it from here, so neither package imports the other's
internals and there is no cycle between catalog and orders. It imports nothing.
"""

from __future__ import annotations

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
