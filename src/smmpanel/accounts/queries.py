"""Read queries over customers, their keys and their ledger, for the API (`balance`), the operator's CLI
and, next, the website and the console. Listings are keyset pages (db/pages.py): customers in id order by
`after_id`, ledger entries newest first by `before_id` (ix_ledger_customer_id_id). Nothing here writes.
"""

from __future__ import annotations

from smmpanel.db.connect import Database, Row
from smmpanel.db.pages import Page, cut, page_limit


async def balance(db: Database, customer_id: int) -> int:
    """The customer's balance in units (the API's `balance`: one primary-key read)."""
    return int(await db.fetchval("SELECT balance FROM customers WHERE id = $1", customer_id))


async def list_customers(db: Database, *, after_id: int | None = None, limit: int = 100) -> Page:
    """Customers in id order, each with its order count and live-key count."""
    limit = page_limit(limit)
    rows = await db.fetch(
        "SELECT c.id, c.name, c.status, c.balance, c.currency, c.created_at,"
        " (SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id) AS orders,"
        " (SELECT COUNT(*) FROM api_keys k WHERE k.customer_id = c.id AND k.revoked_at IS NULL) AS keys"
        " FROM customers c WHERE c.id > $1 ORDER BY c.id LIMIT $2",
        after_id or 0,
        limit + 1,
    )
    return cut(rows, limit)


async def customer_id(db: Database, name: str) -> int | None:
    value = await db.fetchval("SELECT id FROM customers WHERE name = $1", name.strip())
    return None if value is None else int(value)


async def count_customers(db: Database) -> int:
    return int(await db.fetchval("SELECT COUNT(*) FROM customers"))


async def keys_of(db: Database, customer_id: int) -> list[Row]:
    """Every key of the customer (prefix, created_at, revoked_at), oldest first: a handful per customer."""
    return await db.fetch(
        "SELECT id, prefix, created_at, revoked_at FROM api_keys WHERE customer_id = $1 ORDER BY id", customer_id
    )


async def ledger_entries(db: Database, customer_id: int, *, before_id: int | None = None, limit: int = 20) -> Page:
    """The customer's ledger rows, newest first."""
    limit = page_limit(limit)
    sql = "SELECT id, kind, amount, order_id, note, created_at FROM ledger WHERE customer_id = $1"
    args: list[object] = [customer_id]
    if before_id is not None:
        args.append(before_id)
        sql += " AND id < $2"
    args.append(limit + 1)
    return cut(await db.fetch(sql + f" ORDER BY id DESC LIMIT ${len(args)}", *args), limit)


async def live_key_prefixes(db: Database, customer_id: int) -> list[str]:
    """The first characters of the customer's live keys (the API page shows no more)."""
    rows = await db.fetch(
        "SELECT prefix FROM api_keys WHERE customer_id = $1 AND revoked_at IS NULL ORDER BY id", customer_id
    )
    return [str(r[0]) for r in rows]


_SPENT = (
    "(SELECT COALESCE(-SUM(l.amount), 0) FROM ledger l WHERE l.customer_id = c.id"
    " AND l.kind IN ('charge', 'refund'))"
)
_LAST_SIGN_IN = (
    "(SELECT MAX(s.created_at) FROM web_sessions s WHERE s.kind = 'customer' AND s.subject_id = c.id)"
)


async def console_customers(
    db: Database, *, after_id: int | None = None, name_prefix: str = "", limit: int = 50
) -> Page:
    """The console's customer list in id order: balance, spent (order charges net of refunds), last web
    sign-in and status; each row's extras are index lookups on its own ledger and sessions."""
    limit = page_limit(limit)
    rows = await db.fetch(
        f"SELECT c.id, c.name, c.status, c.balance, c.currency, c.created_at, {_SPENT} AS spent,"
        f" {_LAST_SIGN_IN} AS last_sign_in FROM customers c"
        " WHERE c.id > $1 AND SUBSTR(c.name, 1, $2) = $3 ORDER BY c.id LIMIT $4",
        after_id or 0,
        len(name_prefix),
        name_prefix,
        limit + 1,
    )
    return cut(rows, limit)


async def console_customer(db: Database, customer_id: int) -> Row | None:
    """One customer with the same columns as `console_customers`."""
    return await db.fetchrow(
        f"SELECT c.id, c.name, c.status, c.balance, c.currency, c.created_at, {_SPENT} AS spent,"
        f" {_LAST_SIGN_IN} AS last_sign_in FROM customers c WHERE c.id = $1",
        customer_id,
    )


async def custom_rates_of(db: Database, customer_id: int) -> list[Row]:
    """The customer's own rates (service id, name, list rate, own rate)."""
    return await db.fetch(
        "SELECT s.id, s.name, s.rate, r.rate FROM custom_rates r JOIN services s ON s.id = r.service_id"
        " WHERE r.customer_id = $1 ORDER BY s.id",
        customer_id,
    )
