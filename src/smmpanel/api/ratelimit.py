"""Rate limits for API v2: per API key and per client address, answered as the spec says (HTTP 200,
`{"error":"Too many requests, please wait"}`; the endpoint in app.py does the answering).

The invariant: a caller gets at most `burst` requests at once and `rps` per second over time, per key and
per address, counted either in this process (the default) or across every API node sharing one Redis
(`SMMPANEL_REDIS_URL`).

- In-process: GCRA (one number per caller, "theoretical arrival time"), O(1), one dict lookup per check on the hot
  path. `limits`' own MemoryStorage was measured and is not used here (see README "Rate limits").
- Redis: the `limits` library's async Redis storage (redis-py) with its sliding-window-counter strategy,
  `burst` requests per `burst / rps` seconds; keys are hashed before they go to Redis. If Redis is
  unreachable the limit fails open (a request is never refused because the limiter is down) and a warning
  is logged at most once a minute.
- The client address is the peer's, unless the peer is one of `SMMPANEL_TRUSTED_PROXIES`: then it is the
  right-most X-Forwarded-For entry that is not itself a trusted proxy.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from functools import lru_cache
from typing import Any

from smmpanel.config import Settings

log = logging.getLogger("smmpanel.api.ratelimit")
_LONGEST_KEY = 128  # real keys are 32–64 characters; longer ones share a bucket (they are invalid anyway)
_PRUNE_AT = 100_000  # callers remembered before the expired ones are forgotten
_REDIS_TIMEOUT = 0.25  # seconds: a slow Redis costs a request at most this much, then the limit fails open


class _Buckets:
    """GCRA for one kind of caller: `hit(who)` is True when the request may go on. Each caller's
    theoretical arrival time lives in a one-item list updated in place: one dict lookup per request."""

    def __init__(self, rps: float, burst: int) -> None:
        self.interval = 1.0 / rps
        self.window = max(1, burst) * self.interval
        self.arrival: dict[str, list[float]] = {}
        self.prune_at = _PRUNE_AT

    def hit(self, who: str, now: float) -> bool:
        slot = self.arrival.get(who)
        if slot is None:
            if len(self.arrival) >= self.prune_at:
                self._prune(now)
            slot = self.arrival[who] = [now]
        arrival = slot[0] if slot[0] > now else now
        arrival += self.interval
        if arrival - now > self.window:
            return False
        slot[0] = arrival
        return True

    def _prune(self, now: float) -> None:
        self.arrival = {who: slot for who, slot in self.arrival.items() if slot[0] > now}
        self.prune_at = max(_PRUNE_AT, 2 * len(self.arrival))


class RateLimiter:
    """`await limiter.address(scope)` before the body is read, `await limiter.key(key)` once it is known.
    When `local` (counted in this process), `address_now` and `key_now` answer the same without a coroutine:
    the API endpoint calls those (≈ 1 µs a request less; bench/hardening.py)."""

    local = True

    def __init__(self, settings: Settings) -> None:
        self.by_key = _Buckets(settings.rate_limit_key_rps, settings.rate_limit_key_burst) if (
            settings.rate_limit_key_rps > 0
        ) else None
        self.by_address = _Buckets(settings.rate_limit_address_rps, settings.rate_limit_address_burst) if (
            settings.rate_limit_address_rps > 0
        ) else None
        self.proxies = _proxy_networks(settings.trusted_proxies)
        self.enabled = self.by_key is not None or self.by_address is not None

    def address_now(self, scope: Any) -> bool:
        buckets = self.by_address
        if buckets is None:
            return True
        if self.proxies:
            return buckets.hit(client_address(scope, self.proxies), time.monotonic())
        client = scope.get("client")
        return buckets.hit(client[0] if client else "", time.monotonic())

    def key_now(self, key: str) -> bool:
        if self.by_key is None or not key:
            return True
        return self.by_key.hit(key[:_LONGEST_KEY], time.monotonic())

    async def address(self, scope: Any) -> bool:
        return self.address_now(scope)

    async def key(self, key: str) -> bool:
        return self.key_now(key)

    async def aclose(self) -> None:
        pass


class RedisRateLimiter(RateLimiter):
    """The same limits, counted in Redis so that every API node shares one budget per caller."""

    local = False

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        from limits import RateLimitItemPerSecond
        from limits.aio.storage import RedisStorage
        from limits.aio.strategies import SlidingWindowCounterRateLimiter

        url = settings.redis_url
        self.storage = RedisStorage(
            url if url.startswith("async+") else f"async+{url}",
            implementation="redispy",
            key_prefix="smmpanel",
            wrap_exceptions=True,
            socket_timeout=_REDIS_TIMEOUT,
            socket_connect_timeout=_REDIS_TIMEOUT,
        )
        self.strategy = SlidingWindowCounterRateLimiter(self.storage)
        self.key_item = _item(RateLimitItemPerSecond, settings.rate_limit_key_rps, settings.rate_limit_key_burst)
        self.address_item = _item(
            RateLimitItemPerSecond, settings.rate_limit_address_rps, settings.rate_limit_address_burst
        )
        self.warned_at = -math.inf

    async def address(self, scope: Any) -> bool:
        if self.address_item is None:
            return True
        return await self._hit(self.address_item, "a", client_address(scope, self.proxies))

    async def key(self, key: str) -> bool:
        if self.key_item is None or not key:
            return True
        digest = hashlib.blake2b(key[:_LONGEST_KEY].encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        return await self._hit(self.key_item, "k", digest)

    async def _hit(self, item: Any, kind: str, who: str) -> bool:
        try:
            return bool(await self.strategy.hit(item, kind, who))
        except Exception as exc:  # Redis down or slow: fail open, say so now and then
            now = time.monotonic()
            if now - self.warned_at > 60:
                self.warned_at = now
                log.warning("rate limit store unavailable, not limiting: %s: %s", type(exc).__name__, exc)
            return True

    async def aclose(self) -> None:
        client = getattr(getattr(self.storage, "bridge", None), "storage", None)
        if client is not None and hasattr(client, "aclose"):
            await client.aclose()


def _item(kind: Any, rps: float, burst: int) -> Any:
    if rps <= 0:
        return None
    return kind(max(1, burst), max(1, math.ceil(max(1, burst) / rps)))


def make_limiter(settings: Settings) -> RateLimiter:
    return RedisRateLimiter(settings) if settings.redis_url else RateLimiter(settings)


Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def _proxy_networks(text: str) -> Networks:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


@lru_cache(maxsize=4096)
def _trusted(address: str, proxies: Networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(scope: Any, proxies: Networks) -> str:
    """The peer's address, or — from a trusted proxy — the right-most untrusted X-Forwarded-For entry."""
    client = scope.get("client")
    peer = client[0] if client else ""
    if not proxies or not _trusted(peer, proxies):
        return peer
    forwarded = ",".join(
        value.decode("latin-1") for name, value in scope["headers"] if name == b"x-forwarded-for"
    )
    for hop in reversed(forwarded.split(",")):
        hop = hop.strip()
        if hop and not _trusted(hop, proxies):
            return hop[:64]
    return peer
