"""Every order type through HTTP `add` (spec §3.2, §4, §7.1, §7.5, §7.6): the fields it needs, what quantity
means, the exact charge taken from the balance, and refusals that leave the balance untouched.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from smmpanel.accounts.keys import hash_key
from smmpanel.api import errors
from smmpanel.api.errors import quantity_less, quantity_more
from smmpanel.catalog.ordertypes import ORDER_TYPES
from smmpanel.catalog.services import set_custom_rate
from smmpanel.money import format_units, parse_amount
from smmpanel.orders.lifecycle import move
from smmpanel.orders.types import UNLIMITED_POSTS
from tests.conftest import Panel

LINK = "https://instagram.com/p/abc"


def customer_id(panel: Panel, key: str) -> int:
    return int(panel.sql("SELECT customer_id FROM api_keys WHERE key_hash = $1", hash_key(key))[0][0])


def ledger(panel: Panel) -> list[Any]:
    return panel.sql("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM ledger")


# One row per type: the service's settings, a valid order (its quantity, charge in units, stored fields), and
# refusals with their exact texts. The rate is 0.9 per 1000 (90,000 units): per unit, 90 units of charge.
TYPES: dict[str, dict[str, Any]] = {
    "Default": {
        "valid": {"link": LINK, "quantity": "100"},
        "quantity": 100,
        "charge": 9_000,
        "fields": {},
        "refusals": [
            ({"quantity": "9"}, quantity_less(10)),
            ({"quantity": "1001"}, quantity_more(1000)),
            ({"link": ""}, errors.INCORRECT_LINK),
            ({"quantity": "ten"}, errors.INCORRECT_REQUEST),
        ],
    },
    "Package": {
        "service": {"min": 1, "max": 1},
        "valid": {"link": LINK, "quantity": "5000"},  # a sent quantity is ignored: one package
        "quantity": 1,
        "charge": 90_000,
        "fields": {},
        "refusals": [({"link": " "}, errors.INCORRECT_LINK)],
    },
    "SEO": {
        "valid": {"link": LINK, "quantity": "200", "keywords": "smm panel\r\ncheap likes\n"},
        "quantity": 200,
        "charge": 18_000,
        "fields": {"keywords": ["smm panel", "cheap likes"]},
        "refusals": [
            ({"keywords": " \n "}, errors.INCORRECT_REQUEST),
            ({"quantity": "5"}, quantity_less(10)),
        ],
    },
    "Custom Comments": {
        "service": {"min": 2, "max": 5},
        "valid": {"link": LINK, "comments": "good pic\r\ngreat photo\\nnice\n\n  \n", "quantity": "999"},
        "quantity": 3,
        "charge": 270,
        "fields": {"comments": ["good pic", "great photo", "nice"]},
        "refusals": [
            ({"comments": "only one"}, quantity_less(2)),
            ({"comments": "a\nb\nc\nd\ne\nf"}, quantity_more(5)),
            ({"comments": None}, quantity_less(2)),
            ({"link": None}, errors.INCORRECT_LINK),
        ],
    },
    "Custom Comments Package": {
        "valid": {"link": LINK, "comments": "one\ntwo\nthree"},
        "quantity": 3,
        "charge": 90_000,
        "fields": {"comments": ["one", "two", "three"]},  # flat: the rate
        "refusals": [({"comments": "\n\n"}, quantity_less(1)), ({"link": None}, errors.INCORRECT_LINK)],
    },
    "Mentions": {
        "valid": {"link": LINK, "quantity": "100", "usernames": "alice, bob\ncarol"},
        "quantity": 100,
        "charge": 9_000,
        "fields": {"usernames": ["alice", "bob", "carol"]},
        "refusals": [
            ({"usernames": None}, errors.INCORRECT_REQUEST),
            ({"quantity": "1001"}, quantity_more(1000)),
        ],
    },
    "Mentions with Hashtags": {
        "valid": {"link": LINK, "quantity": "50", "usernames": "test, testing", "hashtags": "#one\n#two"},
        "quantity": 50,
        "charge": 4_500,
        "fields": {"usernames": ["test", "testing"], "hashtags": ["#one", "#two"]},
        "refusals": [
            ({"hashtags": None}, errors.INCORRECT_REQUEST),
            ({"usernames": ""}, errors.INCORRECT_REQUEST),
        ],
    },
    "Mentions Custom List": {
        "service": {"min": 2, "max": 5},
        "valid": {"link": LINK, "usernames": "u1\nu2,u3", "quantity": "1"},
        "quantity": 3,
        "charge": 270,
        "fields": {"usernames": ["u1", "u2", "u3"]},
        "refusals": [
            ({"usernames": "solo"}, quantity_less(2)),
            ({"usernames": "a,b,c,d,e,f"}, quantity_more(5)),
        ],
    },
    "Mentions Hashtag": {
        "valid": {"link": LINK, "quantity": "100", "hashtag": " #travel "},
        "quantity": 100,
        "charge": 9_000,
        "fields": {"hashtag": "#travel"},
        "refusals": [({"hashtag": None}, errors.INCORRECT_REQUEST)],
    },
    "Mentions User Followers": {
        "valid": {"link": LINK, "quantity": "100", "username": "natgeo"},
        "quantity": 100,
        "charge": 9_000,
        "fields": {"username": "natgeo"},
        "refusals": [({"username": ""}, errors.INCORRECT_REQUEST)],
    },
    "Mentions Media Likers": {
        "valid": {"link": LINK, "quantity": "100", "media": "https://instagram.com/p/xyz"},
        "quantity": 100,
        "charge": 9_000,
        "fields": {"media": "https://instagram.com/p/xyz"},
        "refusals": [({"media": None}, errors.INCORRECT_REQUEST)],
    },
    "Comment Likes": {
        "valid": {"link": LINK, "quantity": "100", "username": "commenter"},
        "quantity": 100,
        "charge": 9_000,
        "fields": {"username": "commenter"},
        "refusals": [({"username": None}, errors.INCORRECT_REQUEST), ({"quantity": None}, quantity_less(10))],
    },
    "Poll": {
        "valid": {"link": LINK, "quantity": "100", "answer_number": "7"},
        "quantity": 100,
        "charge": 9_000,
        "fields": {"answer_number": 7},
        "refusals": [
            ({"answer_number": "0"}, errors.INCORRECT_REQUEST),
            ({"answer_number": "seven"}, errors.INCORRECT_REQUEST),
            ({"answer_number": None}, errors.INCORRECT_REQUEST),
        ],
    },
    "Comment Replies": {
        "service": {"min": 1, "max": 10},
        "valid": {"link": LINK, "username": "owner", "comments": "reply one\nreply two"},
        "quantity": 2,
        "charge": 180,
        "fields": {"username": "owner", "comments": ["reply one", "reply two"]},
        "refusals": [({"username": None}, errors.INCORRECT_REQUEST), ({"comments": ""}, quantity_less(1))],
    },
    "Invites from Groups": {
        "valid": {"link": LINK, "quantity": "100", "groups": "group1\ngroup2"},
        "quantity": 100,
        "charge": 9_000,
        "fields": {"groups": ["group1", "group2"]},
        "refusals": [({"groups": None}, errors.INCORRECT_REQUEST)],
    },
    "Subscriptions": {
        "valid": {
            "username": "someone",
            "min": "10",
            "max": "20",
            "delay": "30",
            "posts": "5",
            "old_posts": "2",
            "expiry": "11/11/2030",
        },
        "link": "someone",
        "quantity": 140,
        "charge": 12_600,  # max 20 × (5 posts + 2 old posts)
        "fields": {
            "username": "someone",
            "min": 10,
            "max": 20,
            "delay": 30,
            "posts": 5,
            "old_posts": 2,
            "expiry": "11/11/2030",
        },
        "refusals": [
            ({"delay": "7"}, errors.INCORRECT_REQUEST),
            ({"expiry": "2030-11-11"}, errors.INCORRECT_REQUEST),
            ({"expiry": "31/02/2030"}, errors.INCORRECT_REQUEST),
            ({"min": "5"}, quantity_less(10)),
            ({"max": "5000"}, quantity_more(1000)),
            ({"username": None}, errors.INCORRECT_LINK),
            ({"min": None}, errors.INCORRECT_REQUEST),
        ],
    },
    "Web Traffic": {
        "valid": {
            "link": LINK,
            "quantity": "100",
            "country": "US",
            "device": "5",
            "type_of_traffic": "1",
            "google_keyword": "buy shoes",
        },
        "quantity": 100,
        "charge": 9_000,
        "fields": {"country": "US", "device": 5, "type_of_traffic": 1, "google_keyword": "buy shoes"},
        "refusals": [
            ({"type_of_traffic": "2"}, errors.INCORRECT_REQUEST),
            ({"device": "9"}, errors.INCORRECT_REQUEST),
            ({"country": None}, errors.INCORRECT_REQUEST),
        ],
    },
}


def test_the_table_covers_every_type() -> None:
    assert tuple(TYPES) == ORDER_TYPES


@pytest.mark.parametrize("type_", ORDER_TYPES)
def test_order_type(panel: Panel, type_: str) -> None:
    case = TYPES[type_]
    key = panel.customer("2")
    service = panel.service(
        type=type_, name=f"{type_} service", **({"min": 10, "max": 1000} | case.get("service", {}))
    )
    base = {"key": key, "action": "add", "service": str(service)} | case["valid"]

    # every refusal: the exact text, and not a unit taken
    for change, text in case["refusals"]:
        params = {k: v for k, v in (base | change).items() if v is not None}
        assert panel.api(**params) == {"error": text}, change
    assert panel.balance(key) == "2.00000"
    assert ledger(panel) == [(1, 200_000)]

    # the valid order: quantity derived as the type says, the charge debited at once, fields kept normalized
    assert panel.api(**base) == {"order": 1}
    link = case.get("link", LINK)
    stored = panel.sql("SELECT link, quantity, charge, remains, runs, fields FROM orders WHERE id = 1")[0]
    assert stored[:5] == (link, case["quantity"], case["charge"], case["quantity"], None)
    assert orjson.loads(stored[5]) == case["fields"]
    left = 200_000 - case["charge"]
    assert panel.balance(key) == f"{left // 100_000}.{left % 100_000:05d}"
    assert panel.sql("SELECT kind, amount, order_id FROM ledger ORDER BY id") == [
        ("deposit", 200_000, None),
        ("charge", -case["charge"], 1),
    ]
    status = panel.api(key=key, action="status", order=1)
    assert status["charge"] == f"0.{case['charge']:05d}"
    assert (status["status"], status["remains"], status["start_count"]) == (
        "Active" if type_ == "Subscriptions" else "Pending",
        str(case["quantity"]),
        "0",
    )
    if type_ == "Subscriptions":
        assert (status["posts"], status["orders"], status["expiry"]) == ("0", [], "11/11/2030")

    # the same order through a JSON body, with numbers as numbers, costs the same
    as_json = {k: int(v) if isinstance(v, str) and v.isdigit() else v for k, v in base.items() if k != "key"}
    response = panel.http.post(
        panel.url,
        json={"key": key, **as_json, "link": f"{link}2"}
        if "link" in base
        else {"key": key, **as_json, "username": "someone2"},
    )
    assert response.content == b'{"order":2}'
    assert panel.sql("SELECT quantity, charge FROM orders WHERE id = 2") == [
        (case["quantity"], case["charge"])
    ]


# Drip-feed (spec §7.1, §9 trap 12) ------------------------------------------------------------------


def test_drip_feed_checks_and_charges_the_total(panel: Panel) -> None:
    key = panel.customer("1")
    drip = panel.service(dripfeed=True, max=1000)
    plain = panel.service(name="No drip", dripfeed=False)

    def add(service: int, link: str, **extra: Any) -> Any:
        return panel.api(key=key, action="add", service=service, link=link, **extra)

    assert add(drip, "https://x/1", quantity=400, runs=3, interval=10) == {"error": quantity_more(1000)}
    assert add(drip, "https://x/1", quantity=3, runs=3, interval=10) == {"error": quantity_less(10)}
    assert add(plain, "https://x/1", quantity=100, runs=3, interval=10) == {"error": errors.DRIPFEED_DISABLED}
    assert add(plain, "https://x/1", quantity=100, runs=3) == {"error": errors.DRIPFEED_DISABLED}
    assert add(drip, "https://x/1", quantity=100, runs=3) == {"error": errors.INCORRECT_REQUEST}
    assert panel.balance(key) == "1.00000"

    assert add(drip, "https://x/1", quantity=100, runs=3, interval=10) == {"order": 1}  # 300 × 0.9 / 1000
    assert panel.balance(key) == "0.73000"
    # 12 in total, but every run of 4 would be refused upstream (min 10): refused here, nothing charged
    assert add(drip, "https://x/2", quantity=4, runs=3, interval=0) == {"error": quantity_less(10)}
    assert panel.balance(key) == "0.73000"
    assert add(drip, "https://x/2", quantity=10, runs=3, interval=0) == {"order": 2}  # 10 per run, 30 in total
    assert add(plain, "https://x/3", quantity=100, runs="", interval="") == {
        "order": 3
    }  # empty: not drip-feed
    assert panel.balance(key) == "0.61300"
    assert panel.sql("SELECT quantity, runs, interval, charge FROM orders ORDER BY id") == [
        (300, 3, 10, 27_000),
        (30, 3, 0, 2_700),
        (100, None, None, 9_000),
    ]
    assert panel.post(key=key, action="status", order=1).content == (
        b'{"charge":"0.27000","start_count":"0","status":"Pending","remains":"300","currency":"USD",'
        b'"runs":"0","orders":[]}'
    )
    assert panel.post(key=key, action="status", orders="3,2").content == (
        b'{"3":{"charge":"0.09000","start_count":"0","status":"Pending","remains":"100","currency":"USD"},'
        b'"2":{"charge":"0.02700","start_count":"0","status":"Pending","remains":"30","currency":"USD",'
        b'"runs":"0","orders":[]}}'
    )


# Subscriptions (spec §0 "Subscription posts", §4, §7.5) ------------------------------------------------


def test_subscription_posts_and_status_shape(panel: Panel) -> None:
    key = panel.customer("20")
    service = panel.service(type="Subscriptions", name="Auto likes", min=10, max=1000)
    cap = UNLIMITED_POSTS

    def subscribe(username: str, **terms: str) -> Any:
        return panel.api(key=key, action="add", service=service, username=username, min="10", max="20",
                         delay="0", **terms)  # fmt: skip

    assert subscribe("unlimited") == {"order": 1}  # posts absent: unlimited, prepaid as the cap
    assert subscribe("zero", posts="0") == {"order": 2}  # 0 alone: unlimited too
    assert subscribe("old", posts="0", old_posts="5") == {"order": 3}  # old posts only: 20 × 5
    assert subscribe("both", posts="3", old_posts="2", expiry="1/2/2031") == {"order": 4}  # 20 × (3 + 2)
    capped = 20 * cap
    assert panel.sql("SELECT link, quantity, charge FROM orders ORDER BY id") == [
        ("unlimited", capped, capped * 90), ("zero", capped, capped * 90), ("old", 100, 9_000),
        ("both", 100, 9_000)
    ]  # fmt: skip
    assert [orjson.loads(r[0])["posts"] for r in panel.sql("SELECT fields FROM orders ORDER BY id")] == [
        cap, cap, 0, 3
    ]  # fmt: skip
    assert panel.balance(key) == format_units(parse_amount("20") - 2 * capped * 90 - 18_000)
    assert panel.post(key=key, action="status", orders="3,4").content == (
        b'{"3":{"charge":"0.09000","start_count":"0","status":"Active","remains":"100","currency":"USD",'
        b'"posts":"0","orders":[]},'
        b'"4":{"charge":"0.09000","start_count":"0","status":"Active","remains":"100","currency":"USD",'
        b'"posts":"0","orders":[],"expiry":"01/02/2031"}}'
    )
    panel.run(lambda db: move(db, 3, "Partial", remains=60))  # ended with 3 of 5 posts unused
    status = panel.api(key=key, action="status", order=3)
    assert (status["status"], status["charge"]) == ("Expired", "0.03600")  # 60 of 100 units refunded


# Duplicate-link guard (spec §3.2 step 6, §7.6) ------------------------------------------------------


def test_duplicate_active_link_guard(panel: Panel) -> None:
    key = panel.customer("1")
    poor = panel.customer("0.09")
    guarded = panel.service()
    other = panel.service(name="Likes")
    open_links = panel.service(name="Views", link_guard=False)

    def add(who: str, service: int, link: str) -> Any:
        return panel.api(key=who, action="add", service=service, link=link, quantity=100)

    assert add(key, guarded, "https://x/p") == {"order": 1}
    assert panel.balance(key) == "0.91000"
    for status in ("Pending", "Processing", "In progress"):
        panel.execute("UPDATE orders SET status = $1 WHERE id = 1", status)
        assert add(key, guarded, "https://x/p") == {"error": errors.ACTIVE_ORDER}, status
        assert add(key, guarded, " https://x/p ") == {"error": errors.ACTIVE_ORDER}, (
            status
        )  # the trimmed link
    assert panel.balance(key) == "0.91000"
    assert add(key, other, "https://x/p") == {"order": 2}  # another service
    assert add(key, guarded, "https://x/q") == {"order": 3}  # another link
    assert add(poor, guarded, "https://x/p") == {"order": 4}  # another customer
    assert add(poor, guarded, "https://x/p") == {"error": errors.ACTIVE_ORDER}  # the guard comes before funds
    assert add(poor, guarded, "https://x/r") == {"error": errors.NOT_ENOUGH_FUNDS}
    assert panel.balance(poor) == "0.00000"

    panel.run(lambda db: move(db, 1, "Completed"))
    assert add(key, guarded, "https://x/p") == {"order": 5}  # finished orders do not block
    assert add(key, open_links, "https://x/p") == {"order": 6}
    assert add(key, open_links, "https://x/p") == {"order": 7}  # link_guard=False
    assert panel.balance(key) == "0.46000"
    assert panel.sql("SELECT COUNT(*) FROM orders") == [(7,)]


# Validation order (spec §3.2: service, fields, link, quantity, duplicate link, balance; first failure wins) -


def test_validation_order(panel: Panel) -> None:
    key = panel.customer("0.05")
    default = panel.service()
    mentions = panel.service(name="Mentions", type="Mentions")
    assert panel.api(key=key, action="add", service=default, link="https://x/p", quantity=10) == {"order": 1}

    def add(**params: Any) -> Any:
        return panel.api(key=key, action="add", **params)

    assert add(service=99, link="", quantity=0) == {"error": errors.INCORRECT_SERVICE}
    assert add(service=mentions, link="", quantity=5) == {"error": errors.INCORRECT_REQUEST}
    assert add(service=default, link="bad link", quantity=5) == {"error": errors.INCORRECT_LINK}
    assert add(service=default, link="https://x/p", quantity=5) == {"error": quantity_less(10)}
    assert add(service=default, link="https://x/p", quantity=20_000) == {"error": quantity_more(10_000)}
    assert add(service=default, link="https://x/p", quantity=1000) == {"error": errors.ACTIVE_ORDER}
    assert add(service=default, link="https://x/q", quantity=1000) == {"error": errors.NOT_ENOUGH_FUNDS}
    assert add(service=default, link="bad link", quantity=1000, runs=2, interval=5) == {
        "error": errors.DRIPFEED_DISABLED
    }
    assert panel.balance(key) == "0.04100"
    assert ledger(panel) == [(2, 4_100)]


# Services that cannot be ordered ---------------------------------------------------------------------


def test_incorrect_service_id(panel: Panel) -> None:
    key = panel.customer("1")
    service = panel.service()
    disabled = panel.service(name="Off", enabled=False)
    for value in (str(disabled), "3", "0", "-1", "abc", "1abc", " ", "1.5", "99999999999999999999"):
        assert panel.api(key=key, action="add", service=value, link=LINK, quantity=100) == {
            "error": errors.INCORRECT_SERVICE
        }, value
    assert panel.balance(key) == "1.00000"
    panel.execute("UPDATE services SET enabled = $1 WHERE id = $2", True, disabled)
    assert panel.api(key=key, action="add", service=disabled, link=LINK, quantity=100) == {"order": 1}
    panel.execute("UPDATE services SET enabled = $1 WHERE id = $2", False, service)
    assert panel.api(key=key, action="add", service=service, link=LINK, quantity=100) == {
        "error": errors.INCORRECT_SERVICE
    }
    assert panel.balance(key) == "0.91000"


# Funds (spec §3.2 step 7) ----------------------------------------------------------------------------


def test_exact_funds_then_not_enough(panel: Panel) -> None:
    key = panel.customer("0.27")
    service = panel.service()
    for n in (1, 2, 3):
        assert panel.api(key=key, action="add", service=service, link=f"https://x/{n}", quantity=100) == {
            "order": n
        }
    assert panel.balance(key) == "0.00000"
    assert panel.api(key=key, action="add", service=service, link="https://x/4", quantity=100) == {
        "error": errors.NOT_ENOUGH_FUNDS
    }
    free = panel.service(name="Free", rate="0")
    assert panel.api(key=key, action="add", service=free, link="https://x/4", quantity=100) == {"order": 4}
    assert panel.balance(key) == "0.00000"
    assert panel.sql("SELECT COUNT(*), SUM(amount) FROM ledger") == [(4, 0)]  # no row for a free order


# Custom per-customer rates ---------------------------------------------------------------------------


def test_custom_rates_change_services_and_the_charge(panel: Panel) -> None:
    vip, regular = panel.customer("1"), panel.customer("1")
    followers = panel.service(rate="0.9")
    package = panel.service(name="Bundle", type="Package", rate="2.5", min=1, max=1)
    vip_id = customer_id(panel, vip)

    def rates(key: str) -> list[str]:
        return [item["rate"] for item in panel.api(key=key, action="services")]

    assert rates(vip) == rates(regular) == ["0.90000", "2.50000"]
    panel.run(lambda db: set_custom_rate(db, vip_id, followers, parse_amount("0.45")))
    panel.run(lambda db: set_custom_rate(db, vip_id, package, parse_amount("0.12345")))
    assert rates(vip) == ["0.45000", "0.12345"]
    assert rates(regular) == ["0.90000", "2.50000"]

    assert panel.api(key=vip, action="add", service=followers, link=LINK, quantity=1000) == {"order": 1}
    assert panel.api(key=vip, action="add", service=package, link=LINK) == {"order": 2}
    assert panel.balance(vip) == "0.42655"  # 1 − 0.45 − 0.12345
    assert panel.api(key=regular, action="add", service=followers, link=LINK, quantity=1000) == {"order": 3}
    assert panel.balance(regular) == "0.10000"
    assert panel.api(key=vip, action="status", order=1)["charge"] == "0.45000"

    panel.run(lambda db: set_custom_rate(db, vip_id, followers, None))  # removed: the list rate again
    assert rates(vip) == ["0.90000", "0.12345"]
    assert panel.api(key=vip, action="add", service=followers, link="https://x/2", quantity=100) == {
        "order": 4
    }
    assert panel.balance(vip) == "0.33655"


def test_a_subscription_charge_beyond_bigint_is_an_api_error(panel: Panel) -> None:
    """Issue 7, row 8: max × posts × rate past BIGINT answered HTTP 500; now the API's own refusal."""
    key = panel.customer("5")
    service = panel.service(type="Subscriptions", rate="100000", min=1, max=2_000_000_000)  # services.max: INTEGER
    answer = panel.post(key=key, action="add", service=service, username="someone", min=1, max=2_000_000_000,
                        delay=0, posts=1_000_000, old_posts=1_000_000)  # fmt: skip
    assert (answer.status_code, answer.content) == (200, b'{"error":"Not enough funds on balance"}')
    assert panel.balance(key) == "5.00000"
