"""Running the operator's command line in tests: `python -m smmpanel --database-url URL …` in a subprocess,
with its exit code checked and never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import orjson

ENV = os.environ | {"COLUMNS": "250", "NO_COLOR": "1", "TERM": "dumb"}
ENV.pop("SMMPANEL_DATABASE_URL", None)


def cli(
    db_url: str, *args: str, code: int = 0, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one command; check its exit code and that nothing ever prints a traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "smmpanel", "--database-url", db_url, *args],
        capture_output=True,
        text=True,
        env=ENV if env is None else env,
        timeout=60,
        check=False,
    )
    assert done.returncode == code, (args, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done


def refused(db_url: str, *args: str, message: str) -> None:
    """Exit 1 with `error: <message>` on stderr."""
    done = cli(db_url, *args, code=1)
    assert " ".join(done.stderr.split()) == f"error: {message}", done.stderr  # rich may wrap long lines


def as_json(done: subprocess.CompletedProcess[str]) -> Any:
    return orjson.loads(done.stdout)


def last_line(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout.strip().splitlines()[-1]
