"""Tracking: follow every order sent upstream until it ends, mirroring what the provider reports.

Orders are checked in batches (one multi-status call per 100 orders, at most `per_provider` calls in flight
per provider) and claimed for checking with one statement that pushes their `next_check_at` forward, so two
workers never check the same order at once. An order whose answer did not change is checked less often
(`quiet_checks` doubles the delay, up to `max_check_every`).

Upstream statuses map onto ours (spec §5.1); every change goes through orders.lifecycle.move, so a Partial
refunds exactly the undelivered part and a Canceled everything still unrefunded — once:

    upstream            ours
    Pending/Processing  Processing        (start_count/remains mirrored)
    In progress         In progress
    Completed           Completed
    Partial             Partial (remains)  → refund charge × remains / quantity
    Canceled/Refunded   Canceled           → full refund
    Active/Paused       In progress        (subscriptions, spec §5.3)
    Expired             Partial (remains)  (a subscription that ended: unused posts refunded)
    "Incorrect order ID" (per item)        → dispatch held: the provider does not know the order; the
                                             operator decides (never a blind refund)
    an unreadable item, or counts out of   → dispatch held with the reason (remains within ±quantity,
    range                                    start_count within BIGINT): never stored, never a crash
    anything else       unchanged, logged
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from smmpanel.client import BadResponse, ClientError, OrderStatus
from smmpanel.fulfilment.classify import is_missing_order
from smmpanel.fulfilment.context import Context, log
from smmpanel.money import MoneyError, cost_units
from smmpanel.orders import lifecycle

UPSTREAM_STATUS = {
    "pending": "Processing",
    "processing": "Processing",
    "in progress": "In progress",
    "inprogress": "In progress",
    "active": "In progress",
    "paused": "In progress",
    "expired": "Partial",
    "completed": "Completed",
    "partial": "Partial",
    "canceled": "Canceled",
    "cancelled": "Canceled",
    "refunded": "Canceled",
}
MAX_COUNT = 2**63 - 1
_CLAIM = (
    f"UPDATE orders SET next_check_at = $1 + $3 WHERE id IN (SELECT id FROM orders WHERE dispatch = '{lifecycle.SENT}'"
    f" AND {lifecycle.IN_FLIGHT_SQL} AND provider_id = $4 AND upstream_id IS NOT NULL"
    " AND (next_check_at IS NULL OR next_check_at <= $1) ORDER BY next_check_at LIMIT $2{lock})"
    " RETURNING id, provider_id, upstream_id, status, start_count, remains, quantity, quiet_checks"
)


def ours(upstream_status: str) -> str | None:
    """Our status for an upstream status word; None when it is not one we can act on."""
    return UPSTREAM_STATUS.get(upstream_status.strip().lower())


def implausible(quantity: int, start_count: int, remains: int | None) -> str | None:
    """What is wrong with an upstream's counts, None when they can be believed; a pure function.

    `remains` lies within ±quantity (negative: over-delivery, spec §3.3) and `start_count` within
    0..2^63−1; anything else is a bad answer, never stored (a BIGINT overflow would stall the engine)."""
    if remains is not None and not -quantity <= remains <= quantity:
        return f"remains {str(remains)[:30]} for an order of {quantity}"
    if not 0 <= start_count <= MAX_COUNT:
        return f"start_count {str(start_count)[:30]}"
    return None


def _cost(answer: OrderStatus) -> int | None:
    """What the provider says it charged for the order (units), None when it does not say or cannot be read."""
    if answer.charge is None:
        return None
    try:
        return cost_units(answer.charge)
    except MoneyError:
        return None


def _answer_text(answer: OrderStatus) -> str:
    parts = [f"status {answer.status}", f"start_count {answer.start_count}", f"remains {answer.remains}"]
    if answer.charge is not None:
        parts.append(f"charge {answer.charge}")
    return "upstream: " + ", ".join(parts)


def next_check(ctx: Context, quiet: int) -> int:
    return ctx.now() + min(ctx.config.max_check_every, ctx.config.check_every << min(quiet, 32))


async def _apply(ctx: Context, order: Any, answer: OrderStatus | ClientError) -> tuple[int, int, int] | None:
    """Act on one answer; returns the (id, next_check_at, quiet_checks) to store, None when nothing is due.

    Money moves here, order by order (lifecycle.move: a CAS and its ledger row in one transaction); the
    rescheduling of the orders that stay in flight is written by the caller, for the whole batch at once."""
    order_id = int(order["id"])
    changed = False
    if isinstance(answer, ClientError):
        if is_missing_order(answer) or isinstance(answer, BadResponse):  # unknown to it, or unbelievable
            reason = f"the provider answers {answer}: check upstream, then resolve"
            if await lifecycle.hold(ctx.db, order_id, reason, now=ctx.now()):
                ctx.counts["held"] += 1
            log("track", f"held: {answer}", order=order_id, level=logging.WARNING)
            return None
        log("track", f"per-order error: {answer}", order=order_id, level=logging.WARNING)
    else:
        status = ours(answer.status)
        start = order["start_count"] if answer.start_count is None else answer.start_count
        remains = answer.remains
        bad = implausible(int(order["quantity"]), start, remains)
        if bad is not None:
            reason = f"the provider answers {bad}: check upstream, then set the order by hand"
            if await lifecycle.hold(ctx.db, order_id, reason, now=ctx.now()):
                ctx.counts["held"] += 1
            log("track", f"held: {bad}", order=order_id, level=logging.WARNING)
            return None
        if status is None:
            log("track", f"unknown upstream status {answer.status!r}", order=order_id, level=logging.WARNING)
        elif (status, start, remains) != (order["status"], order["start_count"], order["remains"]):
            try:
                outcome = await lifecycle.move(
                    ctx.db, order_id, status, expected=order["status"], start_count=start, remains=remains,
                    note=f"upstream {status}", cost=_cost(answer), answer=_answer_text(answer),
                )  # fmt: skip
            except lifecycle.TransitionError as exc:
                log("track", f"not moved: {exc}", order=order_id)
                return None
            changed = True
            if outcome.refunded:
                ctx.counts["refunded"] += 1
            if status in lifecycle.FINAL:
                ctx.counts["finished"] += 1
                log("track", f"{status}, refunded {outcome.refunded} units", order=order_id)
                return None
    quiet = 0 if changed else int(order["quiet_checks"]) + 1
    return order_id, next_check(ctx, quiet), quiet


_RESCHEDULE = "UPDATE orders SET next_check_at = $2, quiet_checks = $3 WHERE id = $1"


async def _reschedule(ctx: Context, rows: list[tuple[int, int, int]]) -> None:
    """One transaction for a batch's next checks (no money moves here): one commit, not one per order."""
    if rows:
        async with ctx.db.transaction() as tx:
            await tx.executemany(_RESCHEDULE, rows)


async def _check(ctx: Context, provider_id: int, orders: list[Any], gate: asyncio.Semaphore) -> None:
    provider = await ctx.provider(provider_id)
    if provider is None:
        return
    async with gate:
        try:
            answers = await ctx.call(provider.statuses([int(o["upstream_id"]) for o in orders]))
        except TimeoutError:
            log("track", f"no complete status answer within {ctx.deadline:g} s", provider=provider_id,
                level=logging.WARNING)  # fmt: skip
            ctx.counts["check_failed"] += 1
            return
        except Exception as exc:  # a read: nothing changed upstream; try again at the next check
            log("track", f"status call failed: {exc}", provider=provider_id, level=logging.WARNING)
            ctx.counts["check_failed"] += 1
            return
    later = []
    for order in orders:
        answer = answers.get(int(order["upstream_id"]))
        if answer is not None:
            due = await _apply(ctx, order, answer)
            if due is not None:
                later.append(due)
    await _reschedule(ctx, later)


async def _claim(ctx: Context, provider_id: int) -> list[Any]:
    lock = lifecycle.skip_locked(ctx.db)
    return await ctx.db.fetch(_CLAIM.format(lock=lock), ctx.now(), ctx.config.batch, ctx.config.lease, provider_id)


async def _track(ctx: Context, provider_id: int, rows: list[Any]) -> None:
    gate = asyncio.Semaphore(ctx.config.per_provider)
    await asyncio.gather(*(_check(ctx, provider_id, rows[i : i + 100], gate) for i in range(0, len(rows), 100)))


async def run(ctx: Context, provider_id: int) -> int:
    """Check one provider's due in-flight orders; returns how many were checked.

    Claims `batch` orders at a time and keeps going while a claim comes back full, for up to
    `track_seconds` per cycle — so one worker keeps up with far more in-flight orders than one batch per
    cycle — and stops early when a claim returns an order already checked in this run (check_every = 0)."""
    started = time.monotonic()
    seen: set[int] = set()
    while True:
        rows = await _claim(ctx, provider_id)
        await _track(ctx, provider_id, rows)
        ctx.counts["checked"] += len(rows)
        ids = {int(row["id"]) for row in rows}
        again = not seen.isdisjoint(ids)
        seen |= ids
        if len(rows) < ctx.config.batch or again or time.monotonic() - started >= ctx.config.track_seconds:
            return len(seen)
