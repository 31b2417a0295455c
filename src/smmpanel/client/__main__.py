"""`python -m smmpanel.client …`: the client CLI, usable without the main `smmpanel` command."""

from ._cli import run_cli

raise SystemExit(run_cli())
