"""`smmpanel providers …`: who fulfils orders — add, list, test and check the balance of a provider.

An upstream provider's API key is a secret: no command prints it (list shows registry.masked), and every
error text is scrubbed of it before it reaches the terminal, even though smmpanel.client already does so.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import orjson
import typer

from smmpanel.cli._common import console, err_console, fail, run, show
from smmpanel.client import ClientError
from smmpanel.db.connect import Database
from smmpanel.money import MoneyError, format_units, parse_amount
from smmpanel.providers import registry
from smmpanel.vault import SecretError

app = typer.Typer(help="Providers: upstream panels, manual and simulated fulfilment.", no_args_is_help=True)
CALL_TIMEOUT = 15.0  # seconds per upstream call from the command line


def _json(report: dict[str, Any]) -> None:
    sys.stdout.write(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode() + "\n")


def _when(ts: Any) -> str | None:
    return None if ts is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(int(ts)))


def _row(r: Any) -> dict[str, Any]:
    return {
        "id": r["id"],
        "name": r["name"],
        "kind": r["kind"],
        "url": r["url"],
        "key": registry.masked(r),
        "step_seconds": r["step_seconds"] if r["kind"] == "simulated" else None,
        "balance": None if r["balance"] is None else format_units(int(r["balance"])),
        "currency": r["currency"],
        "balance_checked_at": _when(r["balance_checked_at"]),
        "low_balance": None if r["low_balance"] is None else format_units(int(r["low_balance"])),
        "enabled": bool(r["enabled"]),
    }


@app.command("add")
def add(
    name: str = typer.Argument(..., metavar="NAME"),
    url: str = typer.Option(
        None, "--url", help="An upstream API v2 endpoint, e.g. https://panel.example/api/v2"
    ),
    key: str = typer.Option(None, "--key", envvar="SMMPANEL_PROVIDER_KEY", help="The API key there (or env)"),
    manual: bool = typer.Option(False, "--manual", help="The operator fulfils orders by hand"),
    simulated: bool = typer.Option(
        False, "--simulated", help="The built-in simulated provider (demo, tests)"
    ),
    step_seconds: int = typer.Option(10, "--step-seconds", help="Simulated: seconds per progress step"),
    low_balance: str = typer.Option(
        None, "--low-balance", help="Warn when the upstream balance is below this"
    ),
) -> None:
    """Add a provider: --url URL --key KEY (upstream), --manual, or --simulated."""
    kinds = [
        k for k, on in (("upstream", url is not None), ("manual", manual), ("simulated", simulated)) if on
    ]
    if len(kinds) != 1:
        fail("give exactly one of --url (with --key), --manual or --simulated")
    try:
        low = None if low_balance is None else parse_amount(low_balance)
    except MoneyError as exc:
        fail(f"--low-balance: {exc}")
        return

    async def work(db: Database) -> int:
        return await registry.add(
            db, name, kinds[0], url=url, api_key=key, step_seconds=step_seconds, low_balance=low
        )

    try:
        provider_id = run(work)
    except (registry.ProviderError, SecretError) as exc:
        fail(str(exc))
        return
    for warning in registry.url_warnings(url):
        err_console.print(f"warning: {warning}")
    console.print(f"provider {name!r} ({kinds[0]}) added")
    print(provider_id)


@app.command("list")
def list_(json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Every provider; keys are masked."""
    rows = [_row(r) for r in run(registry.list_all)]
    show(
        rows,
        [
            "id",
            "name",
            "kind",
            "url",
            "key",
            "balance",
            "currency",
            "balance_checked_at",
            "low_balance",
            "enabled",
        ],
        as_json=json,
    )


async def _open(db: Database, name: str) -> tuple[Any, Any]:
    row = await registry.find(db, name)
    provider = await registry.open_provider(db, row, timeout=CALL_TIMEOUT)
    if provider is None:
        raise registry.ProviderError(f"provider {row['name']!r} is manual: it has no API to call")
    return row, provider


@app.command("test")
def test(name: str = typer.Argument(..., metavar="NAME"), json: bool = typer.Option(False, "--json")) -> None:
    """Call the provider (balance, then services): is it reachable, how fast, how many services."""

    async def work(db: Database) -> dict[str, Any]:
        row, provider = await _open(db, name)
        report: dict[str, Any] = {"provider": row["name"], "kind": row["kind"], "reachable": False}
        try:
            started = time.perf_counter()
            balance = await provider.balance()
            report["balance_ms"] = round((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            offered = await provider.services()
            report["services_ms"] = round((time.perf_counter() - started) * 1000)
            report |= {"reachable": True, "services": len(offered), "balance": str(balance.balance),
                       "currency": balance.currency}  # fmt: skip
        except ClientError as exc:
            report["error"] = registry.scrub(f"{type(exc).__name__}: {exc}", row)
        finally:
            await provider.aclose()
        return report

    try:
        report = run(work)
    except registry.ProviderError as exc:
        fail(str(exc))
        return
    if json:
        _json(report)
    elif report["reachable"]:
        console.print(
            f"{report['provider']}: reachable — balance {report['balance']} {report['currency']} in "
            f"{report['balance_ms']} ms, {report['services']} services in {report['services_ms']} ms",
            highlight=False,
        )
    if not report["reachable"]:
        fail(f"provider {report['provider']!r} failed: {report['error']}")


@app.command("balance")
def balance(
    name: str = typer.Argument(..., metavar="NAME"), json: bool = typer.Option(False, "--json")
) -> None:
    """Ask the provider for its balance, store it, and warn when it is below --low-balance."""

    async def work(db: Database) -> dict[str, Any]:
        row, provider = await _open(db, name)
        try:
            answer = await provider.balance()
        except ClientError as exc:
            return {"provider": row["name"], "error": registry.scrub(f"{type(exc).__name__}: {exc}", row)}
        finally:
            await provider.aclose()
        units, _ = await registry.record_balance(db, int(row["id"]), answer)
        low = row["low_balance"]
        return {
            "provider": row["name"],
            "balance": format_units(units),
            "currency": answer.currency,
            "low_balance": None if low is None else format_units(int(low)),
            "low": low is not None and units < int(low),
        }

    try:
        report = run(work)
    except (registry.ProviderError, MoneyError) as exc:
        fail(str(exc))
        return
    if "error" in report:
        fail(f"provider {report['provider']!r} failed: {report['error']}")
    if json:
        _json(report)
    else:
        console.print(
            f"{report['provider']}: {report['balance']} {report['currency']}".rstrip(), highlight=False
        )
    if report["low"]:
        err_console.print(
            f"[yellow]warning:[/yellow] balance {report['balance']} is below the low-balance mark"
            f" {report['low_balance']}",
            highlight=False,
        )
