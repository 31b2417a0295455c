"""What an operator, a balancer or Prometheus asks the server: `/healthz`, `/readyz`, `/metrics`.

- `GET /healthz`: the process answers (200, no database call) — for a liveness probe.
- `GET /readyz`: the database answers and its schema is at the migration head this code expects — 200
  `{"status":"ready"}`, else 503 with the reason — for a balancer's readiness check.
- `GET /metrics`: Prometheus text, only with `SMMPANEL_METRICS_ENABLED` (404 otherwise); with
  `SMMPANEL_METRICS_TOKEN` set, only for `Authorization: Bearer <token>` (401 otherwise). The gauges of
  orders, held orders, engine lag and provider balances are read from the database at scrape time, so they
  are the same on every API node; counters and histograms are this process's own.
"""

from __future__ import annotations

import hmac
import logging
import time
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from smmpanel import metrics
from smmpanel.config import Settings
from smmpanel.db.connect import Database
from smmpanel.money import SCALE

log = logging.getLogger("smmpanel.api.health")
JSON = "application/json"


def migration_head() -> str | None:
    """The revision this code's migrations end at (read once, at start-up)."""
    from alembic.script import ScriptDirectory

    from smmpanel.db.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _json(status: int, value: Any) -> Response:
    return Response(orjson.dumps(value), status_code=status, media_type=JSON)


async def healthz(request: Request) -> Response:
    return _json(200, {"status": "ok"})


async def readyz(request: Request) -> Response:
    db: Database = request.app.state.db
    head: str | None = request.app.state.migration_head
    try:
        revision = await db.fetchval("SELECT version_num FROM alembic_version")
    except Exception as exc:  # unreachable, or no schema at all
        log.warning("not ready: %s: %s", type(exc).__name__, exc)
        return _json(503, {"status": "unavailable", "reason": "database unavailable"})
    if revision != head:
        return _json(503, {"status": "unavailable", "reason": f"schema at {revision}, expected {head}"})
    return _json(200, {"status": "ready"})


def metrics_endpoint(settings: Settings) -> Any:
    expected = f"Bearer {settings.metrics_token}".encode() if settings.metrics_token else None

    async def endpoint(request: Request) -> Response:
        if not settings.metrics_enabled:
            return _json(404, {"error": "Not found"})
        if expected is not None:
            given = request.headers.get("authorization", "").encode("latin-1", "replace")
            if not hmac.compare_digest(given, expected):
                return _json(401, {"error": "Unauthorized"})
        try:
            await refresh_gauges(request.app.state.db)
        except Exception as exc:  # still serve what this process knows
            log.warning("metrics: database gauges not refreshed: %s: %s", type(exc).__name__, exc)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return endpoint


async def refresh_gauges(db: Database) -> None:
    """Set the scrape-time gauges from the database (a few aggregate queries)."""
    by_status = await db.fetch("SELECT status, COUNT(*) FROM orders GROUP BY status")
    by_dispatch = await db.fetch(
        "SELECT dispatch, COUNT(*) FROM orders WHERE dispatch IS NOT NULL GROUP BY dispatch"
    )
    beats = await db.fetch("SELECT value FROM panel_state WHERE key LIKE 'worker:%'")
    balances = await db.fetch("SELECT name, balance, currency FROM providers WHERE balance IS NOT NULL")
    metrics.ORDERS.clear()
    for status, count in by_status:
        metrics.ORDERS.labels(status=status).set(int(count))
    metrics.ORDERS_DISPATCH.clear()
    held = 0
    for state, count in by_dispatch:
        metrics.ORDERS_DISPATCH.labels(state=state).set(int(count))
        held += int(count) if state == "held" else 0
    metrics.HELD_ORDERS.set(held)
    metrics.ENGINE_WORKERS.set(len(beats))
    if beats:
        metrics.ENGINE_LAG.set(max(0.0, time.time() - max(int(b[0]) for b in beats)))
    else:
        metrics.ENGINE_LAG.set(float("nan"))
    metrics.PROVIDER_BALANCE.clear()
    for name, units, currency in balances:
        metrics.PROVIDER_BALANCE.labels(provider=name, currency=currency or "").set(int(units) / SCALE)
