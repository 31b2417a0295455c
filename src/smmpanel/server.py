"""`smmpanel serve`: migrate, optionally seed the demo, run uvicorn (uvloop + httptools).

The fulfilment engine is wired here, not in the app: with SMMPANEL_RUN_WORKER (the default) `app_for` runs
it in-process, alongside the app, on the app's own database object.

One process is deliberate on SQLite: a second writer process would contend for SQLite's write lock and
block the event loop (ARCHITECTURE.md), so `--workers N` is refused there. On PostgreSQL, `--workers N`
runs N uvicorn processes on one port; scale further with more `serve` nodes behind a balancer and separate
`smmpanel worker` processes (docs/deploy.md). Every process guards its connections (api/connections.py):
head, body and keep-alive deadlines and a connection limit, from the settings.
"""

from __future__ import annotations

import asyncio
import logging
import os
from contextlib import AbstractAsyncContextManager
from typing import Any

import uvicorn
from starlette.applications import Starlette

from smmpanel import vault
from smmpanel.api.app import create_app
from smmpanel.api.connections import GuardedHttpToolsProtocol, guarded_protocol
from smmpanel.config import Settings, get_settings
from smmpanel.db.connect import Database, connect, create_private, is_sqlite, sqlite_path
from smmpanel.db.migrate import ensure_schema
from smmpanel.fulfilment.context import EngineConfig
from smmpanel.fulfilment.engine import running_in_process
from smmpanel.providers import registry


def app_for(settings: Settings, db: Database | None = None) -> Starlette:
    """The API app, with the fulfilment engine running alongside when `settings.run_worker`."""

    def engine(database: Database) -> AbstractAsyncContextManager[object]:
        config = EngineConfig(
            interval=settings.worker_interval,
            check_every=settings.worker_check_every,
            max_check_every=settings.worker_max_check_every,
        )
        return running_in_process(database, config)

    return create_app(settings, db, alongside=[engine] if settings.run_worker else [])


class ServeError(Exception):
    """A set-up `serve` refuses, with a message for the operator."""


def uvicorn_options(settings: Settings, *, workers: int = 1) -> dict[str, Any]:
    """uvicorn's options for these settings (also used by the tests that start a real server)."""
    return {
        "loop": "uvloop",
        "http": GuardedHttpToolsProtocol if workers > 1 else guarded_protocol(settings),
        "access_log": False,
        "log_level": settings.log_level,
        "server_header": False,
        # X-Forwarded-For is read by api/ratelimit.py from SMMPANEL_TRUSTED_PROXIES only; uvicorn's own
        # handling would believe any local peer
        "proxy_headers": False,
        "timeout_keep_alive": max(1, round(settings.keepalive_timeout)),
        "limit_concurrency": settings.max_connections or None,
    }


def use_demo_secret(url: str) -> str:
    """The demo's SMMPANEL_SECRET_KEY: read from a 0600 file beside its database, made on first start."""
    path = (sqlite_path(url) if is_sqlite(url) else "smmpanel-demo") + ".secret"
    if not os.path.exists(path):
        create_private(path)
        with open(path, "w") as file:
            file.write(vault.generate_key())
    with open(path) as file:
        key = file.read().strip()
    os.environ["SMMPANEL_SECRET_KEY"] = key  # this process and any it starts
    get_settings.cache_clear()
    return key


def ensure_sealed(url: str) -> None:
    """Refuse to run without SMMPANEL_SECRET_KEY; migrate the schema; seal provider keys still in clear."""
    if not get_settings().secret_key:
        raise ServeError(
            "SMMPANEL_SECRET_KEY is not set: it seals the providers' API keys in the database."
            " Make one with `smmpanel secrets generate` and keep it safe (see docs/deploy.md)"
        )
    ensure_schema(url)

    async def seal() -> int:
        db = await connect(url, pool_size=1)
        try:
            return await registry.seal_plaintext_keys(db)
        finally:
            await db.close()

    sealed = asyncio.run(seal())
    if sealed:
        logging.getLogger("smmpanel").warning("sealed %d provider key(s) stored in clear", sealed)


def worker_app() -> Starlette:
    """The app of one `serve --workers N` process (its settings come from the environment)."""
    return app_for(get_settings())


def serve(
    url: str, *, host: str | None = None, port: int | None = None, demo: bool = False, workers: int | None = None
) -> None:
    settings = get_settings().model_copy(update={"database_url": url})
    workers = workers or settings.workers
    if workers > 1 and is_sqlite(url):
        raise ServeError(
            "--workers needs PostgreSQL: on SQLite one process is the only safe set-up (a second writer would"
            " block the first); use SMMPANEL_DATABASE_URL=postgresql://… to run several workers"
        )
    host = host or settings.host
    port = port or settings.port
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if demo and not settings.secret_key:
        settings = settings.model_copy(update={"secret_key": use_demo_secret(url)})
    ensure_sealed(url)
    if demo:
        from smmpanel.demo import seed

        asyncio.run(seed(url, host=host, port=port))
        # the demo's simulated provider moves every few seconds: look at its orders as often
        settings = settings.model_copy(update={"worker_check_every": min(settings.worker_check_every, 3)})
    if workers > 1:  # each process builds its own app from the environment
        os.environ["SMMPANEL_DATABASE_URL"] = url
        uvicorn.run(
            "smmpanel.server:worker_app", factory=True, host=host, port=port, workers=workers,
            **uvicorn_options(settings, workers=workers),
        )
        return
    uvicorn.run(app_for(settings), host=host, port=port, **uvicorn_options(settings))
