"""Migrations are code: they produce exactly the schema the table metadata describes, on both backends.

Alembic's compare_metadata sees tables, columns, indexes and foreign keys but not CHECK constraints, and
the CHECKs hold the status vocabularies. So the CHECKs are compared separately: the metadata is created
with create_all into an empty database of the same backend, and both databases' CHECKs are reflected the
same way (SQLAlchemy's inspector: pg_constraint on PostgreSQL, the CREATE TABLE text on SQLite), so the
server normalises both texts alike.
"""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from smmpanel.db.migrate import current_revision, sqlalchemy_url, upgrade
from smmpanel.db.tables import LEDGER_KINDS, NAMING, ORDER_STATUSES, REFILL_STATUSES, metadata
from smmpanel.orders.lifecycle import ACTIVE, FINAL
from tests.common.databases import empty_database

Checks = dict[tuple[str, str], str]  # (table, constraint name) → its condition, whitespace collapsed


def check_constraints(url: str) -> Checks:
    engine = sa.create_engine(sqlalchemy_url(url))
    try:
        inspector = sa.inspect(engine)
        return {
            (table, str(check["name"])): re.sub(r"\s+", " ", check["sqltext"]).strip()
            for table in inspector.get_table_names()
            if table != "alembic_version"
            for check in inspector.get_check_constraints(table)
        }
    finally:
        engine.dispose()


def checks_created_by(schema: sa.MetaData, directory: Path) -> Checks:
    with empty_database(directory, "md") as url:
        engine = sa.create_engine(sqlalchemy_url(url))
        try:
            schema.create_all(engine)
        finally:
            engine.dispose()
        return check_constraints(url)


def differences(migrated: Checks, expected: Checks) -> list[str]:
    return [
        f"{table}.{name}: migrated {migrated.get((table, name))!r}, metadata {expected.get((table, name))!r}"
        for table, name in sorted(set(migrated) | set(expected))
        if migrated.get((table, name)) != expected.get((table, name))
    ]


def metadata_with_check(table: str, name: str, condition: str) -> sa.MetaData:
    """A copy of the metadata in which one CHECK constraint says `condition` instead."""
    copy = sa.MetaData(naming_convention=NAMING)
    for each in metadata.sorted_tables:
        each.to_metadata(copy)
    target = copy.tables[table]
    (check,) = [c for c in target.constraints if isinstance(c, sa.CheckConstraint) and str(c.name) == name]
    check.sqltext = sa.text(condition)
    return copy


def test_migrated_schema_matches_metadata(db_url: str) -> None:
    engine = sa.create_engine(sqlalchemy_url(db_url))
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_migrated_check_constraints_match_metadata(db_url: str, tmp_path: Path) -> None:
    migrated = check_constraints(db_url)
    assert ("orders", "ck_orders_status_known") in migrated
    assert ("refills", "ck_refills_status_known") in migrated
    assert len(migrated) == 26  # 16 of the core and fulfilment, 8 of the website (0004), 2 of the console (0006)
    assert differences(migrated, checks_created_by(metadata, tmp_path)) == []


def test_a_changed_vocabulary_is_a_difference(db_url: str, tmp_path: Path) -> None:
    """The comparison above can fail: a metadata whose order statuses spell Cancelled differs."""
    condition = "status IN ('Pending', 'In progress', 'Processing', 'Completed', 'Partial', 'Cancelled')"
    changed = metadata_with_check("orders", "ck_orders_status_known", condition)
    found = differences(check_constraints(db_url), checks_created_by(changed, tmp_path))
    assert len(found) == 1
    assert found[0].startswith("orders.ck_orders_status_known: migrated ")
    assert "'Canceled'" in found[0] and "'Cancelled'" in found[0]


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
