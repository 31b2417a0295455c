"""The failure classification, tabled with real upstream answers (spec §6 texts and raw PerfectPanel keys)."""

from __future__ import annotations

import pytest

from smmpanel.client import (
    ApiError,
    BadResponse,
    ConnectionLost,
    ServerError,
    TimeoutAfterSend,
    TransportError,
)
from smmpanel.fulfilment.classify import Action, after_attempts, backoff, classify, is_missing_order

R, F, H = Action.RETRY, Action.FAIL, Action.HOLD

TABLE = [
    ("Not enough funds on balance", R, True),
    ("neworder.error.not_enough_funds", R, True),
    ("You have active order with this link. Please wait until order being completed.", R, False),
    ("neworder.error.link_duplicate", R, False),
    ("Too many requests, please wait", R, False),
    ("Spam protection, wait 10 seconds", R, False),
    ("Invalid API key", R, True),
    ("API is disable for this user or user not found", R, True),
    ("Incorrect service ID", F, True),
    ("error.incorrect_service_id", F, True),
    ("Incorrect link", F, False),
    ("neworder.error.link", F, False),
    ("Bad link", F, False),
    ("Quantity less than minimal 10", F, False),
    ("Quantity more than maximum 100", F, False),
    ("neworder.error.min_quantity", F, False),
    ("neworder.error.max_quantity", F, False),
    ("Drip-feed is disabled for this service", F, True),
    ("Incorrect request", H, True),
    ("Service is under maintenance", H, False),
]


@pytest.mark.parametrize(("text", "action", "warn"), TABLE)
def test_refusals(text: str, action: Action, warn: bool) -> None:
    decision = classify(ApiError(text, action="add"))
    assert (decision.action, decision.warn) == (action, warn)
    assert decision.reason == f"refused: {text}"


@pytest.mark.parametrize(
    "error",
    [
        TimeoutAfterSend("add: no answer in time", action="add"),
        ConnectionLost("add: connection lost", action="add"),
        ServerError("add: HTTP 500", action="add", status_code=500, text="Internal error"),
        ServerError("add: HTTP 502", action="add", status_code=502),
        BadResponse("add: the answer is not JSON: '<html>…'", action="add", status_code=200, excerpt="<html>"),
        BadResponse("add: malformed JSON", action="add", status_code=200),
        RuntimeError("adapter crashed"),
    ],
)
def test_unknown_outcomes_hold(error: Exception) -> None:
    assert classify(error).action is Action.HOLD


def test_nothing_sent_retries_and_may_fail_over() -> None:
    decision = classify(TransportError("add: could not reach the panel", action="add"))
    assert (decision.action, decision.failover) == (Action.RETRY, True)


def test_success() -> None:
    assert classify(None).action is Action.SUCCESS


def test_retries_are_capped_into_a_hold() -> None:
    retry = classify(ApiError("Not enough funds on balance"))
    assert after_attempts(retry, 0, 3).action is Action.RETRY
    assert after_attempts(retry, 2, 3).action is Action.HOLD
    fail = classify(ApiError("Incorrect link"))
    assert after_attempts(fail, 10, 3) is fail


def test_backoff_doubles_up_to_a_cap() -> None:
    assert [backoff(n, 30, 3600) for n in range(9)] == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_missing_order() -> None:
    assert is_missing_order(ApiError("Incorrect order ID"))
    assert not is_missing_order(ApiError("Incorrect link"))
    assert not is_missing_order(TimeoutAfterSend("x"))
