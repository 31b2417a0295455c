"""What the rate limits and the metrics add to each API v2 request, measured piece by piece (min of 15 runs,
so a busy machine inflates the spread, not the figure). bench/hardening.py measures the whole of it, the
connection guard included, against a bare server.

    .venv/bin/python bench/overhead.py            # in-process pieces
    .venv/bin/python bench/overhead.py --redis    # also the shared limiter (Redis on 127.0.0.1:6379)
"""

from __future__ import annotations

import argparse
import asyncio
import time
import timeit
from typing import Any

from smmpanel import metrics
from smmpanel.api.ratelimit import RateLimiter, RedisRateLimiter
from smmpanel.config import Settings

UNLIMITED: dict[str, Any] = {"rate_limit_address_rps": 1e9, "rate_limit_address_burst": 10**9,
                             "rate_limit_key_rps": 1e9, "rate_limit_key_burst": 10**9}
SCOPE = {"client": ("198.18.0.1", 5555), "headers": []}
KEYS = [f"k{i:040d}" for i in range(2000)]


def per_call(fn: Any, number: int) -> float:
    return min(timeit.repeat(fn, number=1, repeat=15)) / number * 1e6


async def _limit(limiter: RateLimiter, n: int) -> None:
    for i in range(n):
        await limiter.address(SCOPE)
        await limiter.key(KEYS[i % 2000])


async def _nothing(n: int) -> None:
    for _ in range(n):
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", action="store_true")
    args = parser.parse_args()
    n = 20_000
    limiter = RateLimiter(Settings(**UNLIMITED))
    base = per_call(lambda: asyncio.run(_nothing(n)), n)
    print(f"rate limits, address + key, in-process: {per_call(lambda: asyncio.run(_limit(limiter, n)), n) - base:5.2f} µs")

    def record() -> None:
        started = time.perf_counter()
        metrics.API.record("status", "ok", time.perf_counter() - started)

    print(f"metrics on: one request recorded:       {min(timeit.repeat(record, number=n, repeat=15)) / n * 1e6:5.2f} µs")

    if args.redis:
        async def shared() -> None:
            redis = RedisRateLimiter(Settings(redis_url="redis://127.0.0.1:6379/0", **UNLIMITED))
            await _limit(redis, 10)
            started, cpu = time.perf_counter(), time.process_time()
            await _limit(redis, 1000)
            wall, used = (time.perf_counter() - started) / 1000, (time.process_time() - cpu) / 1000
            print(f"rate limits, address + key, Redis:      {used * 1e6:5.0f} µs CPU, {wall * 1e6:.0f} µs wall")
            await redis.aclose()

        asyncio.run(shared())


if __name__ == "__main__":
    main()
