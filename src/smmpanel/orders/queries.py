"""Read queries over orders and refills, for the operator's CLI today and the website and console next.

Every listing is a keyset page (db/pages.py): newest first by `before_id` for orders (the index that ends in
`id` for each filter: the primary key, ix_orders_customer_id_id, ix_orders_status_id), oldest first by
`after_id` for work queues (held orders, refills: ix_refills_status_id). Nothing here writes.
"""

from __future__ import annotations

from smmpanel.db.connect import Database, Row
from smmpanel.db.pages import Page, cut, page_limit
from smmpanel.orders import lifecycle

_ORDER_COLUMNS = (
    "SELECT o.id, c.name AS customer, o.customer_id, o.service_id, o.link, o.quantity, o.charge, o.refunded,"
    " o.status, o.start_count, o.remains, o.cancel_requested, o.created_at, p.name AS provider, o.upstream_id,"
    " o.dispatch, o.attempts, o.last_error, o.updated_at"
    " FROM orders o JOIN customers c ON c.id = o.customer_id LEFT JOIN providers p ON p.id = o.provider_id"
)


async def list_orders(
    db: Database,
    *,
    customer_id: int | None = None,
    status: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> Page:
    """Orders newest first, optionally one customer's and/or in one status; the page after `before_id`."""
    limit = page_limit(limit)
    where: list[str] = []
    args: list[object] = []
    if customer_id is not None:
        args.append(customer_id)
        where.append(f"o.customer_id = ${len(args)}")
    if status is not None:
        args.append(status)
        where.append(f"o.status = ${len(args)}")
    if before_id is not None:
        args.append(before_id)
        where.append(f"o.id < ${len(args)}")
    args.append(limit + 1)
    sql = _ORDER_COLUMNS + (" WHERE " + " AND ".join(where) if where else "")
    sql += f" ORDER BY o.id DESC LIMIT ${len(args)}"
    return cut(await db.fetch(sql, *args), limit)


async def held_orders(db: Database, *, after_id: int | None = None, limit: int = 500) -> Page:
    """Orders waiting for the operator (dispatch `held`), oldest first."""
    limit = page_limit(limit)
    return cut(
        await db.fetch(
            _ORDER_COLUMNS + f" WHERE o.dispatch = '{lifecycle.HELD}' AND o.id > $1 ORDER BY o.id LIMIT $2",
            after_id or 0,
            limit + 1,
        ),
        limit,
    )


async def count_orders(db: Database) -> int:
    return int(await db.fetchval("SELECT COUNT(*) FROM orders"))


async def list_refills(
    db: Database, *, status: str | None = None, after_id: int | None = None, limit: int = 100
) -> Page:
    """Refill requests oldest first, optionally in one status, with the customer's name."""
    limit = page_limit(limit)
    sql = (
        "SELECT r.id, r.order_id, r.customer_id, c.name, r.status, r.created_at, r.updated_at FROM refills r"
        " JOIN customers c ON c.id = r.customer_id WHERE r.id > $1"
    )
    args: list[object] = [after_id or 0]
    if status is not None:
        args.append(status)
        sql += " AND r.status = $2"
    args.append(limit + 1)
    rows: list[Row] = await db.fetch(sql + f" ORDER BY r.id LIMIT ${len(args)}", *args)
    return cut(rows, limit)


# --- the operator console's order list (issue 9): filters and search over every order ---------------------

_CONSOLE_COLUMNS = (
    "SELECT o.id, c.name AS customer, o.customer_id, o.service_id, s.name AS service, o.link, o.quantity,"
    " o.charge, o.refunded, o.cost, o.status, o.start_count, o.remains, o.created_at, p.name AS provider,"
    " o.provider_id, o.upstream_id, o.dispatch, o.last_error"
    " FROM orders o JOIN customers c ON c.id = o.customer_id JOIN services s ON s.id = o.service_id"
    " LEFT JOIN providers p ON p.id = o.provider_id"
)


async def console_orders(
    db: Database,
    *,
    status: str | None = None,
    service_id: int | None = None,
    provider_id: int | None = None,
    customer_id: int | None = None,
    created_from: int | None = None,
    created_until: int | None = None,
    search: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> Page:
    """Every customer's orders newest first, filtered (each filter has an index ending in id: status, service,
    provider, customer; created_at for a date range) and searched: a number is an order id or an upstream
    order id, any other text a link (exact). The page after `before_id`."""
    limit = page_limit(limit)
    where: list[str] = []
    args: list[object] = []

    def add(condition: str, value: object) -> None:
        args.append(value)
        where.append(condition.replace("?", f"${len(args)}"))

    for condition, value in (("o.status = ?", status), ("o.service_id = ?", service_id),
                             ("o.provider_id = ?", provider_id), ("o.customer_id = ?", customer_id),
                             ("o.created_at >= ?", created_from), ("o.created_at < ?", created_until),
                             ("o.id < ?", before_id)):
        if value is not None:
            add(condition, value)
    text = (search or "").strip()
    if text.isdigit() and len(text) <= 18:
        add("(o.id = ? OR o.upstream_id = ?)".replace("?", "$" + str(len(args) + 1)), int(text))
    elif text:
        add("o.link = ?", text)
    args.append(limit + 1)
    sql = _CONSOLE_COLUMNS + (" WHERE " + " AND ".join(where) if where else "")
    return cut(await db.fetch(sql + f" ORDER BY o.id DESC LIMIT ${len(args)}", *args), limit)


async def console_order(db: Database, order_id: int) -> Row | None:
    """One order with everything the console's detail page shows."""
    return await db.fetchrow(
        _CONSOLE_COLUMNS.replace("o.last_error", "o.last_error, o.fields, o.runs, o.interval, o.runs_done,"
                                 " o.cancel_requested, o.attempts, o.updated_at, o.completed_at, o.parent_id")
        + " WHERE o.id = $1",
        order_id,
    )


async def console_held(db: Database, *, after_id: int | None = None, limit: int = 100) -> Page:
    """Held orders oldest first (the partial index ix_orders_held_id), with what the console shows."""
    limit = page_limit(limit)
    return cut(await db.fetch(
        _CONSOLE_COLUMNS + f" WHERE o.dispatch = '{lifecycle.HELD}' AND o.id > $1 ORDER BY o.id LIMIT $2",
        after_id or 0, limit + 1), limit)
