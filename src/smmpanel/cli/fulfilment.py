"""`smmpanel worker` and the operator's view of fulfilment: `orders held`, `orders resolve`.

A held order is one whose dispatch outcome is unknown (or refused for a reason the engine cannot judge);
only the operator can look upstream and decide (smmpanel.fulfilment.resolve).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

import typer

from smmpanel.cli._common import console, database_url, fail, run, show
from smmpanel.db.connect import Database


def worker(
    once: bool = typer.Option(False, "--once", help="Run one draining cycle and exit (tests, cron)"),
    concurrency: int = typer.Option(8, "--concurrency", min=1, help="Upstream calls in flight at once"),
    interval: float = typer.Option(5.0, "--interval", min=0.0, help="Seconds between cycles"),
    timeout: float = typer.Option(30.0, "--timeout", min=0.1, help="Seconds for each read of an upstream answer"),
    call_deadline: float | None = typer.Option(
        None, "--call-deadline", min=0.1, help="Seconds an upstream call may take in all (default 2 × timeout + 5)"
    ),
    lease: int = typer.Option(120, "--lease", min=0, help="Seconds before another worker's claim is orphaned"),
) -> None:
    """Run the fulfilment engine (on SQLite: only one worker, and not beside `serve` with its in-process one)."""
    from smmpanel.config import get_settings
    from smmpanel.db.connect import connect
    from smmpanel.fulfilment.context import EngineConfig
    from smmpanel.fulfilment.engine import Engine
    from smmpanel.server import ServeError, ensure_sealed

    logging.basicConfig(
        level=get_settings().log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    url = database_url()
    try:
        ensure_sealed(url)
    except ServeError as exc:
        fail(str(exc))
    settings = get_settings()
    config = EngineConfig(
        concurrency=concurrency, interval=interval, timeout=timeout, lease=lease, call_deadline=call_deadline,
        check_every=settings.worker_check_every, max_check_every=settings.worker_max_check_every,
    )  # fmt: skip

    async def main() -> None:
        db = await connect(url, pool_size=max(4, concurrency + 2))
        engine = Engine(db, config)
        try:
            if once:
                counts = await engine.run_once()
                await engine.aclose()
                console.print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "nothing to do")
                return
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, engine.stop)
            await engine.run()
        finally:
            await db.close()

    asyncio.run(main())


def held(json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Orders waiting for the operator: the dispatch outcome is unknown or the refusal needs a human."""
    from smmpanel.orders.queries import held_orders

    rows = [
        {
            "id": r["id"], "customer": r["customer"], "service": r["service_id"], "link": r["link"],
            "quantity": r["quantity"], "status": r["status"], "provider": r["provider"],
            "upstream": r["upstream_id"], "cancel_requested": bool(r["cancel_requested"]),
            "last_error": r["last_error"],
        }  # fmt: skip
        for r in run(held_orders)
    ]
    show(rows, ["id", "customer", "service", "link", "quantity", "status", "provider", "upstream",
                "cancel_requested", "last_error"], as_json=json, title="Held orders")  # fmt: skip


def resolve(
    order_id: int = typer.Argument(..., metavar="ID"),
    upstream_order: int = typer.Option(None, "--upstream-order", help="It exists upstream with this id: track it"),
    resend: bool = typer.Option(False, "--resend", help="It does NOT exist upstream: send it again"),
    fail_it: bool = typer.Option(False, "--fail", help="Give up: cancel with a full refund"),
) -> None:
    """Decide a held order: attach the upstream id you found, resend it, or fail it with a refund."""
    from smmpanel.fulfilment import resolve as decide
    from smmpanel.money import format_units

    if sum([upstream_order is not None, resend, fail_it]) != 1:
        fail("give exactly one of --upstream-order X, --resend, --fail")

    async def work(db: Database) -> Any:
        if upstream_order is not None:
            await decide.attach(db, order_id, upstream_order)
            return f"order {order_id}: sent as upstream order {upstream_order}; tracking it"
        if resend:
            await decide.resend(db, order_id)
            return f"order {order_id}: queued to be sent again"
        outcome = await decide.fail(db, order_id)
        return f"order {order_id}: Canceled, refunded {format_units(outcome.refunded)}"

    try:
        console.print(run(work))
    except ValueError as exc:
        fail(str(exc))


def register(app: typer.Typer, orders_app: typer.Typer) -> None:
    app.command("worker")(worker)
    orders_app.command("held")(held)
    orders_app.command("resolve")(resolve)
