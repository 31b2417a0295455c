"""Order and refill ids as clients send them: one id, or a list (spec §0 "ID lists")."""

from __future__ import annotations

MAX_ID = 2_147_483_646  # ids stay below 2^31 - 1 (spec §0)


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
