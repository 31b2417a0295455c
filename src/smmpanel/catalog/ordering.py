"""The operator's order of the catalogue: categories first (service_categories.position), then services
within a category (services.position), then id. Everything defaults to position 0, so an unordered
catalogue answers in id order, as it always did.

Invariant: every change of order bumps the catalogue version in the same transaction, so the cached
`services` answer (listing.py) of every process follows it at its next request.
"""

from __future__ import annotations

from collections.abc import Sequence

from smmpanel.catalog.services import ServiceError, bump_version
from smmpanel.db.connect import Database
from smmpanel.db.witness import Witness, tell

# the one ORDER BY of the catalogue (the API's `services`, the website, the console), over `services s`
CATALOG_ORDER_JOIN = "LEFT JOIN service_categories sc ON sc.name = s.category"
CATALOG_ORDER = "COALESCE(sc.position, 0), s.position, s.id"


async def order_categories(db: Database, names: Sequence[str], *, witness: Witness | None = None) -> None:
    """Replace the order of the categories: the named ones get positions 1, 2, … in this order; a category
    not named sorts as 0 (before them, in id order)."""
    names = [n for n in dict.fromkeys(names)]
    async with db.transaction() as tx:
        known = {r[0] for r in await tx.fetch("SELECT DISTINCT category FROM services")}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ServiceError(f"no category {unknown[0]!r}")
        before = [r[0] for r in await tx.fetch("SELECT name FROM service_categories ORDER BY position")]
        await tx.execute("DELETE FROM service_categories")
        for position, name in enumerate(names, start=1):
            await tx.execute("INSERT INTO service_categories (name, position) VALUES ($1, $2)", name, position)
        await bump_version(tx)
        await tell(witness, tx, {"categories": before}, {"categories": names})


async def order_services(
    db: Database, category: str, service_ids: Sequence[int], *, witness: Witness | None = None
) -> None:
    """Number the category's services 1, 2, … in the given order (every id must be in that category)."""
    ids = [int(i) for i in dict.fromkeys(service_ids)]
    async with db.transaction() as tx:
        rows = await tx.fetch("SELECT id FROM services WHERE category = $1 ORDER BY position, id", category)
        before = [int(r[0]) for r in rows]
        stray = [i for i in ids if i not in before]
        if stray:
            raise ServiceError(f"service {stray[0]} is not in category {category!r}")
        for position, service_id in enumerate(ids, start=1):
            await tx.execute("UPDATE services SET position = $2 WHERE id = $1", service_id, position)
        await bump_version(tx)
        await tell(witness, tx, {"services": before}, {"services": ids})


async def category_order(db: Database) -> list[str]:
    """Every category in catalogue order."""
    rows = await db.fetch(
        "SELECT s.category, MIN(COALESCE(sc.position, 0)) AS p, MIN(s.id) AS first FROM services s "
        + CATALOG_ORDER_JOIN + " GROUP BY s.category ORDER BY p, first"
    )
    return [str(r[0]) for r in rows]
