"""The client against tests.common.hostile_upstream: each misbehaviour becomes the error it stands for,
in bounded time (this also pins what the hostile upstream does, for the tests and the soak bench)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from smmpanel.client import (
    ApiError,
    AsyncClient,
    BadResponse,
    Client,
    ConnectionLost,
    ServerError,
    TimeoutAfterSend,
)
from tests.common.hostile_upstream import (
    OK,
    HostileUpstream,
    dribble,
    garbage,
    huge,
    long_currency,
    numbers,
    parse,
    refuse,
    reset,
    server_error,
    slow,
)


@pytest.fixture
def hostile() -> Iterator[HostileUpstream]:
    with HostileUpstream() as upstream:
        yield upstream


@pytest.fixture
def client(hostile: HostileUpstream, key: str) -> Iterator[Client]:
    with Client(hostile.url, key, timeout=1.0, retries=0) as c:
        yield c


def within(seconds: float, call: Any) -> Any:
    started = time.perf_counter()
    try:
        result = call()
    except Exception as exc:  # the error is the result under test
        result = exc
    assert time.perf_counter() - started < seconds
    return result


def test_healthy_by_default(hostile: HostileUpstream, client: Client) -> None:
    order = client.add(1, link="https://x/p/1", quantity=100)
    assert order == 5001 and hostile.adds == {"https://x/p/1": 1}
    first, second = client.status(order), client.status(order)
    assert (first.status, first.remains, second.status, second.remains) == ("In progress", 50, "Completed", 0)
    assert client.balance().currency == "USD" and client.cancel(order) == {order: True}
    both = client.statuses([order, 9])
    assert both[order] == client.status(order) and str(both[9]) == "Incorrect order ID"
    assert [s.service for s in client.services()] == [1]


@pytest.mark.parametrize(
    ("behaviour", "error", "action"),
    [
        (slow(3), TimeoutAfterSend, "add"), (garbage("html"), BadResponse, "add"), (garbage("json"), BadResponse, "add"),
        (garbage("shape"), BadResponse, "balance"), (garbage("empty"), BadResponse, "add"), (huge(), BadResponse, "add"),
        (huge(), BadResponse, "balance"), (numbers(order=10**30), BadResponse, "add"), (parse("numbers:ids"), BadResponse, "add"),
        (reset(), ConnectionLost, "add"), (long_currency(), BadResponse, "balance"), (server_error(502), ServerError, "add"),
        (refuse("Incorrect link\nINFO forged"), ApiError, "add"),
    ],
)  # fmt: skip
def test_each_behaviour_is_the_error_it_stands_for(
    hostile: HostileUpstream, client: Client, behaviour: Any, error: type[Exception], action: str
) -> None:
    hostile.script(action, behaviour)
    call = (lambda: client.add(1, link="L", quantity=10)) if action == "add" else client.balance
    result = within(2.5, call)
    assert type(result) is error, result
    assert "\n" not in str(result)
    assert hostile.requests == {f"{action} {behaviour}": 1}


def test_per_order_numbers(hostile: HostileUpstream, client: Client) -> None:
    ids = [client.add(1, link=f"L{n}", quantity=100) for n in range(3)]
    hostile.script("status", huge(), parse("numbers:negative"), parse("numbers:overquantity"), long_currency())
    huge_answer = within(1.0, lambda: client.statuses(ids))
    assert all(isinstance(v, BadResponse) for v in huge_answer.values())
    negative = client.statuses(ids)
    assert {v.remains for v in negative.values()} == {-5}
    over = client.statuses(ids)
    assert {v.remains for v in over.values()} == {1000}
    currency = client.statuses(ids)
    assert {v.currency for v in currency.values()} == {None}  # informational: dropped, not fatal


def test_dribbling_answer_arrives_byte_by_byte(hostile: HostileUpstream, key: str) -> None:
    hostile.script("balance", dribble(0.02))
    started = time.perf_counter()
    with Client(hostile.url, key, timeout=1.0, retries=0) as client:
        assert client.balance().currency == "USD"  # each byte in time: httpx's per-read timeout never fires
    assert time.perf_counter() - started > 0.5  # 40 bytes at 0.02 s


def test_rotation_and_stop_ends_slow_answers(hostile: HostileUpstream, client: Client) -> None:
    hostile.script(None, slow(0.2), OK)
    assert within(1.0, client.balance).currency == "USD"
    assert within(0.15, client.balance).currency == "USD"
    hostile.script("balance", slow(60))
    started = time.perf_counter()
    with httpx.Client(timeout=5) as raw:
        try:
            threading.Timer(0.2, hostile.stop).start()
            raw.post(hostile.url, data={"key": "k", "action": "balance"})
        except httpx.HTTPError:
            pass
    assert time.perf_counter() - started < 3


@pytest.mark.anyio
async def test_async_client_against_a_reset_and_huge_numbers(hostile: HostileUpstream, key: str) -> None:
    hostile.script("add", reset(), huge())
    async with AsyncClient(hostile.url, key, timeout=1.0, retries=0) as client:
        with pytest.raises(ConnectionLost):
            await client.add(1, link="L", quantity=10)
        with pytest.raises(BadResponse, match="order id"):
            await client.add(1, link="L", quantity=10)
    assert hostile.adds == {"L": 2} and hostile.stats()["duplicates"] == 1
