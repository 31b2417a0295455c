"""What the upstream calls of THIS process were like: outcome and latency of the last calls per provider,
for the console's Providers page, and the Prometheus hook of metrics.py (UPSTREAM_CALLS/UPSTREAM_SECONDS).

Kept in memory, deliberately: the engine runs inside the server process by default (server.py), so the
console of that process sees the engine's calls; a worker in another process, or a restart, is not
reflected (the page says "calls made by this process"). Persisting every call would add a write to the
engine's hot path for a figure that only needs to be recent.

Calls are keyed by the provider's id as text (also the `provider` label of the metrics), which a rename
does not change. Invariant: recording never raises and never changes what the call returned or raised.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

import httpx

from smmpanel.client import ApiError, TimeoutAfterSend
from smmpanel.metrics import UPSTREAM_CALLS, UPSTREAM_SECONDS

T = TypeVar("T")
KEPT = 500  # calls remembered per provider

_recent: dict[str, deque[tuple[float, str, float]]] = {}  # provider → (at, outcome, seconds)


@dataclass(frozen=True, slots=True)
class Summary:
    calls: int
    errors: int  # outcome error or timeout
    p50_ms: float | None
    p95_ms: float | None
    last_at: float | None

    @property
    def error_percent(self) -> float:
        return 100.0 * self.errors / self.calls if self.calls else 0.0


def observe(provider: str, action: str, outcome: str, seconds: float) -> None:
    UPSTREAM_CALLS.labels(provider=provider, action=action, outcome=outcome).inc()
    UPSTREAM_SECONDS.labels(provider=provider, action=action).observe(seconds)
    _recent.setdefault(provider, deque(maxlen=KEPT)).append((time.time(), outcome, seconds))


def _outcome(exc: BaseException) -> str:
    if isinstance(exc, TimeoutAfterSend | httpx.TimeoutException | TimeoutError | asyncio.CancelledError):
        return "timeout"  # cancelled: cut off by the engine's overall deadline (or a shutdown) mid-call
    if isinstance(exc, ApiError):
        return "answered"  # the panel answered with an API error: reachable, not a transport failure
    return "error"


async def timed(provider: str, action: str, call: Awaitable[T]) -> T:
    """Await one upstream call, recording its outcome and latency."""
    started = time.perf_counter()
    try:
        result = await call
    except BaseException as exc:
        observe(provider, action, _outcome(exc), time.perf_counter() - started)
        raise
    observe(provider, action, "ok", time.perf_counter() - started)
    return result


def summary(provider: str) -> Summary:
    calls = list(_recent.get(provider, ()))
    if not calls:
        return Summary(0, 0, None, None, None)
    latencies = sorted(c[2] for c in calls)

    def pick(q: float) -> float:
        return 1000.0 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    errors = sum(1 for c in calls if c[1] in ("error", "timeout"))
    return Summary(len(calls), errors, pick(0.5), pick(0.95), calls[-1][0])


def forget(provider: str | None = None) -> None:
    """Drop what was kept (tests; a provider renamed)."""
    if provider is None:
        _recent.clear()
    else:
        _recent.pop(provider, None)
