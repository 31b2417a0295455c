"""Schema migrations (Alembic), run by `smmpanel db upgrade` and on first start.

On PostgreSQL the upgrade holds an advisory lock, so several processes starting at once migrate once.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from smmpanel.db.connect import create_private, is_sqlite, sqlite_path

MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_ID = 0x5A4D5041  # "SMPA"


def sqlalchemy_url(url: str) -> str:
    if is_sqlite(url):
        create_private(sqlite_path(url))  # before SQLAlchemy's sqlite3 creates it with the umask's mode
        return "sqlite:///" + sqlite_path(url)
    scheme, rest = url.split("://", 1)
    return "postgresql+psycopg://" + rest


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    engine = sa.create_engine(sqlalchemy_url(url))
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = sa.create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def ensure_schema(url: str) -> None:
    """Create or upgrade the schema when it is not at head (a fresh database is created on first start)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if current_revision(url) != head:
        upgrade(url)
