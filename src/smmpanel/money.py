"""Money has one home: this module.

Amounts are exact decimals with 5 places (spec §0). Inside the panel and in the database they travel as
*units*: integers of 1/100,000 of the currency, so SQLite (no decimal type) and PostgreSQL store them
exactly and a sum can never drift. Conversion to and from `Decimal` and to the wire format happens here and
nowhere else; floats are refused at the boundary.
"""

from __future__ import annotations

from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_UP,
    Decimal,
    InvalidOperation,
    localcontext,
)

PLACES = 5
QUANTUM = Decimal(1).scaleb(-PLACES)  # Decimal("0.00001")
SCALE = 10**PLACES  # units per currency unit
CHARGE_ROUNDING = ROUND_HALF_UP  # spec §0: charges round half-up
REFUND_ROUNDING = ROUND_DOWN  # spec §0: refunds round down
COST_ROUNDING = ROUND_CEILING  # an upstream cost with more places rounds up: a price never undercuts it
MAX_UNITS = 10**17  # ≈ 10^12 currency units; far beyond any real balance, well inside BIGINT
_PRECISION = 80  # digits for intermediate products: rate × quantity of any two 64-bit integers is exact


class MoneyError(ValueError):
    """An amount that is not a finite decimal, has too many places, or is out of range."""


def parse_amount(text: str | Decimal | int, *, allow_negative: bool = False) -> int:
    """Parse an operator-typed amount ("12.5", Decimal) into units; never accepts a float."""
    if isinstance(text, float):
        raise MoneyError("floats are not money")
    try:
        value = Decimal(str(text).strip()) if not isinstance(text, Decimal) else text
    except InvalidOperation as exc:
        raise MoneyError(f"not an amount: {text!r}") from exc
    if not value.is_finite():
        raise MoneyError(f"not an amount: {text!r}")
    if value.copy_abs() >= Decimal(MAX_UNITS).scaleb(-PLACES):  # before quantize: it overflows on huge values
        raise MoneyError(f"out of range: {text!r}")
    if value != value.quantize(QUANTUM, rounding=ROUND_DOWN):
        raise MoneyError(f"at most {PLACES} decimal places: {text!r}")
    units = int(value.scaleb(PLACES))
    if units < 0 and not allow_negative:
        raise MoneyError(f"must not be negative: {text!r}")
    if abs(units) >= MAX_UNITS:
        raise MoneyError(f"out of range: {text!r}")
    return units


def to_decimal(units: int) -> Decimal:
    return Decimal(units).scaleb(-PLACES).quantize(QUANTUM, rounding=ROUND_DOWN)


def format_units(units: int) -> str:
    """The wire form: plain decimal string with exactly 5 places, no exponent ("0.90000")."""
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), SCALE)
    return f"{sign}{whole}.{frac:0{PLACES}d}"


def charge_units(rate_units: int, quantity: int, *, per: int = 1000) -> int:
    """rate × quantity / per, rounded half-up to 5 places (spec §0)."""
    with localcontext(prec=_PRECISION):
        exact = Decimal(rate_units) * quantity / per
        return int(exact.quantize(Decimal(1), rounding=CHARGE_ROUNDING))


def refund_units(charge: int, remains: int, quantity: int, already_refunded: int) -> int:
    """charge × remains / quantity, rounded down, never more than what is still unrefunded."""
    if quantity <= 0 or remains <= 0:
        return 0
    remains = min(remains, quantity)
    with localcontext(prec=_PRECISION):
        exact = Decimal(charge) * remains / quantity
        owed = int(exact.quantize(Decimal(1), rounding=REFUND_ROUNDING))
    return max(0, min(owed, charge - already_refunded))


def apply_markup(cost_units: int, percent: Decimal, min_margin_units: int = 0) -> int:
    """A selling rate from an upstream cost: cost × (1 + percent/100), at least cost + min margin."""
    with localcontext(prec=_PRECISION):
        marked = Decimal(cost_units) * (Decimal(100) + percent) / 100
        rate = int(marked.quantize(Decimal(1), rounding=CHARGE_ROUNDING))
    return max(rate, cost_units + min_margin_units)


def cost_units(value: Decimal) -> int:
    """An upstream rate (a panel may send 7 places) as units, rounded up, so a price built on it never
    sells below the real cost; negative or non-finite costs are refused."""
    if isinstance(value, float) or not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise MoneyError(f"not a cost: {value!r}")
    if value >= Decimal(MAX_UNITS).scaleb(-PLACES):  # before quantize, which overflows on huge values
        raise MoneyError(f"out of range: {value!r}")
    return int(value.scaleb(PLACES).quantize(Decimal(1), rounding=COST_ROUNDING))


def balance_units(value: Decimal) -> int:
    """A balance a provider reports (it may keep more places, or be negative) as units, rounded down."""
    if isinstance(value, float) or not isinstance(value, Decimal) or not value.is_finite():
        raise MoneyError(f"not a balance: {value!r}")
    if value.copy_abs() >= Decimal(MAX_UNITS).scaleb(-PLACES):
        raise MoneyError(f"out of range: {value!r}")
    return int(value.scaleb(PLACES).quantize(Decimal(1), rounding=ROUND_FLOOR))


def parse_percent(text: str | Decimal) -> Decimal:
    """A markup percent typed by the operator or stored as text ("25", "12.5%"); -100 < percent ≤ 10000."""
    if isinstance(text, float):
        raise MoneyError("floats are not percents")
    try:
        value = text if isinstance(text, Decimal) else Decimal(str(text).strip().removesuffix("%"))
    except InvalidOperation as exc:
        raise MoneyError(f"not a percent: {text!r}") from exc
    if not value.is_finite() or value <= -100 or value > 10000:
        raise MoneyError(f"not a percent between -100 and 10000: {text!r}")
    return value


def percent_text(value: Decimal) -> str:
    """How a percent is stored and shown: plain, no exponent, no trailing zeros ("25", "12.5")."""
    return format(value.normalize(), "f")
