"""The caller cache: who an API key belongs to, remembered in this process for at most CALLER_TTL seconds.

`authenticate` (accounts/keys.py) runs on every API call; looking the key up once per second instead of once
per call keeps `balance` and `status` fast. The invariant: a cached caller never outlives a committed change
to keys or customers made through this process's Database object. Every function that creates or revokes a
key, or creates, suspends or activates a customer, wraps its change, commit included, in `changing(db)`:
the cache is emptied and its generation moves on when the change starts and again once it is committed, and
a lookup that was in flight across either moment is not remembered. A change made by another process (the
operator's CLI, another API node) is seen within CALLER_TTL. Balance changes (the ledger) never touch it.

Code that changes `api_keys` or `customers` in any other way (raw SQL, a migration script) calls
`invalidate(db)` after committing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from smmpanel.db.connect import Database

CALLER_TTL = 1.0  # seconds; README: another process's revocation or suspension counts within this
_MAX_CACHED = 100_000
_MEMO_KEY = "accounts.callers"


class CallerCache:
    """Key hash → (caller, expiry on the monotonic clock). One per Database object (its pool and its
    transactions share it)."""

    __slots__ = ("entries", "generation")

    def __init__(self) -> None:
        self.entries: dict[str, tuple[object, float]] = {}
        self.generation = 0

    def get(self, digest: str, now: float) -> object | None:
        cached = self.entries.get(digest)
        if cached is not None and cached[1] > now:
            return cached[0]
        return None

    def remember(self, digest: str, caller: object, now: float, generation: int) -> None:
        """Keep `caller`, looked up at `now` while the cache was at `generation` — unless a change began or
        ended since, in which case what was read may already be stale."""
        if generation != self.generation:
            return
        if len(self.entries) >= _MAX_CACHED:
            self.entries.clear()
        self.entries[digest] = (caller, now + CALLER_TTL)

    def forget(self) -> None:
        self.entries.clear()
        self.generation += 1


def cache_of(db: Database) -> CallerCache:
    cache = db.memo.get(_MEMO_KEY)
    if cache is None:
        cache = db.memo[_MEMO_KEY] = CallerCache()
    assert isinstance(cache, CallerCache)
    return cache


def invalidate(db: Database) -> None:
    """Forget every cached caller now (after a committed change this module was not told about)."""
    cache_of(db).forget()


def generation(db: Database) -> int:
    """How many times the cache was emptied: lets a test show that a balance change does not empty it."""
    return cache_of(db).generation


@asynccontextmanager
async def changing(db: Database) -> AsyncIterator[None]:
    """`async with changing(db):` around a change to keys or customers and its commit."""
    cache = cache_of(db)
    cache.forget()
    try:
        yield
    finally:
        cache.forget()
