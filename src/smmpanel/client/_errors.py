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
"""

from __future__ import annotations

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
_MIN_SECRET = 6  # shorter "secrets" would mangle ordinary words; real keys are 32+ characters


class ClientError(Exception):
    """Base of every error the client raises (argument mistakes raise ValueError/TypeError instead)."""

    sent: bool = True
    """False only if the request definitely never reached the panel (safe to resend, even `add`)."""

    def __init__(self, message: str, *, action: str | None = None) -> None:
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
        self.text = text


class BadResponse(UnknownOutcome):
    """The panel answered, but not with an API v2 answer this client can read. `excerpt` starts the body."""

    def __init__(
        self, message: str, *, action: str | None = None, status_code: int | None = None, excerpt: str = ""
    ) -> None:
        super().__init__(message, action=action)
        self.status_code = status_code
        self.excerpt = excerpt


def _rebuild(cls: type[ClientError], message: str, state: dict[str, object]) -> ClientError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


def redact(text: str, secret: str) -> str:
    """Replace the secret, raw or URL-encoded, by ***."""
    if len(secret) < _MIN_SECRET:
        return text
    for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
        text = text.replace(form, REDACTED)
    return text
