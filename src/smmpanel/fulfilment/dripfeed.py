"""Drip-feed for providers that cannot drip-feed themselves: the parent order is *scheduled* and the engine
creates one child order per run, every `interval` minutes, each dispatched like any order. The moves (a run, the settlement) are orders/lifecycle.py's.

Money stays on the parent: children are charged 0 (no ledger rows) and carry `parent_id`, the link and the
fields; quantity per run = parent.quantity // runs. Creating a run is one short transaction: a CAS on the
parent (runs_done = k, still scheduled, not cancel-requested, active) that counts the run and sets the
parent In progress, then the child INSERT — so a run is created once even with several workers.

    scheduled parent: Pending ──first run──▶ In progress ──all runs created and every child final──▶
        Completed                       when everything was delivered
        Partial (remains = undelivered) refund charge × remains / quantity, once, through lifecycle.move
        Canceled                        when a cancel stopped it before anything was delivered
    A cancel request stops the scheduling; the parent settles once its existing children are final.
"""

from __future__ import annotations

import logging
from typing import Any

from smmpanel.fulfilment.context import Context, log
from smmpanel.orders import lifecycle

_DUE = (
    f"UPDATE orders SET next_attempt_at = $1 + $3 WHERE id IN (SELECT id FROM orders WHERE dispatch = '{lifecycle.SCHEDULED}'"
    f" AND {lifecycle.RUNNING_PARENT_SQL} AND NOT cancel_requested"
    " AND runs_done < runs AND (next_attempt_at IS NULL OR next_attempt_at <= $1) ORDER BY id LIMIT $2{lock})"
    " RETURNING id, customer_id, service_id, link, quantity, runs, interval, runs_done, fields, provider_id"
)
_SETTLEABLE = (
    f"SELECT p.id, p.quantity, p.status, p.cancel_requested FROM orders p WHERE p.dispatch = '{lifecycle.SCHEDULED}'"
    f" AND p.{lifecycle.RUNNING_PARENT_SQL}"
    " AND (p.runs_done >= p.runs OR p.cancel_requested)"
    f" AND NOT EXISTS (SELECT 1 FROM orders c WHERE c.parent_id = p.id AND c.{lifecycle.ACTIVE_SQL})"
)

_CANCELED_PARENTS = (
    f"SELECT id FROM orders WHERE dispatch = '{lifecycle.SCHEDULED}' AND cancel_requested"
    f" AND {lifecycle.RUNNING_PARENT_SQL}"
)


def delivered(children: list[Any]) -> int:
    """Units delivered by a parent's finished children (over-delivery not counted); a pure function."""
    return sum(max(0, int(q) - max(0, int(r))) for q, r in children)


def settlement(quantity: int, done: int, canceled: bool) -> tuple[str, int]:
    """(final status, remains) of a drip-feed parent once nothing more will run; a pure function."""
    remains = max(0, quantity - done)
    if remains == 0:
        return "Completed", 0
    if done == 0 and canceled:
        return "Canceled", quantity
    return "Partial", remains


async def _run_one(ctx: Context, parent: Any) -> None:
    now = ctx.now()
    child = await lifecycle.start_run(ctx.db, parent, next_run_at=now + int(parent["interval"] or 0) * 60, now=now)
    if child is None:
        return
    log("dripfeed", f"run {int(parent['runs_done']) + 1}/{parent['runs']} created as order {child}", order=int(parent["id"]))
    ctx.counts["runs"] += 1


async def run(ctx: Context) -> None:
    """Create the runs that are due (at most one per parent per cycle)."""
    lock = lifecycle.skip_locked(ctx.db)
    for parent in await ctx.db.fetch(_DUE.format(lock=lock), ctx.now(), ctx.config.batch, ctx.config.lease):
        await _run_one(ctx, parent)


async def propagate_cancels(ctx: Context) -> None:
    """A cancel accepted on a drip-feed parent reaches its runs still active: a queued run is canceled at
    once (charged 0: nothing to refund), one already with the provider gets its own cancel request, which
    forwarding carries upstream. The parent then settles Partial or Canceled with the right refund."""
    now = ctx.now()
    asked = await ctx.db.execute(
        f"UPDATE orders SET cancel_requested = TRUE, updated_at = $1 WHERE parent_id IN ({_CANCELED_PARENTS})"
        f" AND NOT cancel_requested AND {lifecycle.IN_FLIGHT_SQL}",
        now,
    )
    if asked:
        log("dripfeed", f"asked to cancel {asked} run(s) of canceled drip-feed orders")
    queued = await ctx.db.fetch(
        f"SELECT id FROM orders WHERE parent_id IN ({_CANCELED_PARENTS}) AND status = '{lifecycle.PENDING}'"
    )
    for row in queued:
        try:
            await lifecycle.move(ctx.db, int(row["id"]), lifecycle.CANCELED, expected=lifecycle.PENDING,
                                 note="drip-feed canceled")  # fmt: skip
        except lifecycle.TransitionError:  # claimed meanwhile: it is in flight now, and asked next cycle
            continue


async def settle(ctx: Context) -> None:
    """Finish the parents whose runs are all created (or were stopped by a cancel) and whose children are
    all final; refund the undelivered part exactly once."""
    parents = await ctx.db.fetch(_SETTLEABLE)
    for parent in parents:
        children = await ctx.db.fetch("SELECT quantity, remains FROM orders WHERE parent_id = $1", parent["id"])
        status, remains = settlement(int(parent["quantity"]), delivered(children), bool(parent["cancel_requested"]))
        try:
            outcome = await lifecycle.move(
                ctx.db, int(parent["id"]), status, expected=parent["status"], remains=remains, note="drip-feed " + status
            )
        except lifecycle.TransitionError as exc:
            log("dripfeed", f"not settled: {exc}", order=int(parent["id"]), level=logging.WARNING)
            continue
        if outcome.refunded:
            ctx.counts["refunded"] += 1
        log("dripfeed", f"settled {status}, refunded {outcome.refunded} units", order=int(parent["id"]))
