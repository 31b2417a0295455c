"""Real databases and a real HTTP server for every test.

The backend comes from SMMPANEL_DATABASE_URL (tests/common/databases.py makes every database): each test
gets its own, cloned from a migrated template.
The panel runs in uvicorn on a loopback port in a thread; helpers run database work on that server's own
event loop, through the same connection the app uses.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import uuid
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn

from smmpanel.accounts import customers
from smmpanel.catalog import services
from smmpanel.config import Settings
from smmpanel.db.connect import Database, connect
from smmpanel.money import parse_amount
from smmpanel.server import app_for
from tests.common.databases import clone, migrated_template

T = TypeVar("T")
# Provider keys are sealed with it (vault.py); set before any setting is read, and inherited by the CLI and
# worker processes the tests start.
os.environ.setdefault("SMMPANEL_SECRET_KEY", "tests-only-secret-key")


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database to clone (migrations run once per test run)."""
    with migrated_template(tmp_path_factory.mktemp("template")) as made:
        yield made


@pytest.fixture
def db_url(template: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    with clone(template, tmp_path, "panel") as url:
        yield url


class Panel:
    """A running panel: its URL, its database, and helpers to set it up and call it."""

    def __init__(self, db_url: str, settings: Settings, options: dict[str, Any] | None = None) -> None:
        self.db_url = db_url
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.db: Database = self.loop.run_until_complete(connect(db_url, pool_size=20))
        self.app = app_for(settings, db=self.db)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        # inherited by accepted connections: without it every answer waits ~40 ms for a delayed ACK
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/api/v2"
        # `options`: uvicorn's own (e.g. server.uvicorn_options(settings) for the connection guard)
        config = uvicorn.Config(
            self.app, **({"lifespan": "on", "log_level": "warning", "access_log": False} | (options or {}))
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the panel did not start")
            threading.Event().wait(0.01)
        self.http = httpx.Client(timeout=30)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.serve(sockets=[self.sock]))

    def run(self, work: Callable[[Database], Coroutine[Any, Any, T]]) -> T:
        """Run database work on the server's loop (the app's own connection)."""
        return asyncio.run_coroutine_threadsafe(work(self.db), self.loop).result(timeout=60)

    def stop(self) -> None:
        self.http.close()
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.loop.run_until_complete(self.db.close())
        self.loop.close()

    # --- set-up helpers -------------------------------------------------------------------------------
    def customer(self, balance: str = "100", name: str | None = None) -> str:
        """A new customer; returns the API key."""
        name = name or f"c{uuid.uuid4().hex[:8]}"

        async def work(db: Database) -> str:
            return (await customers.create(db, name, balance=parse_amount(balance)))[1]

        return self.run(work)

    def service(self, **values: Any) -> int:
        defaults: dict[str, Any] = {"name": "Followers", "type": "Default", "category": "Instagram",
                                    "rate": "0.9", "min": 10, "max": 10_000}
        values = defaults | values
        values["rate"] = parse_amount(str(values["rate"]))

        async def work(db: Database) -> int:
            return await services.create(db, **values)

        return self.run(work)

    def sql(self, query: str, *args: Any) -> list[Any]:
        async def work(db: Database) -> list[Any]:
            return [tuple(r) for r in await db.fetch(query, *args)]

        return self.run(work)

    def execute(self, query: str, *args: Any) -> int:
        async def work(db: Database) -> int:
            return await db.execute(query, *args)

        return self.run(work)

    # --- calling the API ------------------------------------------------------------------------------
    def post(self, **params: Any) -> httpx.Response:
        return self.http.post(self.url, data=params)

    def api(self, **params: Any) -> Any:
        response = self.post(**params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        return response.json()

    def balance(self, key: str) -> str:
        return str(self.api(key=key, action="balance")["balance"])

    def audit(self) -> list[Any]:
        from smmpanel.accounts.ledger import audit

        return self.run(audit)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, run_worker=False)


@pytest.fixture
def panel(db_url: str, settings: Settings) -> Iterator[Panel]:
    running = Panel(db_url, settings)
    try:
        yield running
        assert running.audit() == [], "the books must balance after every test"
    finally:
        running.stop()
