"""A witness: work a caller asks a domain function to do inside that function's own transaction.

The console must write its activity row (staff/activity.py) in the same transaction as the change it
records, yet the domain must not know the console. So a domain function that changes something an operator
may change takes `witness=None` and, when given, awaits `witness(tx, before, after)` inside its transaction,
after the change and only when the change happened (a refused or lost compare-and-set calls nothing). An
exception from the witness rolls the change back: the change and its record commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from smmpanel.db.connect import Database

State = Mapping[str, Any] | None
Witness = Callable[[Database, State, State], Awaitable[None]]


async def tell(witness: Witness | None, tx: Database, before: State, after: State) -> None:
    if witness is not None:
        await witness(tx, before, after)
