"""money.py: parsing, the wire format, charge rounding (half-up) and refund rounding (down, clamped)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmpanel.money import (
    MAX_UNITS,
    MoneyError,
    apply_markup,
    charge_units,
    format_units,
    parse_amount,
    refund_units,
    to_decimal,
)

# parse_amount ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("0", 0),
        ("1", 100_000),
        ("12.5", 1_250_000),
        ("0.00001", 1),
        ("0.9", 90_000),
        ("  3 ", 300_000),
        ("1E+2", 10_000_000),
        ("100.84292", 10_084_292),
        ("999999999999.99999", MAX_UNITS - 1),
        (Decimal("0.27819"), 27_819),
        (7, 700_000),
    ],
)
def test_parse_amount(text: str | Decimal | int, units: int) -> None:
    assert parse_amount(text) == units


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (0.5, "floats are not money"),
        ("abc", "not an amount: 'abc'"),
        ("", "not an amount: ''"),
        ("1,5", "not an amount: '1,5'"),
        ("NaN", "not an amount: 'NaN'"),
        ("sNaN", "not an amount: 'sNaN'"),
        ("inf", "not an amount: 'inf'"),
        ("-Infinity", "not an amount: '-Infinity'"),
        ("0.000001", "at most 5 decimal places: '0.000001'"),
        ("1e-30", "at most 5 decimal places: '1e-30'"),
        ("-1", "must not be negative: '-1'"),
        ("1000000000000", "out of range: '1000000000000'"),
        ("1e30", "out of range: '1e30'"),
        ("1e999999", "out of range: '1e999999'"),
    ],
)
def test_parse_amount_refuses(text: object, message: str) -> None:
    with pytest.raises(MoneyError) as caught:
        parse_amount(text)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_parse_amount_negative_only_when_allowed() -> None:
    assert parse_amount("-2.5", allow_negative=True) == -250_000
    assert parse_amount("-0", allow_negative=False) == 0
    with pytest.raises(MoneyError) as caught:
        parse_amount("-1e30", allow_negative=True)
    assert str(caught.value) == "out of range: '-1e30'"


# format_units / to_decimal --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "text"),
    [
        (0, "0.00000"),
        (1, "0.00001"),
        (90_000, "0.90000"),
        (27_819, "0.27819"),
        (10_084_292, "100.84292"),
        (5_000_000_000, "50000.00000"),  # no thousands separator
        (MAX_UNITS - 1, "999999999999.99999"),  # no exponent
        (-1, "-0.00001"),
        (-250_000, "-2.50000"),
    ],
)
def test_format_units(units: int, text: str) -> None:
    assert format_units(units) == text
    assert to_decimal(units) == Decimal(text)
    assert str(to_decimal(units)) == text


# charge_units: half-up ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "quantity", "charge"),
    [
        (90_000, 100, 9_000),  # 0.9 per 1000 × 100 = 0.09
        (900_000, 100, 90_000),  # spec §8: "0.90000"
        (1, 500, 1),  # 0.5 unit → 1 (half-up)
        (1, 1_500, 2),  # 1.5 → 2
        (1, 2_500, 3),  # 2.5 → 3, not banker's 2
        (1, 499, 0),  # 0.499 → 0
        (3, 1, 0),  # 0.003 → 0
        (333, 3, 1),  # 0.999 → 1
        (12_345, 1_000, 12_345),
        (0, 10**9, 0),
        (100_000, 1, 100),
    ],
)
def test_charge_units_rounds_half_up(rate: int, quantity: int, charge: int) -> None:
    assert charge_units(rate, quantity) == charge


def test_charge_units_per_package() -> None:
    assert charge_units(12_345, 1, per=1) == 12_345


# refund_units: down, clamped ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("charge", "remains", "quantity", "already", "refund"),
    [
        (9_000, 50, 100, 0, 4_500),
        (10, 1, 3, 0, 3),  # 3.33 → 3 (down)
        (10, 2, 3, 0, 6),  # 6.67 → 6 (down, never half-up)
        (10, 3, 3, 0, 10),
        (10, 5, 3, 0, 10),  # remains above quantity is clamped
        (10, 3, 3, 8, 2),  # never more than what is still unrefunded
        (10, 3, 3, 10, 0),
        (10, 0, 3, 0, 0),
        (10, -5, 3, 0, 0),  # over-delivery: nothing owed
        (10, 1, 0, 0, 0),  # a zero-quantity order refunds nothing
        (0, 5, 10, 0, 0),
        (27_819, 157, 1_000, 0, 4_367),  # 4367.583 → 4367
    ],
)
def test_refund_units(charge: int, remains: int, quantity: int, already: int, refund: int) -> None:
    assert refund_units(charge, remains, quantity, already) == refund


@pytest.mark.parametrize(
    ("cost", "percent", "margin", "rate"),
    [
        (100_000, Decimal(20), 0, 120_000),
        (1, Decimal(50), 0, 2),  # 1.5 → 2 (half-up)
        (100_000, Decimal(0), 500, 100_500),  # the minimum margin wins
        (100_000, Decimal("12.345"), 0, 112_345),
    ],
)
def test_apply_markup(cost: int, percent: Decimal, margin: int, rate: int) -> None:
    assert apply_markup(cost, percent, margin) == rate


# Properties -----------------------------------------------------------------------------------------

amounts = st.integers(min_value=-(MAX_UNITS - 1), max_value=MAX_UNITS - 1)


@settings(max_examples=300, deadline=None)
@given(amounts)
def test_format_then_parse_round_trips(units: int) -> None:
    text = format_units(units)
    assert "e" not in text.lower() and "," not in text
    assert text.split(".")[1].__len__() == 5
    assert parse_amount(text, allow_negative=True) == units


@settings(max_examples=300, deadline=None)
@given(
    charge=st.integers(min_value=0, max_value=10**12),
    quantity=st.integers(min_value=1, max_value=10**7),
    data=st.data(),
)
def test_refunds_never_exceed_the_charge(charge: int, quantity: int, data: st.DataObject) -> None:
    """Any sequence of refunds for remains (each clamped to what is unrefunded) sums to at most the charge,
    and a refund of everything that remains is exact: charge × remains / quantity, rounded down."""
    refunded = 0
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        remains = data.draw(st.integers(min_value=-quantity, max_value=2 * quantity))
        refund = refund_units(charge, remains, quantity, refunded)
        assert 0 <= refund <= charge - refunded
        if refunded == 0 and 0 < remains <= quantity:
            assert refund == charge * remains // quantity
        refunded += refund
    assert refunded <= charge
