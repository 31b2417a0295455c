"""`smmpanel services import|sync`: the catalogue as a copy of providers' catalogues, kept in step.

Registered on the `services` group by cli/catalog.py. The work lives in smmpanel.catalog.importing and
smmpanel.catalog.sync; this module parses options, shows progress and prints what changed. Keys never
appear: errors come from smmpanel.client (which scrubs them) and are scrubbed again by catalog.sync.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from smmpanel.catalog import importing
from smmpanel.catalog.sync import DEFAULT_REFILL_DAYS, SyncResult, fetch_services, sync_all
from smmpanel.cli._common import console, err_console, fail, run, show
from smmpanel.client import ClientError
from smmpanel.db.connect import Database
from smmpanel.money import MoneyError, parse_amount, parse_percent
from smmpanel.providers import registry


async def provider_ids(db: Database, **names: str | None) -> dict[str, int]:
    """{"provider_id": 3, …} for each option given by provider name (raises ProviderError)."""
    return {column: int((await registry.find(db, name))["id"]) for column, name in names.items() if name}


def _ids(text: str | None) -> list[int] | None:
    if text is None:
        return None
    try:
        ids = [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        fail(f"--ids: a comma-separated list of upstream service ids, not {text!r}")
        raise
    if not ids:
        fail("--ids: give at least one id")
    return ids


def import_(
    provider: str = typer.Argument(..., metavar="PROVIDER"),
    ids: str = typer.Option(None, "--ids", help="Upstream service ids to import: 1,2,3"),
    all_: bool = typer.Option(False, "--all", help="Import every service the provider offers"),
    category: str = typer.Option(None, "--category", help="Our category for them (default: upstream's)"),
    markup: str = typer.Option(None, "--markup", help="Percent over the upstream cost, e.g. 25"),
    min_margin: str = typer.Option(None, "--min-margin", help="At least this much over cost, per 1000"),
    refill_days: int = typer.Option(
        DEFAULT_REFILL_DAYS, "--refill-days", help="Refill window when upstream refills"
    ),
    json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """Import services from a provider, priced cost + markup; re-importing updates instead of duplicating."""
    wanted = _ids(ids)
    if wanted is not None and all_:
        fail("give --ids or --all, not both")
    try:
        pricing = importing.Pricing(
            markup=None if markup is None else parse_percent(markup),
            min_margin=None if min_margin is None else parse_amount(min_margin),
            category=category,
            refill_days=refill_days,
        )
    except MoneyError as exc:
        fail(f"--markup/--min-margin: {exc}")
        return
    if refill_days < 0:
        fail("--refill-days must not be negative")

    async def work(db: Database) -> list[importing.Outcome]:
        row = await registry.find(db, provider)
        theirs = await fetch_services(db, row)
        if theirs is None:
            raise registry.ProviderError(f"provider {row['name']!r} is manual: it has no catalogue to import")
        chosen, missing = importing.pick(theirs, wanted, all_)
        outcomes = [importing.Outcome(str(i), "", "skipped", reason="not offered upstream") for i in missing]
        with Progress(
            TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=err_console, disable=not err_console.is_terminal or len(chosen) < 50, transient=True,
        ) as bar:  # fmt: skip
            task = bar.add_task("import", total=len(chosen))
            done = await importing.import_services(
                db, int(row["id"]), chosen, pricing, progress=lambda n: bar.advance(task, n)
            )
        return done + outcomes

    try:
        outcomes = run(work)
    except (registry.ProviderError, importing.ImportRefused) as exc:
        fail(str(exc))
        return
    except ClientError as exc:
        fail(f"provider {provider!r} failed: {type(exc).__name__}: {exc}")
        return
    rows = [o.as_dict() for o in outcomes]
    counts = {
        a: sum(1 for o in outcomes if o.action == a) for a in ("added", "updated", "unchanged", "skipped")
    }
    if json:
        show(rows, [], as_json=True)
        return
    show(
        rows,
        ["upstream", "service", "name", "action", "rate", "cost", "reason"],
        as_json=False,
        title="Import",
    )
    console.print(", ".join(f"{n} {a}" for a, n in counts.items()), highlight=False)
    if markup is None and counts["added"]:
        err_console.print("[yellow]warning:[/yellow] no --markup: new services sell at cost", highlight=False)


def _change_rows(results: list[SyncResult]) -> list[dict[str, Any]]:
    return [
        {
            "provider": r.provider,
            "service": c.service_id,
            "field": c.field,
            "old": c.shown(c.old),
            "new": c.shown(c.new),
            "note": c.note,
        }  # fmt: skip
        for r in results
        for c in r.changes
    ]


def sync(
    provider: str = typer.Option(None, "--provider", help="Only this provider (default: every one in use)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change; change nothing"),
    json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """Follow providers' prices and limits; disable what is gone upstream or would sell below cost."""

    async def work(db: Database) -> list[SyncResult]:
        return await sync_all(db, provider, dry_run=dry_run)

    try:
        results = run(work)
    except registry.ProviderError as exc:
        fail(str(exc))
        return
    rows = _change_rows(results)
    if json:
        report = [
            {
                "provider": r.provider,
                "checked": r.checked,
                "offered": r.offered,
                "applied": r.applied,
                "error": r.error,
                "changes": [
                    {k: v for k, v in row.items() if k != "provider"}
                    for row in rows
                    if row["provider"] == r.provider
                ],
            }  # fmt: skip
            for r in results
        ]
        show(report, [], as_json=True)
    else:
        if rows:
            show(rows, ["provider", "service", "field", "old", "new", "note"], as_json=False,
                 title="Catalogue sync (dry run)" if dry_run else "Catalogue sync")  # fmt: skip
        for r in results:
            if r.error is None:
                verb = "would change" if dry_run else "changed"
                console.print(
                    f"{r.provider}: {r.checked} services checked, {len(r.changes)} {verb}", highlight=False
                )
        if not results:
            console.print("no provider has services mapped onto it")
    failed = [r for r in results if r.error is not None]
    if failed:
        fail("; ".join(f"{r.provider}: {r.error}" for r in failed))
