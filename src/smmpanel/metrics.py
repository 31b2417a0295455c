"""The Prometheus metric objects, in one place, so every layer records into the same ones.

Front ends (api/) and the domain (fulfilment/) import from here; this module imports nothing of smmpanel,
so the dependency rule holds. Recording is cheap but not free: the API records only when
`SMMPANEL_METRICS_ENABLED` is on (api/app.py), and /metrics (api/health.py) exposes the default registry.

Hook for upstream calls (to be recorded by the code that makes them, providers/ or fulfilment/):
    UPSTREAM_CALLS.labels(provider=name, action=action, outcome="ok" | "error" | "timeout").inc()
(recorded by providers/calls.py for every UpstreamProvider call; `provider` is the provider's id,
outcome also "answered" for an API error answer)
    UPSTREAM_SECONDS.labels(provider=name, action=action).observe(seconds)
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Awaitable, Iterator
from itertools import accumulate
from typing import TypeVar

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric

T = TypeVar("T")
_FAST = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_SLOW = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)



class ApiRecorder:
    """API v2 requests by action and outcome, and their latency by action, counted in plain Python and
    turned into Prometheus families only when /metrics is read.

    Why not prometheus-client's Counter and Histogram: each takes a lock per call, and the two cost about
    2–3 µs a request, 5–8 % of a `status` call; this costs a few hundred nanoseconds in a hot loop (bench/overhead.py).
    It is only ever touched from the API process's event loop thread, so no lock is needed.
    action: one of the API's actions or "other"; outcome: ok, error (an API error answer), limited (rate
    limit), bad_request, too_large, internal."""

    def __init__(self) -> None:
        # per (action, outcome): one count per bucket of _FAST, then +Inf, then the sum of seconds — one dict
        # lookup and one list per request (each object a request touches costs ≈ 1 µs in a real request:
        # its memory is cold after the database round trip; bench/hardening.py --each)
        self.series: dict[tuple[str, str], list[float]] = {}

    def record(self, action: str, outcome: str, seconds: float) -> None:
        series = self.series.get((action, outcome))
        if series is None:
            series = self.series[(action, outcome)] = [0] * (len(_FAST) + 1) + [0.0]
        series[bisect_left(_FAST, seconds)] += 1
        series[-1] += seconds

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "smmpanel_api_requests", "API v2 requests by action and outcome", labels=["action", "outcome"]
        )
        by_action: dict[str, list[float]] = {}
        for (action, outcome), series in sorted(self.series.items()):
            requests.add_metric([action, outcome], int(sum(series[:-1])))
            total = by_action.setdefault(action, [0] * len(series))
            for i, value in enumerate(series):
                total[i] += value
        yield requests
        latency = HistogramMetricFamily("smmpanel_api_request_seconds", "API v2 request latency", labels=["action"])
        edges = [*(str(edge) for edge in _FAST), "+Inf"]
        for action, total in by_action.items():
            cumulative = [int(c) for c in accumulate(total[:-1])]
            latency.add_metric([action], list(zip(edges, cumulative, strict=True)), total[-1])
        yield latency


API = ApiRecorder()
REGISTRY.register(API)

# The fulfilment engine (fulfilment/engine.py): recorded in the process that runs it.
ENGINE_CYCLE_SECONDS = Histogram("smmpanel_engine_cycle_seconds", "Duration of one engine cycle", buckets=_SLOW)

# Upstream panels: the hook described above.
UPSTREAM_CALLS = Counter(
    "smmpanel_upstream_calls", "Calls to upstream panels by provider, action and outcome",
    ["provider", "action", "outcome"],
)
UPSTREAM_SECONDS = Histogram(
    "smmpanel_upstream_call_seconds", "Upstream call latency", ["provider", "action"], buckets=_SLOW
)

# Computed from the database at scrape time (api/health.py), so every API node reports the same.
ENGINE_LAG = Gauge("smmpanel_engine_heartbeat_age_seconds", "Seconds since the freshest engine heartbeat")
ENGINE_WORKERS = Gauge("smmpanel_engine_workers", "Engine workers with a heartbeat row")
ORDERS = Gauge("smmpanel_orders", "Orders by status", ["status"])
ORDERS_DISPATCH = Gauge("smmpanel_orders_dispatch", "Forwarded orders by dispatch state (held: needs an operator)", ["state"])
HELD_ORDERS = Gauge("smmpanel_held_orders", "Orders held for an operator")
PROVIDER_BALANCE = Gauge(
    "smmpanel_provider_balance", "Last balance seen upstream, in the provider's currency", ["provider", "currency"]
)


async def timed_cycle(cycle: Awaitable[T]) -> T:
    """Await one engine cycle and record its duration (also when it fails)."""
    started = time.perf_counter()
    try:
        return await cycle
    finally:
        ENGINE_CYCLE_SECONDS.observe(time.perf_counter() - started)
