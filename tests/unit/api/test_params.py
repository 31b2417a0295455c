"""Reading the API v2 parameter map (spec §2 rules 4–6, trap 14): integers, list fields, links, dates, ids."""

from __future__ import annotations

from datetime import date

import pytest

from smmpanel.api.add import link
from smmpanel.api.params import (
    HUGE,
    BadRequest,
    integer,
    items,
    parse_expiry,
    parse_id,
    parse_int,
    split_ids,
    split_items,
    text,
)


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
    with pytest.raises(BadRequest):
        parse_int(text)


def test_split_items() -> None:
    assert split_items("a\r\nb\n\n c \\nd,e") == ["a", "b", "c", "d,e"]
    assert split_items("a\r\nb\n\n c \\nd,e", commas=True) == ["a", "b", "c", "d", "e"]
    assert split_items(" \n ,") == [","]


def test_link_unquotes_once_only() -> None:
    assert link({"link": "https%253A%252F%252Fx"}) == "https%253A%252F%252Fx"
    assert link({"link": "https%3A%2F%2Fx%2F%2520"}) == "https://x/%20"
    assert link({"username": " instagram.com%2Fsomeone "}, "username") == "instagram.com/someone"
    assert link({}) == ""


def test_parse_expiry() -> None:
    assert parse_expiry("5/6/2031") == date(2031, 6, 5)
    with pytest.raises(BadRequest):
        parse_expiry("29/02/2029")


def test_params_items_accept_strings_and_lists() -> None:
    params: dict[str, object] = {"a": "x\ny", "b": ["x", "y, z"], "c": []}
    assert items(params, "a") == ["x", "y"]
    assert items(params, "b", commas=True) == ["x", "y", "z"]
    assert items(params, "c") == items(params, "missing") == []


def test_params_text_and_integer() -> None:
    params: dict[str, object] = {"a": [" x "], "b": ["1", "2"], "n": " 0042 ", "e": "", "j": 7}
    assert (text(params, "a"), text(params, "missing"), integer(params, "n")) == ("x", "", 42)
    assert (integer(params, "e"), integer(params, "missing"), integer(params, "j")) == (None, None, 7)
    with pytest.raises(BadRequest):
        text(params, "b")


def test_params_refuse_non_text_values() -> None:
    for value in (True, 1.5, {"a": 1}, [["nested"]]):
        with pytest.raises(BadRequest):
            text({"f": value}, "f") if not isinstance(value, list) else items({"f": value}, "f")


@pytest.mark.parametrize(
    ("value", "number"),
    [("1", 1), (" 42 ", 42), (["7"], 7), ("2147483646", 2147483646), ("2147483647", None), ("0", None),
     ("-1", None), ("1.0", None), ("\u0661", None), (["1", "2"], None), (None, None), ("12345678901", None)],
)  # fmt: skip
def test_parse_id(value: object, number: int | None) -> None:
    assert parse_id(value) == number


def test_split_ids() -> None:
    assert split_ids(" 3, 1,,x, 03,1 ", 100) == ["3", "1", "x"]
    assert split_ids(["1,2", "2", "3"], 100) == ["1", "2", "3"]
    assert split_ids("1,2,3", 2) is None
