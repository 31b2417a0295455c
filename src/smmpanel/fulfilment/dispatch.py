"""Dispatch: hand each queued order to its provider **at most once**.

API v2 has no idempotency key, so the only safe resend is of a request that provably never left this
machine. Every order that a provider may have seen is therefore either recorded as sent or held for the
operator — never re-sent by the engine. The dispatch state (orders.dispatch) and the order status move
together, each change a compare-and-set whose row count is checked:

                 claim (one statement, SKIP LOCKED on PostgreSQL)          upstream id recorded
    queued ──────────────────────────────────────────▶ dispatching ──────────────────────────▶ sent
    status Pending                                   status Processing                       (tracking.py)
      ▲                                                │   │   │
      │ retry later (attempts+1, exponential backoff)  │   │   │ outcome unknown (timeout after send, reset,
      └────────────────────────────────────────────────┘   │   │ 5xx, garbage) · claim expired (worker killed)
                                                           │   └────────────────────────▶ held  (Processing;
                   definite refusal that will never pass   │                                operator: resolve)
                   (Canceled + full refund, one transaction) ▼
                                                         failed  (Canceled, refunded once)

    scheduled: a drip-feed parent whose provider cannot drip-feed; dripfeed.py creates its child orders.

The sequence per order: claim and COMMIT → call the provider with no transaction open → record the
outcome with `WHERE dispatch = 'dispatching' AND claimed_by = <me>`. If that CAS finds nothing, another
worker decided the claim was orphaned and held the order; a late upstream id is then attached to the held
order for the operator. The unique (provider_id, upstream_id) index refuses a second record of one
upstream order. Every move above is drawn and made in orders/lifecycle.py (a definite refusal cancels,
refunds and marks the dispatch failed in one transaction); classification of failures: classify.py.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson

from smmpanel.client import ADD_FIELDS, LIST_FIELDS
from smmpanel.db.connect import UNIQUE_VIOLATION
from smmpanel.fulfilment import classify
from smmpanel.fulfilment.classify import Action, Decision
from smmpanel.fulfilment.context import Context, log
from smmpanel.orders import lifecycle

NO_QUANTITY_TYPES = ("Package", "Custom Comments Package", "Subscriptions")
MAX_UPSTREAM_ID = 2**63 - 1  # a BIGINT column: an id beyond it is a bad answer, never an exception
_ORPHANED = "the worker stopped in the middle of dispatch; outcome unknown: check upstream, then resolve"


async def claim(ctx: Context, provider_id: int, limit: int) -> list[Any]:
    """Claim up to `limit` due orders of one provider for this worker in ONE statement; committed on return."""
    return await lifecycle.claim_queued(ctx.db, ctx.worker, ctx.now(), limit, provider_id)


async def reap(ctx: Context) -> int:
    """Hold every order stuck in 'dispatching' under another worker's expired claim: never re-send it.

    On SQLite only one worker exists, so any claim not ours is orphaned (its worker died) whatever its age.
    """
    before = None if ctx.config.single_worker else ctx.now() - ctx.config.lease
    held = await lifecycle.hold_orphans(ctx.db, ctx.worker, _ORPHANED, now=ctx.now(), claimed_before=before)
    if held:
        log("reap", f"held {held} order(s) left mid-dispatch by a stopped worker", level=logging.WARNING)
        ctx.counts["held"] += held
    return held


def add_arguments(order: Any, service: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
    """(upstream service id, fields, extra) for the provider's `add`; a pure function."""
    upstream_service = int(str(service["provider_service"]).strip())
    stored = orjson.loads(order["fields"] or "{}")
    fields: dict[str, Any] = {}
    extra: dict[str, str] = {}
    kind = service["type"]
    fields["username" if kind == "Subscriptions" else "link"] = order["link"]
    runs = order["runs"]
    if kind not in NO_QUANTITY_TYPES:
        fields["quantity"] = int(order["quantity"]) // runs if runs else int(order["quantity"])
    if runs:
        fields["runs"], fields["interval"] = int(runs), int(order["interval"])
    for name, value in stored.items():
        if value is None:  # an optional field not given (a subscription without expiry): not sent at all
            continue
        if isinstance(value, list):
            value = [str(v) for v in value] if name in LIST_FIELDS else "\n".join(map(str, value))
        elif not isinstance(value, (str, int)) or isinstance(value, bool):
            value = str(value)
        if name in ADD_FIELDS:
            fields[name] = value
        else:
            extra[name] = value if isinstance(value, str) else str(value)
    return upstream_service, fields, extra


async def _service(ctx: Context, service_id: int) -> Any:
    return await ctx.db.fetchrow(
        "SELECT id, type, provider_id, provider_service, provider_dripfeed, failover_provider_id,"
        " failover_service FROM services WHERE id = $1",
        service_id,
    )


async def _send(ctx: Context, provider_id: int, service: Any, order: Any) -> tuple[int | None, Decision]:
    """One `add` to one provider: (upstream id or None, decision). No transaction is open here."""
    provider = await ctx.provider(provider_id)
    if provider is None:
        return None, Decision(Action.RETRY, f"provider {provider_id} is disabled or manual; nothing sent")
    try:
        upstream_service, fields, extra = add_arguments(order, service)
    except (TypeError, ValueError) as exc:
        return None, Decision(Action.HOLD, f"cannot build the upstream order: {exc}", warn=True)
    try:
        upstream_id = await ctx.call(provider.add(upstream_service, extra=extra or None, **fields))
    except TimeoutError:
        return None, Decision(Action.HOLD, f"outcome unknown: no complete answer within {ctx.deadline:g} s")
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # the classification decides; unknown exceptions hold
        return None, classify.classify(exc)
    if not 1 <= upstream_id <= MAX_UPSTREAM_ID:
        return None, Decision(Action.HOLD, f"the provider answered an order id out of range ({str(upstream_id)[:30]})")
    return upstream_id, classify.SUCCESS


async def dispatch_one(ctx: Context, order: Any) -> str:
    """Send one claimed order and record what happened; returns the outcome counted for the cycle.

    Whatever goes wrong after the claim (a bad answer that breaks recording, a database error), the order
    ends held with the reason — never left claimed under a live worker, where no reap would find it."""
    try:
        return await _dispatch_one(ctx, order)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        reason = f"internal error while recording the dispatch ({type(exc).__name__}: {exc}); check upstream, then resolve"
        log("dispatch", reason, order=int(order["id"]), level=logging.ERROR)
        return await hold(ctx, int(order["id"]), reason)


async def _dispatch_one(ctx: Context, order: Any) -> str:
    order_id = int(order["id"])
    service = await _service(ctx, order["service_id"])
    provider_id = int(order["provider_id"])
    try:
        upstream_id, decision = await _send(ctx, provider_id, service, order)
        if decision.action is not Action.SUCCESS and decision.failover and service["failover_provider_id"]:
            log("failover", decision.reason, order=order_id, level=logging.WARNING)
            backup = {**dict(service), "provider_service": service["failover_service"] or service["provider_service"]}
            provider_id = int(service["failover_provider_id"])
            upstream_id, decision = await _send(ctx, provider_id, backup, order)
    except asyncio.CancelledError:  # shut down mid-call: the outcome is unknown
        await asyncio.shield(hold(ctx, order_id, "the worker was stopped during the call; outcome unknown"))
        raise
    if decision.action is Action.SUCCESS and upstream_id is not None:
        return await _record_sent(ctx, order_id, provider_id, upstream_id)
    decision = classify.after_attempts(decision, int(order["attempts"]), ctx.config.max_attempts)
    level = logging.WARNING if decision.warn or decision.action is Action.HOLD else logging.INFO
    log("dispatch", decision.reason, order=order_id, provider=provider_id, decision=decision.action.value,
        level=level)  # fmt: skip
    if decision.action is Action.RETRY:
        return await _retry(ctx, order, decision)
    if decision.action is Action.FAIL:
        return await fail(ctx, order_id, decision.reason)
    return await hold(ctx, order_id, decision.reason)


async def _record_sent(ctx: Context, order_id: int, provider_id: int, upstream_id: int) -> str:
    now = ctx.now()
    try:
        sent = await lifecycle.mark_sent(
            ctx.db, order_id, ctx.worker, provider_id, upstream_id, next_check_at=now + ctx.config.check_every, now=now
        )
    except UNIQUE_VIOLATION:
        return await hold(ctx, order_id, f"upstream order {upstream_id} is already recorded for another order")
    if sent:
        log("dispatch", "sent", order=order_id, provider=provider_id, upstream=upstream_id)
        return "dispatched"
    # Our claim was taken as orphaned meanwhile (the order is held): tell the operator what we learned.
    message = f"a late answer arrived: upstream order {upstream_id} exists; resolve with --upstream-order {upstream_id}"
    try:
        await lifecycle.note_late_answer(ctx.db, order_id, provider_id, upstream_id, message)
    except UNIQUE_VIOLATION:
        pass
    log("dispatch", f"claim lost; upstream order {upstream_id} exists", order=order_id, level=logging.ERROR)
    return "held"


async def _retry(ctx: Context, order: Any, decision: Decision) -> str:
    order_id = int(order["id"])
    delay = classify.backoff(int(order["attempts"]), ctx.config.retry_base)
    now = ctx.now()
    if await lifecycle.requeue(ctx.db, order_id, ctx.worker, next_attempt_at=now + delay, error=decision.reason, now=now):
        return "retried"
    # A cancel arrived while we held the claim: nothing exists upstream, so cancel with a full refund.
    return await fail(ctx, order_id, "canceled by the customer before dispatch")


async def hold(ctx: Context, order_id: int, reason: str) -> str:
    held = await lifecycle.hold(ctx.db, order_id, reason, now=ctx.now(), worker=ctx.worker)
    return "held" if held else "lost"


async def fail(ctx: Context, order_id: int, reason: str) -> str:
    """Cancel our claimed order with a full refund and mark its dispatch failed — one transaction."""
    try:
        outcome = await lifecycle.fail(ctx.db, order_id, reason, worker=ctx.worker, note="not fulfilled: refunded")
    except lifecycle.TransitionError as exc:
        log("dispatch", f"could not fail: {exc}", order=order_id, level=logging.WARNING)
        return "lost"
    if outcome.refunded:
        ctx.counts["refunded"] += 1
    return "failed"


async def run(ctx: Context, provider_id: int, *, drain: bool) -> None:
    """Claim and dispatch one provider's due orders, `concurrency` at a time; with `drain`, until none is due."""
    total = 0
    while total < ctx.config.batch or drain:
        orders = await claim(ctx, provider_id, ctx.config.concurrency)
        if not orders:
            return
        total += len(orders)
        outcomes = await asyncio.gather(*(dispatch_one(ctx, o) for o in orders))
        ctx.counts.update(o for o in outcomes if o != "lost")
        if not drain and total >= ctx.config.batch:
            return
