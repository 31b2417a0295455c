"""`smmpanel serve`: migrate, optionally seed the demo, run uvicorn (uvloop + httptools, one process).

The fulfilment engine is wired here, not in the app: with SMMPANEL_RUN_WORKER (the default) `app_for` runs
it in-process, alongside the app, on the app's own database object.

One process is deliberate on SQLite: a second writer process would contend for SQLite's write lock and
block the event loop (ARCHITECTURE.md). On PostgreSQL, scale out with more `serve` processes behind a
balancer and separate `smmpanel worker` processes.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractAsyncContextManager

import uvicorn
from starlette.applications import Starlette

from smmpanel.api.app import create_app
from smmpanel.config import Settings, get_settings
from smmpanel.db.connect import Database
from smmpanel.db.migrate import ensure_schema
from smmpanel.fulfilment.context import EngineConfig
from smmpanel.fulfilment.engine import running_in_process


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


def serve(url: str, *, host: str | None = None, port: int | None = None, demo: bool = False) -> None:
    settings = get_settings().model_copy(update={"database_url": url})
    host = host or settings.host
    port = port or settings.port
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    ensure_schema(url)
    if demo:
        from smmpanel.demo import seed

        asyncio.run(seed(url, host=host, port=port))
        # the demo's simulated provider moves every few seconds: look at its orders as often
        settings = settings.model_copy(update={"worker_check_every": min(settings.worker_check_every, 3)})
    uvicorn.run(
        app_for(settings),
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level=settings.log_level,
        server_header=False,
    )
