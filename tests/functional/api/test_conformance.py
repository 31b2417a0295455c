"""Spec §8 byte for byte over real HTTP, and every request style real clients use (spec §0, §1, §2, §2.1, §9).

The §8 examples are written as literal bytes on purpose: a client compares `{"error":"Incorrect request"}`
with the raw body, so these tests do too (`response.content`, never a re-serialised `json()`).
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson

from smmpanel.accounts import customers
from smmpanel.money import parse_amount
from smmpanel.orders.lifecycle import move
from tests.conftest import Panel

JSON = "application/json"
PHP_USER_AGENT = "Mozilla/4.0 (compatible; MSIE 5.01; Windows NT 5.0)"
DAY = 86_400


def exact(response: httpx.Response, body: bytes) -> None:
    """The answer every API call must give: HTTP 200, JSON, exactly these bytes, never a redirect."""
    assert response.status_code == 200, response.content
    assert response.headers["content-type"] == JSON
    assert response.history == []
    assert response.content == body


def complete(panel: Panel, order_id: int, *, days_ago: float = 2) -> None:
    """Mark an order Completed `days_ago` days back, so a refill is allowed now."""
    panel.run(lambda db: move(db, order_id, "Completed"))
    when = int(time.time() - days_ago * DAY)
    panel.execute("UPDATE orders SET completed_at = $1, created_at = $1 WHERE id = $2", when, order_id)


def continue_ids_after(panel: Panel, table: str, last: int, placeholder: str, *args: Any) -> None:
    """Make the next id of `table` be last + 1: a sequence on PostgreSQL, a placeholder row on SQLite
    (whose rowid is max + 1); `drop_placeholder` removes the row once the next real one exists."""
    if panel.db.dialect == "postgresql":
        panel.sql(f"SELECT setval('{table}_id_seq', {last})")
    else:
        panel.execute(placeholder, last, *args)


def drop_placeholder(panel: Panel, table: str, last: int) -> None:
    panel.execute(f"DELETE FROM {table} WHERE id = $1", last)


# Spec §8 ------------------------------------------------------------------------------------------


def test_spec_section_8_examples_byte_for_byte(panel: Panel) -> None:
    form = {"content-type": "application/x-www-form-urlencoded"}
    key = panel.customer("100.84292")
    other = panel.customer("10")
    assert panel.service(rate="9", refill_days=30, cancel=True) == 1
    assert panel.service(name="Comments", type="Custom Comments", rate="0.9", min=1, max=1000) == 2

    def post(body: str) -> httpx.Response:
        return panel.http.post(panel.url, content=body.replace("K", key, 1).encode(), headers=form)

    exact(post("key=K&action=balance"), b'{"balance":"100.84292","currency":"USD"}')
    exact(post("key=K&action=nope"), b'{"error":"Incorrect request"}')
    exact(post("key=BAD&action=balance"), b'{"error":"Invalid API key"}')

    # order 1 (the caller's, completed two days ago) and order 2 (someone else's) for the refill example
    assert panel.api(key=key, action="add", service=1, link="https://x/old", quantity=100) == {"order": 1}
    assert panel.api(key=other, action="add", service=1, link="https://x/old", quantity=100) == {"order": 2}
    complete(panel, 1)
    customer_id = panel.sql("SELECT customer_id FROM orders WHERE id = 2")[0][0]
    continue_ids_after(
        panel,
        "orders",
        23500,
        "INSERT INTO orders (id, customer_id, service_id, link, quantity, charge, remains, status,"
        " created_at, updated_at) VALUES ($1, $2, 1, 'placeholder', 0, 0, 0, 'Canceled', 0, 0)",
        customer_id,
    )
    continue_ids_after(
        panel,
        "refills",
        6,
        "INSERT INTO refills (id, order_id, customer_id, status, created_at, updated_at)"
        " VALUES ($1, 2, $2, 'Rejected', 0, 0)",
        customer_id,
    )

    exact(post("key=K&action=add&service=1&link=https%3A%2F%2Fx%2Fp&quantity=100"), b'{"order":23501}')
    drop_placeholder(panel, "orders", 23500)
    exact(post("key=K&action=add&service=2&link=L&comments=good+pic%0Agreat+photo"), b'{"order":23502}')
    assert panel.sql("SELECT quantity, charge, link, fields FROM orders WHERE id = 23502") == [
        (2, 180, "L", '{"comments":["good pic","great photo"]}')
    ]

    exact(
        panel.http.get(f"{panel.url}?key={key}&action=status&orders=23501,99"),
        b'{"23501":{"charge":"0.90000","start_count":"0","status":"Pending","remains":"100","currency":"USD"},'
        b'"99":{"error":"Incorrect order ID"}}',
    )
    exact(
        panel.http.post(panel.url, content=b'{"key":"%s","action":"refill","orders":"1,2"}' % key.encode()),
        b'[{"order":1,"refill":7},{"order":2,"refill":{"error":"Incorrect order ID"}}]',
    )
    drop_placeholder(panel, "refills", 6)
    exact(
        post("key=K&action=refill_status&refills=7,8"),
        b'[{"refill":7,"status":"Pending"},{"refill":8,"status":{"error":"Refill not found"}}]',
    )
    exact(post("key=K&action=cancel&orders=23501"), b'[{"order":23501,"cancel":1}]')

    # the money: 100.84292 − 0.9 (order 1) − 0.9 (23501, refunded by the cancel) − 0.0018 (two comments)
    exact(post("key=K&action=balance"), b'{"balance":"99.94112","currency":"USD"}')
    assert panel.balance(other) == "9.10000"
    assert panel.sql("SELECT COUNT(*) FROM orders WHERE id = 23500") == [(0,)]


# Request styles (spec §0 "URLs and methods", §1, §9 traps 5 and 9) ---------------------------------

BALANCE = b'{"balance":"10.00000","currency":"USD"}'
Style = Callable[[Panel, str], httpx.Response]

STYLES: dict[str, Style] = {
    "form POST": lambda p, k: p.http.post(p.url, data={"key": k, "action": "balance"}),
    "form POST, trailing slash": lambda p, k: p.http.post(p.url + "/", data={"key": k, "action": "balance"}),
    "GET query": lambda p, k: p.http.get(p.url, params={"key": k, "action": "balance"}),
    "GET query, trailing slash": lambda p, k: p.http.get(p.url + "/", params={"key": k, "action": "balance"}),
    "JSON body": lambda p, k: p.http.post(p.url, json={"key": k, "action": "balance"}),
    "JSON body, charset": lambda p, k: p.http.post(
        p.url,
        content=orjson.dumps({"key": k, "action": "balance"}),
        headers={"content-type": "application/json; charset=utf-8"},
    ),
    "JSON body without content-type": lambda p, k: p.http.post(
        p.url, content=b' \n{"key": "%s", "action": "balance"}' % k.encode()
    ),
    "multipart": lambda p, k: p.http.post(p.url, files={"key": (None, k), "action": (None, "balance")}),
    "POST, params in the query string, empty body": lambda p, k: p.http.post(
        p.url, params={"key": k, "action": "balance"}
    ),
    "POST, query and form merged": lambda p, k: p.http.post(
        p.url, params={"action": "balance"}, data={"key": k}
    ),
    "form body wins over the query": lambda p, k: p.http.post(
        p.url, params={"key": "BAD", "action": "nope"}, data={"key": k, "action": "balance"}
    ),
    "JSON body wins over the query": lambda p, k: p.http.post(
        p.url, params={"key": "BAD", "action": "nope"}, json={"key": k, "action": "balance"}
    ),
    "multipart wins over the query": lambda p, k: p.http.post(
        p.url + "/",
        params={"key": "BAD", "action": "nope"},
        files={"key": (None, k), "action": (None, "balance")},
    ),
    "action upper case": lambda p, k: p.http.post(p.url, data={"key": k, "action": "BALANCE"}),
    "action mixed case, padded": lambda p, k: p.http.post(p.url, data={"key": k, "action": " \tBaLaNcE \n"}),
    "key padded": lambda p, k: p.http.post(p.url, data={"key": f"  {k}\n", "action": "balance"}),
    "X-Api-Key header": lambda p, k: p.http.post(p.url, data={"action": "balance"}, headers={"X-Api-Key": k}),
    "X-Api-Key header on GET": lambda p, k: p.http.get(
        p.url, params={"action": "balance"}, headers={"x-api-key": k}
    ),
    "PHP sample: hand-built body, IE 5.01 user agent": lambda p, k: p.http.post(
        p.url,
        content=f"key={k}&action=balance".encode(),
        headers={"content-type": "application/x-www-form-urlencoded", "user-agent": PHP_USER_AGENT},
    ),
    "JSON body sent as GET is ignored, query used": lambda p, k: p.http.request(
        "GET", p.url, params={"key": k, "action": "balance"}, content=b'{"key":"BAD"}'
    ),
}


def test_request_styles(panel: Panel) -> None:
    key = panel.customer("10")
    for style, send in STYLES.items():
        response = send(panel, key)
        assert response.content == BALANCE, style
        exact(response, BALANCE)


def test_request_styles_that_must_refuse(panel: Panel) -> None:
    key = panel.customer("10")
    invalid, incorrect = b'{"error":"Invalid API key"}', b'{"error":"Incorrect request"}'
    cases: list[tuple[httpx.Response, bytes]] = [
        # a key parameter, even a bad one, wins over the header
        (
            panel.http.post(panel.url, data={"key": "BAD", "action": "balance"}, headers={"x-api-key": key}),
            invalid,
        ),
        (panel.http.post(panel.url, data={"action": "balance"}, headers={"x-api-key": "BAD"}), invalid),
        (panel.http.post(panel.url, data={"action": "balance"}), invalid),
        (panel.http.get(panel.url), invalid),
        (panel.http.post(panel.url, data={"key": key, "action": "bal ance"}), incorrect),
        (panel.http.post(panel.url, data={"key": key, "action": "add-order"}), incorrect),
        (panel.http.post(panel.url, data={"key": key, "action": ""}), incorrect),
        (panel.http.post(panel.url, data={"key": key}), incorrect),
        (panel.http.post(panel.url, data={"key": key, "action": ["balance", "services"]}), incorrect),
    ]
    for response, body in cases:
        exact(response, body)
    assert panel.http.get(panel.base + "/api/v2//").status_code == 404
    assert panel.http.put(panel.url, data={"key": key, "action": "balance"}).status_code == 405
    assert panel.balance(key) == "10.00000"


# ID lists (spec §0 "ID lists", §2 rule 3) -----------------------------------------------------------

TWO = (
    b'{"1":{"charge":"0.09000","start_count":"0","status":"Pending","remains":"100","currency":"USD"},'
    b'"2":{"charge":"0.18000","start_count":"0","status":"Pending","remains":"200","currency":"USD"}}'
)
ID_LISTS: dict[str, Style] = {
    "comma string": lambda p, k: p.http.post(p.url, data={"key": k, "action": "status", "orders": "1,2"}),
    "comma string with spaces": lambda p, k: p.http.post(
        p.url, data={"key": k, "action": "status", "orders": " 1 , 2 ,, "}
    ),
    "repeated field": lambda p, k: p.http.post(
        p.url,
        content=f"key={k}&action=status&orders=1&orders=2".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    ),
    "bracketed field": lambda p, k: p.http.get(f"{p.url}?key={k}&action=status&orders[]=1&orders[]=2"),
    "http_build_query": lambda p, k: p.http.get(
        f"{p.url}?key={k}&action=status&orders%5B0%5D=1&orders%5B1%5D=2"
    ),
    "JSON array of numbers": lambda p, k: p.http.post(
        p.url, json={"key": k, "action": "status", "orders": [1, 2]}
    ),
    "JSON array of strings": lambda p, k: p.http.post(
        p.url, json={"key": k, "action": "status", "orders": ["1", " 2"]}
    ),
    "JSON float ids": lambda p, k: p.http.post(
        p.url, content=b'{"key":"%s","action":"status","orders":[1.0,2e0]}' % k.encode()
    ),
    "multipart repeated": lambda p, k: p.http.post(
        p.url,
        files=[
            ("key", (None, k)),
            ("action", (None, "status")),
            ("orders", (None, "1")),
            ("orders", (None, "2")),
        ],
    ),
    "leading zeros are canonicalised": lambda p, k: p.http.post(
        p.url, data={"key": k, "action": "status", "orders": "01,002"}
    ),
}


def test_id_list_forms(panel: Panel) -> None:
    key = panel.customer("10")
    service = panel.service()
    assert panel.api(key=key, action="add", service=service, link="https://x/1", quantity=100) == {"order": 1}
    assert panel.api(key=key, action="add", service=service, link="https://x/2", quantity=200) == {"order": 2}
    for form, send in ID_LISTS.items():
        response = send(panel, key)
        assert response.content == TWO, form
        exact(response, TWO)
    assert panel.balance(key) == "9.73000"


# Answer shapes (spec §0, §3, §9 trap 7) -------------------------------------------------------------


def test_answer_shapes(panel: Panel) -> None:
    key = panel.customer("10")
    service = panel.service(refill_days=30, cancel=True)

    def call(**params: Any) -> bytes:
        response = panel.post(key=key, **params)
        assert response.status_code == 200 and response.headers["content-type"] == JSON
        return response.content

    assert call(action="add", service=service, link="https://x/1", quantity=100) == b'{"order":1}'
    assert call(action="add", service=service, link="https://x/2", quantity=100) == b'{"order":2}'
    complete(panel, 1)
    one = b'{"charge":"0.09000","start_count":"0","status":"Completed","remains":"0","currency":"USD"}'
    assert call(action="status", order=1) == one
    assert call(action="status", order=" 1 ") == one
    assert call(action="status", orders=1) == b'{"1":' + one + b"}"  # the object shape even for one id
    assert call(action="status", orders="x,99") == (
        b'{"x":{"error":"Incorrect order ID"},"99":{"error":"Incorrect order ID"}}'
    )
    assert call(action="status", order=99) == b'{"error":"Incorrect order ID"}'
    assert call(action="refill", order=1) == b'{"refill":"1"}'  # single refill: the id as a string
    assert call(action="refill", orders=1) == (
        b'[{"order":1,"refill":{"error":"The order was completed or refill was requested less than 24 hours'
        b' ago"}}]'
    )
    assert call(action="refill_status", refill=1) == b'{"status":"Pending"}'
    assert call(action="refill_status", refills=1) == b'[{"refill":1,"status":"Pending"}]'
    assert call(action="refill_status", refill=2) == b'{"error":"Refill not found"}'
    assert call(action="cancel", order=2) == b'[{"order":2,"cancel":1}]'  # `order` still gets the array
    assert call(action="cancel", orders="2,1,abc") == (
        b'[{"order":2,"cancel":{"error":"The order can not be canceled"}},'
        b'{"order":1,"cancel":{"error":"The order can not be canceled"}},'
        b'{"order":"abc","cancel":{"error":"Incorrect order ID"}}]'
    )
    assert call(action="status", order=2) == (
        b'{"charge":"0.00000","start_count":"0","status":"Canceled","remains":"100","currency":"USD"}'
    )
    for action in ("status", "refill", "refill_status", "cancel"):
        assert call(action=action) == b'{"error":"Incorrect request"}'
    assert call(action="balance") == b'{"balance":"9.91000","currency":"USD"}'


def test_answers_carry_the_account_currency(panel: Panel) -> None:
    key = panel.run(lambda db: customers.create(db, "euro", balance=parse_amount("2"), currency="EUR"))[1]
    service = panel.service()
    exact(
        panel.post(key=key, action="add", service=service, link="https://x/p", quantity=100), b'{"order":1}'
    )
    exact(panel.post(key=key, action="balance"), b'{"balance":"1.91000","currency":"EUR"}')
    exact(
        panel.post(key=key, action="status", orders="1"),
        b'{"1":{"charge":"0.09000","start_count":"0","status":"Pending","remains":"100","currency":"EUR"}}',
    )


def test_links_and_list_fields_as_clients_send_them(panel: Panel) -> None:
    """Spec §2 rules 5 and 6, §9 traps 10 and 11: links raw, encoded twice or bare; lists as lines, literal
    backslash-n, commas (usernames) or JSON arrays. What is stored is the normalized value."""
    key = panel.customer("10")
    default = panel.service(link_guard=False)
    comments = panel.service(name="Comments", type="Custom Comments", min=1, max=100, link_guard=False)
    mentions = panel.service(name="Mentions", type="Mentions Custom List", min=1, max=100)
    sends = [
        panel.http.post(
            panel.url,
            content=f"key={key}&action=add&service=1&link=https%253A%252F%252Fx%252Fp&quantity=100".encode(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        panel.http.get(
            f"{panel.url}?key={key}&action=add&service=1&link=https://x/p?igshid=abc&quantity=100"
        ),
        panel.http.post(
            panel.url,
            data={"key": key, "action": "add", "service": default, "link": " @bare_user ", "quantity": "100"},
        ),
        panel.http.post(
            panel.url,
            json={
                "key": key,
                "action": "add",
                "service": comments,
                "link": "x",
                "comments": ["first", " ", "second\nthird"],
            },
        ),
        panel.http.post(
            panel.url,
            data={
                "key": key,
                "action": "add",
                "service": comments,
                "link": "x",
                "comments": "one\\ntwo\r\nthree\n\n",
                "quantity": "77",
            },
        ),
        panel.http.post(
            panel.url,
            data={
                "key": key,
                "action": "add",
                "service": mentions,
                "link": "x",
                "usernames": "test, testing\nthird,,",
            },
        ),
    ]
    for n, response in enumerate(sends, start=1):
        exact(response, b'{"order":%d}' % n)
    stored = panel.sql("SELECT link, quantity, fields FROM orders ORDER BY id")
    assert [(link, quantity, orjson.loads(fields)) for link, quantity, fields in stored] == [
        ("https://x/p", 100, {}),
        ("https://x/p?igshid=abc", 100, {}),
        ("@bare_user", 100, {}),
        ("x", 3, {"comments": ["first", "second", "third"]}),
        ("x", 3, {"comments": ["one", "two", "three"]}),
        ("x", 3, {"usernames": ["test", "testing", "third"]}),
    ]


def test_services_listing_bytes(panel: Panel) -> None:
    key = panel.customer("10")
    panel.service(refill_days=30, cancel=True)
    panel.service(
        name="Коментарі ✨ 评论",
        type="Custom Comments",
        category="Ютуб",
        rate="12.34567",
        min=1,
        max=50,
        dripfeed=False,
        description='Line "one"\nline two',
    )
    panel.service(name="Hidden", enabled=False)
    panel.service(name="Drip", category="TikTok", rate="0", min=100, max=1_000_000, dripfeed=True)
    body = (
        '[{"service":1,"name":"Followers","type":"Default","category":"Instagram","rate":"0.90000","min":"10",'
        '"max":"10000","refill":true,"cancel":true,"dripfeed":false,"desc":""},'
        '{"service":2,"name":"Коментарі ✨ 评论","type":"Custom Comments","category":"Ютуб",'
        '"rate":"12.34567","min":"1","max":"50","refill":false,"cancel":false,"dripfeed":false,'
        '"desc":"Line \\"one\\"\\nline two"},'
        '{"service":4,"name":"Drip","type":"Default","category":"TikTok","rate":"0.00000","min":"100",'
        '"max":"1000000","refill":false,"cancel":false,"dripfeed":true,"desc":""}]'
    ).encode()
    exact(panel.http.post(panel.url, data={"key": key, "action": "services"}), body)
    exact(panel.http.get(panel.url, params={"key": key, "action": "Services"}), body)
    services = {"key": key, "action": "services"}
    with panel.http.stream("POST", panel.url, data=services, headers={"accept-encoding": "gzip"}) as gzipped:
        assert gzipped.headers["content-encoding"] == "gzip"
        assert gzip.decompress(b"".join(gzipped.iter_raw())) == body
    identity = panel.http.post(
        panel.url, data={"key": key, "action": "services"}, headers={"accept-encoding": "identity"}
    )
    assert "content-encoding" not in identity.headers and identity.content == body
    # the catalogue changes are seen at once (the cached body is rebuilt)
    panel.service(name="New")
    listing = panel.api(key=key, action="services")
    assert [item["service"] for item in listing] == [1, 2, 4, 5]
    assert list(listing[0]) == [
        "service",
        "name",
        "type",
        "category",
        "rate",
        "min",
        "max",
        "refill",
        "cancel",
        "dripfeed",
        "desc",
    ]


# Action-less refill calls (spec §2.1, §0) -----------------------------------------------------------


def test_action_less_refill_calls(panel: Panel) -> None:
    key = panel.customer("10")
    service = panel.service(refill_days=30)
    for n in (1, 2):
        assert panel.api(key=key, action="add", service=service, link=f"https://x/{n}", quantity=100) == {
            "order": n
        }
        complete(panel, n)

    def send(**params: Any) -> httpx.Response:
        return panel.http.post(panel.url, data=params)

    exact(send(key=key, order=1), b'{"refill":"1"}')  # PHP sample refill($orderId) without action
    exact(
        send(key=key, orders="2,3"),
        b'[{"order":2,"refill":2},{"order":3,"refill":{"error":"Incorrect order ID"}}]',
    )
    exact(send(key=key, refill=1), b'{"status":"Pending"}')
    exact(
        send(key=key, refills="1,2,9"),
        (
            b'[{"refill":1,"status":"Pending"},{"refill":2,"status":"Pending"},'
            b'{"refill":9,"status":{"error":"Refill not found"}}]'
        ),
    )
    exact(
        panel.http.get(panel.url, params={"key": key, "refills": "2"}), b'[{"refill":2,"status":"Pending"}]'
    )
    exact(panel.http.post(panel.url, json={"key": key, "refill": 2}), b'{"status":"Pending"}')
    exact(send(key="BAD", order=1), b'{"error":"Invalid API key"}')
    exact(send(key=key), b'{"error":"Incorrect request"}')
    exact(send(key=key, service=1), b'{"error":"Incorrect request"}')
    assert panel.sql("SELECT id, order_id, status FROM refills ORDER BY id") == [
        (1, 1, "Pending"),
        (2, 2, "Pending"),
    ]
    assert panel.balance(key) == "9.82000"
