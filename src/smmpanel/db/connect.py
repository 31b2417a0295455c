"""One small database interface over the raw drivers: sqlite3 (embedded) and asyncpg (PostgreSQL).

Why not SQLAlchemy here: on the request hot path the raw drivers are 3–10× faster (ARCHITECTURE.md).
SQLAlchemy keeps the schema and the migrations; every query is plain SQL written once with `$1`-style
placeholders, which this module rewrites to sqlite3's numbered `?1` form.

SQLite runs *inline* on the event loop: each statement takes tens of microseconds and never yields, so a
transaction on the single connection is atomic with respect to other coroutines as long as nothing inside
it awaits real I/O (the rule: no network call inside a transaction). A lock makes that explicit.
The one slow thing SQLite would do inline, checkpointing the WAL (with its fsync), mostly happens in a
background thread instead (_Checkpointer).
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import asyncpg

Row = Any  # sqlite3.Row or asyncpg.Record: both index by name and position
# What either driver raises when a UNIQUE index refuses a row (a race that a check before could not close).
UNIQUE_VIOLATION = (sqlite3.IntegrityError, asyncpg.UniqueViolationError)

_PLACEHOLDER = re.compile(r"\$(\d+)")


@lru_cache(maxsize=4096)
def _to_sqlite(sql: str) -> str:
    """The statement in sqlite3's `?1` form, once per distinct statement."""
    return _PLACEHOLDER.sub(r"?\1", sql)


def sqlite_path(url: str) -> str:
    """`sqlite:///relative.db`, `sqlite:////abs/path.db` → a filesystem path."""
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not an SQLite URL: {url}")
    return url[len("sqlite:///") :] or ":memory:"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def create_private(path: str) -> None:
    """Create a new SQLite file readable by its owner only (0600), whatever the umask; SQLite gives its
    -wal and -shm files the database file's mode. An existing file is left as it is."""
    if path == ":memory:" or not path:
        return
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


class Database:
    """What every query module talks to. `dialect` is "sqlite" or "postgresql".

    `memo` holds process-local state that a domain package keeps per database (the caller cache of
    accounts/callers.py); a pool and the transactions borrowed from it share one."""

    dialect: str
    memo: dict[str, Any]

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        raise NotImplementedError

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        raise NotImplementedError

    async def fetchval(self, sql: str, *args: Any) -> Any:
        raise NotImplementedError

    async def execute(self, sql: str, *args: Any) -> int:
        """Run a statement; return the number of rows it changed."""
        raise NotImplementedError

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    def transaction(self) -> Any:
        """`async with db.transaction() as tx:` — tx has the same methods; commit on exit, rollback on error."""
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class SqliteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        self.memo = {}
        self.path = path
        create_private(path)
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=10000",
            "cache_size=-65536",
            "temp_store=MEMORY",
            "mmap_size=268435456",
            f"wal_autocheckpoint={_INLINE_CHECKPOINT_PAGES}",
        ):
            self.conn.execute(f"PRAGMA {pragma}")
        self._lock = asyncio.Lock()
        self._checkpointer: _Checkpointer | None = None
        if self.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            self._checkpointer = _Checkpointer(path)
            self._checkpointer.start()

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return self.conn.execute(_to_sqlite(sql), args).fetchall()

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return self.conn.execute(_to_sqlite(sql), args).fetchone()

    async def fetchval(self, sql: str, *args: Any) -> Any:
        row = self.conn.execute(_to_sqlite(sql), args).fetchone()
        return None if row is None else row[0]

    async def execute(self, sql: str, *args: Any) -> int:
        return self.conn.execute(_to_sqlite(sql), args).rowcount

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(_to_sqlite(sql), rows)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteDatabase]:
        async with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    async def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.conn.close()


# The event loop's own connection still checkpoints when the WAL reaches this many pages (16 MB): that
# bounds the WAL under sustained writes, when the background checkpoint never quite catches up (SQLite only
# rewinds the WAL at a moment it is fully checkpointed), and is cheap then, as most pages are already copied.
_INLINE_CHECKPOINT_PAGES = 4000
_CHECKPOINT_EVERY = 0.05  # seconds


class _Checkpointer(threading.Thread):
    """Copies committed WAL pages back into the database file (PRAGMA wal_checkpoint(PASSIVE): never waits
    for a lock, never blocks a writer) from a second connection, in a thread: sqlite3 releases the GIL while
    it works, so its writes and fsyncs no longer stall the event loop. Inline, the checkpoint every ~100
    `add` transactions took 5–10 ms, all requests waiting. bench/ (SQLite, 1M orders): `add` saturated
    3,300 → 3,700/s; at 2,000 orders/s offered, p50 8.1 → 1.8 ms (p99 ≈ 16 ms either way). The cost: when
    both cores are saturated the thread can be descheduled mid-checkpoint and the saturated `add` p99 then
    rises from ≈ 25 ms to 35–120 ms."""

    def __init__(self, path: str) -> None:
        super().__init__(name="sqlite-checkpoint", daemon=True)
        self.path = path
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error:  # then the inline checkpoint does it all, as SQLite does by default
            return
        try:
            while not self.stopping.wait(_CHECKPOINT_EVERY):
                try:
                    conn.execute("PRAGMA synchronous=NORMAL")  # decides a checkpoint's fsyncs, as inline
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error:  # busy or locked: the next round, or the inline checkpoint, does it
                    pass
        finally:
            conn.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)


class _PgConn(Database):
    """One asyncpg connection (inside a transaction)."""

    dialect = "postgresql"

    def __init__(
        self, conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy, owner: Database | None = None
    ) -> None:
        self.conn = conn
        self.memo = {} if owner is None else owner.memo

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return await self.conn.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return await self.conn.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self.conn.fetchval(sql, *args)

    async def execute(self, sql: str, *args: Any) -> int:
        status = await self.conn.execute(sql, *args)
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self.conn.executemany(sql, rows)


class PostgresDatabase(_PgConn):
    """A pool; each call borrows a connection. asyncpg's pool rolls back (or, if it cannot, terminates) a
    connection released in the middle of a transaction, so an interrupted request never leaves a broken
    connection behind."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.memo = {}

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return await self.pool.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        return await self.pool.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self.pool.fetchval(sql, *args)

    async def execute(self, sql: str, *args: Any) -> int:
        async with self.pool.acquire() as conn:
            return await _PgConn(conn, self).execute(sql, *args)

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self.pool.executemany(sql, rows)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_PgConn]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield _PgConn(conn, self)

    async def close(self) -> None:
        await self.pool.close()


async def _keep_session(conn: asyncpg.Connection) -> None:
    """The pool's reset on release. Before calling it asyncpg rolls back a transaction left open; the default
    would then also run `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` — one more
    round trip for every borrowed connection (bench/: `status` 8,100 → 10,800 req/s, `add` 1,700 → 2,100).
    Nothing here sets session state (no SET, LISTEN, session advisory locks or cursors outside a
    transaction), so there is nothing to undo. Code that ever does must undo it itself before release."""


def asyncpg_dsn(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    return parts._replace(scheme=scheme).geturl().replace("postgresql://", "postgres://", 1)


async def connect(url: str, *, pool_size: int = 10) -> Database:
    if is_sqlite(url):
        return SqliteDatabase(sqlite_path(url))
    if url.startswith(("postgres://", "postgresql://", "postgresql+")):
        pool = await asyncpg.create_pool(
            asyncpg_dsn(url), min_size=1, max_size=pool_size, statement_cache_size=1024, reset=_keep_session
        )
        return PostgresDatabase(pool)
    raise ValueError("SMMPANEL_DATABASE_URL must start with sqlite:/// or postgresql://")
