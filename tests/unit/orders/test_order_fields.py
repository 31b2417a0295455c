"""The `add` parameter parsing helpers (spec §2 rules 4–6, trap 14)."""

from __future__ import annotations

import pytest

from smmpanel.api import errors
from smmpanel.api.errors import ApiError
from smmpanel.orders.fields import HUGE, Params, normalize_link, parse_expiry, parse_int, split_items


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("-0", 0),
        ("007", 7),
        ("-42", -42),
        ("9" * 18, 10**18 - 1),
        ("9" * 19, HUGE),
        ("-" + "9" * 19, -HUGE),
        ("0" * 40 + "5", 5),
    ],
)
def test_parse_int(text: str, value: int) -> None:
    assert parse_int(text) == value


@pytest.mark.parametrize("text", ["", "-", "+1", "1e3", "12.5", "0x10", "1_000", " 1", "1\n", "²"])
def test_parse_int_refuses(text: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_int(text)
    assert caught.value.text == errors.INCORRECT_REQUEST


def test_split_items() -> None:
    assert split_items("a\r\nb\n\n c \\nd,e") == ["a", "b", "c", "d,e"]
    assert split_items("a\r\nb\n\n c \\nd,e", commas=True) == ["a", "b", "c", "d", "e"]
    assert split_items(" \n ,") == [","]


def test_normalize_link_unquotes_once_only() -> None:
    assert normalize_link("https%253A%252F%252Fx") == "https%253A%252F%252Fx"
    assert normalize_link("https%3A%2F%2Fx%2F%2520") == "https://x/%20"


def test_parse_expiry() -> None:
    assert parse_expiry("5/6/2031") == "05/06/2031"
    with pytest.raises(ApiError):
        parse_expiry("29/02/2029")


def test_params_items_accept_strings_and_lists() -> None:
    params = Params({"a": "x\ny", "b": ["x", "y, z"], "c": []})
    assert params.items("a") == ["x", "y"]
    assert params.items("b", commas=True) == ["x", "y", "z"]
    assert params.items("c") == params.items("missing") == []


def test_params_refuse_non_text_values() -> None:
    for value in (True, 1.5, {"a": 1}, [["nested"]]):
        with pytest.raises(ApiError):
            Params({"f": value}).text("f") if not isinstance(value, list) else Params({"f": value}).items("f")
