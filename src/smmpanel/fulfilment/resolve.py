"""The operator's decisions on held orders — the only way out of `held`, because only a human can look
upstream and know whether a request whose outcome was unknown created an order there.

    held ──--upstream-order X──▶ sent      (the order exists upstream as X: track it from now on)
    held ──--resend────────────▶ queued    (the operator checked: it does NOT exist upstream; send again)
    held ──--fail──────────────▶ failed    (give up: Canceled with a full refund, exactly once)

`actor`: a staff member deciding from the console (the activity row is written in the move's transaction).
Each is a move of orders/lifecycle.py: a compare-and-set on dispatch = 'held' with the row count checked, so two operators (or an
operator and a late engine answer) cannot both decide.
"""

from __future__ import annotations

import time
from typing import Any

from smmpanel.db.connect import UNIQUE_VIOLATION, Database
from smmpanel.orders import lifecycle
from smmpanel.staff.activity import Actor


class ResolveError(ValueError):
    pass


async def _held(db: Database, order_id: int) -> Any:
    row = await db.fetchrow(
        "SELECT id, status, dispatch, upstream_id, cancel_requested FROM orders WHERE id = $1", order_id
    )
    if row is None:
        raise ResolveError(f"no order {order_id}")
    if row["dispatch"] != lifecycle.HELD:
        raise ResolveError(f"order {order_id} is not held (dispatch: {row['dispatch'] or 'manual'})")
    return row


async def attach(db: Database, order_id: int, upstream_id: int, *, actor: Actor | None = None) -> None:
    """The order exists upstream as `upstream_id`: record it and track it from now on."""
    await _held(db, order_id)
    try:
        attached = await lifecycle.attach(db, order_id, upstream_id, now=int(time.time()), actor=actor)
    except UNIQUE_VIOLATION:
        raise ResolveError(f"upstream order {upstream_id} is already recorded for another order") from None
    if not attached:
        raise ResolveError(f"order {order_id} changed meanwhile; look again")


async def resend(db: Database, order_id: int, *, actor: Actor | None = None) -> None:
    """The operator checked upstream and the order does not exist there: queue it to be sent again."""
    row = await _held(db, order_id)
    if row["status"] != lifecycle.PROCESSING:
        raise ResolveError(f"order {order_id} is {row['status']}: only a Processing order can be resent")
    if row["cancel_requested"]:
        raise ResolveError(f"the customer asked to cancel order {order_id}: use --fail")
    resent = await lifecycle.resend(db, order_id, now=int(time.time()), note="resend decided by the operator",
                                    actor=actor)
    if not resent:
        raise ResolveError(f"order {order_id} changed meanwhile; look again")


async def fail(db: Database, order_id: int, *, actor: Actor | None = None) -> lifecycle.Outcome:
    """Give up: Canceled with a full refund (exactly once) and dispatch failed, in one transaction."""
    await _held(db, order_id)
    try:
        return await lifecycle.fail(
            db, order_id, "failed by the operator", note="failed by the operator: refunded", actor=actor
        )
    except lifecycle.TransitionError as exc:
        raise ResolveError(str(exc)) from None


async def forward(db: Database, order_id: int, *, expected: str, actor: Actor | None = None) -> str:
    """The operator's Forward from a queue: a held order is resent (as `resend`), a queued one is sent on the
    engine's next cycle, a scheduled drip-feed parent gets its next run then. `expected`: the status the
    operator saw. Returns what will happen, for the notice."""
    row = await db.fetchrow("SELECT status, dispatch, cancel_requested FROM orders WHERE id = $1", order_id)
    if row is None:
        raise ResolveError(f"no order {order_id}")
    if row["status"] != expected:
        raise ResolveError(f"order {order_id} is {row['status']} now, not {expected}; look again")
    if row["cancel_requested"]:
        raise ResolveError(f"a cancel is requested for order {order_id}: it is not sent again")
    if row["dispatch"] == lifecycle.HELD:
        await resend(db, order_id, actor=actor)
        return "queued to be sent again"
    done = await lifecycle.send_now(db, order_id, expected=expected, now=int(time.time()), actor=actor)
    if done is None:
        state = row["dispatch"] or "handled by hand"
        raise ResolveError(f"order {order_id} is not waiting to be sent ({state}); look again")
    return "sent on the engine's next cycle" if done == lifecycle.QUEUED else "next run created on the engine's next cycle"
