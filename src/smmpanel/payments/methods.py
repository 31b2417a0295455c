"""Payment methods the operator configures by hand (bank transfer, …): a name, the instructions the customer
reads before paying, and a minimum amount (units)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from smmpanel.db.connect import Database


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


async def add(db: Database, name: str, instructions: str, min_amount: int = 0) -> int:
    name = name.strip()
    if not name or len(name) > 64:
        raise MethodError("a method name is 1 to 64 characters")
    if min_amount < 0:
        raise MethodError("the minimum must not be negative")
    if await db.fetchval("SELECT 1 FROM payment_methods WHERE name = $1", name):
        raise MethodError(f"payment method {name!r} exists")
    return int(
        await db.fetchval(
            "INSERT INTO payment_methods (name, instructions, min_amount, created_at) VALUES ($1, $2, $3, $4)"
            " RETURNING id",
            name,
            instructions,
            min_amount,
            int(time.time()),
        )
    )


async def enabled(db: Database) -> list[Method]:
    return [_method(r) for r in await db.fetch(_COLUMNS + " WHERE enabled ORDER BY id")]


async def list_all(db: Database) -> list[Method]:
    return [_method(r) for r in await db.fetch(_COLUMNS + " ORDER BY id")]


async def get(db: Database, method_id: int) -> Method | None:
    row = await db.fetchrow(_COLUMNS + " WHERE id = $1", method_id)
    return None if row is None else _method(row)
