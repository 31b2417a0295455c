"""One parameter map from the query string and the body (spec §1, §2): form, multipart or JSON, body wins.

Values are `str`, or `list[str]` for repeated or bracketed fields (`orders[]=1&orders[]=2`) and JSON arrays.
Parsing never raises on hostile input: anything unusable becomes `BadRequest` (→ "Incorrect request").
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import orjson

Params = dict[str, "str | list[str]"]


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
