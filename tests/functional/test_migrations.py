"""Migrations are code: they produce exactly the schema the table metadata describes, on both backends."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from smmpanel.db.migrate import current_revision, sqlalchemy_url, upgrade
from smmpanel.db.tables import LEDGER_KINDS, ORDER_STATUSES, REFILL_STATUSES, metadata
from smmpanel.orders.lifecycle import ACTIVE, FINAL


def test_migrated_schema_matches_metadata(db_url: str) -> None:
    engine = sa.create_engine(sqlalchemy_url(db_url))
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_upgrade_is_idempotent(db_url: str) -> None:
    before = current_revision(db_url)
    upgrade(db_url)
    assert current_revision(db_url) == before is not None


def test_status_vocabularies_match_the_wire() -> None:
    assert ORDER_STATUSES == ("Pending", "In progress", "Processing", "Completed", "Partial", "Canceled")
    assert set(ACTIVE) | set(FINAL) == set(ORDER_STATUSES) and not set(ACTIVE) & set(FINAL)
    assert REFILL_STATUSES == ("Pending", "In progress", "Completed", "Rejected")
    assert LEDGER_KINDS == ("deposit", "charge", "refund", "adjustment")


def test_database_refuses_a_status_outside_the_vocabulary(db_url: str) -> None:
    engine = sa.create_engine(sqlalchemy_url(db_url))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO customers (name, created_at) VALUES ('x', 0)"))
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("UPDATE customers SET status = 'Cancelled'"))
        except sa.exc.IntegrityError:
            pass
        else:
            raise AssertionError("the CHECK constraint let a bad status in")
    finally:
        engine.dispose()
