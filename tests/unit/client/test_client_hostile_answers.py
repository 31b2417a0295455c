"""A hostile or broken panel: every value is refused fast, as a bad answer, and no text forges a log line.

Today's readers ran `int(Decimal("1e400000"))` on the event loop (seconds per value); each hostile value
here must come back as `Unparseable`/`BadResponse` in well under `FAST` seconds, and the messages must be
short and on one line. The second half does the same over real HTTP with the scripted panel.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from smmpanel.client import ApiError, AsyncClient, BadResponse, Client, ServerError
from smmpanel.client._answers import balance, order_id, services, statuses
from smmpanel.client._errors import MAX_MESSAGE, MAX_TEXT
from smmpanel.client._parse import (
    Unparseable,
    opt_currency,
    to_decimal,
    to_id,
    to_id_list,
    to_int,
    to_money,
)

FAST = 0.05  # seconds per value: generous for a slow CI machine, far below the seconds of a freeze
MB = 1024 * 1024

HUGE_NUMBERS: list[Any] = [
    "1e400000", "-1e400000", "1E+999999999", "9" * 1000, "9" * 4_000_000, "1" + "0" * 30, "1e21",
    "1e-400000", "0." + "0" * 40 + "1", "1.000000000000000000000000000001", "123456789012345678901234567890.5",
    " " * 1_000_000 + "1", "1," + "000," * 500_000 + "000", "1" + "_000" * 100, 10**400, -(10**30), 1e300,
    Decimal("1e400000"), Decimal("-1e-400000"),
]  # fmt: skip


def fast(read: Callable[[Any], object], value: Any) -> Unparseable:
    started = time.perf_counter()
    with pytest.raises(Unparseable) as caught:
        read(value)
    elapsed = time.perf_counter() - started
    assert elapsed < FAST, f"{elapsed:.3f} s for {str(value)[:40]!r}"
    message = str(caught.value)
    assert len(message) < 300 and "\n" not in message
    return caught.value


@pytest.mark.parametrize("value", HUGE_NUMBERS, ids=range(len(HUGE_NUMBERS)))
@pytest.mark.parametrize("read", [to_int, to_id, to_decimal, to_money], ids=lambda f: f.__name__)
def test_huge_or_over_precise_numbers_are_refused_fast(read: Callable[[Any], object], value: Any) -> None:
    if read in (to_int, to_id) or value not in ("1.000000000000000000000000000001",):
        fast(read, value)


@pytest.mark.parametrize(
    ("read", "value", "why"),
    [
        (to_id, 2**63, "64-bit"), (to_id, "9223372036854775808", "64-bit"), (to_id, 0, "valid id"),
        (to_id, "-5", "valid id"), (to_int, "-9223372036854775808", "64-bit"), (to_int, 18446744073709551615, "64-bit"),
        (to_money, "1000000000000", "10^12"), (to_money, "-1e12", "10^12"), (to_money, "0.000000000000000000001", "20 decimal"),
        (to_decimal, "1e21", "10^21"), (to_decimal, "1" * 31, "10^21"), (to_decimal, "1.234567890123456789012345678901", "30 significant"),
        (to_decimal, "1e-31", "30 places"), (to_id_list, ",".join(["1"] * 10_001), "10,000"), (to_id_list, [1] * 10_001, "10,000"),
    ],
)  # fmt: skip
def test_limits(read: Callable[[Any], object], value: Any, why: str) -> None:
    assert why in str(fast(read, value))


@pytest.mark.parametrize(
    ("read", "value", "expected"),
    [
        (to_id, "9223372036854775807", 2**63 - 1), (to_int, -(2**63 - 1), -(2**63 - 1)), (to_int, "-250", -250),
        (to_money, "999999999999.99999", Decimal("999999999999.99999")), (to_money, 0.28666666666666668, Decimal("0.2866666666666667")),
        (to_money, "0.00000000000000000001", Decimal("1e-20")), (to_money, "0E-400000", Decimal(0)),
        (to_decimal, "123456789012345678901.0000", Decimal("123456789012345678901.0000")),
        (to_id_list, ",".join(["7"] * 10_000), [7] * 10_000),
    ],
)  # fmt: skip
def test_values_at_the_limits_are_read(read: Callable[[Any], object], value: Any, expected: object) -> None:
    assert read(value) == expected


def test_decimal_text_with_trailing_zeros_counts_only_significant_digits() -> None:
    assert to_decimal("1." + "0" * 40) == 1 and to_int("1" + "0" * 18 + ".000") == 10**18


@pytest.mark.parametrize(
    ("value", "expected"),
    [("USD", "USD"), (" eur ", "eur"), ("USDT", "USDT"), ("₽", "₽"), ("", None), (None, None), ("12345678", "12345678")],
)  # fmt: skip
def test_currency(value: object, expected: str | None) -> None:
    assert opt_currency(value) == expected


@pytest.mark.parametrize("value", ["123456789", "USDT-TRC20", "US\nD", "U\x1bSD", "X" * 4_000_000, 5, ["USD"]])
def test_currency_refusals(value: object) -> None:
    assert "currency" in str(fast(opt_currency, value))


# ---- whole answers ---------------------------------------------------------------------------------


def answered_fast(read: Callable[[], object]) -> object:
    started = time.perf_counter()
    try:
        result: object = read()
    except BadResponse as exc:
        result = exc
    assert time.perf_counter() - started < FAST
    return result


@pytest.mark.parametrize("value", ["1e400000", 10**30, -5, 0, "9" * 100_000])
def test_add_answer_with_a_hostile_order_id_is_a_bad_response(value: object) -> None:
    error = answered_fast(lambda: order_id({"order": value}))
    assert isinstance(error, BadResponse) and error.message.startswith("add: order id: not a")


@pytest.mark.parametrize(
    "answer",
    [{"balance": "1e400000", "currency": "USD"}, {"balance": "5", "currency": "X" * 1000},
     {"balance": "1e12", "currency": "USD"}, {"balance": "5", "currency": "US\nD"}],
)  # fmt: skip
def test_balance_answer_out_of_limits_is_a_bad_response(answer: dict[str, object]) -> None:
    assert isinstance(answered_fast(lambda: balance(answer)), BadResponse)


@pytest.mark.parametrize(
    "field", [{"remains": "1e400000"}, {"start_count": "-1e400000"}, {"charge": "1e400000"}, {"remains": 2**63},
              {"runs": "9" * 5000}, {"orders": "1," * 20_000}, {"status": "Completed" * 100}],
)  # fmt: skip
def test_status_entry_out_of_limits_is_a_bad_response_for_that_order_only(field: dict[str, object]) -> None:
    ok = {"charge": "0.5", "start_count": "0", "status": "In progress", "remains": "10", "currency": "USD"}
    result = answered_fast(lambda: statuses({"1": ok | field, "2": ok}, [1, 2]))
    assert isinstance(result, dict)
    assert isinstance(result[1], BadResponse) and result[2].remains == 10


def test_a_status_currency_out_of_limits_reads_as_absent() -> None:
    ok = {"charge": "0.5", "start_count": "0", "status": "In progress", "remains": "10"}
    result = statuses({"1": ok | {"currency": "X" * 500}, "2": ok | {"currency": "EUR"}}, [1, 2])
    assert result[1].currency is None and result[2].currency == "EUR"  # type: ignore[union-attr]


def test_services_with_a_hostile_id_name_it_briefly() -> None:
    error = answered_fast(lambda: services([{"service": "9" * 1_000_000, "rate": "1", "name": "x"}]))
    assert isinstance(error, BadResponse) and len(error.message) < 300


# ---- error texts cannot forge log lines --------------------------------------------------------------


def test_error_texts_are_one_line_and_bounded() -> None:
    forged = "Incorrect link\n2026-12-01 INFO smmpanel payout sent\r\x1b[2J\u2028\x00"
    error = ApiError(forged + "x" * 10_000, action="add")
    assert error.text.startswith("Incorrect link 2026-12-01 INFO smmpanel payout sent")
    assert error.text.isprintable() and len(error.text) == MAX_TEXT and error.text.endswith("…")
    assert str(error) == error.text
    server = ServerError("boom\n" * 1000, action="add", status_code=500, text="a\nb")
    assert server.text == "a b" and len(server.message) == MAX_MESSAGE and server.message.isprintable()


# ---- over real HTTP --------------------------------------------------------------------------------


def timed(call: Callable[[], object], limit: float = 2.0) -> object:
    started = time.perf_counter()
    try:
        result: object = call()
    except Exception as exc:  # the error is the result under test
        result = exc
    assert time.perf_counter() - started < limit
    return result


def test_http_hostile_numbers_are_bad_responses_fast(panel: Any, key: str, fast: dict[str, Any]) -> None:
    with Client(panel.url, key, retries=0, **fast) as client:
        panel.reply({"order": "1e400000"})
        assert isinstance(timed(lambda: client.add(1, link="L", quantity=10)), BadResponse)
        panel.reply({"balance": "1e400000", "currency": "USD"})
        assert isinstance(timed(client.balance), BadResponse)
        panel.reply({"balance": "5.5", "currency": "C" * 100})
        error = timed(client.balance)
        assert isinstance(error, BadResponse) and "currency" in error.message
        panel.reply({"7": {"status": "Partial", "remains": "1e400000"}, "8": {"status": "Partial", "remains": "1"}})
        result = timed(lambda: client.statuses([7, 8]))
        assert isinstance(result, dict) and isinstance(result[7], BadResponse) and result[8].remains == 1
    assert panel.count == 4


def test_http_body_over_the_limit_is_a_bad_response(panel: Any, key: str, fast: dict[str, Any]) -> None:
    with Client(panel.url, key, retries=0, max_body=MB, **fast) as client:
        panel.reply(b'{"balance":"' + b"1" * (2 * MB) + b'"}')
        error = timed(client.balance)
        assert isinstance(error, BadResponse)
        assert error.message == f"balance: the answer declares {2 * MB + 14} bytes, more than the limit of 1,048,576; outcome unknown"
        panel.reply(b'[' + b'{"service": 1},' * 100_000 + b'{}]', headers={"Transfer-Encoding": "chunked"})
    with Client(panel.url, key, retries=0, **fast) as client:  # the default limit: 8 MiB
        panel.reply(b'{"balance":"' + b"1" * (9 * MB) + b'"}')
        assert isinstance(timed(client.balance), BadResponse)
        panel.reply({"balance": "1" * 30, "currency": "USD"})
        assert isinstance(timed(client.balance), BadResponse)


def test_http_error_texts_are_sanitised(panel: Any, key: str, fast: dict[str, Any]) -> None:
    with Client(panel.url, key, retries=0, **fast) as client:
        panel.reply({"error": "Incorrect link\nFAKE LOG LINE\x1b[31m" + "y" * 5000})
        error = timed(lambda: client.add(1, link="L", quantity=10))
        assert isinstance(error, ApiError)
        assert error.text.startswith("Incorrect link FAKE LOG LINE [31m") and len(error.text) == MAX_TEXT
        panel.reply(b'{"error":' + b"[" * 500 + b'"x"' + b"]" * 500 + b"}")  # deeper than orjson writes
        error = timed(lambda: client.add(1, link="L", quantity=10))
        assert isinstance(error, ApiError) and error.text == "a list of 1 items"
        panel.reply({"error": "x" * (MAX_TEXT - 10) + key}, status=500)
        error = timed(lambda: client.add(1, link="L", quantity=10))
        assert isinstance(error, ServerError) and key[:4] not in str(error.text) and key[:4] not in error.message


@pytest.mark.anyio
async def test_http_async_client_has_the_same_limits(panel: Any, key: str, fast: dict[str, Any]) -> None:
    async with AsyncClient(panel.url, key, retries=0, max_body=MB, **fast) as client:
        panel.reply(b'{"balance":"' + b"1" * (2 * MB) + b'"}')
        started = time.perf_counter()
        with pytest.raises(BadResponse, match="more than the limit"):
            await client.balance()
        panel.reply({"order": "-1e400000"})
        with pytest.raises(BadResponse, match="order id"):
            await client.add(1, link="L", quantity=10)
        panel.reply({"error": "Not enough funds\r\non balance"})
        with pytest.raises(ApiError) as refused:
            await client.add(1, link="L", quantity=10)
        assert refused.value.text == "Not enough funds  on balance"
        assert time.perf_counter() - started < 3.0


def test_max_body_must_be_sane(key: str) -> None:
    with pytest.raises(ValueError, match="max_body"):
        Client("http://127.0.0.1:1/api/v2", key, max_body=10)
