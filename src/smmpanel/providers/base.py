"""The one interface every provider adapter implements: the API v2 verbs, with smmpanel.client's types.

Why a Protocol and not a base class: `smmpanel.client.AsyncClient` already *is* a provider (same method
names, return types and exceptions), so the upstream adapter is a thin wrapper and the simulated provider
is a second, independent implementation. The engine codes against this and nothing else.

The contract that keeps dispatch at-most-once is the exception hierarchy of smmpanel.client._errors:

* `ApiError`        — a definite refusal: nothing was created;
* `TransportError`  — nothing left this machine: nothing was created;
* `UnknownOutcome`  — (and its subclasses) the request may have been acted on: never resend blindly.

Batch methods return per-id results (a value or a ClientError) and raise only when the whole call failed.
A manual provider has no adapter: `registry.open_provider` returns None and the engine leaves its orders to
the operator.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol, runtime_checkable

from smmpanel.client import Balance, ClientError, OrderStatus, Service

FieldValue = str | int | list[str] | None


@runtime_checkable
class Provider(Protocol):
    async def add(self, service: int, *, extra: Mapping[str, str] | None = None, **fields: FieldValue) -> int:
        """Place one order upstream; its upstream id. Never retried by the adapter."""
        ...

    async def statuses(self, order_ids: Iterable[int]) -> dict[int, OrderStatus | ClientError]: ...

    async def refills(self, order_ids: Iterable[int]) -> dict[int, int | ClientError]: ...

    async def refill_statuses(self, refill_ids: Iterable[int]) -> dict[int, str | ClientError]: ...

    async def cancel(self, order_ids: int | Iterable[int]) -> dict[int, bool | ClientError]: ...

    async def balance(self) -> Balance: ...

    async def services(self) -> list[Service]: ...

    async def aclose(self) -> None: ...
