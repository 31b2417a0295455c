"""The fulfilment engine: the loop that moves orders — one explicit lifecycle per worker.

    start ─▶ supervisor, every `interval`:                           ─▶ stop (graceful, with a timeout)
               heartbeat · reap orphaned claims · drip-feed cancels and runs · settle drip-feed parents
               one lane per enabled provider, each cycling every `interval` on its own:
                 dispatch (at most once) · forward cancels and refills · track · balance (every N)

* Isolation: a provider that is slow, dribbling or failing stalls only its own lane (every upstream call
  also has an overall deadline, `call_deadline`); a step that fails is logged and the next one runs; the
  cycle counters move whatever happens.
* Concurrency bound: at most `concurrency` dispatch calls in flight per lane, `per_provider` status calls.
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
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

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
        self._lanes: dict[int, asyncio.Task[None]] = {}

    @property
    def worker(self) -> str:
        return self.ctx.worker

    async def _step(self, name: str, work: Callable[[], Awaitable[object]], **fields: object) -> None:
        """Run one step; a failure is logged and counted, and never stops the other steps or lanes."""
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.ctx.counts["step_failed"] += 1
            log(name, f"step failed: {type(exc).__name__}: {str(exc)}", level=logging.ERROR, **fields)

    async def _shared_steps(self) -> None:
        """The steps that talk to no provider: heartbeat, orphaned claims, drip-feed runs and cancels."""
        ctx = self.ctx
        await self._step("heartbeat", self._heartbeat)
        await self._step("reap", lambda: dispatch.reap(ctx))
        await self._step("reap", lambda: forwarding.reap(ctx))
        await self._step("dripfeed", lambda: dripfeed.propagate_cancels(ctx))
        await self._step("dripfeed", lambda: dripfeed.run(ctx))

    async def _lane(self, provider_id: int, *, drain: bool, balance: bool) -> None:
        """Everything one provider needs, in order; a slow or failing provider delays only its own lane."""
        ctx = self.ctx
        await self._step("dispatch", lambda: dispatch.run(ctx, provider_id, drain=drain), provider=provider_id)
        await self._step("forward", lambda: forwarding.run(ctx, provider_id), provider=provider_id)
        await self._step("track", lambda: tracking.run(ctx, provider_id), provider=provider_id)
        if balance:
            await self._step("balance", lambda: forwarding.check_balance(ctx, provider_id), provider=provider_id)

    async def cycle(self, *, drain: bool = False) -> Counter[str]:
        """One pass of every step, every provider's lane side by side; returns its counts. The cycle counter
        moves whatever happens."""
        ctx = self.ctx
        ctx.counts = Counter()
        try:
            await self._shared_steps()
            balance = self.cycles % ctx.config.balance_every == 0
            lanes = await ctx.active_providers()
            await asyncio.gather(*(self._lane(p, drain=drain, balance=balance) for p in lanes))
            await self._step("dripfeed", lambda: dripfeed.settle(ctx))
        finally:
            self.cycles += 1
        counts = ctx.counts
        if any(counts[k] for k in COUNTED):
            log("cycle", "done", **{k: counts[k] for k in COUNTED})
        return counts

    async def run_once(self) -> Counter[str]:
        """Drain mode: dispatch everything due and run every step once."""
        return await self.cycle(drain=True)

    async def _lane_loop(self, provider_id: int) -> None:
        """A provider's lane, cycling every `interval` until the engine stops or the provider is disabled."""
        lane_cycles = 0
        while not self._stop.is_set():
            if provider_id not in await self.ctx.active_providers():
                return
            await self._lane(provider_id, drain=False, balance=lane_cycles % self.ctx.config.balance_every == 0)
            lane_cycles += 1
            await self._sleep()

    async def _sleep(self) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=self.ctx.config.interval)
        except TimeoutError:
            pass

    async def _supervise(self) -> None:
        """The shared steps every `interval`, and one lane task per active provider."""
        while not self._stop.is_set():
            try:
                await timed_cycle(self._shared_steps())
                for provider_id in await self.ctx.active_providers():
                    lane = self._lanes.get(provider_id)
                    if lane is None or lane.done():
                        self._lanes[provider_id] = asyncio.ensure_future(self._lane_loop(provider_id))
                await self._step("dripfeed", lambda: dripfeed.settle(self.ctx))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # even the provider list failed (database away): try again next time
                log("cycle", f"failed: {type(exc).__name__}: {str(exc)}", level=logging.ERROR)
            finally:
                self.cycles += 1
            await self._sleep()

    async def run(self) -> None:
        """Cycle until `stop()`: the supervisor and the provider lanes run side by side. On stop they get
        `shutdown_timeout` seconds to finish their call in flight, then are cancelled (an order cancelled
        mid-call is held: its outcome is unknown)."""
        log("start", f"worker {self.worker} started", concurrency=self.ctx.config.concurrency)
        supervisor = asyncio.ensure_future(self._supervise())
        try:
            await self._stop.wait()
            tasks = [supervisor, *self._lanes.values()]
            _, pending = await asyncio.wait(tasks, timeout=self.shutdown_timeout)
            if pending:
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                log("stop", "work cancelled at shutdown", level=logging.WARNING)
        finally:
            for task in (supervisor, *self._lanes.values()):
                task.cancel()
            await asyncio.gather(supervisor, *self._lanes.values(), return_exceptions=True)
            self._lanes.clear()
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


@asynccontextmanager
async def running_in_process(db: Database, config: EngineConfig | None = None) -> AsyncIterator[InProcess]:
    """The engine as a background task for as long as the block runs (server.py wires it to the app)."""
    engine = await start_in_process(db, config)
    try:
        yield engine
    finally:
        await engine.shutdown()
