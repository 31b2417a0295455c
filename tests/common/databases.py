"""The one way tests make databases: a migrated template, clones of it, and empty databases.

The backend comes from SMMPANEL_DATABASE_URL: unset or `sqlite:…` → SQLite files under a pytest temporary
directory; `postgresql://…` → databases on that server, each created for one use and dropped afterwards
(`WITH (FORCE)`: a panel that is still connected does not keep it alive). A clone of the template costs a
file copy on SQLite and `CREATE DATABASE … TEMPLATE` on PostgreSQL, so each test gets its own database.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from smmpanel.db.migrate import upgrade

BACKEND_URL = os.environ.get("SMMPANEL_DATABASE_URL", "sqlite:")
POSTGRES = BACKEND_URL.startswith("postgres")


def _admin() -> psycopg.Connection[Any]:
    return psycopg.connect(BACKEND_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def _pg_url(name: str) -> str:
    base, _, _ = BACKEND_URL.rpartition("/")
    return f"{base}/{name}"


@contextmanager
def _pg_database(prefix: str, template: str | None = None) -> Iterator[str]:
    name = f"smmpanel_{prefix}_{uuid.uuid4().hex[:12]}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield name
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def empty_database(directory: Path, prefix: str = "e") -> Iterator[str]:
    """The URL of a new database with no tables at all."""
    if POSTGRES:
        with _pg_database(prefix) as name:
            yield _pg_url(name)
    else:
        yield f"sqlite:///{directory / f'{prefix}-{uuid.uuid4().hex[:8]}.db'}"


@contextmanager
def migrated_template(directory: Path) -> Iterator[str]:
    """A database migrated to head, to clone: its name on PostgreSQL, its file path on SQLite."""
    if POSTGRES:
        with _pg_database("tpl") as name:
            upgrade(_pg_url(name))
            yield name
    else:
        path = directory / "template.db"
        upgrade(f"sqlite:///{path}")
        yield str(path)


@contextmanager
def clone(template: str, directory: Path, prefix: str = "t") -> Iterator[str]:
    """The URL of a fresh copy of `template` (from migrated_template), dropped afterwards."""
    if POSTGRES:
        with _pg_database(prefix, template) as name:
            yield _pg_url(name)
    else:
        path = directory / f"{prefix}-{uuid.uuid4().hex[:8]}.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
