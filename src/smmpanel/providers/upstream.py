"""The upstream provider: another API v2 panel, spoken to with our own client (smmpanel.client).

Why a wrapper at all: every outbound call needs an explicit timeout (a provider that hangs must not stall
the engine), reads may be retried but writes never are, and the provider's key must never reach a log —
AsyncClient already scrubs it from every error; this adapter only fixes the timeouts and the retry policy
and exposes nothing but the Provider interface (base.py). Every call's outcome and latency is recorded
(providers/calls.py) under the provider's id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import httpx

from smmpanel.client import AsyncClient, Balance, ClientError, OrderStatus, Service
from smmpanel.providers import calls
from smmpanel.providers.base import FieldValue

DEFAULT_TIMEOUT = 30.0  # seconds for reading an answer; connecting is capped lower (below)
CONNECT_TIMEOUT = 5.0


class UpstreamProvider:
    """A Provider backed by an API v2 panel at `url`, authenticated by `key` (kept private)."""

    def __init__(
        self,
        url: str,
        key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 1,
        transport: httpx.AsyncBaseTransport | None = None,
        name: str = "",
    ) -> None:
        limits = httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))
        self._client = AsyncClient(
            url, key, timeout=limits, retries=retries, backoff=min(0.5, timeout), transport=transport,
            user_agent="smmpanel-fulfilment",
        )  # fmt: skip
        self.url = url
        self.name = name or "unnamed"  # the label its calls are recorded under: the provider id (calls.py)

    def __repr__(self) -> str:
        return f"<UpstreamProvider url={self.url!r}>"

    async def add(self, service: int, *, extra: Mapping[str, str] | None = None, **fields: FieldValue) -> int:
        return await calls.timed(self.name, "add", self._client.add(service, extra=extra, **fields))

    async def statuses(self, order_ids: Iterable[int]) -> dict[int, OrderStatus | ClientError]:
        return await calls.timed(self.name, "statuses", self._client.statuses(order_ids))

    async def refills(self, order_ids: Iterable[int]) -> dict[int, int | ClientError]:
        return await calls.timed(self.name, "refills", self._client.refills(order_ids))

    async def refill_statuses(self, refill_ids: Iterable[int]) -> dict[int, str | ClientError]:
        return await calls.timed(self.name, "refill_statuses", self._client.refill_statuses(refill_ids))

    async def cancel(self, order_ids: int | Iterable[int]) -> dict[int, bool | ClientError]:
        return await calls.timed(self.name, "cancel", self._client.cancel(order_ids))

    async def balance(self) -> Balance:
        return await calls.timed(self.name, "balance", self._client.balance())

    async def services(self) -> list[Service]:
        return await calls.timed(self.name, "services", self._client.services())

    async def aclose(self) -> None:
        await self._client.aclose()
