"""The fulfilment engine: the loop that moves orders — one explicit lifecycle per worker.

    start ─▶ reap orphaned claims ─▶ ┌─ cycle ────────────────────────────────────────────┐ ─▶ stop
                                     │ heartbeat · reap · dispatch (at most once) ·        │   (graceful,
                                     │ drip-feed runs · forward cancels and refills ·      │    with a
                                     │ track in-flight orders · balance check (every N)    │    timeout)
                                     └──────────────── sleep `interval` ◀──────────────────┘

* Concurrency bound: at most `concurrency` dispatch calls in flight, `per_provider` status calls per provider.
* Heartbeat: panel_state row `worker:<id>` holds the time of the last cycle (removed on a clean stop) and a
  log line every `balance_every` cycles.
* Graceful shutdown: `stop()` lets the running cycle finish for up to `shutdown_timeout` seconds, then
  cancels it; an order cancelled in mid-call is held (its outcome is unknown), never re-sent.
* `run_once()` drains: dispatches everything due, runs every step once, and returns the cycle's counts —
  for tests and `smmpanel worker --once`.
* Logs are structured: every line carries an `action` (cycle, dispatch, track, reap, forward, balance…).

On SQLite exactly one worker may run (the in-process one of `serve`, or one `smmpanel worker`); on
PostgreSQL any number share the work through SKIP LOCKED claims.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable

from smmpanel.db.connect import Database
from smmpanel.fulfilment import dispatch, dripfeed, forwarding, tracking
from smmpanel.fulfilment.context import Context, EngineConfig, log
from smmpanel.metrics import timed_cycle

COUNTED = ("dispatched", "held", "failed", "refunded", "retried", "checked", "finished")


def worker_id() -> str:
    return f"{socket.gethostname()[:20]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class Engine:
    def __init__(
        self,
        db: Database,
        config: EngineConfig | None = None,
        *,
        worker: str | None = None,
        clock: Callable[[], float] = time.time,
        shutdown_timeout: float = 10.0,
    ) -> None:
        config = config or EngineConfig()
        if db.dialect == "sqlite":
            config.single_worker = True
        self.ctx = Context(db, worker or worker_id(), config, clock)
        self.shutdown_timeout = shutdown_timeout
        self.cycles = 0
        self._stop = asyncio.Event()

    @property
    def worker(self) -> str:
        return self.ctx.worker

    async def cycle(self, *, drain: bool = False) -> Counter[str]:
        """One pass of every step; returns its counts."""
        ctx = self.ctx
        ctx.counts = Counter()
        await self._heartbeat()
        await dispatch.reap(ctx)
        await forwarding.reap(ctx)
        await dripfeed.run(ctx)
        await dispatch.run(ctx, drain=drain)
        await forwarding.run(ctx)
        await tracking.run(ctx)
        await dripfeed.settle(ctx)
        if self.cycles % ctx.config.balance_every == 0:
            await forwarding.check_balances(ctx)
        self.cycles += 1
        counts = ctx.counts
        if any(counts[k] for k in COUNTED):
            log("cycle", "done", **{k: counts[k] for k in COUNTED})
        return counts

    async def run_once(self) -> Counter[str]:
        """Drain mode: dispatch everything due and run every step once."""
        return await self.cycle(drain=True)

    async def run(self) -> None:
        """Cycle every `interval` seconds until `stop()`."""
        log("start", f"worker {self.worker} started", concurrency=self.ctx.config.concurrency)
        try:
            while not self._stop.is_set():
                task = asyncio.ensure_future(timed_cycle(self.cycle()))
                stop_wait = asyncio.ensure_future(self._stop.wait())
                await asyncio.wait({task, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
                stop_wait.cancel()
                if not task.done():  # stopping: give the cycle a grace period, then cancel it
                    done, _ = await asyncio.wait({task}, timeout=self.shutdown_timeout)
                    if not done:
                        task.cancel()
                        await asyncio.gather(task, return_exceptions=True)
                        log("stop", "cycle cancelled at shutdown", level=logging.WARNING)
                        break
                if task.done() and not task.cancelled() and task.exception() is not None:
                    exc = task.exception()
                    log("cycle", f"failed: {type(exc).__name__}: {exc}", level=logging.ERROR)
                try:
                    await asyncio.wait_for(self._stop.wait(), timeout=self.ctx.config.interval)
                except TimeoutError:
                    pass
        finally:
            await self.aclose()
            log("stop", f"worker {self.worker} stopped")

    def stop(self) -> None:
        self._stop.set()

    async def _heartbeat(self) -> None:
        await self.ctx.db.execute(
            "INSERT INTO panel_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2",
            f"worker:{self.worker}"[:64],
            self.ctx.now(),
        )
        if self.cycles % self.ctx.config.balance_every == 0:
            log("heartbeat", "alive", worker=self.worker, cycles=self.cycles)

    async def aclose(self) -> None:
        await self.ctx.aclose()
        try:
            await self.ctx.db.execute("DELETE FROM panel_state WHERE key = $1", f"worker:{self.worker}"[:64])
        except Exception:  # the database may already be closing
            pass


class InProcess:
    """The engine as a background task of `serve` (SMMPANEL_RUN_WORKER, the default)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.task = asyncio.ensure_future(engine.run())

    async def shutdown(self) -> None:
        self.engine.stop()
        try:
            await asyncio.wait_for(asyncio.shield(self.task), self.engine.shutdown_timeout + 5)
        except (TimeoutError, Exception):
            self.task.cancel()


async def start_in_process(db: Database, config: EngineConfig | None = None) -> InProcess:
    return InProcess(Engine(db, config))
