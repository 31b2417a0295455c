"""The API v2 parameter map (spec §1, §2): built from the query string and the body (form, multipart or JSON,
body wins), and read — scalars, base-10 integers, list fields, ids and id lists.

Values are `str`, or `list[str]` for repeated or bracketed fields (`orders[]=1&orders[]=2`) and JSON arrays.
Everything here is wire tolerance that only API v2 clients need (one-element lists, literal `\\n`, commas,
digits beyond Python's int-from-str limit). Parsing never raises on hostile input: anything unusable
becomes `BadRequest` (→ "Incorrect request").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

import orjson

Params = dict[str, "str | list[str]"]

MAX_ID = 2_147_483_646  # ids stay below 2^31 - 1 (spec §0)
MAX_DIGITS = 18  # longer integers are not parsed (Python's int-from-str limit); they count as HUGE
HUGE = 10**MAX_DIGITS  # stands in for any integer with more than MAX_DIGITS significant digits

_INTEGER = re.compile(r"(-?)([0-9]+)")
_LINE_BREAKS = re.compile(r"\r\n|\n|\\n")  # CRLF, LF, and the literal two characters backslash-n
_LINE_BREAKS_OR_COMMAS = re.compile(r"\r\n|\n|\\n|,")
_EXPIRY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


class BadRequest(Exception):
    pass


def _name(raw: str) -> tuple[str, bool]:
    """`orders[]` / `orders[0]` → ("orders", True); `key` → ("key", False)."""
    if raw.endswith("]") and "[" in raw:
        return raw[: raw.index("[")], True
    return raw, False


def from_pairs(pairs: list[tuple[str, str]]) -> Params:
    params: Params = {}
    for raw, value in pairs:
        name, bracketed = _name(raw)
        current = params.get(name)
        if current is None:
            params[name] = [value] if bracketed else value
        elif isinstance(current, list):
            current.append(value)
        else:
            params[name] = [current, value]
    return params


def parse_query(query: str) -> Params:
    return from_pairs(parse_qsl(query, keep_blank_values=True)) if query else {}


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    if isinstance(value, str):
        return value
    raise BadRequest("nested value")


def parse_json(body: bytes) -> Params:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest("malformed JSON") from exc
    if not isinstance(data, dict):
        raise BadRequest("JSON body must be an object")
    params: Params = {}
    for name, value in data.items():
        if value is None:
            continue
        if isinstance(value, list):
            params[name] = [_scalar(v) for v in value if v is not None]
        else:
            params[name] = _scalar(value)
    return params


def parse_form(body: bytes) -> Params:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("latin-1")
    return from_pairs(parse_qsl(text, keep_blank_values=True))


def looks_like_json(body: bytes) -> bool:
    return body.lstrip()[:1] == b"{"


def scalar(params: Params, name: str) -> str:
    """A single trimmed value ("" when missing); a list of one counts as that value."""
    value = params.get(name)
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else ""
    return (value or "").strip()


# Reading values ----------------------------------------------------------------------------------------


def _scalar_text(value: object) -> str:
    """The text of one scalar value; JSON integers are tolerated, other non-strings are refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(max(-HUGE, min(HUGE, value)))  # clamped: str() of a giant int raises
    raise BadRequest("not a scalar")


def text(params: Mapping[str, object], name: str) -> str:
    """A trimmed scalar, "" when absent; a one-element list is its element, a longer one is refused."""
    value = params.get(name)
    if isinstance(value, (list, tuple)):
        if len(value) > 1:
            raise BadRequest(f"{name}: several values")
        value = value[0] if value else None
    return "" if value is None else _scalar_text(value).strip()


def parse_int(text: str) -> int:
    """Base-10 digits with an optional leading "-" (already trimmed); anything else is refused."""
    match = _INTEGER.fullmatch(text)
    if match is None:
        raise BadRequest("not an integer")
    sign, digits = match.groups()
    digits = digits.lstrip("0") or "0"
    value = HUGE if len(digits) > MAX_DIGITS else int(digits)
    return -value if sign else value


def integer(params: Mapping[str, object], name: str) -> int | None:
    """A base-10 integer (spec §2 rule 4), None when absent or empty."""
    value = text(params, name)
    return None if not value else parse_int(value)


def split_items(text: str, *, commas: bool = False) -> list[str]:
    """One list field value split on line breaks (and commas when asked), items trimmed, blanks dropped."""
    separators = _LINE_BREAKS_OR_COMMAS if commas else _LINE_BREAKS
    return [item for item in (part.strip() for part in separators.split(text)) if item]


def items(params: Mapping[str, object], name: str, *, commas: bool = False) -> list[str]:
    """A list field (spec §2 rule 5): a string or a list of strings, each split on line breaks."""
    value = params.get(name)
    if value is None:
        return []
    parts = value if isinstance(value, (list, tuple)) else [value]
    found: list[str] = []
    for part in parts:
        found.extend(split_items(_scalar_text(part), commas=commas))
    return found


def parse_expiry(text: str) -> date:
    """A strict d/m/Y date (day first, trap 14); anything else is refused."""
    match = _EXPIRY.fullmatch(text)
    if match is None:
        raise BadRequest("expiry is d/m/Y")
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise BadRequest("no such day") from None


def parse_id(value: object) -> int | None:
    """A canonical positive id, or None for anything else (garbage, zero, negative, too long, a list)."""
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def split_ids(value: object, limit: int) -> list[str] | None:
    """The distinct trimmed items of an id list, in first-seen order; None when more than `limit`."""
    parts = value if isinstance(value, list) else [value]
    seen: dict[str, None] = {}
    for part in parts:
        if not isinstance(part, str):
            continue
        for item in part.split(","):
            item = item.strip()
            if not item:
                continue
            number = parse_id(item)
            seen[str(number) if number is not None else item] = None
            if len(seen) > limit:
                return None
    return list(seen)
