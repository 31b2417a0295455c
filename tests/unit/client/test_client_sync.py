"""`Client` against a scripted panel over real HTTP: the wire format, every action, every failure."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest

from smmpanel.client import (
    ApiError,
    BadResponse,
    Balance,
    Client,
    ConnectionLost,
    OrderStatus,
    ServerError,
    Service,
    TimeoutAfterSend,
    TransportError,
    UnknownOutcome,
)

SERVICES = [
    {
        "service": 1, "name": "Followers", "type": "Default", "rate": "0.90", "min": "50", "max": "10000",
        "dripfeed": False, "refill": True, "cancel": True, "category": "First Category",
    },
    {  # variants: string id, numeric rate, no cancel/dripfeed, `description`
        "service": "3331", "name": "Comments", "type": "Custom Comments", "category": "Second",
        "rate": 0.9, "min": 10, "max": "1500", "refill": "0", "description": "One per line",
    },
]  # fmt: skip


@pytest.fixture
def client(panel: Any, key: str, fast: dict[str, Any]) -> Any:
    with Client(panel.url, key, **fast) as c:
        yield c


# ---- wire format ------------------------------------------------------------------------------------


def test_requests_are_form_posts_with_key_and_action_first(panel: Any, client: Client, key: str) -> None:
    panel.reply({"order": 23501})
    client.add(1, link="https://x/p?a=1&b=2", quantity=100)
    seen = panel.requests[0]
    assert seen.method == "POST"
    assert seen.path == "/api/v2"
    assert seen.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert seen.pairs == [
        ("key", key), ("action", "add"), ("service", "1"), ("link", "https://x/p?a=1&b=2"), ("quantity", "100"),
    ]  # fmt: skip


def test_comment_list_is_sent_as_newline_joined_text(panel: Any, client: Client) -> None:
    panel.reply({"order": 23502})
    assert client.add(2, link="L", comments=["good pic", "great photo"]) == 23502
    assert b"comments=good+pic%0Agreat+photo" in panel.requests[0].body
    assert panel.requests[0].form["comments"] == "good pic\ngreat photo"


def test_multi_ids_are_comma_joined(panel: Any, client: Client) -> None:
    panel.reply({"1": {"status": "Pending"}, "2": {"status": "Completed"}})
    client.statuses([1, 2, 1])
    assert panel.requests[0].form == {
        "key": panel.requests[0].form["key"],
        "action": "status",
        "orders": "1,2",
    }


def test_repr_and_errors_never_show_the_key(panel: Any, key: str, fast: dict[str, Any]) -> None:
    panel.reply(f"<html>Bad request for key={key}</html>".encode(), status=403)
    with Client(panel.url, key, **fast) as c:
        assert key not in repr(c)
        with pytest.raises(BadResponse) as caught:
            c.add(1, link="L", quantity=100)
    assert key not in str(caught.value)
    assert key not in repr(caught.value)
    assert key not in caught.value.excerpt
    assert "key=***" in caught.value.excerpt


# ---- actions ---------------------------------------------------------------------------------------------


def test_services_are_parsed_exactly(panel: Any, client: Client) -> None:
    panel.reply(SERVICES)
    first, second = client.services()
    assert first == Service(
        service=1, name="Followers", type="Default", category="First Category", rate=Decimal("0.90"),
        min=50, max=10000, refill=True, cancel=True, dripfeed=False, desc="",
    )  # fmt: skip
    assert second == Service(
        service=3331, name="Comments", type="Custom Comments", category="Second", rate=Decimal("0.9"),
        min=10, max=1500, refill=False, cancel=False, dripfeed=False, desc="One per line",
    )  # fmt: skip
    assert second.raw["description"] == "One per line"
    assert panel.requests[0].form["action"] == "services"


def test_add_returns_the_order_id_as_int(panel: Any, client: Client) -> None:
    panel.reply({"order": "23501", "status": "success"})
    assert client.add(1, link="L", quantity=100) == 23501


def test_status(panel: Any, client: Client) -> None:
    panel.reply(
        {"charge": "0.27819", "start_count": "3572", "status": "Partial", "remains": "157", "currency": "USD"}
    )
    assert client.status(23501) == OrderStatus(
        status="Partial", charge=Decimal("0.27819"), start_count=3572, remains=157, currency="USD"
    )
    assert panel.requests[0].form["order"] == "23501"


def test_statuses_with_per_item_errors(panel: Any, client: Client) -> None:
    panel.reply(
        {
            "23501": {
                "charge": "0.90000",
                "start_count": "0",
                "status": "Pending",
                "remains": "100",
                "currency": "USD",
            },
            "99": {"error": "Incorrect order ID"},
            "7": "Incorrect order ID",
        }
    )
    result = client.statuses([23501, 99, 7])
    assert list(result) == [23501, 99, 7]
    assert isinstance(result[23501], OrderStatus) and result[23501].remains == 100
    assert isinstance(result[99], ApiError) and result[99].text == "Incorrect order ID"
    assert isinstance(result[7], ApiError) and result[7].text == "Incorrect order ID"


def test_250_ids_are_sent_in_three_calls_and_merged(panel: Any, client: Client) -> None:
    def answer(form: dict[str, str]) -> dict[str, Any]:
        return {"body": {i: {"status": "Completed", "remains": "0"} for i in form["orders"].split(",")}}

    panel.handle(answer)
    result = client.statuses(range(1, 251))
    assert [len(r.form["orders"].split(",")) for r in panel.requests] == [100, 100, 50]
    assert panel.requests[2].form["orders"] == ",".join(map(str, range(201, 251)))
    assert list(result) == list(range(1, 251))
    assert all(isinstance(v, OrderStatus) and v.status == "Completed" for v in result.values())


def test_refill_single_and_multi(panel: Any, client: Client) -> None:
    panel.script(
        {"body": {"refill": "1"}},
        {"body": [{"order": 1, "refill": 7}, {"order": 2, "refill": {"error": "Incorrect order ID"}}]},
    )
    assert client.refill(5) == 1
    result = client.refills([1, 2])
    assert result[1] == 7
    assert isinstance(result[2], ApiError) and result[2].text == "Incorrect order ID"
    assert [r.form.get("order") or r.form.get("orders") for r in panel.requests] == ["5", "1,2"]


def test_refill_status_single_and_multi(panel: Any, client: Client) -> None:
    panel.script(
        {"body": {"status": "tasks.status.completed"}},
        {
            "body": [
                {"refill": 7, "status": "Pending"},
                {"refill": 8, "status": {"error": "Refill not found"}},
            ]
        },
    )
    assert client.refill_status(7) == "Completed"
    result = client.refill_statuses([7, 8])
    assert result[7] == "Pending"
    assert isinstance(result[8], ApiError) and result[8].text == "Refill not found"
    assert panel.requests[0].form["refill"] == "7"
    assert panel.requests[1].form["refills"] == "7,8"


def test_cancel(panel: Any, client: Client) -> None:
    panel.reply([{"order": 9, "cancel": {"error": "Incorrect order ID"}}, {"order": 2, "cancel": 1}])
    result = client.cancel([9, 2])
    assert result[2] is True
    assert isinstance(result[9], ApiError) and result[9].text == "Incorrect order ID"
    assert panel.requests[0].form["orders"] == "9,2"


def test_balance(panel: Any, client: Client) -> None:
    panel.reply({"balance": "100.84292", "currency": "USD"})
    assert client.balance() == Balance(Decimal("100.84292"), "USD")


# ---- refusals and failures -------------------------------------------------------------------------------


def test_api_error_keeps_the_exact_text(panel: Any, client: Client) -> None:
    panel.reply({"error": "You have active order with this link. Please wait until order being completed."})
    with pytest.raises(ApiError) as caught:
        client.add(1, link="L", quantity=100)
    assert (
        caught.value.text == "You have active order with this link. Please wait until order being completed."
    )
    assert caught.value.sent is True
    assert caught.value.action == "add"


def test_api_error_with_4xx_status(panel: Any, client: Client) -> None:
    panel.reply({"error": "Invalid API key"}, status=401)
    with pytest.raises(ApiError) as caught:
        client.balance()
    assert (caught.value.text, caught.value.status_code) == ("Invalid API key", 401)
    assert panel.count == 1  # a refusal is not retried


def test_connection_refused_is_not_sent(closed_url: str, key: str, fast: dict[str, Any]) -> None:
    with Client(closed_url, key, **fast) as c, pytest.raises(TransportError) as caught:
        c.add(1, link="L", quantity=100)
    assert caught.value.sent is False
    assert not isinstance(caught.value, UnknownOutcome)


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ({"body": {"error": "Internal error"}, "status": 500}, ServerError),
        ({"body": b"<html><body>502 Bad Gateway</body></html>", "status": 502}, ServerError),
        ({"body": b"<html><title>Maintenance</title></html>"}, BadResponse),
        ({"body": b'{"order": 1'}, BadResponse),
        ({"body": b""}, BadResponse),
        ({"body": ["not", "an", "order"]}, BadResponse),
        ({"body": {"order": "abc"}}, BadResponse),
        ({"body": {"order": 5, "error": "Duplicate"}}, BadResponse),
        ({"body": b"", "status": 302, "headers": {"Location": "https://panel/api/v2"}}, BadResponse),
        ({"body": {"order": 1}, "delay": 3.0}, TimeoutAfterSend),
        ({"drop": "silent"}, ConnectionLost),
        ({"body": {"order": 12345}, "drop": "partial"}, ConnectionLost),
    ],
    ids=[
        "500-json",
        "502-html",
        "html",
        "bad-json",
        "empty",
        "array",
        "bad-id",
        "id-and-error",
        "redirect",
        "timeout",
        "closed",
        "partial",
    ],
)
def test_add_unknown_outcomes_are_never_retried(
    panel: Any, client: Client, reply: dict[str, Any], error: type
) -> None:
    panel.script(reply)
    with pytest.raises(error) as caught:
        client.add(1, link="L", quantity=100)
    assert isinstance(caught.value, UnknownOutcome)
    assert caught.value.sent is True
    assert panel.count == 1


def test_server_error_keeps_the_panel_text(panel: Any, client: Client) -> None:
    panel.reply({"error": "Internal error"}, status=500)
    with pytest.raises(ServerError) as caught:
        client.add(1, link="L", quantity=100)
    assert (caught.value.status_code, caught.value.text) == (500, "Internal error")


def test_redirect_is_not_followed(panel: Any, client: Client) -> None:
    panel.reply(b"", status=301, headers={"Location": "https://elsewhere/api/v2"})
    with pytest.raises(BadResponse, match="redirect to https://elsewhere/api/v2"):
        client.refill(1)
    assert panel.count == 1


@pytest.mark.parametrize("write", ["refill", "cancel"])
def test_writes_are_never_retried(panel: Any, client: Client, write: str) -> None:
    panel.reply({"error": "boom"}, status=503)
    if write == "refill":
        with pytest.raises(ServerError):
            client.refill(1)
    else:
        result = client.cancel([1, 2])
        assert isinstance(result[1], ServerError) and result[1] is result[2]
    assert panel.count == 1


def test_reads_are_retried_then_succeed(panel: Any, client: Client) -> None:
    panel.script(
        {"body": b"<html>oops</html>", "status": 502}, {"drop": "silent"}, {"body": {"status": "Completed"}}
    )
    assert client.status(1).status == "Completed"
    assert panel.count == 3


def test_reads_give_up_after_the_retries(panel: Any, key: str, caplog: pytest.LogCaptureFixture) -> None:
    panel.reply(f"<html>{key}</html>".encode(), status=500)
    with (
        Client(panel.url, key, retries=3, backoff=0) as c,
        caplog.at_level(logging.WARNING, "smmpanel.client"),
        pytest.raises(ServerError),
    ):
        c.balance()
    assert panel.count == 4
    assert len(caplog.records) == 3
    assert all(key not in r.getMessage() for r in caplog.records)


def test_read_timeout_is_retried(panel: Any, key: str) -> None:
    panel.script({"body": {"balance": "1"}, "delay": 3.0}, {"body": {"balance": "2.5", "currency": "EUR"}})
    with Client(panel.url, key, timeout=0.2, backoff=0) as c:
        assert c.balance() == Balance(Decimal("2.5"), "EUR")
    assert panel.count == 2


def test_a_failed_chunk_of_a_batch_write_keeps_the_other_results(panel: Any, client: Client) -> None:
    panel.script(
        {"body": [{"order": i, "refill": i + 1000} for i in range(1, 101)]},
        {"body": b"<html>Gateway Timeout</html>", "status": 504},
    )
    result = client.refills(range(1, 151))
    assert [result[i] for i in (1, 100)] == [1001, 1100]
    assert all(isinstance(result[i], ServerError) for i in range(101, 151))
    assert panel.count == 2


def test_missing_entries_are_unknown(panel: Any, client: Client) -> None:
    panel.reply([{"order": 1, "cancel": 1}])
    result = client.cancel([1, 2])
    assert result[1] is True
    assert isinstance(result[2], BadResponse)


def test_invalid_arguments_are_refused_before_sending(panel: Any, client: Client) -> None:
    with pytest.raises(TypeError, match="quantiy"):
        client.add(1, link="L", quantiy=100)
    with pytest.raises(ValueError):
        client.status(0)
    with pytest.raises(ValueError):
        client.statuses([])
    with pytest.raises(ValueError):
        Client("ftp://panel", "key")
    assert panel.count == 0
