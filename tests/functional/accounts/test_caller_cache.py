"""The API-key cache (accounts/callers.py): a key is looked up at most once per CALLER_TTL per process, yet a
suspension or revocation made through the panel's own database object counts at once, and one made by
another process within CALLER_TTL. The accounts functions tell the cache; raw SQL calls callers.invalidate."""

from __future__ import annotations

import asyncio
import time

from smmpanel.accounts import callers, customers, keys
from smmpanel.accounts.callers import CALLER_TTL
from smmpanel.api import errors
from smmpanel.db.connect import Database, connect
from tests.conftest import Panel

INVALID = {"error": errors.INVALID_KEY}


def test_suspend_and_revoke_in_process_count_at_once(panel: Panel) -> None:
    key = panel.customer("5", name="alice")
    assert panel.balance(key) == "5.00000"  # now cached

    async def suspend(db: Database) -> None:
        await customers.set_status(db, "alice", "suspended")

    panel.run(suspend)
    assert panel.api(key=key, action="balance") == INVALID

    async def activate(db: Database) -> None:
        await customers.set_status(db, "alice", "active")

    panel.run(activate)
    assert panel.balance(key) == "5.00000"

    async def revoke(db: Database) -> int:
        return await keys.revoke(db, key[:8])

    assert panel.run(revoke) == 1
    assert panel.api(key=key, action="balance") == INVALID


def test_raw_sql_counts_once_the_cache_is_told(panel: Panel) -> None:
    key = panel.customer("5", name="bob")
    assert panel.balance(key) == "5.00000"
    panel.execute("UPDATE customers SET status = 'suspended' WHERE name = 'bob'")

    async def invalidate(db: Database) -> None:
        callers.invalidate(db)

    panel.run(invalidate)
    assert panel.api(key=key, action="balance") == INVALID


def test_balance_changes_do_not_empty_the_cache(panel: Panel) -> None:
    key = panel.customer("5")
    service = panel.service()
    assert panel.balance(key) == "5.00000"
    before = callers.generation(panel.db)
    assert "order" in panel.api(key=key, action="add", service=service, link="https://x/p", quantity=100)
    assert callers.generation(panel.db) == before


def test_another_process_is_seen_within_the_ttl(panel: Panel) -> None:
    key = panel.customer("5", name="carol")
    assert panel.balance(key) == "5.00000"

    async def suspend_elsewhere() -> None:  # a second connection, as the operator's CLI would open
        db = await connect(panel.db_url, pool_size=1)
        try:
            await customers.set_status(db, "carol", "suspended")
        finally:
            await db.close()

    asyncio.run(suspend_elsewhere())
    deadline = time.monotonic() + CALLER_TTL + 2
    while panel.api(key=key, action="balance") != INVALID:
        assert time.monotonic() < deadline, "the suspension did not reach the API within CALLER_TTL"
        time.sleep(0.05)
