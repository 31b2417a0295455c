"""`smmpanel serve`: migrate, optionally seed the demo, run uvicorn (uvloop + httptools, one process).

One process is deliberate on SQLite: a second writer process would contend for SQLite's write lock and
block the event loop (ARCHITECTURE.md). On PostgreSQL, scale out with more `serve` processes behind a
balancer and separate `smmpanel worker` processes.
"""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from smmpanel.api.app import create_app
from smmpanel.config import get_settings
from smmpanel.db.migrate import ensure_schema


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
        create_app(settings),
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level=settings.log_level,
        server_header=False,
    )
