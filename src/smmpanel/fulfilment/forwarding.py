"""Forwarding: carry the customer's refill and cancel requests to the provider that holds the order, and
keep an eye on each provider's balance.

Refills (refills.forward):

    queued ──claim──▶ sending ──refill id──▶ sent ──refill_status──▶ our status Pending/In progress/
      ▲                 │  │                                         Completed/Rejected (final)
      └─ nothing sent ──┘  ├─ refused (definite) ──▶ failed, status Rejected
                           └─ outcome unknown / claim expired ──▶ held (the operator looks upstream)

Cancels: an order with `cancel_requested`, dispatched (`sent`) and not yet forwarded is claimed by setting
`cancel_forwarded` in one statement, then `cancel` goes upstream; if nothing could be sent the flag is
cleared for the next cycle. The order then ends Canceled or Partial through tracking (the refund happens
there, once). A cancel of a *held* order is left to the operator; one of a Pending order never gets here
(orders/cancels.py cancels it at once).
"""

from __future__ import annotations

import logging
from typing import Any

from smmpanel.client import ApiError, ClientError, TransportError
from smmpanel.fulfilment.classify import is_missing_order
from smmpanel.fulfilment.context import Context, log
from smmpanel.money import format_units
from smmpanel.orders import lifecycle
from smmpanel.providers import registry

REFILL_STATUS = {
    "pending": "Pending", "awaiting": "Pending", "queued": "Pending",
    "in progress": "In progress", "inprogress": "In progress", "processing": "In progress",
    "completed": "Completed", "processed": "Completed", "done": "Completed", "success": "Completed",
    "rejected": "Rejected", "error": "Rejected", "failed": "Rejected", "fail": "Rejected",
    "canceled": "Rejected", "cancelled": "Rejected", "refused": "Rejected",
}  # fmt: skip


def refill_status(upstream: str) -> str | None:
    """Our refill status for an upstream word (raw `tasks.status.x` keys included); None if unknown."""
    word = upstream.strip().lower()
    if word.startswith("tasks.status."):
        word = word[len("tasks.status.") :].replace("_", " ")
    return REFILL_STATUS.get(word)


async def reap(ctx: Context) -> None:
    reason = "the worker stopped while forwarding the refill; outcome unknown: check upstream"
    held = await lifecycle.hold_orphaned_refills(ctx.db, reason, claimed_before=ctx.now() - ctx.config.lease)
    if held:
        log("reap", f"held {held} refill(s) left mid-forward", level=logging.WARNING)


async def _set_refill(ctx: Context, refill_id: int, forward: str, **values: Any) -> None:
    """sending → `forward` (our claim), through the status machine."""
    await lifecycle.forward_refill(ctx.db, refill_id, lifecycle.FORWARD_SENDING, forward, now=ctx.now(), **values)


async def _forward_refill(ctx: Context, row: Any) -> None:
    refill_id = int(row["id"])
    provider = await ctx.provider(int(row["provider_id"]))
    if provider is None:
        await _set_refill(ctx, refill_id, lifecycle.FORWARD_QUEUED)
        return
    upstream = int(row["upstream_id"])
    try:
        answer: int | ClientError = (await ctx.call(provider.refills([upstream])))[upstream]
    except ClientError as exc:
        answer = exc
    except Exception as exc:  # an adapter crash: outcome unknown
        answer = ClientError(f"{type(exc).__name__}: {exc}")
    if isinstance(answer, int):
        await _set_refill(ctx, refill_id, lifecycle.FORWARD_SENT, upstream_id=answer, next_check_at=ctx.now(), last_error=None)
        log("forward", f"refill sent upstream as {answer}", refill=refill_id)
    elif isinstance(answer, TransportError):
        await _set_refill(ctx, refill_id, lifecycle.FORWARD_QUEUED, last_error=str(answer))
    elif isinstance(answer, ApiError):
        await _set_refill(ctx, refill_id, lifecycle.FORWARD_FAILED, last_error=f"refused: {answer.text}")
        await lifecycle.move_refill(ctx.db, refill_id, "Rejected")
        log("forward", f"refill refused upstream: {answer.text}", refill=refill_id)
    else:
        await _set_refill(ctx, refill_id, lifecycle.FORWARD_HELD, last_error=f"outcome unknown: {answer}")
        log("forward", f"refill held: {answer}", refill=refill_id, level=logging.WARNING)


async def _follow_refills(ctx: Context, provider_id: int) -> None:
    provider = await ctx.provider(provider_id)
    if provider is None:
        return
    rows = await lifecycle.claim_forwarded_refills(ctx.db, ctx.now(), ctx.config.batch, ctx.config.check_every, provider_id)
    if not rows:
        return
    try:
        answers = await ctx.call(provider.refill_statuses([int(r["upstream_id"]) for r in rows]))
    except Exception as exc:  # a read (a timeout included): ask again at the next check
        log("forward", f"refill_status failed: {type(exc).__name__}: {exc}", provider=provider_id, level=logging.WARNING)
        return
    for row in rows:
        answer = answers.get(int(row["upstream_id"]))
        status = refill_status(answer) if isinstance(answer, str) else None
        if isinstance(answer, ClientError):
            await lifecycle.forward_refill(
                ctx.db, int(row["id"]), lifecycle.FORWARD_SENT, lifecycle.FORWARD_HELD, now=ctx.now(),
                last_error=f"the provider answers {answer}",
            )  # fmt: skip
        elif status and status != row["status"]:
            await lifecycle.move_refill(ctx.db, int(row["id"]), status, expected=row["status"])


async def _forward_cancels(ctx: Context, provider_id: int) -> None:
    rows = await ctx.db.fetch(
        "UPDATE orders SET cancel_forwarded = TRUE WHERE NOT cancel_forwarded AND id IN (SELECT id FROM orders"
        f" WHERE cancel_requested AND NOT cancel_forwarded AND dispatch = '{lifecycle.SENT}' AND provider_id = $2"
        f" AND {lifecycle.IN_FLIGHT_SQL} ORDER BY id LIMIT $1{lifecycle.skip_locked(ctx.db)}) RETURNING id, provider_id, upstream_id",
        ctx.config.batch, provider_id,
    )  # fmt: skip
    if not rows:
        return
    provider = await ctx.provider(provider_id)
    ids = [int(o["upstream_id"]) for o in rows]
    try:
        if provider is None:
            raise TransportError("provider disabled")
        answers: dict[int, bool | ClientError] = await ctx.call(provider.cancel(ids))
    except ClientError as exc:
        answers = dict.fromkeys(ids, exc)
    except TimeoutError:  # it may have arrived: tracking will see the outcome; a cancel is never charged
        answers = dict.fromkeys(ids, ClientError(f"no complete answer within {ctx.deadline:g} s"))
    for order in rows:
        answer = answers.get(int(order["upstream_id"]))
        if isinstance(answer, TransportError):  # nothing sent: try again next cycle
            await ctx.db.execute("UPDATE orders SET cancel_forwarded = FALSE WHERE id = $1", order["id"])
            continue
        note = None if answer is True else f"cancel upstream: {answer}"
        if answer is not True and isinstance(answer, ClientError) and is_missing_order(answer):
            note = f"cancel upstream: {answer} (check the order upstream)"
        await ctx.db.execute(
            "UPDATE orders SET next_check_at = $2, last_error = COALESCE($3, last_error) WHERE id = $1",
            order["id"], ctx.now(), None if note is None else lifecycle.one_line(note),
        )  # fmt: skip
        log("forward", "cancel sent" if note is None else note, order=int(order["id"]))


async def run(ctx: Context, provider_id: int) -> None:
    """Forward one provider's cancels and queued refills, and follow its forwarded refills."""
    await _forward_cancels(ctx, provider_id)
    for row in await lifecycle.claim_refills(ctx.db, ctx.now(), ctx.config.batch, provider_id):
        upstream_id = await ctx.db.fetchval("SELECT upstream_id FROM orders WHERE id = $1", row["order_id"])
        if upstream_id is None:  # nothing upstream to refill: the operator's
            await _set_refill(ctx, int(row["id"]), lifecycle.FORWARD_HELD, last_error="the order has no upstream id")
            continue
        await _forward_refill(ctx, {"id": row["id"], "provider_id": provider_id, "upstream_id": upstream_id})
    await _follow_refills(ctx, provider_id)


async def check_balance(ctx: Context, provider_id: int) -> None:
    """Store one provider's balance (registry.record_balance: the one writer); warn the operator below its
    `low_balance`. A balance that cannot be believed is logged and not stored; a currency that is not a
    three-letter code is stored as unknown."""
    row = await ctx.db.fetchrow("SELECT name, low_balance FROM providers WHERE id = $1", provider_id)
    provider = await ctx.provider(provider_id)
    if row is None or provider is None:
        return
    try:
        balance = await ctx.call(provider.balance())
        units, currency = await registry.record_balance(ctx.db, provider_id, balance, now=ctx.now())
    except Exception as exc:
        log("balance", f"balance check failed: {type(exc).__name__}: {exc}", provider=row["name"], level=logging.WARNING)
        return
    if balance.currency and currency is None:
        log("balance", f"ignored a currency that is not a three-letter code: {balance.currency[:20]!r}",
            provider=row["name"], level=logging.WARNING)  # fmt: skip
    if row["low_balance"] is not None and units < int(row["low_balance"]):
        log("balance", f"LOW BALANCE {format_units(units)} {currency or ''}", provider=row["name"],
            level=logging.WARNING)  # fmt: skip
