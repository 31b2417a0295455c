"""The tolerant value readers: every spelling real panels use, and a clear refusal for the rest."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smmpanel.client._parse import (
    Unparseable,
    normalize_status,
    opt_decimal,
    opt_int,
    to_bool,
    to_decimal,
    to_id_list,
    to_int,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.90", Decimal("0.90")),
        (0.9, Decimal("0.9")),
        (1e-05, Decimal("0.00001")),
        (8, Decimal(8)),
        (" 100.84292 ", Decimal("100.84292")),
        ("50.000", Decimal("50.000")),  # a lone dot is a decimal point in money
        ("1,234.50", Decimal("1234.50")),
        ("1.234,50", Decimal("1234.50")),
        ("1 234,5", Decimal("1234.5")),
        ("12,345,678", Decimal(12345678)),
        ("0,90", Decimal("0.90")),
        ("1e-05", Decimal("0.00001")),
        ("-0.5", Decimal("-0.5")),
        (".5", Decimal("0.5")),
    ],
)
def test_to_decimal(value: object, expected: Decimal) -> None:
    result = to_decimal(value)
    assert result == expected and str(result) == str(expected)


@pytest.mark.parametrize(
    "value", ["", "abc", "1,2,3", "1.234.5", "NaN", "Infinity", "$5", None, True, [1], {}]
)
def test_to_decimal_refuses(value: object) -> None:
    with pytest.raises(Unparseable, match="not a"):
        to_decimal(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3331", 3331),
        (3331, 3331),
        (" 50 ", 50),
        ("-12", -12),
        ("50.000", 50000),  # spec §7.7: a panel that groups thousands with dots
        ("10,000", 10000),
        ("1 000 000", 1000000),
        ("100.0", 100),
        (100.0, 100),
    ],
)
def test_to_int(value: object, expected: int) -> None:
    assert to_int(value) == expected


@pytest.mark.parametrize("value", ["", "1.5", 1.5, "12a", "1,5", None, False, "0x10"])
def test_to_int_refuses(value: object) -> None:
    with pytest.raises(Unparseable, match="not an integer"):
        to_int(value)


def test_optional_values() -> None:
    assert opt_int("") is None and opt_int(None) is None and opt_int("0") == 0
    assert opt_decimal(" ") is None and opt_decimal("0") == Decimal(0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), (None, False), (1, True), (0, False), ("1", True), ("0", False),
     ("true", True), ("False", False), ("yes", True), ("", False)],
)  # fmt: skip
def test_to_bool(value: object, expected: bool) -> None:
    assert to_bool(value) is expected


def test_to_bool_refuses() -> None:
    with pytest.raises(Unparseable):
        to_bool("maybe")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Completed", "Completed"),
        ("completed", "Completed"),
        ("Cancelled", "Canceled"),
        ("canceled", "Canceled"),
        ("In Progress", "In progress"),
        ("inprogress", "In progress"),
        ("in_progress", "In progress"),
        ("IN PROGRESS", "In progress"),
        ("processing", "Processing"),
        ("tasks.status.completed", "Completed"),
        ("tasks.status.in_progress", "In progress"),
        ("tasks.status.awaiting", "Awaiting"),
        ("orders.status.something_new", "Something new"),
        (" Partial ", "Partial"),
        ("Refunded", "Refunded"),
        ("Some Custom State", "Some Custom State"),
    ],
)
def test_normalize_status(value: str, expected: str) -> None:
    assert normalize_status(value) == expected


@pytest.mark.parametrize("value", ["", "  ", None, 3, {"error": "x"}])
def test_normalize_status_refuses(value: object) -> None:
    with pytest.raises(Unparseable):
        normalize_status(value)


def test_id_lists() -> None:
    assert to_id_list([1, "2"]) == [1, 2]
    assert to_id_list("1, 2,3") == [1, 2, 3]
    assert to_id_list("") == [] and to_id_list([]) == []
    with pytest.raises(Unparseable):
        to_id_list([0])


# Within the limits (module doc of _parse), every value reads back exactly; outside them, a refusal.
_IN_RANGE = st.decimals(
    min_value=Decimal("-1e20"), max_value=Decimal("1e20"), allow_nan=False, allow_infinity=False, places=10
)


@given(_IN_RANGE)
def test_any_decimal_text_reads_back_exactly(value: Decimal) -> None:
    assert to_decimal(str(value)) == value


@given(st.floats(min_value=-1e20, max_value=1e20, allow_nan=False, allow_infinity=False))
def test_json_floats_become_their_shortest_decimal(value: float) -> None:
    if value == 0 or abs(value) >= 1e-14:  # 17 significant digits from the 14th place fit in 30 places
        assert to_decimal(value) == Decimal(repr(value))


@given(st.integers(min_value=-(2**63 - 1), max_value=2**63 - 1))
def test_any_integer_text_reads_back(value: int) -> None:
    assert to_int(str(value)) == value
    assert to_int(f"{value:,}") == value


@given(
    st.one_of(st.integers(min_value=2**63, max_value=10**60), st.integers(min_value=-(10**60), max_value=-(2**63)))
)
def test_integers_beyond_64_bits_are_refused(value: int) -> None:
    with pytest.raises(Unparseable, match="not an integer"):
        to_int(value)
    with pytest.raises(Unparseable, match="not an integer"):
        to_int(str(value))
