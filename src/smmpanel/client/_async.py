"""The async shell: `AsyncClient` drives the plans of `_core` over one `httpx.AsyncClient`.

Nothing here decides anything about the protocol; it sends, sleeps between retries of reads, and makes
sure no error leaves with the API key in it. `_sync.py` is its line-for-line twin.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Self, TypeVar, cast

import anyio
import httpx

from . import _core
from ._core import Call, FieldValue, Plan
from ._errors import ApiError, ClientError
from ._models import Balance, OrderStatus, Service

T = TypeVar("T")
logger = logging.getLogger("smmpanel.client")


class AsyncClient:
    """An async client for one API v2 panel. Use `async with`, or await `aclose()`.

    `retries` applies to reads only (`services`, `status`, `refill_status`, `balance`); `add`,
    `refill` and `cancel` are sent exactly once. Between retries it sleeps `backoff`, then twice that…
    An answer over `max_body` bytes (after decompression) is a BadResponse, read no further.
    """

    def __init__(
        self,
        url: str,
        key: str,
        *,
        timeout: float | httpx.Timeout = 30.0,
        retries: int = 2,
        backoff: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str | None = None,
        max_body: int = _core.MAX_BODY,
    ) -> None:
        if retries < 0 or backoff < 0:
            raise ValueError("retries and backoff must not be negative")
        self._max_body = _core.check_max_body(max_body)
        self._url = _core.check_url(url)
        self._key = _core.check_key(key)
        self._retries = retries
        self._backoff = backoff
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=_core.timeout_of(timeout),
            follow_redirects=False,
            headers=_core.headers(user_agent),
            limits=_core.LIMITS,
        )

    @property
    def url(self) -> str:
        return self._url

    def __repr__(self) -> str:
        return f"<AsyncClient url={self._url!r}>"

    async def services(self) -> list[Service]:
        return await self._run(_core.services())

    async def add(self, service: int, *, extra: Mapping[str, str] | None = None, **fields: FieldValue) -> int:
        """Place an order; returns its id. Never retried: on UnknownOutcome the order may exist."""
        return await self._run(_core.add(service, fields, extra))

    async def status(self, order_id: int) -> OrderStatus:
        return await self._run(_core.status(order_id))

    async def statuses(self, order_ids: Iterable[int]) -> dict[int, OrderStatus | ClientError]:
        return await self._run(_core.statuses(order_ids))

    async def refill(self, order_id: int) -> int:
        return await self._run(_core.refill(order_id))

    async def refills(self, order_ids: Iterable[int]) -> dict[int, int | ClientError]:
        return await self._run(_core.refills(order_ids))

    async def refill_status(self, refill_id: int) -> str:
        return await self._run(_core.refill_status(refill_id))

    async def refill_statuses(self, refill_ids: Iterable[int]) -> dict[int, str | ClientError]:
        return await self._run(_core.refill_statuses(refill_ids))

    async def cancel(self, order_ids: int | Iterable[int]) -> dict[int, bool | ClientError]:
        return await self._run(_core.cancel(order_ids))

    async def balance(self) -> Balance:
        return await self._run(_core.balance())

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def _run(self, plan: Plan[T]) -> T:
        try:
            call = next(plan)
            while True:
                try:
                    answer = await self._send(call)
                except ClientError as exc:
                    call = plan.throw(exc)
                else:
                    call = plan.send(answer)
        except StopIteration as stop:
            return _core.scrub(cast(T, stop.value), self._key)
        except ClientError as exc:
            exc.scrub(self._key)
            raise

    async def _send(self, call: Call) -> object:
        attempts = 1 + (self._retries if call.retryable else 0)
        for attempt in range(1, attempts + 1):
            try:
                async with self._http.stream("POST", self._url, data=call.form(self._key)) as response:
                    limit = self._max_body
                    declared = _core.declared_too_large(response.headers, limit)
                    if declared:
                        raise _core.too_large(call.action, response.status_code, limit, declared)
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > limit:
                            raise _core.too_large(call.action, response.status_code, limit)
                return _core.read_answer(
                    call.action, response.status_code, bytes(body), response.headers.get("location")
                )
            except ApiError as exc:
                exc.scrub(self._key)
                raise
            except (ClientError, httpx.HTTPError, httpx.InvalidURL) as exc:
                error = exc if isinstance(exc, ClientError) else _core.failure(exc, call.action)
                error.scrub(self._key)
                if attempt == attempts:
                    raise error from None
                logger.warning(
                    "%s failed (attempt %d of %d), retrying: %s", call.action, attempt, attempts, error
                )
                await anyio.sleep(self._backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")
