"""A keyset page: the rows of one page and the cursor that fetches the next.

Read queries that list (orders, refills, customers, ledger entries) page by id rather than by OFFSET, so
the thousandth page of 1,000,000 orders costs what the first does: each query fetches `limit + 1` rows
along an index that ends in `id`, and the extra row only says whether there is a next page.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from smmpanel.db.connect import Row

MAX_PAGE = 1000  # rows per page at most, whatever the caller asks


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Row]
    next: int | None  # pass as the cursor (before_id / after_id) for the next page; None: this is the last

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def page_limit(limit: int) -> int:
    if limit < 1:
        raise ValueError("a page holds at least one row")
    return min(limit, MAX_PAGE)


def cut(rows: Sequence[Row], limit: int) -> Page:
    """`rows` was fetched with LIMIT limit + 1: keep `limit` of them, and the cursor if one more exists."""
    if len(rows) > limit:
        kept = list(rows[:limit])
        return Page(kept, int(kept[-1]["id"]))
    return Page(list(rows), None)
