"""What every engine step shares: the database, this worker's identity, its settings, the live provider
adapters, the per-cycle counts and one structured logger.

Kept apart from engine.py so dispatch/tracking/dripfeed/forwarding can import it without importing the
loop that drives them. Provider adapters are opened once and reused across cycles (their HTTP connections
stay warm); a changed providers row (new URL, key or step) reopens its adapter.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from smmpanel.db.connect import Database
from smmpanel.orders.lifecycle import one_line
from smmpanel.providers.base import Provider
from smmpanel.providers.registry import open_provider

logger = logging.getLogger("smmpanel.fulfilment")
T = TypeVar("T")


@dataclass
class EngineConfig:
    concurrency: int = 8  # upstream calls in flight at once (dispatch), per worker
    interval: float = 5.0  # seconds between cycles of the loop
    timeout: float = 30.0  # seconds: every upstream read (a dispatch claim outlives it: see lease)
    call_deadline: float | None = None  # seconds an upstream call may take in all; None: 2 × timeout + 5
    lease: int = 120  # seconds: a 'dispatching' claim older than this, from another worker, is held
    batch: int = 500  # orders looked at per step and cycle
    check_every: int = 60  # seconds between status checks of a busy in-flight order
    max_check_every: int = 900  # … growing to this for quiet orders: a quiet order is still seen every 15 min
    per_provider: int = 4  # concurrent status/refill calls per provider
    track_seconds: float = 10.0  # tracking keeps claiming full batches of due orders for up to this long
    balance_every: int = 60  # cycles between provider balance checks
    max_attempts: int = 8  # retries before an order is held for the operator
    retry_base: int = 30  # seconds before the first retry, doubling
    single_worker: bool = False  # SQLite: only one worker exists, so every foreign claim is orphaned


def log(action: str, message: str, *, level: int = logging.INFO, **fields: Any) -> None:
    """One structured line: `action=<step> k=v … message`; the same fields ride in `extra`."""
    if not logger.isEnabledFor(level):
        return
    text = " ".join([f"action={action}", *(f"{k}={v}" for k, v in fields.items()), one_line(message, 2000)])
    logger.log(level, text, extra={"action": action, **fields})


@dataclass
class Context:
    db: Database
    worker: str
    config: EngineConfig
    clock: Callable[[], float] = time.time
    counts: Counter[str] = field(default_factory=Counter)
    _providers: dict[int, tuple[tuple[Any, ...], Provider | None]] = field(default_factory=dict)

    def now(self) -> int:
        return int(self.clock())

    @property
    def deadline(self) -> float:
        """Seconds one upstream call may take in all — httpx's timeout bounds each read, not a dribble."""
        deadline = self.config.call_deadline
        return self.config.timeout * 2 + 5 if deadline is None else deadline

    async def call(self, work: Awaitable[T]) -> T:
        """An upstream call under the overall deadline (TimeoutError past it); the adapter records its
        outcome and latency (providers/calls.py), a call cut off here as a timeout."""
        return await asyncio.wait_for(work, self.deadline)

    async def active_providers(self) -> list[int]:
        """The providers the engine works for: enabled, and not manual (the operator fulfils those)."""
        rows = await self.db.fetch("SELECT id FROM providers WHERE enabled AND kind <> 'manual' ORDER BY id")
        return [int(row[0]) for row in rows]

    async def provider(self, provider_id: int) -> Provider | None:
        """The live adapter of a provider; None when it is manual, disabled or gone."""
        row = await self.db.fetchrow(
            "SELECT id, name, kind, url, api_key, step_seconds, enabled FROM providers WHERE id = $1", provider_id
        )
        if row is None or not row["enabled"]:
            return None
        signature = (row["kind"], row["url"], row["api_key"], row["step_seconds"])
        cached = self._providers.get(provider_id)
        if cached is not None and cached[0] == signature:
            return cached[1]
        if cached is not None and cached[1] is not None:
            await cached[1].aclose()
        adapter = await open_provider(self.db, row, timeout=self.config.timeout)
        self._providers[provider_id] = (signature, adapter)
        return adapter

    async def aclose(self) -> None:
        for _, adapter in self._providers.values():
            if adapter is not None:
                await adapter.aclose()
        self._providers.clear()
