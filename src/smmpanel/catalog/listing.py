"""The `services` answer, cached as pre-encoded bytes (and pre-gzipped) per catalogue version.

With 5,000 services the answer is about 1 MB of JSON: building it per request costs ~1,900 req/s, serving
cached bytes ~6,500 and cached gzip ~18,700 (ARCHITECTURE.md). Customers without custom rates share one
body; the few with custom rates get their own, kept in a small LRU. Services come in the operator's order
(catalog/ordering.py); a change of order bumps the catalogue version like any other change.
"""

from __future__ import annotations

import gzip
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import orjson

from smmpanel.catalog.ordering import CATALOG_ORDER, CATALOG_ORDER_JOIN
from smmpanel.catalog.services import version
from smmpanel.db.connect import Database
from smmpanel.money import format_units

_CUSTOM_BODIES = 256


@dataclass(frozen=True, slots=True)
class Body:
    plain: bytes
    gzipped: bytes


def _item(row: Any, rate: int) -> dict[str, Any]:
    return {
        "service": row[0],
        "name": row[1],
        "type": row[2],
        "category": row[3],
        "rate": format_units(rate),
        "min": str(row[5]),
        "max": str(row[6]),
        "refill": row[7] > 0,
        "cancel": bool(row[8]),
        "dripfeed": bool(row[9]),
        "desc": row[10],
    }


def _encode(items: list[dict[str, Any]]) -> Body:
    plain = orjson.dumps(items)
    return Body(plain, gzip.compress(plain, compresslevel=6, mtime=0))


class ServiceListing:
    """Per-process cache; one version query per request decides whether it is still fresh."""

    def __init__(self) -> None:
        self._version = -1
        self._shared: Body | None = None
        self._rows: list[Any] = []
        self._custom_customers: set[int] = set()
        self._custom: OrderedDict[int, Body] = OrderedDict()

    async def _refresh(self, db: Database, current: int) -> None:
        self._rows = await db.fetch(
            "SELECT s.id, s.name, s.type, s.category, s.rate, s.min, s.max, s.refill_days, s.cancel, s.dripfeed,"
            " s.description FROM services s " + CATALOG_ORDER_JOIN + " WHERE s.enabled ORDER BY " + CATALOG_ORDER
        )
        self._shared = _encode([_item(r, int(r[4])) for r in self._rows])
        self._custom_customers = {r[0] for r in await db.fetch("SELECT DISTINCT customer_id FROM custom_rates")}
        self._custom.clear()
        self._version = current

    async def body(self, db: Database, customer_id: int) -> Body:
        current = await version(db)
        if current != self._version or self._shared is None:
            await self._refresh(db, current)
        assert self._shared is not None
        if customer_id not in self._custom_customers:
            return self._shared
        cached = self._custom.get(customer_id)
        if cached is None:
            rates = {
                r[0]: int(r[1])
                for r in await db.fetch(
                    "SELECT service_id, rate FROM custom_rates WHERE customer_id = $1", customer_id
                )
            }
            cached = _encode([_item(r, rates.get(r[0], int(r[4]))) for r in self._rows])
            self._custom[customer_id] = cached
            if len(self._custom) > _CUSTOM_BODIES:
                self._custom.popitem(last=False)
        else:
            self._custom.move_to_end(customer_id)
        return cached
