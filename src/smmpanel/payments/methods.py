"""Payment methods the operator configures by hand (bank transfer, …): a name, the instructions the customer
reads before paying, and a minimum amount (units)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from smmpanel.db.connect import Database
from smmpanel.db.witness import Witness, tell


class MethodError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Method:
    id: int
    name: str
    instructions: str
    min_amount: int
    enabled: bool


_COLUMNS = "SELECT id, name, instructions, min_amount, enabled FROM payment_methods"


def _method(row: object) -> Method:
    r = row  # sqlite3.Row or asyncpg.Record
    return Method(int(r[0]), r[1], r[2], int(r[3]), bool(r[4]))  # type: ignore[index]


def _checked(name: str, min_amount: int) -> str:
    name = name.strip()
    if not name or len(name) > 64:
        raise MethodError("a method name is 1 to 64 characters")
    if min_amount < 0:
        raise MethodError("the minimum must not be negative")
    return name


async def add(
    db: Database, name: str, instructions: str, min_amount: int = 0, *, witness: Witness | None = None
) -> int:
    name = _checked(name, min_amount)
    if await db.fetchval("SELECT 1 FROM payment_methods WHERE name = $1", name):
        raise MethodError(f"payment method {name!r} exists")
    async with db.transaction() as tx:
        method_id = int(
            await tx.fetchval(
                "INSERT INTO payment_methods (name, instructions, min_amount, created_at) VALUES ($1, $2, $3, $4)"
                " RETURNING id",
                name,
                instructions,
                min_amount,
                int(time.time()),
            )
        )
        await tell(witness, tx, None, {"id": method_id, "name": name, "min_amount": min_amount})
    return method_id


async def edit(
    db: Database,
    method_id: int,
    *,
    name: str,
    instructions: str,
    min_amount: int,
    enabled: bool,
    witness: Witness | None = None,
) -> None:
    """Change every field of a method (a disabled method is no longer offered; its requests stay)."""
    name = _checked(name, min_amount)
    async with db.transaction() as tx:
        old = await tx.fetchrow(_COLUMNS + " WHERE id = $1", method_id)
        if old is None:
            raise MethodError(f"no payment method {method_id}")
        if await tx.fetchval("SELECT 1 FROM payment_methods WHERE name = $1 AND id <> $2", name, method_id):
            raise MethodError(f"payment method {name!r} exists")
        await tx.execute(
            "UPDATE payment_methods SET name = $2, instructions = $3, min_amount = $4, enabled = $5 WHERE id = $1",
            method_id,
            name,
            instructions,
            min_amount,
            enabled,
        )
        before = _method(old)
        await tell(
            witness,
            tx,
            {"name": before.name, "min_amount": before.min_amount, "enabled": before.enabled},
            {"name": name, "min_amount": min_amount, "enabled": enabled},
        )


async def enabled(db: Database) -> list[Method]:
    return [_method(r) for r in await db.fetch(_COLUMNS + " WHERE enabled ORDER BY id")]


async def list_all(db: Database) -> list[Method]:
    return [_method(r) for r in await db.fetch(_COLUMNS + " ORDER BY id")]


async def get(db: Database, method_id: int) -> Method | None:
    row = await db.fetchrow(_COLUMNS + " WHERE id = $1", method_id)
    return None if row is None else _method(row)
