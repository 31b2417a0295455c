"""`AsyncClient` against the same scripted panel: the same answers and errors as `Client`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from smmpanel.client import (
    ApiError,
    AsyncClient,
    BadResponse,
    Balance,
    Client,
    ConnectionLost,
    OrderStatus,
    ServerError,
    TimeoutAfterSend,
    TransportError,
)

pytestmark = pytest.mark.anyio

STATUS = {
    "charge": "0.27819",
    "start_count": "3572",
    "status": "Partial",
    "remains": "157",
    "currency": "USD",
}

# (method, args, scripted answer) — each run through both clients, results compared.
SCENARIOS: list[tuple[str, tuple[Any, ...], object]] = [
    ("services", (), {"service": 1, "name": "A", "type": "Default", "category": "C", "rate": "0.9", "min": "1",
                      "max": "9"}),
    ("balance", (), {"balance": "100.84292", "currency": "USD"}),
    ("status", (23501,), STATUS),
    ("statuses", ([1, 2],), {"1": STATUS, "2": {"error": "Incorrect order ID"}}),
    ("refill", (1,), {"refill": "3"}),
    ("refills", ([1, 2],), [{"order": 1, "refill": 7}, {"order": 2, "refill": {"error": "Refill days are over"}}]),
    ("refill_status", (7,), {"status": "Completed"}),
    ("refill_statuses", ([7],), [{"refill": 7, "status": "In Progress"}]),
    ("cancel", ([9, 2],), [{"order": 9, "cancel": {"error": "Incorrect order ID"}}, {"order": 2, "cancel": 1}]),
]  # fmt: skip


def _comparable(value: object) -> object:
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, Exception):
        return (type(value), str(value))
    return value


@pytest.mark.parametrize(("method", "args", "answer"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
async def test_parity_with_the_sync_client(
    panel: Any, key: str, fast: dict[str, Any], method: str, args: tuple[Any, ...], answer: object
) -> None:
    panel.reply([answer] if method == "services" else answer)
    with Client(panel.url, key, **fast) as sync_client:
        expected = getattr(sync_client, method)(*args)
    async with AsyncClient(panel.url, key, **fast) as async_client:
        result = await getattr(async_client, method)(*args)
    assert _comparable(result) == _comparable(expected)
    first, second = panel.requests
    assert first.pairs == second.pairs


async def test_actions(panel: Any, key: str, fast: dict[str, Any]) -> None:
    panel.script(
        {"body": {"order": 23501}},
        {"body": STATUS},
        {"body": {"balance": "1.5", "currency": "EUR"}},
    )
    async with AsyncClient(panel.url, key, **fast) as c:
        assert await c.add(1, link="https://x/p", quantity=100, comments=None) == 23501
        assert await c.status(23501) == OrderStatus(
            status="Partial", charge=Decimal("0.27819"), start_count=3572, remains=157, currency="USD"
        )
        assert await c.balance() == Balance(Decimal("1.5"), "EUR")
        assert key not in repr(c) and repr(c).startswith("<AsyncClient url=")
    assert [r.form["action"] for r in panel.requests] == ["add", "status", "balance"]


async def test_chunks_of_100(panel: Any, key: str, fast: dict[str, Any]) -> None:
    panel.handle(
        lambda form: {"body": [{"refill": i, "status": "Pending"} for i in form["refills"].split(",")]}
    )
    async with AsyncClient(panel.url, key, **fast) as c:
        result = await c.refill_statuses(range(1, 251))
    assert [len(r.form["refills"].split(",")) for r in panel.requests] == [100, 100, 50]
    assert set(result.values()) == {"Pending"} and len(result) == 250


async def test_add_is_sent_once_on_timeout(panel: Any, key: str) -> None:
    panel.reply({"order": 1}, delay=3.0)
    async with AsyncClient(panel.url, key, timeout=0.2, backoff=0) as c:
        with pytest.raises(TimeoutAfterSend) as caught:
            await c.add(1, link="L", quantity=100)
    assert caught.value.sent is True
    assert panel.count == 1


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ({"body": {"error": "Internal error"}, "status": 500}, ServerError),
        ({"body": b"<html>Maintenance</html>"}, BadResponse),
        ({"drop": "silent"}, ConnectionLost),
        ({"body": {"order": 1}, "drop": "partial"}, ConnectionLost),
    ],
)
async def test_unknown_outcomes(
    panel: Any, key: str, fast: dict[str, Any], reply: dict[str, Any], error: type[Exception]
) -> None:
    panel.script(reply)
    async with AsyncClient(panel.url, key, **fast) as c:
        with pytest.raises(error):
            await c.add(1, link="L", quantity=100)
        with pytest.raises(error):
            await c.status(1)
    assert panel.count == 1 + 3  # add once; status retried twice


async def test_connection_refused(closed_url: str, key: str, fast: dict[str, Any]) -> None:
    async with AsyncClient(closed_url, key, **fast) as c:
        with pytest.raises(TransportError) as caught:
            await c.add(1, link="L", quantity=100)
    assert caught.value.sent is False
    assert key not in str(caught.value)


async def test_api_error_and_redaction(panel: Any, key: str, fast: dict[str, Any]) -> None:
    panel.reply({"error": f"Invalid API key {key}"})
    async with AsyncClient(panel.url, key, **fast) as c:
        with pytest.raises(ApiError) as caught:
            await c.balance()
    assert caught.value.text == "Invalid API key ***"
    assert panel.count == 1


async def test_aclose(panel: Any, key: str) -> None:
    c = AsyncClient(panel.url, key)
    await c.aclose()
    with pytest.raises(RuntimeError):
        await c.balance()
