"""Cancel requests (spec §7.4): only where the service allows it, only for unfinished orders.

An order still Pending (not yet handed to fulfilment) is canceled at once with a full refund. Any other
active order gets `cancel_requested`, which fulfilment acts on (forwarding the cancel upstream; the order
later ends Canceled or Partial with the right refund). Either way the request is accepted (API v2 answers
`cancel: 1`); a refusal raises OrderRefused.
"""

from __future__ import annotations

import time

from smmpanel.db.connect import Database
from smmpanel.orders import lifecycle, timeline
from smmpanel.orders.refusals import OrderRefused, Reason
from smmpanel.staff import activity
from smmpanel.staff.activity import Actor


def check_cancellable(*, allowed: bool, status: str, already: bool) -> None:
    """Raise OrderRefused when the order may not be canceled; a pure function. A Pending order is always
    cancellable (canceled at once); one in flight only while no cancel is requested yet."""
    if not allowed:
        raise OrderRefused(Reason.CANCEL_DISABLED)
    if status == lifecycle.PENDING:
        return
    if status not in (lifecycle.PROCESSING, lifecycle.IN_PROGRESS) or already:
        raise OrderRefused(Reason.CANNOT_CANCEL)


def can_cancel(*, allowed: bool, status: str, already: bool) -> bool:
    """Whether `check_cancellable` lets a cancel be requested (the website shows its Cancel button then)."""
    try:
        check_cancellable(allowed=allowed, status=status, already=already)
    except OrderRefused:
        return False
    return True


async def request_cancel(db: Database, customer_id: int, order_id: int) -> None:
    """Cancel the customer's order, or ask fulfilment to; raises OrderRefused when it may not be canceled."""
    row = await db.fetchrow(
        "SELECT o.status, o.cancel_requested, s.cancel FROM orders o JOIN services s ON s.id = o.service_id"
        " WHERE o.id = $1 AND o.customer_id = $2",
        order_id,
        customer_id,
    )
    if row is None:
        raise OrderRefused(Reason.ORDER_NOT_FOUND)
    status, already, allowed = row
    check_cancellable(allowed=bool(allowed), status=status, already=bool(already))
    if status == lifecycle.PENDING:
        try:
            await lifecycle.move(db, order_id, lifecycle.CANCELED, expected=lifecycle.PENDING, note="canceled by customer")
            return
        except lifecycle.TransitionError:
            status = await db.fetchval("SELECT status FROM orders WHERE id = $1", order_id)
            if status == lifecycle.PENDING:  # moved away and back: never loop, refuse as before
                raise OrderRefused(Reason.CANNOT_CANCEL) from None
    check_cancellable(allowed=True, status=status, already=bool(already))
    changed = await db.execute(
        "UPDATE orders SET cancel_requested = $1, updated_at = $2 WHERE id = $3 AND status = $4"
        " AND NOT cancel_requested",
        True,
        int(time.time()),
        order_id,
        status,
    )
    if changed != 1:
        raise OrderRefused(Reason.CANNOT_CANCEL)


_STATE = "SELECT status, dispatch FROM orders WHERE id = $1"


async def staff_cancel(db: Database, order_id: int, *, expected: str, actor: Actor) -> lifecycle.Outcome | None:
    """The operator's Reject: whatever the service's cancel flag says (staff may always ask). A Pending order
    (nothing with a provider yet, no drip-feed run created) is Canceled at once with a full refund; one in
    flight gets `cancel_requested`, which the engine carries upstream (a drip-feed parent stops and settles).
    None: the cancel was requested. Raises TransitionError when the order is not `expected` or is finished."""
    row = await db.fetchrow(_STATE, order_id)
    if row is None:
        raise lifecycle.TransitionError(f"no order {order_id}")
    status, dispatch = row[0], row[1]
    if status != expected:
        raise lifecycle.TransitionError(f"order {order_id} is {status} now, not {expected}; look again")
    if status == lifecycle.PENDING:
        try:
            return await lifecycle.move(db, order_id, lifecycle.CANCELED, expected=lifecycle.PENDING,
                                        note="rejected by staff", actor=actor)
        except lifecycle.TransitionError:  # sent or run meanwhile: ask for the cancel instead
            row = await db.fetchrow(_STATE, order_id)
            assert row is not None  # orders are never deleted
            status, dispatch = row[0], row[1]
    if status not in (lifecycle.PROCESSING, lifecycle.IN_PROGRESS):
        raise lifecycle.TransitionError(f"order {order_id} is {status}: it cannot be canceled")
    if dispatch == lifecycle.HELD:  # nothing carries a cancel for a held order: the operator decides there
        raise lifecycle.TransitionError(f"order {order_id} is held: Resolve, Resend or Fail and refund it on Held orders")
    if dispatch is None:  # fulfilled by hand: nobody upstream to ask
        raise lifecycle.TransitionError(f"order {order_id} is fulfilled by hand: cancel and refund it on its order page")
    now = int(time.time())
    async with db.transaction() as tx:
        changed = await tx.execute(
            "UPDATE orders SET cancel_requested = $1, updated_at = $2 WHERE id = $3 AND status = $4"
            " AND dispatch = $5 AND NOT cancel_requested",
            True, now, order_id, status, dispatch,
        )  # fmt: skip
        if changed != 1:
            raise lifecycle.TransitionError(f"a cancel is already requested for order {order_id}, or it changed")
        await timeline.add(tx, order_id, "edit", detail="cancel requested by staff", staff_id=actor.staff_id, at=now)
        await activity.record(tx, staff_id=actor.staff_id, action=actor.action, object_type="order",
                              object_id=order_id, before={"status": status, "cancel_requested": False},
                              after={"status": status, "cancel_requested": True}, address=actor.address)
    return None
