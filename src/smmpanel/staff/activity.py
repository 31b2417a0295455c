"""The staff activity log: who did what to which object, before → after, when, from which address.

Invariant: a row is written by `record` INSIDE the transaction that makes the change (so a change without
its row, or a row without its change, cannot be committed), and rows are never updated or deleted.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from smmpanel.db.connect import Database
from smmpanel.db.pages import Page, cut, page_limit

_COLUMNS = (
    "SELECT a.id, a.staff_id, s.name AS staff, a.action, a.object_type, a.object_id, a.before, a.after,"
    " a.address, a.created_at FROM staff_activity a JOIN staff s ON s.id = a.staff_id"
)


def _json(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else orjson.dumps(dict(value), default=str).decode()


async def record(
    tx: Database,
    *,
    staff_id: int,
    action: str,
    object_type: str,
    object_id: int | str | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    address: str | None,
) -> None:
    """Append one row, in the caller's transaction `tx`."""
    await tx.execute(
        "INSERT INTO staff_activity (staff_id, action, object_type, object_id, before, after, address, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        staff_id, action[:64], object_type[:32], None if object_id is None else str(object_id)[:64],
        _json(before), _json(after), None if address is None else address[:64], int(time.time()),
    )


async def list_activity(
    db: Database,
    *,
    staff_id: int | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: int | str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> Page:
    """Activity newest first, filtered; the page after `before_id`."""
    limit = page_limit(limit)
    where: list[str] = []
    args: list[object] = []
    filters = (("a.staff_id =", staff_id), ("a.action =", action), ("a.object_type =", object_type),
               ("a.object_id =", None if object_id is None else str(object_id)), ("a.id <", before_id))
    for condition, value in filters:
        if value is not None:
            args.append(value)
            where.append(f"{condition} ${len(args)}")
    args.append(limit + 1)
    sql = _COLUMNS + (" WHERE " + " AND ".join(where) if where else "") + f" ORDER BY a.id DESC LIMIT ${len(args)}"
    return cut(await db.fetch(sql, *args), limit)


def decoded(value: str | None) -> dict[str, Any] | None:
    """A stored before/after back as a mapping."""
    if value is None:
        return None
    loaded = orjson.loads(value)
    return loaded if isinstance(loaded, dict) else {"value": loaded}


@dataclass(frozen=True, slots=True)
class Actor:
    """A staff member acting through a domain function that records the activity row itself, in its own
    transaction (e.g. orders.lifecycle.move): who, from where, and the action's name."""

    staff_id: int
    address: str | None
    action: str
