"""`python -m smmpanel` is the `smmpanel` command."""

from smmpanel.cli import main

main()
