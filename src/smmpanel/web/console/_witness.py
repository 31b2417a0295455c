"""The console's witness (db/witness.py): the activity row a domain function writes inside its own
transaction, so a staff action and its record commit together or not at all."""

from __future__ import annotations

from smmpanel.db.connect import Database
from smmpanel.db.witness import State, Witness
from smmpanel.staff import activity
from smmpanel.web.console._views import StaffContext


def witness(
    ctx: StaffContext, action: str, object_type: str, object_id: int | str | None, *, id_key: str | None = None
) -> Witness:
    """`id_key`: the object's id is not known yet (a create): take it from `after[id_key]`."""

    async def record(tx: Database, before: State, after: State) -> None:
        oid = after.get(id_key) if id_key is not None and after is not None else object_id
        await activity.record(tx, staff_id=ctx.member.id, action=action, object_type=object_type,
                              object_id=oid, before=before, after=after, address=ctx.address)

    return record
