"""The client without I/O: what to send, how to classify what came back, shared by both shells.

Every public method is written once, here, as a *plan*: a generator that yields the `Call`s it needs
and receives each decoded answer (or, thrown into it, the `ClientError` of a failed call). `Client`
and `AsyncClient` only drive plans over httpx, so they cannot drift apart, and everything that decides
at-most-once safety — `failure()` for exceptions, `read_answer()` for HTTP answers — is a pure function
tested without a network.

Wire rules kept here: always a form-encoded POST of `key`, `action`, then the parameters (the standard
PHP sample's order); multi-id parameters comma-joined, at most 100 ids per call; redirects are not
followed (a POST turned into a GET loses its parameters, spec §9.5); reads (`services`, `status`,
`refill_status`, `balance`) may be retried, writes (`add`, `refill`, `cancel`) never are. An answer
body larger than `max_body` (default `MAX_BODY`, 8 MiB, counted after decompression) is not read
further: it is a BadResponse, like any other answer that is not API v2.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping, Sequence
from datetime import date
from importlib import metadata
from typing import TypeVar

import httpx
import orjson

from . import _answers as answers
from ._errors import (
    ApiError,
    BadResponse,
    ClientError,
    ConnectionLost,
    ServerError,
    TimeoutAfterSend,
    TransportError,
    UnknownOutcome,
)
from ._models import Balance, OrderStatus, Service
from ._parse import describe

T = TypeVar("T")
Plan = Generator["Call", object, T]
FieldValue = str | int | date | Sequence[str] | None

MAX_IDS = 100  # per call (spec §0); longer lists are split and the answers merged
READ_ACTIONS = frozenset({"services", "status", "refill_status", "balance"})
# Fields of `add` (spec §4). Those in LIST_FIELDS may be given as a list, sent one item per line.
ADD_FIELDS = frozenset(
    {
        "link", "quantity", "runs", "interval", "comments", "usernames", "hashtags", "username",
        "hashtag", "media", "answer_number", "min", "max", "posts", "old_posts", "delay", "expiry",
        "groups", "keywords", "country", "device", "type_of_traffic", "google_keyword", "referring_url",
    }
)  # fmt: skip
LIST_FIELDS = frozenset({"comments", "usernames", "hashtags", "groups", "keywords"})
# Idle pooled connections are dropped before a typical server's keep-alive timeout (Apache: 5 s), so
# a write is rarely sent on a connection the server is closing — which would make its outcome unknown.
LIMITS = httpx.Limits(keepalive_expiry=2.0)
_EXCERPT = 200
# The largest answer read: `services` of 5,000 items is ≈ 1.2 MB; anything near this is not an answer.
MAX_BODY = 8 * 1024 * 1024


class Call:
    """One request to make: an action and its parameters (never the key, so it is safe to log)."""

    __slots__ = ("action", "params")

    def __init__(self, action: str, params: Sequence[tuple[str, str]] = ()) -> None:
        self.action = action
        self.params = tuple(params)

    @property
    def retryable(self) -> bool:
        return self.action in READ_ACTIONS

    def form(self, key: str) -> dict[str, str]:
        return {"key": key, "action": self.action, **dict(self.params)}

    def __repr__(self) -> str:
        return f"Call({self.action!r}, {self.params!r})"


# ---- arguments ----------------------------------------------------------------------------------------


def check_url(url: str) -> str:
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError(f"the panel URL must be http(s)://host/…, got {url!r}")
    return url


def check_key(key: str) -> str:
    if not isinstance(key, str) or not key.strip():
        raise ValueError("the API key must be a non-empty string")
    return key


def _version() -> str:
    try:
        return metadata.version("smmpanel")
    except metadata.PackageNotFoundError:
        return "0"


def timeout_of(timeout: float | httpx.Timeout) -> httpx.Timeout:
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)


def headers(user_agent: str | None) -> dict[str, str]:
    return {"User-Agent": user_agent or f"smmpanel-client/{_version()}", "Accept": "application/json"}


def one_id(value: object, what: str = "order id") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return value


def id_list(values: int | Iterable[int], what: str = "order id") -> list[int]:
    """Validated ids, duplicates dropped (the panel answers each id once), first-seen order kept."""
    items = [values] if isinstance(values, int) else list(values)
    ids = list(dict.fromkeys(one_id(v, what) for v in items))
    if not ids:
        raise ValueError(f"at least one {what} is needed")
    return ids


def chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + MAX_IDS] for i in range(0, len(ids), MAX_IDS)]


def _field(name: str, value: FieldValue) -> str:
    if isinstance(value, bool):
        raise TypeError(f"add(): {name} must not be a bool")
    if isinstance(value, (str, int)):
        return str(value)
    if isinstance(value, date) and name == "expiry":
        return value.strftime("%d/%m/%Y")  # spec §4: d/m/Y, never m/d/Y
    if name in LIST_FIELDS and isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    raise TypeError(f"add(): {name} cannot be {type(value).__name__}")


def add_params(
    service: int, fields: Mapping[str, FieldValue], extra: Mapping[str, str] | None
) -> list[tuple[str, str]]:
    unknown = sorted(set(fields) - ADD_FIELDS)
    if unknown:
        raise TypeError(f"add(): unknown field(s) {', '.join(unknown)}; pass panel-specific ones in extra=")
    params = [("service", str(one_id(service, "service")))]
    params += [(name, _field(name, value)) for name, value in fields.items() if value is not None]
    params += [(str(name), str(value)) for name, value in (extra or {}).items()]
    return params


# ---- classification --------------------------------------------------------------------------------------

# Raised before any byte of the request could reach the panel.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
)


def failure(exc: Exception, action: str) -> ClientError:
    """The ClientError for an httpx exception; anything not proven unsent is an unknown outcome."""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, (*_NOT_SENT, httpx.InvalidURL)):
        return TransportError(
            f"{action}: could not reach the panel, nothing was sent ({detail})", action=action
        )
    if isinstance(exc, (httpx.ReadTimeout, httpx.WriteTimeout)):
        return TimeoutAfterSend(f"{action}: no answer in time, outcome unknown ({detail})", action=action)
    # ReadError, WriteError, RemoteProtocolError ("disconnected without sending a response"), LocalProtocolError…
    if isinstance(exc, httpx.TransportError):
        return ConnectionLost(f"{action}: connection lost, outcome unknown ({detail})", action=action)
    if isinstance(exc, (httpx.DecodingError, httpx.TooManyRedirects)):
        return BadResponse(f"{action}: unreadable answer, outcome unknown ({detail})", action=action)
    return UnknownOutcome(f"{action}: request failed, outcome unknown ({detail})", action=action)


def check_max_body(max_body: int) -> int:
    if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body < 1024:
        raise ValueError(f"max_body must be an integer of at least 1024 bytes, got {max_body!r}")
    return max_body


def too_large(action: str, status_code: int, max_body: int, declared: str | None = None) -> BadResponse:
    """The error for an answer over `max_body` bytes; raise it before reading (declared) or midway."""
    size = f"declares {declared} bytes" if declared else f"is over {max_body:,} bytes"
    return BadResponse(
        f"{action}: the answer {size}, more than the limit of {max_body:,}; outcome unknown",
        action=action, status_code=status_code,
    )  # fmt: skip


def declared_too_large(headers: Mapping[str, str], max_body: int) -> str | None:
    """The Content-Length when it already says the body is over the limit (a text, safe to show)."""
    declared = headers.get("content-length", "").strip()
    if declared.isdigit() and (len(declared) > 18 or int(declared) > max_body):
        return declared[:20]
    return None


def _excerpt(body: bytes) -> str:
    text = " ".join(body[: _EXCERPT * 2].decode("utf-8", "replace").split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 3] + "..."


def _decode(body: bytes) -> tuple[bool, object]:
    text = body.lstrip(b"\xef\xbb\xbf").strip()  # tolerate a UTF-8 BOM and padding
    if not text:
        return False, None
    try:
        return True, orjson.loads(text)
    except orjson.JSONDecodeError:
        return False, None


def _error_text(data: object) -> str | None:
    """The text of an `{"error": ...}` answer (extra keys allowed, spec §9.2); None if not one."""
    if not isinstance(data, Mapping) or not data.get("error"):
        return None
    error = data["error"]
    if isinstance(error, Mapping) and isinstance(error.get("message"), str):
        return str(error["message"])
    if isinstance(error, str):
        return error
    try:
        return orjson.dumps(error).decode()[:_EXCERPT * 2]
    except orjson.JSONEncodeError:  # nested deeper than orjson writes
        return describe(error)


def read_answer(action: str, status_code: int, body: bytes, location: str | None = None) -> object:
    """Decoded JSON of a usable answer, or the ClientError it stands for.

    * 200 (any 2xx) with JSON: returned; with `{"error": text}`: ApiError — a definite refusal.
    * 4xx with `{"error": text}`: ApiError too (clones send 401/422, spec §1); other 4xx: BadResponse.
    * 5xx: ServerError, *even* with an {"error"} body: a fault after the order was committed is
      possible, so the outcome stays unknown. `text` keeps the panel's error text.
    * 3xx: BadResponse naming the target; redirects are never followed (spec §9.5).
    * Not JSON (an HTML page, a PHP notice, an empty body): BadResponse with an excerpt.
    * `add` answering both an order id and an error: BadResponse, since the order may exist.
    """
    if 300 <= status_code < 400:
        target = f" to {location}" if location else ""
        raise BadResponse(
            f"{action}: HTTP {status_code} redirect{target}; API v2 is never redirected — check the URL",
            action=action,
            status_code=status_code,
            excerpt=_excerpt(body),
        )
    decoded, data = _decode(body)
    text = _error_text(data) if decoded else None
    if status_code >= 500:
        what = f": {text}" if text is not None else ""
        raise ServerError(
            f"{action}: HTTP {status_code} from the panel{what}; outcome unknown", action=action,
            status_code=status_code, text=text,
        )  # fmt: skip
    if not decoded:
        raise BadResponse(
            f"{action}: the answer is not JSON (HTTP {status_code}): {_excerpt(body)!r}; outcome unknown",
            action=action, status_code=status_code, excerpt=_excerpt(body),
        )  # fmt: skip
    if text is not None:
        if action == "add" and isinstance(data, Mapping) and data.get("order"):
            raise BadResponse(
                f"add: the answer holds both an order id and the error {text!r}; outcome unknown",
                action=action, status_code=status_code, excerpt=_excerpt(body),
            )  # fmt: skip
        raise ApiError(text, action=action, status_code=status_code)
    if status_code >= 400 or status_code < 200:
        raise BadResponse(
            f"{action}: HTTP {status_code} without an API v2 error: {_excerpt(body)!r}; outcome unknown",
            action=action, status_code=status_code, excerpt=_excerpt(body),
        )  # fmt: skip
    return data


def scrub(result: T, key: str) -> T:
    """Remove the key from errors carried as values of a batch result."""
    if isinstance(result, dict):
        for value in result.values():
            if isinstance(value, ClientError):
                value.scrub(key)
    return result


# ---- plans: one per public method ----------------------------------------------------------------------


def services() -> Plan[list[Service]]:
    return answers.services((yield Call("services")))


def balance() -> Plan[Balance]:
    return answers.balance((yield Call("balance")))


def add(service: int, fields: Mapping[str, FieldValue], extra: Mapping[str, str] | None) -> Plan[int]:
    return answers.order_id((yield Call("add", add_params(service, fields, extra))))


def status(order_id: int) -> Plan[OrderStatus]:
    return answers.status((yield Call("status", [("order", str(one_id(order_id)))])), order_id)


def refill(order_id: int) -> Plan[int]:
    return answers.refill_id((yield Call("refill", [("order", str(one_id(order_id)))])))


def refill_status(refill_id: int) -> Plan[str]:
    return answers.refill_status(
        (yield Call("refill_status", [("refill", str(one_id(refill_id, "refill id")))]))
    )


def _join(ids: Sequence[int]) -> str:
    return ",".join(map(str, ids))


def statuses(order_ids: Iterable[int]) -> Plan[dict[int, OrderStatus | ClientError]]:
    """A read: a failed chunk raises (after the shell's retries); nothing was changed."""
    result: dict[int, OrderStatus | ClientError] = {}
    for chunk in chunks(id_list(order_ids)):
        result.update(answers.statuses((yield Call("status", [("orders", _join(chunk))])), chunk))
    return result


def refill_statuses(refill_ids: Iterable[int]) -> Plan[dict[int, str | ClientError]]:
    result: dict[int, str | ClientError] = {}
    for chunk in chunks(id_list(refill_ids, "refill id")):
        result.update(
            answers.refill_statuses((yield Call("refill_status", [("refills", _join(chunk))])), chunk)
        )
    return result


def refills(order_ids: Iterable[int]) -> Plan[dict[int, int | ClientError]]:
    """A write: a chunk that fails gives its error to each of its ids, so no earlier result is lost."""
    result: dict[int, int | ClientError] = {}
    for chunk in chunks(id_list(order_ids)):
        try:
            result.update(answers.refills((yield Call("refill", [("orders", _join(chunk))])), chunk))
        except ClientError as exc:
            result.update(dict.fromkeys(chunk, exc))
    return result


def cancel(order_ids: int | Iterable[int]) -> Plan[dict[int, bool | ClientError]]:
    """A write, like `refills`. Always sends `orders` (the documented parameter), even for one id."""
    result: dict[int, bool | ClientError] = {}
    for chunk in chunks(id_list(order_ids)):
        try:
            result.update(answers.cancels((yield Call("cancel", [("orders", _join(chunk))])), chunk))
        except ClientError as exc:
            result.update(dict.fromkeys(chunk, exc))
    return result
