"""Parsing helpers for the API v2 `add` parameters (spec §2 rules 4–6, §4, trap 14).

The HTTP layer hands over loosely typed values: strings, or lists of strings from repeated or bracketed
form fields and JSON arrays. These helpers turn them into trimmed text, bounded integers, item lists,
normalized links and d/m/Y dates, and refuse malformed input with the exact API error text. They hold no
per-type knowledge; `smmpanel.orders.types` decides which fields each order type needs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from urllib.parse import unquote

from smmpanel.api.errors import INCORRECT_LINK, INCORRECT_REQUEST, ApiError

MAX_DIGITS = 18  # longer integers are not parsed (Python's int-from-str limit); they count as HUGE
HUGE = 10**MAX_DIGITS  # stands in for any integer with more than MAX_DIGITS significant digits
MAX_LINK_LENGTH = 2048

_INTEGER = re.compile(r"(-?)([0-9]+)")
_LINE_BREAKS = re.compile(r"\r\n|\n|\\n")  # CRLF, LF, and the literal two characters backslash-n
_LINE_BREAKS_OR_COMMAS = re.compile(r"\r\n|\n|\\n|,")
_EXPIRY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_DOUBLE_ENCODED_PREFIXES = ("http%3a", "https%3a")
_BAD_LINK_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})  # controls, invisibles, spaces
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL and lone surrogates break JSON/SQL storage


def incorrect_request() -> ApiError:
    return ApiError(INCORRECT_REQUEST)


def parse_int(text: str) -> int:
    """Base-10 digits with an optional leading "-" (already trimmed); anything else is `Incorrect request`."""
    match = _INTEGER.fullmatch(text)
    if match is None:
        raise incorrect_request()
    sign, digits = match.groups()
    digits = digits.lstrip("0") or "0"
    value = HUGE if len(digits) > MAX_DIGITS else int(digits)
    return -value if sign else value


def split_items(text: str, *, commas: bool = False) -> list[str]:
    """One list field value split on line breaks (and commas when asked), items trimmed, blanks dropped."""
    separators = _LINE_BREAKS_OR_COMMAS if commas else _LINE_BREAKS
    return [item for item in (part.strip() for part in separators.split(text)) if item]


def normalize_link(raw: str) -> str:
    """Trim, undo one level of double encoding, and refuse empty, overlong or whitespace-bearing links."""
    link = raw.strip()
    if _looks_double_encoded(link):
        link = unquote(link).strip()
    if not link or len(link) > MAX_LINK_LENGTH or any(_bad_link_char(char) for char in link):
        raise ApiError(INCORRECT_LINK)
    return link


def _looks_double_encoded(link: str) -> bool:
    lowered = link.lower()
    return lowered.startswith(_DOUBLE_ENCODED_PREFIXES) or ("%2f" in lowered and "/" not in link)


def _bad_link_char(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in _BAD_LINK_CATEGORIES


def parse_expiry(text: str) -> str:
    """A strict d/m/Y date (day first, trap 14), returned as dd/mm/YYYY; anything else is refused."""
    match = _EXPIRY.fullmatch(text)
    if match is None:
        raise incorrect_request()
    day, month, year = (int(part) for part in match.groups())
    try:
        date(year, month, day)
    except ValueError:
        raise incorrect_request() from None
    return f"{day:02d}/{month:02d}/{year:04d}"


def _scalar_text(value: object) -> str:
    """The text of one scalar value; JSON integers are tolerated, other non-strings are refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(max(-HUGE, min(HUGE, value)))  # clamped: str() of a giant int raises
    raise incorrect_request()


def _storable(text: str) -> str:
    if _UNSTORABLE.search(text):
        raise incorrect_request()
    return text


class Params:
    """Read access to the raw `add` parameters, one typed accessor per kind of field."""

    def __init__(self, raw: Mapping[str, object]) -> None:
        self._raw = raw

    def text(self, name: str) -> str:
        """A trimmed scalar, "" when absent; a one-element list is its element, a longer one is refused."""
        value = self._raw.get(name)
        if isinstance(value, (list, tuple)):
            if len(value) > 1:
                raise incorrect_request()
            value = value[0] if value else None
        return "" if value is None else _scalar_text(value).strip()

    def field(self, name: str) -> str:
        """Like `text`, for values stored as they are: NUL and lone surrogates are refused."""
        return _storable(self.text(name))

    def required_field(self, name: str) -> str:
        value = self.field(name)
        if not value:
            raise incorrect_request()
        return value

    def integer(self, name: str) -> int | None:
        """A base-10 integer, None when absent or empty."""
        text = self.text(name)
        return None if not text else parse_int(text)

    def items(self, name: str, *, commas: bool = False) -> list[str]:
        """A list field (spec §2 rule 5): a string or a list of strings, each split on line breaks."""
        value = self._raw.get(name)
        if value is None:
            return []
        parts = value if isinstance(value, (list, tuple)) else [value]
        items: list[str] = []
        for part in parts:
            items.extend(split_items(_storable(_scalar_text(part)), commas=commas))
        return items

    def required_items(self, name: str, *, commas: bool = False) -> list[str]:
        items = self.items(name, commas=commas)
        if not items:
            raise incorrect_request()
        return items
