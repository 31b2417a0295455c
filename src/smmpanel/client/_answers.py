"""Turn one decoded API v2 answer into results, per action, accepting the shapes real panels use.

Input is JSON already known not to be a top-level `{"error"}` (see `_core.read_answer`). Output is
models, ids and per-item errors. Two rules keep the at-most-once promise:

* a per-item refusal (`{"error": "..."}` or a plain non-numeric string) becomes `ApiError` — definite;
* anything the panel left out or wrote illegibly becomes `BadResponse` — an *unknown* outcome, because
  for `refill` and `cancel` the panel may have acted on that id anyway.

Shapes accepted beyond the standard ones (spec §3): ids as strings or numbers, an array where an
object keyed by id is standard (and the reverse), the single-id shape answering a one-id batch,
`description` for `desc`, missing flags.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from ._errors import ApiError, BadResponse, ClientError
from ._models import Balance, OrderStatus, Service
from ._parse import (
    Unparseable,
    describe,
    is_blank,
    normalize_status,
    opt_currency,
    opt_int,
    opt_money,
    opt_str,
    to_bool,
    to_id,
    to_id_list,
    to_int,
    to_money,
    to_str,
)

T = TypeVar("T")
U = TypeVar("U")

# Texts that, in place of a refill status word, are errors (spec §3.8 variants).
_REFILL_STATUS_ERRORS = {"refill not found", "incorrect refill id", "incorrect order id", "incorrect request"}


def bad(action: str, problem: str) -> BadResponse:
    return BadResponse(f"{action}: {problem}", action=action)


def item_error(action: str, value: object) -> ApiError | None:
    """The per-item refusal in `value`, if it is one: {"error": text}."""
    if isinstance(value, Mapping) and value.get("error"):
        text = value["error"]
        return ApiError(text if isinstance(text, str) else describe(text), action=action)
    return None


def _object(action: str, data: object) -> Mapping[str, object]:
    if isinstance(data, Mapping):
        return data
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], Mapping):
        return data[0]  # a one-element array where an object is standard
    raise bad(action, f"expected a JSON object, got {type(data).__name__}")


def _guard(action: str, context: str, parse: Callable[[U], T], value: U) -> T:
    try:
        return parse(value)
    except Unparseable as exc:
        raise bad(action, f"{context}: {exc}") from None


# ---- services -------------------------------------------------------------------------------------


def service(item: Mapping[str, object]) -> Service:
    desc = item.get("desc")
    if is_blank(desc):
        desc = item.get("description")
    return Service(
        service=to_id(item.get("service", item.get("id"))),
        name=to_str(item.get("name")),
        type=to_str(item.get("type")).strip() or "Default",  # clients fall back to Default (spec §9.15)
        category=to_str(item.get("category")),
        rate=to_money(item.get("rate")),
        min=opt_int(item.get("min")) or 0,
        max=opt_int(item.get("max")) or 0,
        refill=to_bool(item.get("refill")),
        cancel=to_bool(item.get("cancel")),
        dripfeed=to_bool(item.get("dripfeed")),
        desc=to_str(desc),
        raw=item,
    )


def services(data: object) -> list[Service]:
    if isinstance(data, Mapping):  # keyed by id instead of an array
        data = list(data.values())
    if not isinstance(data, list):
        raise bad("services", f"expected a JSON array, got {type(data).__name__}")
    result = []
    for index, item in enumerate(data):
        if not isinstance(item, Mapping):
            raise bad("services", f"item {index} is not an object")
        result.append(_guard("services", f"item {index} (service {describe(item.get('service'))})", service, item))
    return result


# ---- single answers ---------------------------------------------------------------------------------


def order_id(data: object) -> int:
    answer = _object("add", data)
    if "order" not in answer:
        raise bad("add", "the answer has no order id")
    return _guard("add", "order id", to_id, answer["order"])


def balance(data: object) -> Balance:
    answer = _object("balance", data)
    return _guard("balance", "balance", _balance, answer)


def _balance(answer: Mapping[str, object]) -> Balance:
    return Balance(balance=to_money(answer.get("balance")), currency=opt_currency(answer.get("currency")) or "")


def order_status(answer: Mapping[str, object]) -> OrderStatus:
    orders = answer.get("orders")
    return OrderStatus(
        status=normalize_status(answer.get("status")),
        charge=opt_money(answer.get("charge")),
        start_count=opt_int(answer.get("start_count")),
        remains=opt_int(answer.get("remains")),
        currency=_status_currency(answer.get("currency")),
        runs=opt_int(answer.get("runs")),
        orders=None if orders is None else to_id_list(orders),
        posts=opt_int(answer.get("posts")),
        expiry=opt_str(answer.get("expiry")),
        raw=answer,
    )


def _status_currency(value: object) -> str | None:
    """A status's `currency` is informational (nothing is computed from it), so one that breaks the
    currency rule (`_parse.opt_currency`) reads as absent rather than making the order unreadable;
    `raw` keeps what the panel sent. In a `balance` answer the same value is a bad answer."""
    try:
        return opt_currency(value)
    except Unparseable:
        return None


def status(data: object, order_id: int) -> OrderStatus:
    answer = _object("status", data)
    inner = answer.get(str(order_id))
    if "status" not in answer and isinstance(inner, Mapping):  # the multi shape for `order`
        refusal = item_error("status", inner)
        if refusal is not None:
            raise refusal
        answer = inner
    return _guard("status", "status", order_status, answer)


def _refill_id(action: str, value: object) -> int | ClientError:
    refusal = item_error(action, value)
    if refusal is not None:
        return refusal
    try:
        return to_id(value)
    except Unparseable as exc:
        if isinstance(value, str) and any(c.isalpha() for c in value):
            return ApiError(value, action=action)  # a plain-string error (spec §3.4 variant)
        return bad(action, f"refill id: {exc}")


def refill_id(data: object) -> int:
    answer = _object("refill", data)
    if "refill" not in answer:
        raise bad("refill", "the answer has no refill id")
    result = _refill_id("refill", answer["refill"])
    if isinstance(result, ClientError):
        raise result
    return result


def _refill_status(value: object) -> str | ClientError:
    refusal = item_error("refill_status", value)
    if refusal is not None:
        return refusal
    if isinstance(value, str) and len(value) <= 64 and value.strip().lower() in _REFILL_STATUS_ERRORS:
        return ApiError(value, action="refill_status")
    try:
        return normalize_status(value)
    except Unparseable as exc:
        return bad("refill_status", str(exc))


def refill_status(data: object) -> str:
    answer = _object("refill_status", data)
    result = _refill_status(answer.get("status"))
    if isinstance(result, ClientError):
        raise result
    return result


# ---- batches ----------------------------------------------------------------------------------------


def _by_id(action: str, data: object, ids: Sequence[int], id_key: str, single_key: str) -> dict[int, object]:
    """Each answered id -> its item: the entry of an object keyed by id, or the element of an array."""
    if isinstance(data, Mapping):
        if single_key in data and len(ids) == 1 and not all(str(k).strip().isdigit() for k in data):
            return {ids[0]: data}  # the single-id shape answering a one-id batch
        return {_guard(action, "a key of the answer", to_id, key): value for key, value in data.items()}
    if not isinstance(data, list):
        raise bad(action, f"expected a JSON array or object, got {type(data).__name__}")
    found: dict[int, object] = {}
    for position, item in enumerate(data):
        if isinstance(item, Mapping) and item.get(id_key) is not None:
            found.setdefault(_guard(action, f"item {position}", to_id, item[id_key]), item)
        elif len(data) == len(ids):
            found.setdefault(ids[position], item)  # no id in the item: answers are in request order
        else:
            raise bad(action, f"item {position} does not say which id it answers")
    return found


def _batch(
    action: str,
    data: object,
    ids: Sequence[int],
    keys: tuple[str, str],
    value_key: str | None,
    read: Callable[[object], T | ClientError],
) -> dict[int, T | ClientError]:
    """Per requested id: `read` of its value, its {"error"} as ApiError, or BadResponse if missing.
    `keys` are the item key naming the id and the key that marks the single-id shape."""
    found = _by_id(action, data, ids, *keys)
    result: dict[int, T | ClientError] = {}
    for number in ids:
        if number not in found:
            result[number] = bad(action, f"the answer has no entry for id {number}")
            continue
        item = found[number]
        if value_key is not None and isinstance(item, Mapping) and not item_error(action, item):
            if value_key not in item:
                result[number] = bad(action, f"the entry for id {number} has no {value_key!r}")
                continue
            item = item[value_key]  # {"order": 1, "refill": <value>}: the value, which may be {"error"}
        refusal = item_error(action, item)
        result[number] = refusal if refusal is not None else read(item)
    return result


def _status_item(item: object) -> OrderStatus | ClientError:
    if isinstance(item, str):
        return ApiError(item, action="status")  # SmartPanel's plain-string error (spec §3.4)
    if not isinstance(item, Mapping):
        return bad("status", f"an entry is not an object: {type(item).__name__}")
    try:
        return order_status(item)
    except Unparseable as exc:
        return bad("status", str(exc))


def statuses(data: object, ids: Sequence[int]) -> dict[int, OrderStatus | ClientError]:
    return _batch("status", data, ids, ("order", "status"), None, _status_item)


def refills(data: object, ids: Sequence[int]) -> dict[int, int | ClientError]:
    return _batch("refill", data, ids, ("order", "refill"), "refill", _refill_item)


def _refill_item(value: object) -> int | ClientError:
    return _refill_id("refill", value)


def refill_statuses(data: object, ids: Sequence[int]) -> dict[int, str | ClientError]:
    return _batch("refill_status", data, ids, ("refill", "status"), "status", _refill_status)


def _cancel_value(value: object) -> bool | ClientError:
    """`1` (or a cancel-task id) is accepted (spec §3.9); a non-numeric text is a refusal."""
    try:
        if isinstance(value, str) and len(value) <= 64 and value.strip().lstrip("+-").isdigit():
            return to_int(value) != 0
        return to_bool(value)
    except Unparseable as exc:
        if isinstance(value, str) and any(c.isalpha() for c in value):
            return ApiError(value, action="cancel")
        return bad("cancel", str(exc))


def cancels(data: object, ids: Sequence[int]) -> dict[int, bool | ClientError]:
    if isinstance(data, Mapping) and "success" in data and "cancel" not in data and len(ids) == 1:
        # `{"success": true | "Cancel accepted"}` from panels that take `order` (spec §10)
        success = data["success"]
        data = {
            "cancel": success.strip().lower() not in ("", "0", "false", "no")
            if isinstance(success, str)
            else bool(success)
        }
    return _batch("cancel", data, ids, ("order", "cancel"), "cancel", _cancel_value)
