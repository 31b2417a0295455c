"""The read queries (orders/queries.py, accounts/queries.py) page by keyset: each page is the next `limit`
rows after the cursor, in a fixed order, and the last page says so (next is None)."""

from __future__ import annotations

from smmpanel.accounts import queries as accounts
from smmpanel.db.connect import Database
from smmpanel.db.pages import Page
from smmpanel.orders import queries as orders
from tests.conftest import Panel


def _ids(page: Page) -> list[int]:
    return [int(r["id"]) for r in page.rows]


def _place(panel: Panel, key: str, service: int, count: int) -> list[int]:
    return [
        panel.api(key=key, action="add", service=service, link=f"https://ig.example/{n}", quantity=100)["order"]
        for n in range(count)
    ]


def test_orders_page_newest_first_with_filters(panel: Panel) -> None:
    alice, bob = panel.customer("10", name="alice"), panel.customer("10", name="bob")
    service = panel.service(rate="1")
    a = _place(panel, alice, service, 3)
    b = _place(panel, bob, service, 2)
    panel.execute("UPDATE orders SET status = 'Completed', remains = 0 WHERE id = $1", a[1])

    async def pages(db: Database) -> list[tuple[list[int], int | None]]:
        seen = []
        first = await orders.list_orders(db, limit=2)
        second = await orders.list_orders(db, before_id=first.next, limit=2)
        third = await orders.list_orders(db, before_id=second.next, limit=2)
        for page in (first, second, third):
            seen.append((_ids(page), page.next))
        alice_id = await accounts.customer_id(db, "alice")
        mine = await orders.list_orders(db, customer_id=alice_id, limit=10)
        seen.append((_ids(mine), mine.next))
        done = await orders.list_orders(db, status="Completed")
        seen.append((_ids(done), done.next))
        pending = await orders.list_orders(db, customer_id=alice_id, status="Completed", before_id=a[1])
        seen.append((_ids(pending), pending.next))
        return seen

    assert panel.run(pages) == [
        ([b[1], b[0]], b[0]),
        ([a[2], a[1]], a[1]),
        ([a[0]], None),
        ([a[2], a[1], a[0]], None),
        ([a[1]], None),
        ([], None),
    ]


def test_held_orders_oldest_first(panel: Panel) -> None:
    key = panel.customer("10")
    placed = _place(panel, key, panel.service(rate="1"), 4)
    panel.execute("UPDATE orders SET dispatch = 'held' WHERE id <> $1", placed[2])

    async def pages(db: Database) -> tuple[list[int], int | None, list[int], int | None]:
        first = await orders.held_orders(db, limit=2)
        rest = await orders.held_orders(db, after_id=first.next, limit=2)
        return _ids(first), first.next, _ids(rest), rest.next

    assert panel.run(pages) == ([placed[0], placed[1]], placed[1], [placed[3]], None)


def test_customers_keys_ledger_and_balance(panel: Panel) -> None:
    key = panel.customer("10", name="carol")
    panel.customer("0", name="dave")
    _place(panel, key, panel.service(rate="1"), 3)  # three charges of 0.10

    async def read(db: Database) -> tuple[object, ...]:
        carol = await accounts.customer_id(db, "carol")
        assert carol is not None
        first = await accounts.list_customers(db, limit=1)
        second = await accounts.list_customers(db, after_id=first.next, limit=1)
        ledger = await accounts.ledger_entries(db, carol, limit=3)
        older = await accounts.ledger_entries(db, carol, before_id=ledger.next, limit=3)
        return (
            [(r["name"], int(r["orders"]), int(r["keys"])) for r in [*first.rows, *second.rows]],
            second.next,
            [(r["kind"], int(r["amount"])) for r in [*ledger.rows, *older.rows]],
            older.next,
            [r["prefix"] for r in await accounts.keys_of(db, carol)],
            await accounts.balance(db, carol),
            await accounts.count_customers(db),
            await orders.count_orders(db),
            await accounts.customer_id(db, "nobody"),
        )

    assert panel.run(read) == (
        [("carol", 3, 1), ("dave", 0, 1)],
        None,
        [("charge", -10_000)] * 3 + [("deposit", 1_000_000)],
        None,
        [key[:8]],
        970_000,
        2,
        3,
        None,
    )
