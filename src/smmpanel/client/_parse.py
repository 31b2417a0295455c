"""Tolerant readers for the values real panels emit, each strict about what it finally accepts.

Panels send `"3331"` or `3331`, `"0.90"` or `0.9`, `"1,234.50"`, `"50.000"` for fifty thousand,
`"Cancelled"`, `"tasks.status.completed"`, `"1"`/`true`/missing for flags. Every reader here accepts
those spellings and returns one canonical Python value — or raises `Unparseable` with a message naming
the value, never guessing a number it cannot justify. Floats never reach money: a JSON number becomes
`Decimal(repr(x))`, the shortest text that round-trips, which is what the panel wrote.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation


class Unparseable(ValueError):
    """A value in an answer that no reader can justify; the core turns it into BadResponse."""


_INTEGER = re.compile(r"[+-]?\d+")
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# 1,234 / 1.234.567 / 1 234,5 — one separator for groups of three, optionally a different decimal mark.
_GROUPED = re.compile(
    r"(?P<sign>[+-]?)(?P<int>[1-9]\d{0,2}(?P<sep>[,. '_\u00a0\u202f])\d{3}(?:(?P=sep)\d{3})*)"
    r"(?:(?P<dec>[.,])(?P<frac>\d+))?"
)
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _ungroup(text: str) -> str | None:
    """'1,234.5' -> '1234.5', '1.234' -> '1234'; None when `text` is not grouped digits."""
    match = _GROUPED.fullmatch(text)
    if match is None or match["dec"] == match["sep"]:
        return None
    plain = match["sign"] + match["int"].replace(match["sep"], "")
    return plain + "." + match["frac"] if match["dec"] else plain


def _finite(text: str, value: object) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise Unparseable(f"not a number: {_show(value)}") from None
    if not number.is_finite():
        raise Unparseable(f"not a finite number: {_show(value)}")
    return number


def to_decimal(value: object) -> Decimal:
    """Money and rates. A lone '.' is a decimal point ('50.000' is fifty); ',' alone is one too
    unless it groups thousands ('1,234' is 1234, '0,90' is 0.9)."""
    if isinstance(value, bool) or value is None:
        raise Unparseable(f"not a number: {_show(value)}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return _finite(repr(value), value)
    if isinstance(value, Decimal):
        return _finite(str(value), value)
    if not isinstance(value, str):
        raise Unparseable(f"not a number: {_show(value)}")
    text = value.strip()
    if _PLAIN_DECIMAL.fullmatch(text):
        return _finite(text, value)
    ungrouped = _ungroup(text)
    if ungrouped is not None:
        return _finite(ungrouped, value)
    if _DECIMAL_COMMA.fullmatch(text):
        return _finite(text.replace(",", "."), value)
    raise Unparseable(f"not a number: {_show(value)}")


def to_int(value: object) -> int:
    """Counts and ids. Grouped digits are thousands ('50.000' is 50000, spec §7.7); '100.0' is 100;
    a real fraction is refused rather than truncated."""
    if isinstance(value, bool) or value is None:
        raise Unparseable(f"not an integer: {_show(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _INTEGER.fullmatch(text):
            return int(text)
        ungrouped = _ungroup(text)
        if ungrouped is not None and "." not in ungrouped:
            return int(ungrouped)
    try:
        number = to_decimal(value)
    except Unparseable:
        raise Unparseable(f"not an integer: {_show(value)}") from None
    if number != number.to_integral_value():
        raise Unparseable(f"not an integer: {_show(value)}")
    return int(number)


def to_id(value: object) -> int:
    """An order, refill or service id: a positive integer."""
    number = to_int(value)
    if number <= 0:
        raise Unparseable(f"not a valid id: {_show(value)}")
    return number


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def opt_int(value: object) -> int | None:
    return None if is_blank(value) else to_int(value)


def opt_decimal(value: object) -> Decimal | None:
    return None if is_blank(value) else to_decimal(value)


def opt_str(value: object) -> str | None:
    return None if is_blank(value) else to_str(value).strip()


_TRUE = {"1", "true", "yes", "y", "on"}
_FALSE = {"0", "false", "no", "n", "off", "", "null", "none"}


def to_bool(value: object) -> bool:
    """Service flags; a missing flag (None) is False, as clients treat an absent `cancel` (spec §3.1)."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise Unparseable(f"not a flag: {_show(value)}")


def to_str(value: object) -> str:
    """Names and descriptions; a number is tolerated as its text, a structure is not."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    raise Unparseable(f"not a text: {_show(value)}")


def to_id_list(value: object) -> list[int]:
    """Child order ids: a JSON array, or a comma string ("1,2,3") from some panels."""
    if is_blank(value):
        return []
    if isinstance(value, str):
        return [to_id(part) for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [to_id(item) for item in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [to_id(value)]
    raise Unparseable(f"not a list of ids: {_show(value)}")


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
    if not isinstance(value, str) or not value.strip():
        raise Unparseable(f"not a status: {_show(value)}")
    text = value.strip()
    if _RAW_KEY.fullmatch(text):  # a leaked translation key: keep its last segment (spec §5.2)
        text = text.rsplit(".", 1)[1].replace("_", " ").capitalize()
    return _STATUS_BY_KEY.get(re.sub(r"[\s_-]", "", text).lower(), text)
