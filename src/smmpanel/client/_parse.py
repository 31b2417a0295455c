"""Tolerant readers for the values real panels emit, each strict about what it finally accepts.

Panels send `"3331"` or `3331`, `"0.90"` or `0.9`, `"1,234.50"`, `"50.000"` for fifty thousand,
`"Cancelled"`, `"tasks.status.completed"`, `"1"`/`true`/missing for flags. Every reader here accepts
those spellings and returns one canonical Python value — or raises `Unparseable` with a message naming
the value, never guessing a number it cannot justify. Floats never reach money: a JSON number becomes
`Decimal(repr(x))`, the shortest text that round-trips, which is what the panel wrote.

Invariant: every reader answers in microseconds, whatever it is given (an answer is at most the
client's body limit, see `_core.MAX_BODY`). A panel is untrusted input: `int(Decimal("1e400000"))` alone
takes seconds, and so would any later arithmetic on such a value, so the limits below are checked
*before* any conversion, on the text or on the exponent, and a message never echoes a value in full:

    number text        at most 64 characters once trimmed (JSON numbers are read from their repr)
    every number       at most 30 significant digits; |x| < 10**21; no digit past the 30th decimal place
    ids                1 … 2**63 − 1 (a BIGINT)
    counts             −(2**63 − 1) … 2**63 − 1 (`remains` may be negative: over-delivery)
    money              |x| < 10**12 (smmpanel.money's range), at most 20 decimal places
    id lists           at most 10,000 ids
    status words       at most 64 characters; flags at most 16
    currency           1–8 printable characters once trimmed (the `providers.currency` column)
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation


class Unparseable(ValueError):
    """A value in an answer that no reader can justify; the core turns it into BadResponse."""


MAX_NUMBER_TEXT = 64
MAX_DIGITS = 30
MAX_MAGNITUDE = 21  # |x| < 10**21
MAX_PLACES = 30
MAX_INT = 2**63 - 1
MAX_MONEY = 10**12
MAX_MONEY_PLACES = 20
MAX_LIST = 10_000
MAX_WORD = 64
MAX_FLAG = 16
MAX_CURRENCY = 8

_INTEGER = re.compile(r"[+-]?\d+")
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# 1,234 / 1.234.567 / 1 234,5 — one separator for groups of three, optionally a different decimal mark.
_GROUPED = re.compile(
    r"(?P<sign>[+-]?)(?P<int>[1-9]\d{0,2}(?P<sep>[,. '_\u00a0\u202f])\d{3}(?:(?P=sep)\d{3})*)"
    r"(?:(?P<dec>[.,])(?P<frac>\d+))?"
)
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_SHOW = 60


def describe(value: object) -> str:
    """A short, safe description of any decoded JSON value for a message: a text is cut before `repr`
    (which escapes control characters), a huge integer is never turned into digits, a structure is
    named, not printed (its repr could be megabytes, or too deep to print)."""
    if isinstance(value, str):
        text = repr(value[:_SHOW])
        return text if len(value) <= _SHOW else f"{text[:-1]}…{text[-1]} ({len(value):,} characters)"
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if value.bit_length() <= 128 else f"an integer of {value.bit_length():,} bits"
    if isinstance(value, Decimal):
        return describe(str(value)) if value.adjusted() < 1000 else "a Decimal of over 1,000 digits"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value):,} items"
    if isinstance(value, dict):
        return f"an object of {len(value):,} keys"
    return f"a {type(value).__name__}"


def _ungroup(text: str) -> str | None:
    """'1,234.5' -> '1234.5', '1.234' -> '1234'; None when `text` is not grouped digits."""
    match = _GROUPED.fullmatch(text)
    if match is None or match["dec"] == match["sep"]:
        return None
    plain = match["sign"] + match["int"].replace(match["sep"], "")
    return plain + "." + match["frac"] if match["dec"] else plain


def _digits(number: Decimal) -> tuple[int, int]:
    """(significant digits, the place of the last non-zero digit) of a non-zero finite number."""
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    trailing = len(digits) - len(bytes(digits).rstrip(b"\0"))
    return len(digits) - trailing, exponent + trailing


def _bounded(number: Decimal, value: object) -> Decimal:
    """`number` if it is finite and within the limits every number must meet (see the module doc)."""
    if not number.is_finite():
        raise Unparseable(f"not a finite number: {describe(value)}")
    if number.is_zero():
        exponent = number.as_tuple().exponent
        return number if isinstance(exponent, int) and -MAX_PLACES <= exponent <= 0 else Decimal(0)
    if number.adjusted() >= MAX_MAGNITUDE:
        raise Unparseable(f"not a number in range (at least 10^{MAX_MAGNITUDE}): {describe(value)}")
    if number.adjusted() < -MAX_PLACES:
        raise Unparseable(f"not a number in range (a digit past {MAX_PLACES} places): {describe(value)}")
    significant, last_place = _digits(number)
    if significant > MAX_DIGITS:
        raise Unparseable(f"not a number of at most {MAX_DIGITS} significant digits: {describe(value)}")
    if last_place < -MAX_PLACES:
        raise Unparseable(f"not a number in range (a digit past {MAX_PLACES} places): {describe(value)}")
    return number


def _finite(text: str, value: object) -> Decimal:
    if len(text) > MAX_NUMBER_TEXT:
        raise Unparseable(f"not a number of at most {MAX_NUMBER_TEXT} characters: {describe(value)}")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise Unparseable(f"not a number: {describe(value)}") from None
    return _bounded(number, value)


def _text(value: str, what: str) -> str:
    """The trimmed text of a number; a text far longer than any number is refused before trimming."""
    if len(value) > MAX_NUMBER_TEXT * 4:
        raise Unparseable(f"not {what} of at most {MAX_NUMBER_TEXT} characters: {describe(value)}")
    return value.strip()


def to_decimal(value: object) -> Decimal:
    """Rates and other decimals. A lone '.' is a decimal point ('50.000' is fifty); ',' alone is one
    too unless it groups thousands ('1,234' is 1234, '0,90' is 0.9)."""
    if isinstance(value, bool) or value is None:
        raise Unparseable(f"not a number: {describe(value)}")
    if isinstance(value, int):
        if abs(value) >= 10**MAX_MAGNITUDE:  # compared, never converted
            raise Unparseable(f"not a number in range (at least 10^{MAX_MAGNITUDE}): {describe(value)}")
        return Decimal(value)
    if isinstance(value, float):
        return _finite(repr(value), value)
    if isinstance(value, Decimal):
        return _bounded(value, value)
    if not isinstance(value, str):
        raise Unparseable(f"not a number: {describe(value)}")
    text = _text(value, "a number")
    if _PLAIN_DECIMAL.fullmatch(text):
        return _finite(text, value)
    ungrouped = _ungroup(text)
    if ungrouped is not None:
        return _finite(ungrouped, value)
    if _DECIMAL_COMMA.fullmatch(text):
        return _finite(text.replace(",", "."), value)
    raise Unparseable(f"not a number: {describe(value)}")


def to_money(value: object) -> Decimal:
    """A charge, balance or rate: a decimal below 10^12 in size with at most 20 decimal places."""
    number = to_decimal(value)
    if number.copy_abs() >= MAX_MONEY:
        raise Unparseable(f"not an amount in range (at least 10^12): {describe(value)}")
    if not number.is_zero() and _digits(number)[1] < -MAX_MONEY_PLACES:
        raise Unparseable(f"not an amount of at most {MAX_MONEY_PLACES} decimal places: {describe(value)}")
    return number


def _in_range(number: int, value: object) -> int:
    if not -MAX_INT <= number <= MAX_INT:  # compared, never converted to text
        raise Unparseable(f"not an integer in the 64-bit range: {describe(value)}")
    return number


def to_int(value: object) -> int:
    """Counts and ids, within ±(2^63 − 1). Grouped digits are thousands ('50.000' is 50000, spec §7.7);
    '100.0' is 100; a real fraction is refused rather than truncated."""
    if isinstance(value, bool) or value is None:
        raise Unparseable(f"not an integer: {describe(value)}")
    if isinstance(value, int):
        return _in_range(value, value)
    if isinstance(value, str):
        text = _text(value, "an integer")
        if len(text) <= MAX_NUMBER_TEXT:
            if _INTEGER.fullmatch(text):
                return _in_range(int(text), value)
            ungrouped = _ungroup(text)
            if ungrouped is not None and "." not in ungrouped:
                return _in_range(int(ungrouped), value)
    try:
        number = to_decimal(value)
    except Unparseable as exc:
        raise Unparseable(str(exc).replace("not a number", "not an integer", 1)) from None
    if number != number.to_integral_value():
        raise Unparseable(f"not an integer: {describe(value)}")
    return _in_range(int(number), value)  # |number| < 10^21 here: int() is instant


def to_id(value: object) -> int:
    """An order, refill or service id: 1 … 2^63 − 1."""
    number = to_int(value)
    if number <= 0:
        raise Unparseable(f"not a valid id: {describe(value)}")
    return number


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def opt_int(value: object) -> int | None:
    return None if is_blank(value) else to_int(value)


def opt_decimal(value: object) -> Decimal | None:
    return None if is_blank(value) else to_decimal(value)


def opt_money(value: object) -> Decimal | None:
    return None if is_blank(value) else to_money(value)


def opt_str(value: object) -> str | None:
    return None if is_blank(value) else to_str(value).strip()


def opt_currency(value: object) -> str | None:
    """A currency code: 1–8 printable characters once trimmed ("USD", "USDT", "₽"), else Unparseable.

    8 is the width of the `providers.currency` column; control characters and line breaks would forge
    log lines. Absent or blank is None."""
    if is_blank(value):
        return None
    if not isinstance(value, str):
        raise Unparseable(f"not a currency: {describe(value)}")
    text = value.strip() if len(value) <= MAX_CURRENCY * 4 else value
    if len(text) > MAX_CURRENCY or not text.isprintable():
        raise Unparseable(f"not a currency of 1 to {MAX_CURRENCY} printable characters: {describe(value)}")
    return text


_TRUE = {"1", "true", "yes", "y", "on"}
_FALSE = {"0", "false", "no", "n", "off", "", "null", "none"}


def to_bool(value: object) -> bool:
    """Service flags; a missing flag (None) is False, as clients treat an absent `cancel` (spec §3.1)."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and len(value) <= MAX_FLAG:
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise Unparseable(f"not a flag: {describe(value)}")


def to_str(value: object) -> str:
    """Names and descriptions; a number is tolerated as its text, a structure is not."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    raise Unparseable(f"not a text: {describe(value)}")


def to_id_list(value: object) -> list[int]:
    """Child order ids: a JSON array, or a comma string ("1,2,3") from some panels."""
    if is_blank(value):
        return []
    if isinstance(value, str):
        if value.count(",") >= MAX_LIST:  # counted in C before any split
            raise Unparseable(f"not a list of at most {MAX_LIST:,} ids: {describe(value)}")
        return [to_id(part) for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        if len(value) > MAX_LIST:
            raise Unparseable(f"not a list of at most {MAX_LIST:,} ids: {describe(value)}")
        return [to_id(item) for item in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [to_id(value)]
    raise Unparseable(f"not a list of ids: {describe(value)}")


_STATUS_WORDS = (
    "Pending",
    "In progress",
    "Processing",
    "Completed",
    "Partial",
    "Canceled",  # orders (spec §5.1)
    "Rejected",
    "Awaiting",
    "Processed",
    "Error",
    "Failed",
    "Refunded",  # refills and variants (§5.2)
    "Active",
    "Paused",
    "Expired",  # subscriptions and drip-feed parents (§5.3, §5.4)
)
_STATUS_BY_KEY = {re.sub(r"\s", "", word).lower(): word for word in _STATUS_WORDS}
_STATUS_BY_KEY["cancelled"] = "Canceled"
_RAW_KEY = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)+")


def normalize_status(value: object) -> str:
    """The standard spelling of a status: 'Cancelled' -> 'Canceled', 'In Progress'/'inprogress' ->
    'In progress', 'tasks.status.completed' -> 'Completed'. Unknown words pass through, trimmed."""
    if not isinstance(value, str) or len(value) > MAX_WORD * 4 or not value.strip():
        raise Unparseable(f"not a status: {describe(value)}")
    text = value.strip()
    if len(text) > MAX_WORD:
        raise Unparseable(f"not a status word of at most {MAX_WORD} characters: {describe(value)}")
    if _RAW_KEY.fullmatch(text):  # a leaked translation key: keep its last segment (spec §5.2)
        text = text.rsplit(".", 1)[1].replace("_", " ").capitalize()
    return _STATUS_BY_KEY.get(re.sub(r"[\s_-]", "", text).lower(), text)
