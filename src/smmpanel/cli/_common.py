"""What every command shares: the database URL, running async domain code, and printing tables or JSON."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import orjson
import typer
from rich.console import Console
from rich.table import Table

from smmpanel.config import get_settings
from smmpanel.db.connect import Database, connect

T = TypeVar("T")
console = Console()
err_console = Console(stderr=True)
_url: dict[str, str | None] = {"url": None}


def set_database_url(url: str | None) -> None:
    _url["url"] = url


def database_url() -> str:
    return _url["url"] or get_settings().database_url


def run(work: Callable[[Database], Awaitable[T]]) -> T:
    """Open the database (migrating a fresh one), run `work`, close."""
    from smmpanel.db.migrate import ensure_schema

    url = database_url()
    ensure_schema(url)

    async def main() -> T:
        db = await connect(url, pool_size=2)
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(main())


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def show(rows: Sequence[dict[str, Any]], columns: Sequence[str], *, as_json: bool, title: str | None = None) -> None:
    if as_json:
        sys.stdout.write(orjson.dumps(list(rows), option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    console.print(table)
