"""Read queries over orders and refills, for the operator's CLI today and the website and console next.

Every listing is a keyset page (db/pages.py): newest first by `before_id` for orders (the index that ends in
`id` for each filter: the primary key, ix_orders_customer_id_id, ix_orders_status_id), oldest first by
`after_id` for work queues (held orders, refills: ix_refills_status_id). Nothing here writes.
"""

from __future__ import annotations

from smmpanel.db.connect import Database, Row
from smmpanel.db.pages import Page, cut, page_limit
from smmpanel.orders import lifecycle
from smmpanel.orders.status import SUBSCRIPTIONS

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


# --- one customer's own view (the website) ---------------------------------------------------------------
# Every query below is scoped by customer_id in its WHERE clause: a customer never reads another's rows.

_MINE = (
    "SELECT o.id, o.created_at, o.link, o.charge, o.refunded, o.start_count, o.quantity, o.service_id,"
    " s.name AS service, o.status, o.remains, o.cancel_requested, o.completed_at, s.refill_days, s.cancel,"
    " (SELECT MAX(r.created_at) FROM refills r WHERE r.order_id = o.id) AS last_refill, o.parent_id, o.runs,"
    " o.runs_done, o.interval, s.type, o.fields"
    " FROM orders o JOIN services s ON s.id = o.service_id"
)


def _search_clause(dialect: str, position: int) -> str:
    """A case-sensitive substring test of the link (links are case-sensitive), the same on both databases.
    It reads every link of the customer, so it reads them from the index that holds them
    (ix_orders_customer_id_service_id_link) rather than from the table rows: SQLite scans that index
    (INDEXED BY, below); PostgreSQL finds the matching (service, link) pairs with an index-only scan of it
    and then only those orders. The customer's orders are spread over the whole table, so reading the rows
    themselves costs a scan of every page of it (≈ 0.5 s at 1,000,000 orders)."""
    if dialect == "sqlite":
        return f"instr(o.link, ${position}) > 0"
    return "(o.service_id, o.link) IN (SELECT service_id, link FROM found)"


def _found(position: int) -> str:
    """PostgreSQL: the matching (service, link) pairs, materialized so the planner looks the orders up by
    them instead of walking the customer's rows newest first and probing each."""
    return (f"WITH found AS MATERIALIZED (SELECT m.service_id, m.link FROM orders m"
            f" WHERE m.customer_id = $1 AND strpos(m.link, ${position}) > 0) ")


async def customer_orders(
    db: Database,
    customer_id: int,
    *,
    status: str | None = None,
    search: str = "",
    before_id: int | None = None,
    limit: int = 50,
) -> Page:
    """The customer's orders newest first (`_MINE` columns): one status tab, and a search that is an order id
    (digits) or a piece of the link; the page after `before_id`. Served by ix_orders_customer_id_status_id
    (a tab) and ix_orders_customer_id_id (all)."""
    limit = page_limit(limit)
    args: list[object] = [customer_id]
    where = ["o.customer_id = $1"]
    if status is not None:
        args.append(status)
        where.append(f"o.status = ${len(args)}")
    search = search.strip()
    by_link: int | None = None  # the position of the link piece among the arguments
    if search:
        number = search.removeprefix("#")
        if number.isdigit() and len(number) <= 10:
            args.append(int(number))
            where.append(f"o.id = ${len(args)}")
        else:
            args.append(search)
            by_link = len(args)
            where.append(_search_clause(db.dialect, len(args)))
    if before_id is not None:
        args.append(before_id)
        where.append(f"o.id < ${len(args)}")
    args.append(limit + 1)
    source = _MINE
    if by_link is not None and db.dialect == "sqlite":
        # see _search_clause: the covering index holds (customer_id, service_id, link, rowid)
        source = _MINE.replace("FROM orders o", "FROM orders o INDEXED BY ix_orders_customer_id_service_id_link")
    elif by_link is not None:
        source = _found(by_link) + _MINE
    sql = source + " WHERE " + " AND ".join(where) + f" ORDER BY o.id DESC LIMIT ${len(args)}"
    return cut(await db.fetch(sql, *args), limit)


async def customer_refills(db: Database, customer_id: int, *, before_id: int | None = None, limit: int = 50) -> Page:
    """The customer's refill requests newest first, with the order's link and service."""
    limit = page_limit(limit)
    rows = await db.fetch(
        "SELECT r.id, r.order_id, r.status, r.created_at, r.updated_at, o.link, s.name AS service FROM refills r"
        " JOIN orders o ON o.id = r.order_id JOIN services s ON s.id = o.service_id"
        " WHERE r.customer_id = $1 AND r.id < $2 ORDER BY r.id DESC LIMIT $3",
        customer_id,
        before_id if before_id is not None else 2**31 - 1,
        limit + 1,
    )
    return cut(rows, limit)


async def customer_parents(
    db: Database, customer_id: int, *, subscriptions: bool, before_id: int | None = None, limit: int = 20
) -> Page:
    """The customer's drip-feed parents (orders with runs) or subscriptions, newest first (`_MINE` columns)."""
    limit = page_limit(limit)
    kind = "s.type = 'Subscriptions'" if subscriptions else "o.runs IS NOT NULL AND o.parent_id IS NULL"
    rows = await db.fetch(
        _MINE + f" WHERE o.customer_id = $1 AND {kind} AND o.id < $2 ORDER BY o.id DESC LIMIT $3",
        customer_id,
        before_id if before_id is not None else 2**31 - 1,
        limit + 1,
    )
    return cut(rows, limit)


async def customer_children(db: Database, customer_id: int, parent_ids: list[int]) -> dict[int, list[Row]]:
    """The child orders (runs, posts) of the customer's parents, oldest first, by parent id."""
    found: dict[int, list[Row]] = {parent: [] for parent in parent_ids}
    for parent in parent_ids:
        found[parent] = list(await db.fetch(
            _MINE + " WHERE o.parent_id = $1 AND o.customer_id = $2 ORDER BY o.id", parent, customer_id))
    return found


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

    if created_from is not None or created_until is not None:
        # a date range becomes an id range too (ids grow with created_at, give or take the seconds a transaction
        # takes: SLACK covers it), so the newest-first walk stays on the primary key
        low = None if created_from is None else await _first_id_from(db, created_from - _SLACK)
        high = None if created_until is None else await _first_id_from(db, created_until + _SLACK)
        if created_from is not None and low is None:
            return Page([], None)
        for bound, limit_id in (("o.id >= ?", low), ("o.id < ?", high)):
            if limit_id is not None:
                add(bound, limit_id)
    for condition, value in (("o.status = ?", status), ("o.service_id = ?", service_id),
                             ("o.provider_id = ?", provider_id), ("o.customer_id = ?", customer_id),
                             ("o.created_at >= ?", created_from), ("o.created_at < ?", created_until),
                             ("o.id < ?", before_id)):
        if value is not None:
            add(condition, value)
    text = (search or "").strip()
    if text.isdigit() and len(text) <= 18:
        # an order id or an upstream order id: two index lookups first (an OR would walk the whole table)
        number = int(text)
        found = await _by_upstream_id(db, number)
        if number < 2**31:
            found.add(number)
        if not found:
            return Page([], None)
        where.append(f"o.id IN ({', '.join(str(i) for i in sorted(found))})")
    elif text:
        add("o.link = ?", text)
    args.append(limit + 1)
    sql = _CONSOLE_COLUMNS + (" WHERE " + " AND ".join(where) if where else "")
    return cut(await db.fetch(sql + f" ORDER BY o.id DESC LIMIT ${len(args)}", *args), limit)


_SLACK = 300


async def _by_upstream_id(db: Database, upstream_id: int) -> set[int]:
    """Our orders recorded as `upstream_id` at any provider: one lookup per provider in the unique
    (provider_id, upstream_id) index — no index of its own for `add` to write."""
    providers = [int(r[0]) for r in await db.fetch("SELECT id FROM providers")]
    if not providers:
        return set()
    rows = await db.fetch(
        f"SELECT id FROM orders WHERE provider_id IN ({', '.join(map(str, providers))}) AND upstream_id = $1",
        upstream_id,
    )
    return {int(r[0]) for r in rows}


_AT_ID = "SELECT id, created_at FROM orders WHERE id >= $1 ORDER BY id LIMIT 1"


async def _first_id_from(db: Database, since: int) -> int | None:
    """The id of an order among the first created at or after `since`, None: none. A binary search on the
    primary key (≈ 20 point reads), since ids grow with created_at — no created_at index for `add` to write."""
    # two subqueries: SQLite answers a lone MIN() or MAX() from the index, but scans the table for both at once
    bounds = await db.fetchrow("SELECT (SELECT MIN(id) FROM orders), (SELECT MAX(id) FROM orders)")
    if bounds is None or bounds[1] is None:
        return None
    low, high = int(bounds[0]), int(bounds[1])
    if int((await db.fetchrow(_AT_ID, high) or (0, 0))[1]) < since:
        return None
    while low < high:  # invariant: the answer is in [low, high]
        row = await db.fetchrow(_AT_ID, (low + high) // 2)
        assert row is not None  # an id at or below MAX(id) exists
        if int(row[1]) >= since:
            high = int(row[0])
        else:
            low = int(row[0]) + 1
    return low


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


# --- the console's Subscriptions and Drip-feed queues (issue 9) -------------------------------------------

_QUEUE_COLUMNS = _CONSOLE_COLUMNS.replace(
    "o.last_error", "o.last_error, o.fields, o.runs, o.interval, o.runs_done, o.cancel_requested, o.next_attempt_at")


def _tab(active: bool) -> str:
    return lifecycle.sql_in("o.status", lifecycle.ACTIVE if active else lifecycle.FINAL)


async def console_subscriptions(db: Database, *, active: bool, before_id: int | None = None, limit: int = 50) -> Page:
    """Subscription orders newest first, active or finished. Walks ix_orders_service_id_id of the (few)
    Subscriptions services rather than every order."""
    limit = page_limit(limit)
    services = [int(r[0]) for r in await db.fetch("SELECT id FROM services WHERE type = $1", SUBSCRIPTIONS)]
    if not services:
        return Page([], None)
    sql = (_QUEUE_COLUMNS + f" WHERE o.service_id IN ({', '.join(str(s) for s in services)}) AND {_tab(active)}"
           " AND o.id < $1 ORDER BY o.id DESC LIMIT $2")
    return cut(await db.fetch(sql, before_id if before_id is not None else 2**31 - 1, limit + 1), limit)


async def console_dripfeeds(db: Database, *, active: bool, before_id: int | None = None, limit: int = 50) -> Page:
    """Drip-feed parents newest first, active or finished: only a parent has `runs` (its runs are inserted
    without), and the partial index ix_orders_dripfeed_id holds only them, so a page never walks the other
    orders (a `parent_id IS NULL` test here would make SQLite walk ix_orders_parent_id's every parent)."""
    limit = page_limit(limit)
    source = _QUEUE_COLUMNS
    if db.dialect == "sqlite":  # without statistics SQLite would rather walk the status index
        source = source.replace("FROM orders o", "FROM orders o INDEXED BY ix_orders_dripfeed_id")
    sql = source + f" WHERE o.runs IS NOT NULL AND {_tab(active)} AND o.id < $1 ORDER BY o.id DESC LIMIT $2"
    return cut(await db.fetch(sql, before_id if before_id is not None else 2**31 - 1, limit + 1), limit)


async def children_of(db: Database, parent_ids: list[int]) -> dict[int, list[Row]]:
    """The child orders (drip-feed runs) of these parents, oldest first, by parent id (ix_orders_parent_id)."""
    found: dict[int, list[Row]] = {parent: [] for parent in parent_ids}
    if parent_ids:
        rows = await db.fetch(
            "SELECT id, parent_id, quantity, remains, status FROM orders"
            f" WHERE parent_id IN ({', '.join(str(int(p)) for p in parent_ids)}) ORDER BY id")
        for row in rows:
            found[int(row["parent_id"])].append(row)
    return found
