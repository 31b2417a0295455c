"""`smmpanel secrets`: make an SMMPANEL_SECRET_KEY, and rotate the providers' sealed keys to a new one.

Rotation, step by step: `smmpanel secrets generate` → stop the panel → run
`SMMPANEL_SECRET_KEY=NEW smmpanel secrets rotate --old-key OLD` → start the panel with the new key. Every
provider key is re-sealed in one transaction; a key that neither opens is an error and nothing changes.
"""

from __future__ import annotations

import typer

from smmpanel import vault
from smmpanel.cli._common import console, fail, run
from smmpanel.db.connect import Database
from smmpanel.providers import registry

app = typer.Typer(help="The key that seals provider API keys at rest (SMMPANEL_SECRET_KEY).", no_args_is_help=True)


@app.command("generate")
def generate() -> None:
    """Print a new random key for SMMPANEL_SECRET_KEY."""
    print(vault.generate_key())


@app.command("rotate")
def rotate(
    old_key: list[str] = typer.Option(..., "--old-key", help="The key the provider keys are sealed with now"),
) -> None:
    """Re-seal every provider key under the current SMMPANEL_SECRET_KEY."""

    async def work(db: Database) -> int:
        return await registry.rotate_keys(db, old_key)

    try:
        count = run(work)
    except vault.SecretError as exc:
        fail(str(exc))
        return
    console.print(f"re-sealed {count} provider key(s) with the current SMMPANEL_SECRET_KEY")
