"""The status machine: every move of an order's status, of its dispatch state and of a refill's status is
drawn here and made here. No other module writes those columns.

Order status (spec §5.1) — the API v2 spellings are stored as they are emitted:

    Pending ◀──retry/resend──▶ Processing ◀──────▶ In progress ──▶ Completed
       │       (nothing reached      │                   │
       │        the provider)        │                   │
       └─────────────────────────────┴───────────────────┴──▶ Partial  (refund charge × remains / quantity)
                                                             Canceled (refund all that is unrefunded)

    ACTIVE = Pending, Processing, In progress: may move to any status (tracking mirrors what the provider
    reports, the operator corrects by hand). FINAL = Completed, Partial, Canceled: never move again.

Dispatch state (orders.dispatch; NULL = fulfilled by hand) and the order status that moves with it:

    queued ──claim──▶ dispatching ──upstream id──▶ sent ──provider forgot the order──▶ held
    Pending           Processing       │  │  │                                          │
      ▲                                │  │  └──outcome unknown / claim orphaned──▶ held
      └──────────retry (Processing→Pending)  │                                          │
                                           └──definite refusal──▶ failed (Canceled + full refund)
    held ──attach upstream id──▶ sent · ──resend (Processing→Pending)──▶ queued · ──fail──▶ failed (Canceled)
    scheduled: a drip-feed parent run by the engine itself (its runs are child orders, each queued).

Refill status (spec §5.2) and its forwarding state (refills.forward; NULL = handled by hand):

    Pending ──▶ In progress ──▶ Completed | Rejected (final)
    forward: queued ──claim──▶ sending ──refill id──▶ sent ──provider forgot it──▶ held
                 ▲               │  └──refused──▶ failed (status Rejected) · ──unknown──▶ held
                 └─nothing sent──┘

Every persisted move is a compare-and-set on the state it was drawn from, its row count checked, and a
move that carries money (Partial, Canceled) writes its refund ledger row in the same transaction — the
unique refund row per order makes a second refund impossible even if a bug tried. The SQL that selects
"active" or "final" orders is generated from the sets below, never spelled out elsewhere.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from smmpanel.accounts import ledger
from smmpanel.db.connect import Database
from smmpanel.db.tables import DISPATCH_STATES, ORDER_STATUSES, REFILL_STATUSES
from smmpanel.money import format_units, refund_units
from smmpanel.orders import rollups, timeline
from smmpanel.staff import activity
from smmpanel.staff.activity import Actor

# Order statuses ------------------------------------------------------------------------------------------
PENDING, PROCESSING, IN_PROGRESS = "Pending", "Processing", "In progress"
COMPLETED, PARTIAL, CANCELED = "Completed", "Partial", "Canceled"
ACTIVE = (PENDING, PROCESSING, IN_PROGRESS)
FINAL = (COMPLETED, PARTIAL, CANCELED)

# Dispatch states -----------------------------------------------------------------------------------------
QUEUED, DISPATCHING, SENT, HELD, FAILED, SCHEDULED = DISPATCH_STATES

# Refill statuses and forwarding states -------------------------------------------------------------------
REFILL_ACTIVE = ("Pending", "In progress")
REFILL_FINAL = ("Completed", "Rejected")
FORWARD_QUEUED, FORWARD_SENDING, FORWARD_SENT, FORWARD_HELD, FORWARD_FAILED = (
    "queued", "sending", "sent", "held", "failed",
)  # fmt: skip

# The drawings: state → the states it may move to ---------------------------------------------------------
ORDER_MOVES: dict[str, frozenset[str]] = {
    **{status: frozenset(ORDER_STATUSES) for status in ACTIVE},
    **{status: frozenset() for status in FINAL},
}
DISPATCH_MOVES: dict[str, frozenset[str]] = {
    QUEUED: frozenset({DISPATCHING}),
    DISPATCHING: frozenset({SENT, QUEUED, HELD, FAILED}),
    SENT: frozenset({HELD}),
    HELD: frozenset({SENT, QUEUED, FAILED}),
    FAILED: frozenset(),
    SCHEDULED: frozenset(),
}
REFILL_MOVES: dict[str, frozenset[str]] = {
    **{status: frozenset(REFILL_STATUSES) - {status} for status in REFILL_ACTIVE},
    **{status: frozenset() for status in REFILL_FINAL},
}
FORWARD_MOVES: dict[str, frozenset[str]] = {
    FORWARD_QUEUED: frozenset({FORWARD_SENDING}),
    FORWARD_SENDING: frozenset({FORWARD_QUEUED, FORWARD_SENT, FORWARD_FAILED, FORWARD_HELD}),
    FORWARD_SENT: frozenset({FORWARD_HELD}),
    FORWARD_HELD: frozenset(),
    FORWARD_FAILED: frozenset(),
}
assert set(ORDER_STATUSES) == set(ACTIVE) | set(FINAL), "every order status is active or final"
assert set(REFILL_STATUSES) == set(REFILL_ACTIVE) | set(REFILL_FINAL), "every refill status is active or final"
assert set(DISPATCH_MOVES) == set(DISPATCH_STATES), "every dispatch state is drawn"


def sql_in(column: str, values: tuple[str, ...] | frozenset[str]) -> str:
    """`column IN ('a', 'b')` for a vocabulary of this module (fixed words: no user text ever gets here)."""
    words = sorted(values) if isinstance(values, frozenset) else list(values)
    assert all("'" not in word for word in words)
    return f"{column} IN ({', '.join(repr(word) for word in words)})"


ACTIVE_SQL = sql_in("status", ACTIVE)
IN_FLIGHT_SQL = sql_in("status", (PROCESSING, IN_PROGRESS))  # handed to a provider, not finished
RUNNING_PARENT_SQL = sql_in("status", (PENDING, IN_PROGRESS))  # a scheduled drip-feed parent not yet settled
REFILL_ACTIVE_SQL = sql_in("status", REFILL_ACTIVE)


class TransitionError(ValueError):
    """A move the drawing does not allow, or one that lost a race (the row changed meanwhile)."""


def can_move(old: str, new: str) -> bool:
    return new in ORDER_MOVES.get(old, frozenset())


def can_dispatch(old: str | None, new: str) -> bool:
    return old is not None and new in DISPATCH_MOVES.get(old, frozenset())


def _draws(drawing: dict[str, frozenset[str]], old: str, new: str) -> None:
    if new not in drawing.get(old, frozenset()):
        raise TransitionError(f"{old} → {new} is not a move the status machine allows")


@dataclass(frozen=True)
class Outcome:
    order_id: int
    status: str
    remains: int
    refunded: int  # refunded by this change, in units


def settle(status: str, *, quantity: int, charge: int, refunded: int, remains: int | None) -> tuple[int, int]:
    """(remains to store, refund owed now) for a move into `status`; a pure function."""
    if status == CANCELED:
        return quantity, charge - refunded
    if status == PARTIAL:
        left = quantity if remains is None else max(0, min(remains, quantity))
        return left, refund_units(charge, left, quantity, refunded)
    if status == COMPLETED:
        return (0 if remains is None or remains > 0 else remains), 0
    return (quantity if remains is None else remains), 0


@dataclass(frozen=True)
class DispatchChange:
    """The dispatch side of a status move: the order must be in one of `from_states` (and, when `worker` is
    given, still claimed by it); it ends in `to` with `error` as its last_error. `claimed_by` stays as the
    record of the worker that last claimed the order."""

    from_states: tuple[str, ...]
    to: str
    error: str | None = None
    worker: str | None = None


_SELECT = (
    "SELECT customer_id, status, quantity, charge, refunded, start_count, dispatch, claimed_by, remains,"
    " service_id, provider_id, cost FROM orders WHERE id = $1"
)


async def move(
    db: Database,
    order_id: int,
    status: str,
    *,
    expected: str | None = None,
    start_count: int | None = None,
    remains: int | None = None,
    note: str | None = None,
    dispatch: DispatchChange | None = None,
    cost: int | None = None,
    answer: str | None = None,
    actor: Actor | None = None,
) -> Outcome:
    """Move an active order to `status` — with its dispatch change, if any — in ONE transaction, refunding
    exactly once when it ends Partial or Canceled. In the same transaction: the timeline rows (status, edit,
    refund, cost; `answer` is the upstream's answer that caused the move), the daily rollups (refund; `cost`,
    what the provider charged in units, replaces the order's cost) and, when a staff member acts (`actor`),
    the activity row with the order before → after."""
    if status not in ORDER_STATUSES:
        raise TransitionError(f"unknown status {status!r}; one of: {', '.join(ORDER_STATUSES)}")
    async with db.transaction() as tx:
        row = await tx.fetchrow(_SELECT + (" FOR UPDATE" if tx.dialect == "postgresql" else ""), order_id)
        if row is None:
            raise TransitionError(f"no order {order_id}")
        customer_id, current, quantity, charge, refunded, old_start, old_dispatch, claimed_by = list(row)[:8]
        old_remains, service_id, provider_id, old_cost = (int(row[8]), int(row[9]), row[10], int(row[11]))
        if expected is not None and current != expected:
            raise TransitionError(f"order {order_id} is {current}, not {expected}")
        if not can_move(current, status):
            raise TransitionError(f"order {order_id} is {current}: a finished order cannot change")
        where = " WHERE id = $6 AND status = $7"
        sets = ""
        args: list[Any] = []
        if dispatch is not None:
            if old_dispatch not in dispatch.from_states or not can_dispatch(old_dispatch, dispatch.to):
                raise TransitionError(f"order {order_id} is {old_dispatch or 'handled by hand'}, not dispatchable")
            if dispatch.worker is not None and claimed_by != dispatch.worker:
                raise TransitionError(f"order {order_id} is no longer claimed by {dispatch.worker}")
            sets = ", dispatch = $9, last_error = $10"
            where += " AND dispatch = $11" + (" AND claimed_by = $12" if dispatch.worker is not None else "")
            args = [dispatch.to, _clip(dispatch.error), old_dispatch]
            if dispatch.worker is not None:
                args.append(dispatch.worker)
        new_remains, refund = settle(status, quantity=quantity, charge=charge, refunded=refunded, remains=remains)
        now = int(time.time())
        changed = await tx.execute(
            "UPDATE orders SET status = $1, remains = $2, start_count = $3, refunded = refunded + $4,"
            " updated_at = $5, completed_at = CASE WHEN $8 THEN $5 ELSE completed_at END" + sets + where,
            status, new_remains, old_start if start_count is None else start_count, refund, now, order_id, current,
            status == COMPLETED, *args,
        )  # fmt: skip
        if changed != 1:
            raise TransitionError(f"order {order_id} changed meanwhile; try again")
        new_start = int(old_start if start_count is None else start_count)
        staff_id = None if actor is None else actor.staff_id
        if refund > 0:
            await ledger.credit(tx, customer_id, "refund", refund, order_id=order_id, note=note or status)
        cost_change = 0 if cost is None else cost - old_cost
        if cost_change:
            await tx.execute("UPDATE orders SET cost = $2 WHERE id = $1", order_id, cost)
        if refund > 0 or cost_change or status in FINAL:
            await rollups.add(tx, customer_id=customer_id, service_id=service_id, provider_id=provider_id,
                              refunded=refund, cost=cost_change, finished=status, at=now)
        await _timeline(tx, order_id, now, staff_id, (current, status), (int(old_start), new_start),
                        (old_remains, new_remains), refund, None if cost == old_cost else cost, answer or note)
        if actor is not None:
            await activity.record(
                tx, staff_id=actor.staff_id, action=actor.action, object_type="order", object_id=order_id,
                before={"status": current, "start_count": int(old_start), "remains": old_remains},
                after={"status": status, "start_count": new_start, "remains": new_remains,
                       "refund": format_units(refund)},
                address=actor.address,
            )  # fmt: skip
    return Outcome(order_id, status, new_remains, refund)


async def _timeline(
    tx: Database, order_id: int, now: int, staff_id: int | None, statuses: tuple[str, str],
    starts: tuple[int, int], remains: tuple[int, int], refund: int, cost: int | None, detail: str | None,
) -> None:
    """The timeline rows of one move (see orders/timeline.py)."""
    edits = ", ".join(f"{name} {a} → {b}" for name, (a, b) in (("start count", starts), ("remains", remains))
                      if a != b)
    if statuses[0] != statuses[1]:
        await timeline.add(tx, order_id, "status", status_from=statuses[0], status_to=statuses[1],
                           detail="; ".join(part for part in (detail, edits) if part), staff_id=staff_id, at=now)
    elif edits:
        await timeline.add(tx, order_id, "edit", detail="; ".join(part for part in (detail, edits) if part),
                           staff_id=staff_id, at=now)
    if refund > 0:
        await timeline.add(tx, order_id, "refund", amount=refund, staff_id=staff_id, at=now)
    if cost is not None:
        await timeline.add(tx, order_id, "cost", amount=cost, detail="what the provider charged", at=now)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str, limit: int = 1000) -> str:
    """Text from outside (an upstream's error, an exception) made safe for a log line or `last_error`:
    control characters and line breaks become one space — no forged log lines — and it is cut to `limit`."""
    text = _CONTROL.sub(" ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clip(text: str | None) -> str | None:
    return None if text is None else one_line(text)


# Dispatch moves (fulfilment/dispatch.py drives them; fulfilment/resolve.py is the operator's way out) -----

_MINE = " WHERE id = $1 AND dispatch = '" + DISPATCHING + "' AND claimed_by = $2"
_CLAIM = (
    f"UPDATE orders SET status = '{PROCESSING}', dispatch = '{DISPATCHING}', claimed_by = $1, claimed_at = $2,"
    f" updated_at = $2 WHERE status = '{PENDING}' AND dispatch = '{QUEUED}' AND id IN ("
    f"SELECT id FROM orders WHERE status = '{PENDING}' AND dispatch = '{QUEUED}' AND provider_id = $4"
    " AND (next_attempt_at IS NULL OR next_attempt_at <= $2) ORDER BY id + 0 LIMIT $3{lock})"
    " RETURNING id, service_id, provider_id, link, quantity, runs, interval, fields, attempts"
)
# `id + 0`: find the due orders through the status/dispatch indexes and sort just them. With a plain `id`
# PostgreSQL may walk the primary key from the oldest order and filter every finished one on the way (all
# of them sit below the queue): 50 ms a claim at 100,000 orders, growing with the table.


def skip_locked(db: Database, of: str | None = None) -> str:
    """The clause that lets several workers claim rows side by side: PostgreSQL only (SQLite has one writer,
    whose `WHERE state = …` guard carries the safety). `of`: lock only that table's rows in a join."""
    if db.dialect != "postgresql":
        return ""
    return f" FOR UPDATE OF {of} SKIP LOCKED" if of else " FOR UPDATE SKIP LOCKED"


async def claim_queued(db: Database, worker: str, now: int, limit: int, provider_id: int) -> list[Any]:
    """queued/Pending → dispatching/Processing for up to `limit` due orders of one provider, in ONE
    statement (committed on return); SKIP LOCKED lets several workers claim side by side on PostgreSQL."""
    rows = await db.fetch(_CLAIM.format(lock=skip_locked(db)), worker, now, limit, provider_id)
    return sorted(rows, key=lambda r: r["id"])


async def mark_sent(
    db: Database, order_id: int, worker: str, provider_id: int, upstream_id: int, *, next_check_at: int, now: int
) -> bool:
    """dispatching → sent with the upstream id, if the claim is still ours. The unique (provider_id,
    upstream_id) index refuses a second record of one upstream order (the driver's IntegrityError)."""
    changed: int
    async with db.transaction() as tx:
        changed = await tx.execute(
            f"UPDATE orders SET dispatch = '{SENT}', provider_id = $3, upstream_id = $4, last_error = NULL,"
            " next_check_at = $5, quiet_checks = 0, updated_at = $6" + _MINE,
            order_id, worker, provider_id, upstream_id, next_check_at, now,
        )  # fmt: skip
        if changed == 1:
            await timeline.add(tx, order_id, "upstream", detail=f"sent: upstream order {upstream_id}", at=now)
    return changed == 1


async def note_late_answer(db: Database, order_id: int, provider_id: int, upstream_id: int, message: str) -> None:
    """Not a move: a held order learns the upstream id that a lost claim received, for the operator."""
    await db.execute(
        f"UPDATE orders SET provider_id = $2, upstream_id = $3, last_error = $4 WHERE id = $1"
        f" AND dispatch = '{HELD}' AND upstream_id IS NULL",
        order_id, provider_id, upstream_id, _clip(message),
    )  # fmt: skip


async def requeue(db: Database, order_id: int, worker: str, *, next_attempt_at: int, error: str, now: int) -> bool:
    """dispatching/Processing → queued/Pending (nothing reached the provider: retry later), unless the
    customer asked to cancel meanwhile (then the caller fails the order instead)."""
    changed = await db.execute(
        f"UPDATE orders SET status = '{PENDING}', dispatch = '{QUEUED}', attempts = attempts + 1,"
        " next_attempt_at = $3, last_error = $4, claimed_by = NULL, claimed_at = NULL, updated_at = $5"
        + _MINE + f" AND status = '{PROCESSING}' AND NOT cancel_requested",
        order_id, worker, next_attempt_at, _clip(error), now,
    )  # fmt: skip
    return changed == 1


async def hold(db: Database, order_id: int, reason: str, *, now: int, worker: str | None = None) -> bool:
    """dispatching (our claim, when `worker` is given) or sent → held: the operator decides."""
    changed: int
    async with db.transaction() as tx:
        if worker is not None:
            sql = f"UPDATE orders SET dispatch = '{HELD}', last_error = $3, updated_at = $4" + _MINE
            changed = await tx.execute(sql, order_id, worker, _clip(reason), now)
        else:
            sql = (
                f"UPDATE orders SET dispatch = '{HELD}', last_error = $2, updated_at = $3 WHERE id = $1"
                f" AND dispatch = '{SENT}'"
            )
            changed = await tx.execute(sql, order_id, _clip(reason), now)
        if changed == 1:
            await timeline.add(tx, order_id, "held", detail=_clip(reason) or "", at=now)
    return changed == 1


async def hold_orphans(db: Database, worker: str, reason: str, *, now: int, claimed_before: int | None) -> int:
    """dispatching → held for every claim of another worker that is orphaned: older than `claimed_before`,
    or any (None) where only one worker exists. Never re-sent: its outcome is unknown. Each held order gets
    its timeline row in the same transaction, as `hold` gives it."""
    sql = (
        f"UPDATE orders SET dispatch = '{HELD}', last_error = $1, updated_at = $3 WHERE dispatch = '{DISPATCHING}'"
        f" AND claimed_by <> $2 AND {ACTIVE_SQL}"
    )
    reason = _clip(reason) or ""
    async with db.transaction() as tx:
        if claimed_before is None:
            held = await tx.fetch(sql + " AND $3 >= 0 RETURNING id", reason, worker, now)
        else:
            held = await tx.fetch(sql + " AND claimed_at <= $4 RETURNING id", reason, worker, now, claimed_before)
        for row in held:
            await timeline.add(tx, int(row[0]), "held", detail=reason, at=now)
    return len(held)


async def fail(
    db: Database, order_id: int, reason: str, *, worker: str | None = None, note: str, actor: Actor | None = None
) -> Outcome:
    """dispatching (claimed by `worker`) or held (the operator's decision) → failed, and the order Canceled
    with a full refund — one transaction, so no crash can leave a refunded order claimed or held."""
    change = DispatchChange((DISPATCHING,) if worker is not None else (HELD,), FAILED, reason, worker)
    return await move(db, order_id, CANCELED, note=note, dispatch=change, actor=actor)


async def attach(db: Database, order_id: int, upstream_id: int, *, now: int, actor: Actor | None = None) -> bool:
    """held → sent: the order exists upstream as `upstream_id`; track it from now on."""
    changed: int
    async with db.transaction() as tx:
        changed = await tx.execute(
            f"UPDATE orders SET dispatch = '{SENT}', upstream_id = $2, last_error = NULL, next_check_at = $3,"
            f" quiet_checks = 0, updated_at = $3 WHERE id = $1 AND dispatch = '{HELD}'",
            order_id, upstream_id, now,
        )  # fmt: skip
        if changed == 1:
            await _resolved(tx, order_id, f"resolved: upstream order {upstream_id}", actor, now,
                            {"dispatch": SENT, "upstream_id": upstream_id})
    return changed == 1


async def _resolved(tx: Database, order_id: int, detail: str, actor: Actor | None, now: int,
                    after: dict[str, Any]) -> None:
    await timeline.add(tx, order_id, "resolved", detail=detail, staff_id=None if actor is None else actor.staff_id,
                       at=now)
    if actor is not None:
        await activity.record(tx, staff_id=actor.staff_id, action=actor.action, object_type="order",
                              object_id=order_id, before={"dispatch": HELD}, after=after, address=actor.address)


async def resend(db: Database, order_id: int, *, now: int, note: str, actor: Actor | None = None) -> bool:
    """held/Processing → queued/Pending: the operator checked that nothing exists upstream."""
    changed: int
    async with db.transaction() as tx:
        changed = await tx.execute(
            f"UPDATE orders SET dispatch = '{QUEUED}', status = '{PENDING}', upstream_id = NULL,"
            " next_attempt_at = NULL, claimed_by = NULL, claimed_at = NULL, attempts = 0, last_error = $3,"
            f" updated_at = $2 WHERE id = $1 AND dispatch = '{HELD}' AND status = '{PROCESSING}'"
            " AND NOT cancel_requested",
            order_id, now, note,
        )  # fmt: skip
        if changed == 1:
            await timeline.add(tx, order_id, "status", status_from=PROCESSING, status_to=PENDING,
                               detail=note, staff_id=None if actor is None else actor.staff_id, at=now)
            await _resolved(tx, order_id, "resolved: resend", actor, now, {"dispatch": QUEUED, "status": PENDING})
    return changed == 1


async def send_now(db: Database, order_id: int, *, expected: str, now: int, actor: Actor | None = None) -> str | None:
    """Not a move: make the engine take a waiting order on its next cycle — a queued Pending order is sent
    (its retry delay dropped), a scheduled drip-feed parent gets its next run created. A CAS on `expected`
    (the status the operator saw); the dispatch state it was in, or None when the order was not waiting."""
    async with db.transaction() as tx:
        found = await tx.fetchval(
            f"UPDATE orders SET next_attempt_at = $2, updated_at = $2 WHERE id = $1 AND status = $3"
            f" AND NOT cancel_requested AND ((dispatch = '{QUEUED}' AND status = '{PENDING}')"
            f" OR (dispatch = '{SCHEDULED}' AND {RUNNING_PARENT_SQL} AND runs_done < runs)) RETURNING dispatch",
            order_id, now, expected,
        )  # fmt: skip
        if found is None:
            return None
        detail = "send now, decided by the operator" if found == QUEUED else "next run now, decided by the operator"
        await timeline.add(tx, order_id, "edit", detail=detail, staff_id=None if actor is None else actor.staff_id,
                           at=now)
        if actor is not None:
            await activity.record(tx, staff_id=actor.staff_id, action=actor.action, object_type="order",
                                  object_id=order_id, before={"status": expected, "dispatch": found},
                                  after={"next_attempt_at": now}, address=actor.address)
    return str(found)


# Drip-feed runs (fulfilment/dripfeed.py) -----------------------------------------------------------------

_CHILD = (
    "INSERT INTO orders (customer_id, service_id, parent_id, link, quantity, fields, charge, remains, provider_id,"
    f" dispatch, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $5, $7, '{QUEUED}', $8, $8) RETURNING id"
)


async def start_run(db: Database, parent: Any, *, next_run_at: int, now: int) -> int | None:
    """Count run k+1 of a scheduled parent (Pending → In progress on the first) and create its child order,
    queued, in one transaction; None when another worker or a cancel got there first. Money stays on the
    parent: the child is charged 0."""
    runs_done = int(parent["runs_done"])
    changed: int
    async with db.transaction() as tx:
        changed = await tx.execute(
            f"UPDATE orders SET runs_done = runs_done + 1, next_attempt_at = $3, updated_at = $4,"
            f" status = CASE WHEN status = '{PENDING}' THEN '{IN_PROGRESS}' ELSE status END"
            f" WHERE id = $1 AND runs_done = $2 AND dispatch = '{SCHEDULED}' AND NOT cancel_requested"
            f" AND {RUNNING_PARENT_SQL}",
            parent["id"], runs_done, next_run_at, now,
        )  # fmt: skip
        if changed != 1:
            return None
        per_run = int(parent["quantity"]) // int(parent["runs"])
        return int(
            await tx.fetchval(
                _CHILD, parent["customer_id"], parent["service_id"], parent["id"], parent["link"], per_run,
                parent["fields"], parent["provider_id"], now,
            )  # fmt: skip
        )


# Refill moves (orders/refills.py, fulfilment/forwarding.py, the operator) ---------------------------------


async def move_refill(db: Database, refill_id: int, status: str, *, expected: str | None = None) -> bool:
    """An active refill → `status` (Completed and Rejected are final); a CAS on `expected` when given."""
    if status not in REFILL_STATUSES:
        raise TransitionError(f"unknown refill status {status!r}; one of: {', '.join(REFILL_STATUSES)}")
    if expected is not None:
        _draws(REFILL_MOVES, expected, status)
        sql = "UPDATE refills SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4"
        return await db.execute(sql, status, int(time.time()), refill_id, expected) == 1
    sources = tuple(old for old, targets in REFILL_MOVES.items() if status in targets)
    sql = f"UPDATE refills SET status = $1, updated_at = $2 WHERE id = $3 AND {sql_in('status', sources)}"
    return await db.execute(sql, status, int(time.time()), refill_id) == 1


async def claim_refills(db: Database, now: int, limit: int, provider_id: int) -> list[Any]:
    """forward queued → sending for up to `limit` refills of one provider's orders, in one statement."""
    return await db.fetch(
        f"UPDATE refills SET forward = '{FORWARD_SENDING}', next_check_at = $1 WHERE id IN (SELECT r.id FROM"
        f" refills r JOIN orders o ON o.id = r.order_id WHERE r.forward = '{FORWARD_QUEUED}' AND o.provider_id = $3"
        f" ORDER BY r.id LIMIT $2{skip_locked(db, 'r')})"
        " RETURNING id, order_id",
        now, limit, provider_id,
    )  # fmt: skip


async def claim_forwarded_refills(db: Database, now: int, limit: int, every: int, provider_id: int) -> list[Any]:
    """Not a move: push the next check of up to `limit` forwarded, unfinished refills of one provider."""
    return await db.fetch(
        "UPDATE refills SET next_check_at = $1 + $3 WHERE id IN (SELECT r.id FROM refills r JOIN orders o"
        f" ON o.id = r.order_id WHERE r.forward = '{FORWARD_SENT}' AND r.{REFILL_ACTIVE_SQL} AND o.provider_id = $4"
        f" AND r.next_check_at <= $1 ORDER BY r.id LIMIT $2{skip_locked(db, 'r')}) RETURNING id, upstream_id, status",
        now, limit, every, provider_id,
    )  # fmt: skip


async def forward_refill(db: Database, refill_id: int, old: str, new: str, *, now: int, **values: Any) -> bool:
    """A refill's forwarding state old → new (with `values` for upstream_id, next_check_at, last_error)."""
    _draws(FORWARD_MOVES, old, new)
    if "last_error" in values:
        values["last_error"] = _clip(values["last_error"])
    sets = "".join(f", {name} = ${i + 5}" for i, name in enumerate(values))
    sql = f"UPDATE refills SET forward = $2, updated_at = $3{sets} WHERE id = $1 AND forward = $4"
    return await db.execute(sql, refill_id, new, now, old, *values.values()) == 1


async def hold_orphaned_refills(db: Database, reason: str, *, claimed_before: int) -> int:
    """forward sending → held for refills whose forwarding worker stopped mid-call: outcome unknown."""
    return await db.execute(
        f"UPDATE refills SET forward = '{FORWARD_HELD}', last_error = $1 WHERE forward = '{FORWARD_SENDING}'"
        " AND next_check_at < $2",
        _clip(reason), claimed_before,
    )  # fmt: skip
