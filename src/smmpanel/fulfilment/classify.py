"""What to do after a call to a provider: a pure function from the failure to a Decision.

API v2 has no idempotency key, so the one question that matters for an `add` is whether the provider may
have acted. The client's error hierarchy answers it (smmpanel.client._errors); this module adds the
operator's judgement about each definite refusal. The table (texts matched case-insensitively, on the
English sentence or on the raw PerfectPanel key that some panels leak):

    what came back                                       decision      why
    ───────────────────────────────────────────────────  ────────────  ─────────────────────────────────────
    an upstream order id                                 SUCCESS
    TransportError (nothing was sent: refused, DNS…)     RETRY         provider down; resending is safe
    TimeoutAfterSend · ConnectionLost · ServerError      HOLD          the order may exist upstream: the
      (HTTP 5xx, even with an error text) · BadResponse                operator looks and decides; never
      (HTML page, bad JSON, redirect) · any other crash                a blind resend
    "Not enough funds on balance" / …not_enough_funds    RETRY + warn  our upstream balance: top it up;
                                                                       the customer's order is fine
    "You have active order with this link…"              RETRY         upstream's duplicate guard; clears
      / …link_duplicate                                                when the earlier order finishes
    "Too many requests" / "Spam protection…" / wait      RETRY         rate limited
    "Invalid API key" (and "API is disable…")            RETRY + warn  OUR configuration is wrong: never
                                                                       refund orders for it; fix the key
    "Incorrect service ID" / error.incorrect_service_id  FAIL + warn   the mapping is broken: refund (a
                                                                       failover provider is tried first)
    "Incorrect link" / "Bad link" / "Invalid link"       FAIL          the customer's link: refund
      / neworder.error.link
    "Quantity less than minimal N" / "…more than         FAIL          outside the provider's limits:
      maximum N" / neworder.error.min_/max_quantity                    refund (failover tried first)
    "Drip-feed is disabled…" / "…does not support        FAIL + warn   the mapping says drip-feed, the
      Dripfeed…"                                                       provider disagrees: refund
    "Incorrect request"                                  HOLD + warn   we sent something it cannot read
                                                                       (a type it does not support?);
                                                                       nothing exists upstream, the
                                                                       operator may resend or fail it
    any other refusal text                               HOLD          definite but unknown: the operator
                                                                       decides (resend or fail)

RETRY backs off exponentially (`backoff`); after `MAX_ATTEMPTS` retries the order is HELD instead, so a
problem that never clears reaches a human rather than looping forever. FAIL never pays twice: the refund
goes through orders.lifecycle.move (exactly once).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from smmpanel.client import ApiError, ClientError, TransportError, UnknownOutcome


class Action(str, Enum):
    SUCCESS = "success"
    RETRY = "retry"  # back to the queue, try again after a backoff
    FAIL = "fail"  # definite refusal the order will never pass: cancel it with a full refund
    HOLD = "hold"  # the operator decides (outcome unknown, or refused for a reason we cannot judge)


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str  # for orders.last_error and the logs; never contains a key
    warn: bool = False  # the operator should act (top up, fix the key, fix the mapping)
    failover: bool = False  # another provider might accept it: try the service's failover first

    @property
    def definite(self) -> bool:
        """True when the provider certainly did not create the order."""
        return self.action in (Action.RETRY, Action.FAIL) or self.reason.startswith("refused")


SUCCESS = Decision(Action.SUCCESS, "")
MAX_ATTEMPTS = 8
BASE_DELAY = 30  # seconds before the first retry
MAX_DELAY = 3600


# (substrings of the lower-cased text, decision builder); the first match wins
_RULES: tuple[tuple[tuple[str, ...], Action, bool, bool], ...] = (
    (("not enough funds", "not_enough_funds", "insufficient funds", "insufficient balance"), Action.RETRY, True, True),
    (("active order with this link", "link_duplicate"), Action.RETRY, False, False),
    (("too many requests", "spam protection", "please wait", "rate limit"), Action.RETRY, False, False),
    (("invalid api key", "api is disable", "incorrect api key", "invalid key"), Action.RETRY, True, True),
    (("incorrect service", "incorrect_service_id", "service not found", "invalid service"), Action.FAIL, True, True),
    (("quantity less than", "quantity more than", "min_quantity", "max_quantity", "maximum quantity",
      "minimum quantity"), Action.FAIL, False, True),
    (("drip-feed", "dripfeed"), Action.FAIL, True, True),
    (("incorrect link", "bad link", "invalid link", "neworder.error.link"), Action.FAIL, False, False),
    (("incorrect request",), Action.HOLD, True, False),
)  # fmt: skip


def classify(error: BaseException | None) -> Decision:
    """The decision for the outcome of an `add` (None: it succeeded). Pure: no I/O, no clock."""
    if error is None:
        return SUCCESS
    if isinstance(error, ApiError):
        return classify_refusal(error.text)
    if isinstance(error, TransportError):
        return Decision(Action.RETRY, f"provider unreachable, nothing sent: {error}", failover=True)
    if isinstance(error, UnknownOutcome):
        return Decision(Action.HOLD, f"outcome unknown ({type(error).__name__}): {error}")
    if isinstance(error, ClientError):
        return Decision(Action.HOLD, f"outcome unknown: {error}")
    return Decision(Action.HOLD, f"outcome unknown ({type(error).__name__}): {error}")


def classify_refusal(text: str) -> Decision:
    """A definite refusal `{"error": text}`: retry later, fail and refund, or hold for the operator."""
    lowered = text.strip().lower()
    for needles, action, warn, failover in _RULES:
        if any(n in lowered for n in needles):
            return Decision(action, f"refused: {text.strip()}", warn=warn, failover=failover)
    return Decision(Action.HOLD, f"refused: {text.strip()}")


def after_attempts(decision: Decision, attempts: int, max_attempts: int = MAX_ATTEMPTS) -> Decision:
    """A RETRY that has already been tried `attempts` times becomes a HOLD at the cap."""
    if decision.action is Action.RETRY and attempts + 1 >= max_attempts:
        return Decision(Action.HOLD, f"gave up after {attempts + 1} attempts: {decision.reason}", warn=True)
    return decision


def backoff(attempts: int, base: int = BASE_DELAY, cap: int = MAX_DELAY) -> int:
    """Seconds before retry number `attempts + 1`: base, 2·base, 4·base… capped."""
    return int(min(cap, base * 2 ** max(0, attempts)))


def is_missing_order(error: BaseException) -> bool:
    """A per-item "Incorrect order ID" from status/cancel: upstream does not know our order (hold it)."""
    return isinstance(error, ApiError) and "incorrect order" in error.text.lower()
