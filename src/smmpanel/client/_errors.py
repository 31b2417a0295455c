"""Why a call failed, and — above all — whether the panel may have acted on it.

API v2 has no idempotency key, so a caller dispatching orders at most once needs one fact from every
failure: *could this request have reached the panel?* The hierarchy encodes exactly that::

    ClientError                 .action, .sent
    ├── ApiError                the panel answered {"error": text}: a definite refusal     sent=True
    ├── TransportError          no connection was made: nothing left this machine          sent=False
    └── UnknownOutcome          the request may have reached the panel and been acted on   sent=True
        ├── TimeoutAfterSend    connected, then no (complete) answer in time
        ├── ConnectionLost      the connection broke while sending or reading
        ├── ServerError         HTTP 5xx (even with an {"error"} body: the fault may follow a commit)
        └── BadResponse         an answer that is not a recognisable API v2 answer (HTML, bad JSON, 3xx…)

Invariant: `sent is False` only when the request definitely never reached the panel, so resending it —
even an `add` — cannot create a second order. Every other failure of `add`, `refill` or `cancel` must be
treated as "maybe done".

Messages never contain the API key: the shells call `scrub()` on every error before it leaves them.

Texts that come from the panel end up in our logs and in `orders.last_error`, so none of them may carry a
line break or a terminal escape (a forged log line) or be unbounded: every message, `ApiError.text`,
`ServerError.text` and `BadResponse.excerpt` goes through `clean()` when the error is built — each
non-printable character (line breaks, tabs, NUL, ESC, bidi controls: `not str.isprintable()`) becomes a
space, and a text longer than its limit (`MAX_TEXT` for the panel's own words, `MAX_MESSAGE` for a
message) is cut and ends with "…". A key cut in half by that limit is still redacted (`redact`).
"""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus

# Raw PerfectPanel translation keys that leak instead of English (spec §6), mapped to the English texts
# that bots compare. The numbers of the quantity errors are not in the raw key, so they stay out.
_CANONICAL_TEXTS = {
    "neworder.error.not_enough_funds": "Not enough funds on balance",
    "neworder.error.link_duplicate": (
        "You have active order with this link. Please wait until order being completed."
    ),
    "neworder.error.link": "Incorrect link",
    "neworder.error.min_quantity": "Quantity less than minimal",
    "neworder.error.max_quantity": "Quantity more than maximum",
    "error.incorrect_service_id": "Incorrect service ID",
}

REDACTED = "***"
MAX_TEXT = 300  # characters of a panel's own error text (ApiError.text, ServerError.text, excerpts)
MAX_MESSAGE = 1000  # characters of an error message
ELLIPSIS = "…"
_MIN_SECRET = 6  # shorter "secrets" would mangle ordinary words; real keys are 32+ characters


class ClientError(Exception):
    """Base of every error the client raises (argument mistakes raise ValueError/TypeError instead)."""

    sent: bool = True
    """False only if the request definitely never reached the panel (safe to resend, even `add`)."""

    def __init__(self, message: str, *, action: str | None = None) -> None:
        message = clean(message, MAX_MESSAGE)
        super().__init__(message)
        self.message = message
        self.action = action

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        # Picklable despite keyword-only constructors (errors may cross process boundaries).
        return (_rebuild, (type(self), self.message, dict(vars(self))))

    def scrub(self, secret: str) -> None:
        """Remove `secret` (the API key) from every text this error carries."""
        for name, value in list(vars(self).items()):
            if isinstance(value, str):
                setattr(self, name, redact(value, secret))
        self.args = tuple(redact(a, secret) if isinstance(a, str) else a for a in self.args)


class ApiError(ClientError):
    """The panel refused the request with `{"error": text}`; `text` is its exact wording."""

    def __init__(self, text: str, *, action: str | None = None, status_code: int = 200) -> None:
        text = clean(text, MAX_TEXT)
        super().__init__(text, action=action)
        self.text = text
        self.status_code = status_code

    @property
    def canonical(self) -> str:
        """`text`, with a leaked raw translation key (`neworder.error.link`) turned into English."""
        return _CANONICAL_TEXTS.get(self.text.strip(), self.text)

    def __repr__(self) -> str:
        return f"ApiError({self.text!r})"


class TransportError(ClientError):
    """No connection to the panel could be made, so nothing was sent: resending is safe."""

    sent = False


class UnknownOutcome(ClientError):
    """The request may have reached the panel: an `add` that ends here must never be resent blindly."""


class TimeoutAfterSend(UnknownOutcome):
    """Connected, but the request or the answer did not complete in time."""


class ConnectionLost(UnknownOutcome):
    """The connection broke after it was made (reset, closed early, protocol violation)."""


class ServerError(UnknownOutcome):
    """HTTP 5xx. `text` holds the panel's {"error"} text when the body had one, else None."""

    def __init__(
        self, message: str, *, action: str | None = None, status_code: int, text: str | None = None
    ) -> None:
        super().__init__(message, action=action)
        self.status_code = status_code
        self.text = None if text is None else clean(text, MAX_TEXT)


class BadResponse(UnknownOutcome):
    """The panel answered, but not with an API v2 answer this client can read. `excerpt` starts the body."""

    def __init__(
        self, message: str, *, action: str | None = None, status_code: int | None = None, excerpt: str = ""
    ) -> None:
        super().__init__(message, action=action)
        self.status_code = status_code
        self.excerpt = clean(excerpt, MAX_TEXT)


def _rebuild(cls: type[ClientError], message: str, state: dict[str, object]) -> ClientError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


def clean(text: str, limit: int) -> str:
    """`text` on one line and at most `limit` characters (see the module doc); instant on any size."""
    head = text[: limit + 1]
    if not head.isprintable():
        head = "".join(c if c.isprintable() else " " for c in head)
    return head if len(text) <= limit else head[: limit - 1] + ELLIPSIS


def redact(text: str, secret: str) -> str:
    """Replace the secret, raw or URL-encoded, by ***: whole, or its beginning where a cut text ends."""
    if len(secret) < _MIN_SECRET:
        return text
    forms = {secret, quote(secret, safe=""), quote_plus(secret)}
    for form in forms:
        text = text.replace(form, REDACTED)
    if ELLIPSIS in text or "..." in text:  # a cut may have left the first characters of the key
        heads = sorted({form[:n] for form in forms for n in range(4, len(form))}, key=len, reverse=True)
        text = re.sub("(?:" + "|".join(map(re.escape, heads)) + r")(?=…|\.\.\.)", REDACTED, text)
    return text
