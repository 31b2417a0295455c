"""Hostile and broken input over real HTTP: every refusal is the exact error text, HTTP 200 (413 for an
oversize body), and leaves the books untouched — same balance, same ledger, no order or refill row (STYLE
rule 13).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import orjson
import pytest

from smmpanel.api import errors
from smmpanel.api.errors import quantity_less, quantity_more
from tests.conftest import Panel

JSON = "application/json"
FORM = {"content-type": "application/x-www-form-urlencoded"}
SQL = [
    "' OR '1'='1",
    "1; DROP TABLE orders; --",
    "1' UNION SELECT key_hash FROM api_keys --",
    "%",
    "_",
    "*",
    "$1",
    "?1",
    "\\",
    "'||(SELECT 1)||'",
]


def body(text: str) -> bytes:
    return orjson.dumps({"error": text})


def books(panel: Panel) -> tuple[Any, ...]:
    """Everything money or work: balances, the ledger, orders and refills."""
    return (
        tuple(panel.sql("SELECT id, balance FROM customers ORDER BY id")),
        tuple(panel.sql("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM ledger")),
        tuple(panel.sql("SELECT COUNT(*), COALESCE(SUM(charge), 0), COALESCE(SUM(refunded), 0) FROM orders")),
        tuple(panel.sql("SELECT COUNT(*) FROM refills")),
    )


@pytest.fixture
def shop(panel: Panel) -> Iterator[tuple[Panel, str]]:
    """A customer with 10.00000, a drip-feed-capable service (id 1) and one Pending order (id 1); on exit the
    books must be exactly as they were on entry."""
    key = panel.customer("10")
    assert panel.service(cancel=True, refill_days=30, dripfeed=True) == 1
    assert panel.api(key=key, action="add", service=1, link="https://x/first", quantity=100) == {"order": 1}
    before = books(panel)
    yield panel, key
    assert books(panel) == before
    assert panel.balance(key) == "9.91000"


def refused(response: httpx.Response, text: str, case: object = None) -> None:
    assert response.status_code == 200, (case, response.content)
    assert response.headers["content-type"] == JSON
    assert response.content == body(text), case


# `add` with bad fields ------------------------------------------------------------------------------

MISSING = object()
ADD_REFUSALS: dict[str, list[tuple[object, str]]] = {
    "service": [
        (MISSING, errors.INCORRECT_SERVICE),
        ("", errors.INCORRECT_SERVICE),
        (" ", errors.INCORRECT_SERVICE),
        ("abc", errors.INCORRECT_SERVICE),
        ("-1", errors.INCORRECT_SERVICE),
        ("0", errors.INCORRECT_SERVICE),
        ("2", errors.INCORRECT_SERVICE),
        ("1.0", errors.INCORRECT_SERVICE),
        ("1e0", errors.INCORRECT_SERVICE),
        ("0x1", errors.INCORRECT_SERVICE),
        ("１", errors.INCORRECT_SERVICE),  # a full-width digit
        ("٣", errors.INCORRECT_SERVICE),  # an Arabic-Indic digit
        ("2147483647", errors.INCORRECT_SERVICE),
        ("9" * 400, errors.INCORRECT_SERVICE),
        (["1", "1"], errors.INCORRECT_SERVICE),
        *((fragment, errors.INCORRECT_SERVICE) for fragment in SQL),
    ],
    "quantity": [
        (MISSING, quantity_less(10)),
        ("", quantity_less(10)),
        ("0", quantity_less(10)),
        ("9", quantity_less(10)),
        ("-5", quantity_less(10)),
        ("-" + "9" * 100, quantity_less(10)),
        ("10001", quantity_more(10_000)),
        ("2147483648", quantity_more(10_000)),
        ("9" * 100, quantity_more(10_000)),
        ("9" * 5000, quantity_more(10_000)),
        ("abc", errors.INCORRECT_REQUEST),
        ("100.0", errors.INCORRECT_REQUEST),
        ("1e3", errors.INCORRECT_REQUEST),
        ("0x64", errors.INCORRECT_REQUEST),
        ("+100", errors.INCORRECT_REQUEST),
        ("1 00", errors.INCORRECT_REQUEST),
        ("１００", errors.INCORRECT_REQUEST),
        (["100", "200"], errors.INCORRECT_REQUEST),
        *((fragment, errors.INCORRECT_REQUEST) for fragment in SQL),
    ],
    "link": [
        (MISSING, errors.INCORRECT_LINK),
        ("", errors.INCORRECT_LINK),
        ("   ", errors.INCORRECT_LINK),
        ("https://x/p q", errors.INCORRECT_LINK),
        ("https://x/p\tq", errors.INCORRECT_LINK),
        ("https://x/p\nq", errors.INCORRECT_LINK),
        ("https://x/\x00", errors.INCORRECT_LINK),
        ("https://x/\x1b[31m", errors.INCORRECT_LINK),
        ("https://x/a\u200bb", errors.INCORRECT_LINK),  # zero-width space
        ("https://x/a\u2028b", errors.INCORRECT_LINK),  # line separator
        ("https://x/a\u00a0b", errors.INCORRECT_LINK),  # no-break space
        ("https://x/a\u202eb", errors.INCORRECT_LINK),  # right-to-left override
        ("https://x/" + "a" * 3000, errors.INCORRECT_LINK),
        ("' OR '1'='1", errors.INCORRECT_LINK),
        ("1; DROP TABLE orders; --", errors.INCORRECT_LINK),
        (["https://x/1", "https://x/2"], errors.INCORRECT_REQUEST),
    ],
    "dripfeed": [
        ({"runs": "3"}, errors.INCORRECT_REQUEST),
        ({"interval": "5"}, errors.INCORRECT_REQUEST),
        ({"runs": "0", "interval": "5"}, errors.INCORRECT_REQUEST),
        ({"runs": "-2", "interval": "5"}, errors.INCORRECT_REQUEST),
        ({"runs": "2", "interval": "-5"}, errors.INCORRECT_REQUEST),
        ({"runs": "x", "interval": "5"}, errors.INCORRECT_REQUEST),
        ({"runs": "2", "interval": "1.5"}, errors.INCORRECT_REQUEST),
        ({"runs": "9" * 50, "interval": "5"}, quantity_more(10_000)),
        ({"runs": "101", "interval": "5"}, quantity_more(10_000)),  # 100 × 101 over the maximum
        ({"runs": "2147483647", "interval": "5"}, quantity_more(10_000)),
        *(({"runs": fragment, "interval": "5"}, errors.INCORRECT_REQUEST) for fragment in SQL),
        *(({"runs": "2", "interval": fragment}, errors.INCORRECT_REQUEST) for fragment in SQL),
    ],
}


@pytest.mark.parametrize("field", list(ADD_REFUSALS))
def test_add_refusals(shop: tuple[Panel, str], field: str) -> None:
    panel, key = shop
    for value, text in ADD_REFUSALS[field]:
        params: dict[str, Any] = {
            "key": key,
            "action": "add",
            "service": "1",
            "link": "https://x/p",
            "quantity": "100",
        }
        if value is MISSING:
            del params[field]
        elif isinstance(value, dict):
            params |= value
        else:
            params[field] = value
        refused(panel.http.post(panel.url, data=params), text, (field, value))
        if isinstance(value, str):  # the same through a JSON body
            refused(panel.http.post(panel.url, json=params), text, ("json", field, value))


def test_sql_fragments_and_unicode_are_stored_verbatim(panel: Panel) -> None:
    """What is not an error is data: stored and echoed exactly, never interpreted."""
    key = panel.customer("10")
    default = panel.service()
    comments = panel.service(name="Comments", type="Custom Comments", min=1, max=100)
    links = ["';DROP/**/TABLE/**/orders;--", "https://x/пост/👍?q='1'&x=\"2\"", "@юзер_名前", "%27%3B--"]
    for n, link in enumerate(links, start=1):
        assert panel.api(key=key, action="add", service=default, link=link, quantity=100) == {"order": n}
    lines = ["' OR '1'='1", "Ñandú 🐦", "Robert'); DROP TABLE customers;--", "\\N", "$1"]
    assert panel.api(
        key=key, action="add", service=comments, link="https://x/c", comments="\n".join(lines)
    ) == {"order": 5}
    assert [r[0] for r in panel.sql("SELECT link FROM orders ORDER BY id")] == [*links, "https://x/c"]
    assert orjson.loads(panel.sql("SELECT fields FROM orders WHERE id = 5")[0][0]) == {"comments": lines}
    assert panel.sql("SELECT quantity, charge FROM orders WHERE id = 5") == [(5, 450)]
    assert panel.balance(key) == "9.63550"  # 4 × 0.09 + 5 comments × 0.9 / 1000
    assert panel.sql("SELECT COUNT(*) FROM customers") == [(1,)]


def test_extra_fields_are_ignored_and_cannot_set_the_price(panel: Panel) -> None:
    key = panel.customer("10")
    victim = panel.customer("10")
    service = panel.service()
    params = {
        "key": key,
        "action": "add",
        "service": service,
        "link": "https://x/p",
        "quantity": "100",
        "runs": "",
        "interval": "",
        "charge": "0",
        "rate": "0",
        "status": "Completed",
        "customer_id": "2",
        "customer": "2",
        "id": "77",
        "order": "77",
        "remains": "0",
        "currency": "EUR",
        "comments": "x\ny",
        "usernames": "a,b",
        "foo[bar]": "baz",
        "": "empty name",
    }
    assert panel.api(**params) == {"order": 1}
    assert panel.sql("SELECT customer_id, quantity, charge, status, remains, runs, fields FROM orders") == [
        (1, 100, 9000, "Pending", 100, None, "{}")
    ]
    assert panel.balance(key) == "9.91000"
    assert panel.balance(victim) == "10.00000"


# Keys and actions ------------------------------------------------------------------------------------

KEYS: list[object] = [MISSING, "", " ", "BAD", *SQL, "x" * 10_000, "\x00", "ключ", "🔑"]


def test_hostile_keys(shop: tuple[Panel, str]) -> None:
    panel, key = shop
    for value in [*KEYS, key.upper(), key[:-1], key + "0", key + "\x00", key[:8], f"{key}' --", [key, key]]:
        params: dict[str, Any] = {"action": "add", "service": "1", "link": "https://x/p", "quantity": "100"}
        if value is not MISSING:
            params["key"] = value
        refused(panel.http.post(panel.url, data=params), errors.INVALID_KEY, value)
        refused(panel.http.get(panel.url, params=params | {"action": "balance"}), errors.INVALID_KEY, value)
        if (
            isinstance(value, str)
            and value.strip()
            and len(value) < 200
            and value.isascii()
            and value.isprintable()
        ):
            refused(
                panel.http.post(panel.url, data=params, headers={"x-api-key": value}),
                errors.INVALID_KEY,
                value,
            )


def test_hostile_actions(shop: tuple[Panel, str]) -> None:
    panel, key = shop
    for action in [
        "",
        " ",
        "nope",
        "add-order",
        "orders",
        "balance; DROP TABLE customers",
        "balance\x00",
        "balance' --",
        "b alance",
        "bаlance",  # a Cyrillic а
        "ＢＡＬＡＮＣＥ",
        "services()",
        "__init__",
        "actions",
        "handle",
        "x" * 5000,
        *SQL,
    ]:
        refused(
            panel.http.post(panel.url, data={"key": key, "action": action}), errors.INCORRECT_REQUEST, action
        )


# ID lists --------------------------------------------------------------------------------------------

ID_ACTIONS = {"status": "orders", "refill": "orders", "refill_status": "refills", "cancel": "orders"}


def test_id_list_limits(shop: tuple[Panel, str]) -> None:
    panel, key = shop
    for action, name in ID_ACTIONS.items():
        _id_list_limits(panel, key, action, name)


def _id_list_limits(panel: Panel, key: str, action: str, name: str) -> None:
    incorrect = body(errors.INCORRECT_REQUEST)

    def send(ids: Any, *, as_json: bool = False) -> httpx.Response:
        if as_json:
            return panel.http.post(panel.url, json={"key": key, "action": action, name: ids})
        return panel.http.post(panel.url, data={"key": key, "action": action, name: ids})

    ten_thousand = ",".join(str(n) for n in range(1, 10_001))
    refused(send(ten_thousand), errors.INCORRECT_REQUEST, (action, "10,000 ids"))
    refused(
        send(list(range(1, 10_001)), as_json=True), errors.INCORRECT_REQUEST, (action, "10,000 ids in JSON")
    )
    refused(send([str(n) for n in range(1, 102)]), errors.INCORRECT_REQUEST, (action, "101 repeated fields"))
    refused(send(",".join(str(n) for n in range(1000, 1101))), errors.INCORRECT_REQUEST, (action, "101 ids"))
    refused(
        send(",".join(f"x{n}" for n in range(101))), errors.INCORRECT_REQUEST, (action, "101 garbage ids")
    )
    for empty in ["", " ", ",,,", " , ,"]:
        refused(send(empty), errors.INCORRECT_REQUEST, (action, repr(empty)))
    refused(send([], as_json=True), errors.INCORRECT_REQUEST, (action, "[]"))
    for nested in ([[1]], {"1": 1}):
        refused(
            panel.http.post(panel.url, json={"key": key, "action": action, name: nested}),
            errors.INCORRECT_REQUEST,
            (action, nested),
        )

    # exactly 100 distinct ids (duplicates do not count) are answered, one item each, in first-seen order
    hundred = [str(n) for n in range(1000, 1100)]
    answer = panel.http.post(
        panel.url, data={"key": key, "action": action, name: ",".join(hundred + hundred)}
    )
    assert answer.content != incorrect
    items = answer.json()
    echoed = (
        list(items)
        if action == "status"
        else [str(item["order" if name == "orders" else "refill"]) for item in items]
    )
    assert echoed == hundred, action


DUPLICATES = {
    "status": (
        b'{"1":{"charge":"0.09000","start_count":"0","status":"In progress","remains":"100",'
        b'"currency":"USD"},'
        b'"7":{"error":"Incorrect order ID"},"x":{"error":"Incorrect order ID"}}'
    ),
    "refill": (
        b'[{"order":1,"refill":{"error":"The order is not completed"}},'
        b'{"order":7,"refill":{"error":"Incorrect order'
        b' ID"}},{"order":"x","refill":{"error":"Incorrect order ID"}}]'
    ),
    "refill_status": (
        b'[{"refill":1,"status":{"error":"Refill not found"}},'
        b'{"refill":7,"status":{"error":"Refill not found"}},'
        b'{"refill":"x","status":{"error":"Refill not found"}}]'
    ),
    "cancel": (
        b'[{"order":1,"cancel":{"error":"The order can not be canceled"}},'
        b'{"order":7,"cancel":{"error":"Incorrect'
        b' order ID"}},{"order":"x","cancel":{"error":"Incorrect order ID"}}]'
    ),
}


def test_duplicate_ids_answered_once_in_first_seen_order(shop: tuple[Panel, str]) -> None:
    panel, key = shop
    # order 1 is In progress with a cancel already requested: a cancel is refused, the books stay as they are
    panel.execute("UPDATE orders SET status = 'In progress', cancel_requested = $1 WHERE id = 1", True)
    for action, expected in DUPLICATES.items():
        response = panel.http.post(
            panel.url, data={"key": key, "action": action, ID_ACTIONS[action]: "1, 7,01,x,1,7 ,x,0001"}
        )
        assert response.status_code == 200
        assert response.content == expected, action
    panel.execute("UPDATE orders SET status = 'Pending', cancel_requested = $1 WHERE id = 1", False)


BAD_IDS = [
    "0",
    "-1",
    "2147483647",
    "99999999999",
    "9" * 400,
    "1.0",
    "1e0",
    "0x1",
    "+1",
    "１",
    "٣",
    "1 1",
    "",
    " ",
    *SQL,
]


def test_non_numeric_and_out_of_range_order_ids(shop: tuple[Panel, str]) -> None:
    panel, key = shop
    for value in BAD_IDS:
        refused(panel.post(key=key, action="status", order=value), errors.INCORRECT_ORDER, value)
        refused(panel.post(key=key, action="refill", order=value), errors.INCORRECT_ORDER, value)
        refused(panel.post(key=key, action="refill_status", refill=value), errors.REFILL_NOT_FOUND, value)
        if value.strip(" ,"):
            item = panel.post(key=key, action="cancel", orders=value).json()
            assert item == [{"order": value.strip(), "cancel": {"error": errors.INCORRECT_ORDER}}], value


# Bodies ----------------------------------------------------------------------------------------------

Send = Callable[[Panel, str], httpx.Response]
MB8 = 8 * 1024 * 1024
TOO_LARGE = b'{"error":"Request too large"}'
BALANCE = b'{"balance":"9.91000","currency":"USD"}'


def _chunks(size: int) -> Iterator[bytes]:
    for _ in range(size // 65_536):
        yield b"x" * 65_536


def raw(content: bytes | Iterator[bytes], content_type: str | None = None) -> Send:
    """A POST of exactly these bytes; `K` in them becomes the key."""

    def send(p: Panel, k: str) -> httpx.Response:
        data = content.replace(b"K", k.encode(), 1) if isinstance(content, bytes) else content
        headers = {"content-type": content_type} if content_type else {}
        return p.http.post(p.url, content=data, headers=headers)

    return send


def as_json(params: Any) -> Send:
    """A JSON body; the string "K" anywhere in it becomes the key."""
    return lambda p, k: p.http.post(
        p.url, content=orjson.dumps(params).replace(b'"K"', orjson.dumps(k)), headers={"content-type": JSON}
    )


ADD = b'{"key":"K","action":"add","service":1,"link":"https://x/p","quantity":'
FORM_TYPE = FORM["content-type"]
MULTIPART = "multipart/form-data; boundary=b"
BODIES: list[tuple[str, Send, int, bytes]] = [
    ("8 MB form body", raw(b"key=K&x=" + b"a" * MB8, FORM_TYPE), 413, TOO_LARGE),
    ("8 MB chunked body", raw(_chunks(MB8), FORM_TYPE), 413, TOO_LARGE),
    ("8 MB JSON body", as_json({"key": "K", "action": "balance", "x": "a" * MB8}), 413, TOO_LARGE),
    (
        "8 MB multipart",
        lambda p, k: p.http.post(p.url, files={"key": (None, k), "x": (None, "a" * MB8)}),
        413,
        TOO_LARGE,
    ),
    ("malformed JSON", raw(b'{"key":"K","action":"balance"', JSON), 200, body(errors.INCORRECT_REQUEST)),
    ("malformed JSON, no content-type", raw(b'{"key":"K",}'), 200, body(errors.INCORRECT_REQUEST)),
    ("JSON, trailing garbage", raw(b'{"key":"K","action":"balance"}{}'), 200, body(errors.INCORRECT_REQUEST)),
    ("JSON array body", as_json([{"key": "K", "action": "balance"}]), 200, body(errors.INCORRECT_REQUEST)),
    ("JSON string body", as_json("key=K&action=balance"), 200, body(errors.INCORRECT_REQUEST)),
    ("JSON null body", raw(b"null", JSON), 200, body(errors.INCORRECT_REQUEST)),
    ("JSON number body", raw(b"42", JSON), 200, body(errors.INCORRECT_REQUEST)),
    (
        "nested JSON object",
        as_json({"key": "K", "action": "balance", "x": {"a": 1}}),
        200,
        body(errors.INCORRECT_REQUEST),
    ),
    (
        "nested JSON key",
        as_json({"key": {"key": "K"}, "action": "balance"}),
        200,
        body(errors.INCORRECT_REQUEST),
    ),
    (
        "nested JSON array",
        as_json({"key": "K", "action": "status", "orders": [[1], 2]}),
        200,
        body(errors.INCORRECT_REQUEST),
    ),
    (
        "deeply nested JSON",
        raw(b'{"key":' + b"[" * 100_000 + b"]" * 100_000 + b"}", JSON),
        200,
        body(errors.INCORRECT_REQUEST),
    ),
    ("JSON huge number", raw(ADD + b"1" + b"0" * 400 + b"}", JSON), 200, body(errors.INCORRECT_REQUEST)),
    (
        "JSON lone surrogate",
        raw(ADD.replace(b"x/p", b"x/\\ud800") + b"100}", JSON),
        200,
        body(errors.INCORRECT_REQUEST),
    ),
    (
        "JSON invalid UTF-8",
        raw(b'{"key":"K","action":"bal\xffance"}', JSON),
        200,
        body(errors.INCORRECT_REQUEST),
    ),
    ("JSON array, no content-type", raw(b'[{"key":"K"}]'), 200, body(errors.INVALID_KEY)),
    (
        "form, invalid UTF-8 in the key",
        raw(b"key=K\xff&action=balance", FORM_TYPE),
        200,
        body(errors.INVALID_KEY),
    ),
    ("form, invalid UTF-8 elsewhere", raw(b"key=K&action=balance&x=\xff\xfe\xc3", FORM_TYPE), 200, BALANCE),
    (
        "query, invalid UTF-8 escapes",
        lambda p, k: p.http.get(f"{p.url}?key={k}&action=balance&x=%FF%FE%00"),
        200,
        BALANCE,
    ),
    (
        "form, garbled pairs",
        raw(b"&&==&key=K&&action=add&service=1&link&quantity&=&%", FORM_TYPE),
        200,
        body(errors.INCORRECT_LINK),
    ),
    ("form, only garbage", raw(b"\x00\x01\x02%%%===&&&", FORM_TYPE), 200, body(errors.INVALID_KEY)),
    ("multipart, no boundary", raw(b"--b\r\nx", "multipart/form-data"), 200, body(errors.INCORRECT_REQUEST)),
    (
        "multipart, garbage",
        raw(b'{"key":"K","action":"balance"}', MULTIPART),
        200,
        body(errors.INCORRECT_REQUEST),
    ),
    (
        "multipart with a file",
        lambda p, k: p.http.post(
            p.url, files={"key": (None, k), "action": (None, "balance"), "f": ("x.php", b"<?php ?>")}
        ),
        200,
        body(errors.INCORRECT_REQUEST),
    ),
]


def test_hostile_bodies(shop: tuple[Panel, str]) -> None:
    panel, key = shop
    for case, send, status, expected in BODIES:
        response = send(panel, key)
        assert response.status_code == status, (case, response.content)
        assert response.headers["content-type"] == JSON, case
        assert response.content == expected, case
        assert panel.balance(key) == "9.91000", case  # the panel still answers, on the same client


def test_server_fault_is_500_with_a_request_id_never_a_traceback(
    shop: tuple[Panel, str], caplog: pytest.LogCaptureFixture
) -> None:
    panel, key = shop
    panel.execute("ALTER TABLE refills RENAME TO refills_gone")
    try:
        with caplog.at_level(logging.ERROR, logger="smmpanel.api"):
            response = panel.post(key=key, action="refill_status", refill="1")
    finally:
        panel.execute("ALTER TABLE refills_gone RENAME TO refills")
    assert response.status_code == 500
    assert response.headers["content-type"] == JSON
    assert response.content == b'{"error":"Internal error"}'
    request_id = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{12}", request_id)
    assert any(request_id in record.getMessage() for record in caplog.records)
    assert panel.post(key=key, action="refill_status", refill="1").content == body(errors.REFILL_NOT_FOUND)
