"""Per-action answer shapes: the standard ones (spec §3, §8) and the variants real panels emit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from smmpanel.client import ApiError, BadResponse, OrderStatus
from smmpanel.client import _answers as answers


def test_services_tolerates_missing_and_variant_fields() -> None:
    (item,) = answers.services(
        [{"service": "5", "name": "X", "rate": "1,000.50", "min": "10", "max": "50.000", "category": "C"}]
    )
    assert (item.service, item.type, item.rate, item.min, item.max) == (
        5,
        "Default",
        Decimal("1000.50"),
        10,
        50000,
    )
    assert (item.refill, item.cancel, item.dripfeed, item.desc) == (False, False, False, "")


def test_services_keyed_by_id() -> None:
    keyed = {
        "7": {"service": 7, "name": "A", "type": "Package", "category": "", "rate": 3, "min": 1, "max": 1}
    }
    assert [s.service for s in answers.services(keyed)] == [7]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"services": 1}, "item 0 is not an object"),
        (
            [{"service": 1, "name": "A", "rate": "cheap", "min": 1, "max": 2}],
            "item 0 (service 1): not a number",
        ),
        ([{"service": "x", "rate": 1}], "not an integer"),
        ("nope", "expected a JSON array"),
    ],
)
def test_services_refuses_unreadable_items(data: object, fragment: str) -> None:
    with pytest.raises(BadResponse, match="services: .*") as caught:
        answers.services(data)
    assert fragment in str(caught.value)


def test_dripfeed_and_subscription_status() -> None:
    drip = answers.status({"status": "inprogress", "runs": "2", "orders": [11, "12"]}, 1)
    assert drip == OrderStatus(status="In progress", runs=2, orders=[11, 12])
    sub = answers.status({"status": "Active", "posts": "3", "orders": "21,22", "expiry": "11/11/2026"}, 1)
    assert (sub.posts, sub.orders, sub.expiry, sub.charge) == (3, [21, 22], "11/11/2026", None)


def test_status_negative_remains_and_numbers() -> None:
    result = answers.status(
        {"charge": 0.9, "start_count": 0, "status": "Completed", "remains": "-15", "currency": "EUR"}, 1
    )
    assert (result.charge, result.start_count, result.remains) == (Decimal("0.9"), 0, -15)
    assert result.raw["remains"] == "-15"


def test_status_without_status_is_bad() -> None:
    with pytest.raises(BadResponse, match="not a status"):
        answers.status({"charge": "1"}, 1)


def test_statuses_variants() -> None:
    # an array instead of the object keyed by id
    result = answers.statuses(
        [{"order": 2, "status": "Cancelled"}, {"order": "1", "status": "Pending"}], [1, 2]
    )
    assert [result[1].status, result[2].status] == ["Pending", "Canceled"]  # type: ignore[union-attr]
    # the single-order shape answering a one-id batch
    assert answers.statuses({"status": "Completed", "remains": "0"}, [5])[5] == OrderStatus(
        "Completed", remains=0
    )
    # an unreadable item does not spoil the others
    mixed = answers.statuses({"1": {"status": "Pending", "charge": "x"}, "2": {"status": "Pending"}}, [1, 2])
    assert isinstance(mixed[1], BadResponse) and isinstance(mixed[2], OrderStatus)


def test_statuses_keys_must_be_ids() -> None:
    with pytest.raises(BadResponse, match="a key of the answer"):
        answers.statuses({"abc": {"status": "Pending"}}, [1, 2])


@pytest.mark.parametrize("value", ["1", 1, " 1 "])
def test_single_refill_id(value: object) -> None:
    assert answers.refill_id({"refill": value}) == 1


def test_single_refill_refusals() -> None:
    with pytest.raises(ApiError, match="Refill days are over"):
        answers.refill_id({"refill": {"error": "Refill days are over"}})
    with pytest.raises(ApiError, match="Refill is disabled for this service"):
        answers.refill_id({"refill": "Refill is disabled for this service"})
    with pytest.raises(BadResponse, match="no refill id"):
        answers.refill_id({"success": True})
    with pytest.raises(BadResponse):
        answers.refill_id({"refill": "0"})


def test_refills_variants() -> None:
    result = answers.refills(
        [
            {"order": "1", "refill": "7"},
            {"order": 2, "error": "Incorrect order ID"},
            {"order": 3, "refill": "Refill days are over"},
        ],
        [1, 2, 3, 4],
    )
    assert result[1] == 7
    assert [result[i].text for i in (2, 3)] == ["Incorrect order ID", "Refill days are over"]  # type: ignore[union-attr]
    assert isinstance(result[4], BadResponse)  # left out: the refill may exist
    assert answers.refills({"refill": 9}, [1]) == {1: 9}  # single shape for one id
    assert answers.refills({"1": 7, "2": {"refill": 8}}, [1, 2]) == {1: 7, 2: 8}  # keyed by order id
    assert answers.refills([7, 8], [1, 2]) == {1: 7, 2: 8}  # bare values, in request order


def test_refill_statuses_variants() -> None:
    result = answers.refill_statuses(
        [{"refill": 1, "status": "tasks.status.completed"}, {"refill": 2, "status": "Refill not found"},
         {"refill": 3, "status": {"error": "Refill not found"}}, {"refill": 4}],
        [1, 2, 3, 4],
    )  # fmt: skip
    assert result[1] == "Completed"
    assert isinstance(result[2], ApiError) and isinstance(result[3], ApiError)
    assert isinstance(result[4], BadResponse) and "has no 'status'" in str(result[4])
    assert answers.refill_status({"status": "Rejected"}) == "Rejected"
    with pytest.raises(ApiError):
        answers.refill_status({"status": {"error": "Refill not found"}})


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, True), ("1", True), (True, True), (4521, True), (0, False), (False, False), ("true", True)],
)
def test_cancel_values(value: object, expected: bool) -> None:
    assert answers.cancels([{"order": 1, "cancel": value}], [1]) == {1: expected}


def test_cancel_refusals_and_variants() -> None:
    result = answers.cancels(
        [
            {"order": 1, "cancel": "Cancel failed"},
            {"order": 2, "cancel": {"error": "The order can not be canceled"}},
        ],
        [1, 2],
    )
    assert [result[1].text, result[2].text] == ["Cancel failed", "The order can not be canceled"]  # type: ignore[union-attr]
    assert answers.cancels({"success": "Order will be canceled"}, [1]) == {1: True}
    assert answers.cancels({"order": 1, "cancel": 1}, [1]) == {1: True}


def test_items_without_ids_in_a_longer_array_are_bad() -> None:
    with pytest.raises(BadResponse, match="does not say which id"):
        answers.cancels([{"cancel": 1}, {"cancel": 1}, {"cancel": 1}], [1, 2])


def test_balance_and_order() -> None:
    assert answers.balance({"balance": 12.5, "currency": "USD", "status": "success"}).balance == Decimal(
        "12.5"
    )
    assert answers.balance({"balance": "0"}).currency == ""
    assert answers.order_id([{"order": 3}]) == 3
    with pytest.raises(BadResponse, match="balance"):
        answers.balance({"currency": "USD"})


def test_api_error_canonical_text() -> None:
    assert ApiError("neworder.error.not_enough_funds").canonical == "Not enough funds on balance"
    assert ApiError("neworder.error.not_enough_funds").text == "neworder.error.not_enough_funds"
    assert ApiError("Incorrect link").canonical == "Incorrect link"


def test_single_status_in_the_keyed_shape() -> None:
    assert answers.status({"5": {"status": "Pending"}}, 5) == OrderStatus("Pending")
    with pytest.raises(ApiError, match="Incorrect order ID"):
        answers.status({"5": {"error": "Incorrect order ID"}}, 5)
