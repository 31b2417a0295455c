"""The console's witness (db/witness.py): the activity row a domain function writes inside its own
transaction, so a staff action and its record commit together or not at all."""

from __future__ import annotations

from smmpanel.db.connect import Database
from smmpanel.db.witness import State, Witness
from smmpanel.staff import activity
from smmpanel.web.console._views import StaffContext


def witness(ctx: StaffContext, action: str, object_type: str, object_id: int | str | None) -> Witness:
    async def record(tx: Database, before: State, after: State) -> None:
        await activity.record(tx, staff_id=ctx.member.id, action=action, object_type=object_type,
                              object_id=object_id, before=before, after=after, address=ctx.address)

    return record
