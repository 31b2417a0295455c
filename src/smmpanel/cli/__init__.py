"""The operator's command line: `smmpanel <group> <command>`. One module per command group."""

from __future__ import annotations

import typer

from smmpanel.cli import accounts, catalog, fulfilment, orders, payments, providers, staff, support
from smmpanel.cli._common import console, database_url, fail, run, set_database_url, show
from smmpanel.db.connect import Database

app = typer.Typer(
    help="smmpanel: an SMM panel server speaking API v2.", no_args_is_help=True, pretty_exceptions_enable=False
)
app.add_typer(accounts.users, name="users")
app.add_typer(accounts.keys_app, name="keys")
app.add_typer(accounts.funds, name="funds")
app.add_typer(catalog.app, name="services")
app.add_typer(orders.app, name="orders")
app.add_typer(orders.refills_app, name="refills")
fulfilment.register(app, orders.app)
app.add_typer(providers.app, name="providers")
app.add_typer(payments.app, name="payments")
app.add_typer(support.app, name="tickets")
app.add_typer(staff.app, name="staff")
app.command("activity")(staff.activity_command)
db_app = typer.Typer(help="Database: migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.callback()
def root(
    database_url_option: str = typer.Option(
        None, "--database-url", help="Overrides SMMPANEL_DATABASE_URL (default sqlite:///smmpanel.db)"
    ),
) -> None:
    set_database_url(database_url_option)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration (safe to run from several processes at once on PostgreSQL)."""
    from smmpanel.db.migrate import current_revision, upgrade

    url = database_url()
    upgrade(url)
    console.print(f"database at revision {current_revision(url)}")


@app.command()
def serve(
    host: str = typer.Option(None, "--host"),
    port: int = typer.Option(None, "--port"),
    demo: bool = typer.Option(False, "--demo", help="Create a demo customer and services; print a curl example"),
    workers: int = typer.Option(None, "--workers", min=1, help="uvicorn processes (PostgreSQL only; SMMPANEL_WORKERS)"),
) -> None:
    """Run the API server (and, on the embedded set-up, the fulfilment engine in-process)."""
    from smmpanel.server import ServeError
    from smmpanel.server import serve as run_server

    try:
        run_server(database_url(), host=host, port=port, demo=demo, workers=workers)
    except ServeError as exc:
        fail(str(exc))


@app.command()
def audit(json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Prove the books: every balance equals its ledger sum, no order refunded more than charged."""
    from smmpanel.accounts.ledger import Mismatch
    from smmpanel.accounts.ledger import audit as run_audit
    from smmpanel.accounts.queries import count_customers
    from smmpanel.orders.queries import count_orders

    async def work(db: Database) -> tuple[list[Mismatch], int, int]:
        problems = await run_audit(db)
        return problems, await count_customers(db), await count_orders(db)

    problems, customers, orders_count = run(work)
    rows = [{"what": p.what, "id": p.id, "expected": p.expected, "found": p.found} for p in problems]
    if rows or json:
        show(rows, ["what", "id", "expected", "found"], as_json=json, title="Mismatches")
    if problems:
        fail(f"{len(problems)} mismatch(es)")
    if not json:
        console.print(f"audit clean: {customers} customers, {orders_count} orders")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []})
def client(ctx: typer.Context) -> None:
    """Talk to any API v2 panel: smmpanel client --url URL --key KEY balance|services|status ID…|add …"""
    from smmpanel.client._cli import run_cli

    raise typer.Exit(run_cli(list(ctx.args)))


def main() -> None:
    app(prog_name="smmpanel")


__all__ = ["app", "main"]
