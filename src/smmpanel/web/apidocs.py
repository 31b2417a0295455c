"""The content of the API page: every API v2 action with its parameters and an example answer, and every order
type's fields (spec §3 and §4). Data, not markup: the template lays it out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Action:
    title: str
    params: list[tuple[str, str]]
    example: str


ACTIONS = [
    Action("Service list", [("key", "Your API key"), ("action", "services")],
           '[\n  {\n    "service": 1,\n    "name": "Followers",\n    "type": "Default",\n    "category": "First Category",'
           '\n    "rate": "0.90000",\n    "min": "50",\n    "max": "10000",\n    "refill": true,\n    "cancel": true,'
           '\n    "dripfeed": false,\n    "desc": ""\n  }\n]'),
    Action("Add order", [("key", "Your API key"), ("action", "add"), ("service", "Service ID"),
                         ("link", "Link to page"), ("quantity", "Needed quantity"),
                         ("runs (optional)", "Runs to deliver (drip-feed)"),
                         ("interval (optional)", "Interval in minutes (drip-feed)"),
                         ("…", "the fields of the service's type: see Order types below")],
           '{\n  "order": 23501\n}'),
    Action("Order status", [("key", "Your API key"), ("action", "status"), ("order", "Order ID")],
           '{\n  "charge": "0.27819",\n  "start_count": "3572",\n  "status": "Partial",\n  "remains": "157",'
           '\n  "currency": "USD"\n}'),
    Action("Multiple orders status", [("key", "Your API key"), ("action", "status"),
                                      ("orders", "Order IDs separated by a comma (up to 100)")],
           '{\n  "1": {\n    "charge": "0.27819",\n    "start_count": "3572",\n    "status": "Partial",'
           '\n    "remains": "157",\n    "currency": "USD"\n  },\n  "10": {\n    "error": "Incorrect order ID"\n  }\n}'),
    Action("Create refill", [("key", "Your API key"), ("action", "refill"), ("order", "Order ID")],
           '{\n  "refill": "1"\n}'),
    Action("Create multiple refill", [("key", "Your API key"), ("action", "refill"),
                                      ("orders", "Order IDs separated by a comma (up to 100)")],
           '[\n  {\n    "order": 1,\n    "refill": 1\n  },\n  {\n    "order": 2,\n    "refill": 2\n  },'
           '\n  {\n    "order": 3,\n    "refill": {\n      "error": "Incorrect order ID"\n    }\n  }\n]'),
    Action("Get refill status", [("key", "Your API key"), ("action", "refill_status"), ("refill", "Refill ID")],
           '{\n  "status": "Completed"\n}'),
    Action("Get multiple refill status", [("key", "Your API key"), ("action", "refill_status"),
                                          ("refills", "Refill IDs separated by a comma (up to 100)")],
           '[\n  {\n    "refill": 1,\n    "status": "Completed"\n  },\n  {\n    "refill": 2,\n    "status": "Rejected"'
           '\n  },\n  {\n    "refill": 3,\n    "status": {\n      "error": "Refill not found"\n    }\n  }\n]'),
    Action("Create cancel", [("key", "Your API key"), ("action", "cancel"),
                             ("orders", "Order IDs separated by a comma (up to 100)")],
           '[\n  {\n    "order": 9,\n    "cancel": {\n      "error": "Incorrect order ID"\n    }\n  },'
           '\n  {\n    "order": 2,\n    "cancel": 1\n  }\n]'),
    Action("User balance", [("key", "Your API key"), ("action", "balance")],
           '{\n  "balance": "100.84292",\n  "currency": "USD"\n}'),
]

_LINK = ("link", "Link to page")
_QTY = ("quantity", "Needed quantity")
ORDER_TYPES: list[tuple[str, list[tuple[str, str]]]] = [
    ("Default", [_LINK, _QTY, ("runs (optional)", "Runs to deliver"), ("interval (optional)", "Interval in minutes")]),
    ("Package", [_LINK]),
    ("SEO", [_LINK, _QTY, ("keywords", "Keywords, one per line")]),
    ("Custom Comments", [_LINK, ("comments", "Comments, one per line")]),
    ("Custom Comments Package", [_LINK, ("comments", "Comments, one per line")]),
    ("Mentions", [_LINK, _QTY, ("usernames", "Usernames, one per line")]),
    ("Mentions with Hashtags", [_LINK, _QTY, ("usernames", "Usernames, one per line"),
                                ("hashtags", "Hashtags, one per line")]),
    ("Mentions Custom List", [_LINK, ("usernames", "Usernames, one per line")]),
    ("Mentions Hashtag", [_LINK, _QTY, ("hashtag", "Hashtag to scrape usernames from")]),
    ("Mentions User Followers", [_LINK, _QTY, ("username", "URL or username to scrape followers from")]),
    ("Mentions Media Likers", [_LINK, _QTY, ("media", "Media URL to scrape likers from")]),
    ("Comment Likes", [_LINK, _QTY, ("username", "Username of the comment owner")]),
    ("Poll", [_LINK, _QTY, ("answer_number", "Answer number of the poll")]),
    ("Comment Replies", [_LINK, ("username", "Username of the comment owner"), ("comments", "Replies, one per line")]),
    ("Invites from Groups", [_LINK, _QTY, ("groups", "Groups, one per line")]),
    ("Subscriptions", [("username", "Username"), ("min", "Quantity min"), ("max", "Quantity max"),
                       ("posts (optional)", "New posts to process (absent: unlimited)"),
                       ("old_posts (optional)", "Old posts to process"), ("delay", "Delay in minutes"),
                       ("expiry (optional)", "Expiry date, d/m/Y")]),
    ("Web Traffic", [_LINK, _QTY, ("country", "Country code or name"), ("device", "1 to 5"),
                     ("type_of_traffic", "1 Google keyword, 2 custom referrer, 3 blank referrer"),
                     ("google_keyword", "when type_of_traffic is 1"), ("referring_url", "when type_of_traffic is 2")]),
]
