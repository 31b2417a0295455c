"""The sans-IO core: request building and the failure classification that at-most-once relies on."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from smmpanel.client import (
    ApiError,
    BadResponse,
    ClientError,
    ConnectionLost,
    ServerError,
    TimeoutAfterSend,
    TransportError,
    UnknownOutcome,
    _core,
)

# ---- httpx exceptions -> (class, sent) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "expected", "sent"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), TransportError, False),
        (httpx.ConnectTimeout("timed out"), TransportError, False),
        (httpx.PoolTimeout("no connection"), TransportError, False),
        (httpx.ProxyError("407"), TransportError, False),
        (httpx.UnsupportedProtocol("ftp"), TransportError, False),
        (httpx.InvalidURL("bad"), TransportError, False),
        (httpx.ReadTimeout("timed out"), TimeoutAfterSend, True),
        (httpx.WriteTimeout("timed out"), TimeoutAfterSend, True),
        (httpx.ReadError("reset by peer"), ConnectionLost, True),
        (httpx.WriteError("broken pipe"), ConnectionLost, True),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), ConnectionLost, True),
        (httpx.LocalProtocolError("bad header"), ConnectionLost, True),
        (httpx.CloseError("x"), ConnectionLost, True),
        (httpx.DecodingError("bad gzip"), BadResponse, True),
        (httpx.TooManyRedirects("loop"), BadResponse, True),
        (httpx.StreamConsumed(), UnknownOutcome, True),
    ],
)
def test_failure_classification(exc: Exception, expected: type[ClientError], sent: bool) -> None:
    error = _core.failure(exc, "add")
    assert type(error) is expected
    assert error.sent is sent
    assert isinstance(error, UnknownOutcome) is sent
    assert error.action == "add"
    assert type(exc).__name__ in str(error)


def test_outcome_words_in_messages() -> None:
    assert "nothing was sent" in str(_core.failure(httpx.ConnectError("refused"), "add"))
    assert "outcome unknown" in str(_core.failure(httpx.ReadTimeout("timed out"), "add"))


# ---- HTTP answers ----------------------------------------------------------------------------------------


def test_a_json_answer_is_returned() -> None:
    assert _core.read_answer("add", 200, b'{"order":23501}') == {"order": 23501}
    assert _core.read_answer("services", 200, b"\xef\xbb\xbf [] \n") == []  # BOM and padding
    assert _core.read_answer("add", 201, b'{"order":1}') == {"order": 1}


@pytest.mark.parametrize(
    ("status", "body", "text"),
    [
        (200, b'{"error":"Incorrect request"}', "Incorrect request"),
        (200, b'{"error":"Not enough funds on balance","status":"error"}', "Not enough funds on balance"),
        (200, b'{"error":{"message":"Bad link"}}', "Bad link"),
        (401, b'{"error":"Invalid API key"}', "Invalid API key"),
        (422, b'{"error":"The order is not completed"}', "The order is not completed"),
    ],
)
def test_error_answers_are_api_errors(status: int, body: bytes, text: str) -> None:
    with pytest.raises(ApiError) as caught:
        _core.read_answer("refill", status, body)
    assert (caught.value.text, caught.value.status_code, caught.value.sent) == (text, status, True)


def test_a_falsy_error_key_is_not_an_error() -> None:
    assert _core.read_answer("add", 200, b'{"order":5,"error":null}') == {"order": 5, "error": None}


@pytest.mark.parametrize(
    ("status", "body", "expected", "fragment"),
    [
        (500, b'{"error":"Internal error"}', ServerError, "HTTP 500 from the panel: Internal error"),
        (503, b"<h1>Service Unavailable</h1>", ServerError, "HTTP 503"),
        (200, b"<html>Just a moment...</html>", BadResponse, "not JSON"),
        (200, b"", BadResponse, "not JSON"),
        (200, b'{"order":', BadResponse, "not JSON"),
        (404, b"<html>Not Found</html>", BadResponse, "not JSON"),
        (403, b'{"message":"Forbidden"}', BadResponse, "HTTP 403 without an API v2 error"),
        (302, b"", BadResponse, "redirect"),
        (200, b'{"order":7,"error":"Duplicate"}', BadResponse, "both an order id and the error"),
    ],
)
def test_unknown_outcome_answers(
    status: int, body: bytes, expected: type[ClientError], fragment: str
) -> None:
    with pytest.raises(expected) as caught:
        _core.read_answer("add", status, body)
    assert isinstance(caught.value, UnknownOutcome) and caught.value.sent
    assert fragment in str(caught.value)


def test_server_error_keeps_text() -> None:
    with pytest.raises(ServerError) as caught:
        _core.read_answer("status", 500, b'{"error":"Internal error"}')
    assert (caught.value.status_code, caught.value.text) == (500, "Internal error")


def test_bad_response_excerpt_is_short_and_flat() -> None:
    with pytest.raises(BadResponse) as caught:
        _core.read_answer("balance", 200, b"<html>\n  <body>" + b"x" * 1000)
    assert caught.value.excerpt.startswith("<html> <body>xxx")
    assert len(caught.value.excerpt) == 200


def test_redaction_of_raw_and_encoded_key() -> None:
    error = BadResponse("key=s3cret/key+1 and s3cret%2Fkey%2B1", excerpt="s3cret/key+1")
    error.scrub("s3cret/key+1")
    assert str(error) == "key=*** and ***"
    assert error.excerpt == "***"
    assert error.args == ("key=*** and ***",)


# ---- requests ----------------------------------------------------------------------------------------------


def test_form_order_and_retry_policy() -> None:
    call = _core.Call("status", [("orders", "1,2")])
    assert list(call.form("K").items()) == [("key", "K"), ("action", "status"), ("orders", "1,2")]
    assert "K" not in repr(call)
    assert {a for a in ("services", "status", "refill_status", "balance", "add", "refill", "cancel")
            if _core.Call(a).retryable} == {"services", "status", "refill_status", "balance"}  # fmt: skip


def test_add_params() -> None:
    params = _core.add_params(
        100,
        {"username": "nasa", "min": 10, "max": 20, "delay": 0, "expiry": date(2026, 2, 1), "posts": None},
        {"link2": "x"},
    )
    assert params == [
        ("service", "100"), ("username", "nasa"), ("min", "10"), ("max", "20"), ("delay", "0"),
        ("expiry", "01/02/2026"), ("link2", "x"),
    ]  # fmt: skip
    assert _core.add_params(1, {"usernames": ("a", "b"), "comments": "x\ny"}, None)[1:] == [
        ("usernames", "a\nb"),
        ("comments", "x\ny"),
    ]


@pytest.mark.parametrize(
    ("service", "fields", "error"),
    [
        (1, {"quantiy": 5}, TypeError),
        (1, {"quantity": 5.0}, TypeError),
        (1, {"quantity": True}, TypeError),
        (1, {"link": ["a", "b"]}, TypeError),
        (0, {"link": "L"}, ValueError),
        ("1", {"link": "L"}, ValueError),
    ],
)
def test_add_params_refused(service: object, fields: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        _core.add_params(service, fields, None)  # type: ignore[arg-type]


def test_id_lists() -> None:
    assert _core.id_list([3, 1, 3, 2]) == [3, 1, 2]
    assert _core.id_list(7) == [7]
    for bad in ([], [0], [-1], [True], ["1"]):
        with pytest.raises(ValueError):
            _core.id_list(bad)  # type: ignore[arg-type]
    assert [len(c) for c in _core.chunks(list(range(1, 251)))] == [100, 100, 50]
    assert [len(c) for c in _core.chunks(list(range(1, 101)))] == [100]


def test_plans_drive_without_io() -> None:
    """A plan is a generator: the shells only feed it answers."""
    plan = _core.statuses([1, 2])
    call = next(plan)
    assert (call.action, call.params) == ("status", (("orders", "1,2"),))
    with pytest.raises(StopIteration) as done:
        plan.send({"1": {"status": "Pending"}, "2": {"error": "Incorrect order ID"}})
    result = done.value.value
    assert result[1].status == "Pending" and result[2].text == "Incorrect order ID"


@pytest.mark.parametrize(
    "error",
    [
        ApiError("Incorrect order ID", action="status", status_code=200),
        ServerError("add: HTTP 500", action="add", status_code=500, text="Internal error"),
        BadResponse("add: not JSON", action="add", status_code=200, excerpt="<html>"),
        TransportError("add: refused", action="add"),
    ],
)
def test_errors_survive_pickling(error: ClientError) -> None:
    import pickle

    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (str(copy), vars(copy), copy.sent) == (str(error), vars(error), error.sent)
