"""`smmpanel providers …` and `smmpanel services import|sync` end to end, as the operator runs them.

Each command is a real subprocess on a real database, talking to a real upstream panel over HTTP. The
upstream key must never appear in anything the commands print.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from smmpanel.catalog import services
from smmpanel.money import parse_amount
from tests.conftest import Panel


class Cli:
    def __init__(self, db_url: str, cwd: Path, secret: str) -> None:
        self.db_url, self.cwd, self.secret = db_url, cwd, secret

    def __call__(self, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "smmpanel", "--database-url", self.db_url, *args],
            capture_output=True, text=True, cwd=self.cwd, timeout=60,
            env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "PYTHONPATH": str(Path.cwd() / "src"),
                 "SMMPANEL_SECRET_KEY": os.environ["SMMPANEL_SECRET_KEY"]},
        )  # fmt: skip
        assert self.secret not in done.stdout and self.secret not in done.stderr, "the key leaked"
        assert done.returncode == code, (done.stdout, done.stderr)
        return done

    def json(self, *args: str) -> Any:
        return orjson.loads(self(*args, "--json").stdout)


@pytest.fixture
def cli(db_url: str, tmp_path: Path, upstream: Panel) -> Cli:
    key = upstream.customer("3")
    return Cli(db_url, tmp_path, key)


def test_providers_add_list_test_balance(cli: Cli, upstream: Panel) -> None:
    upstream.service(name="A")
    upstream.service(name="B")
    added = cli("providers", "add", "up", "--url", upstream.url, "--key", cli.secret, "--low-balance", "5")
    assert added.stdout.splitlines()[-1] == "1"
    cli("providers", "add", "down", "--url", "http://127.0.0.1:1/api/v2", "--key", cli.secret)
    assert "give exactly one of" in cli("providers", "add", "x", "--manual", "--simulated", code=1).stderr

    tested = cli.json("providers", "test", "up")
    assert (tested["reachable"], tested["services"], tested["balance"], tested["currency"]) == (
        True,
        2,
        "3.00000",
        "USD",
    )
    failed = cli("providers", "test", "down", code=1)
    assert "error: provider 'down' failed: TransportError" in " ".join(failed.stderr.split())

    checked = cli("providers", "balance", "up", "--json")
    assert orjson.loads(checked.stdout) == {"provider": "up", "balance": "3.00000", "currency": "USD",
                                            "low_balance": "5.00000", "low": True}  # fmt: skip
    assert "warning: balance 3.00000 is below the low-balance mark 5.00000" in checked.stderr

    listed = cli.json("providers", "list")
    assert [(p["name"], p["kind"], p["key"], p["balance"], p["currency"]) for p in listed] == [
        ("up", "upstream", cli.secret[:4] + "…", "3.00000", "USD"), ("down", "upstream", cli.secret[:4] + "…", None, None),
    ]  # fmt: skip
    assert listed[0]["balance_checked_at"] is not None


def test_services_import_and_sync(cli: Cli, upstream: Panel) -> None:
    upstream.service(name="A", rate="1.00")
    upstream.service(name="B", rate="2.00", refill_days=30)
    upstream.execute("INSERT INTO services (name, type, category, rate, min, max, created_at, updated_at)"
                     " VALUES ('Odd', 'Likes Custom', 'X', 100000, 1, 10, 0, 0)")  # fmt: skip
    upstream.run(services.bump_version)
    cli("providers", "add", "up", "--url", upstream.url, "--key", cli.secret)

    refused = cli("services", "import", "up", code=1)
    assert (
        "the provider offers 3 services: pick some with --ids 1,2,… or import them all with --all"
        in " ".join(refused.stderr.split())
    )
    imported = cli.json(
        "services", "import", "up", "--ids", "1,2,3,9", "--markup", "50", "--category", "Mine"
    )
    assert [(i["upstream"], i["service"], i["action"], i["rate"], i["reason"]) for i in imported] == [
        ("1", 1, "added", "1.50000", ""), ("2", 2, "added", "3.00000", ""),
        ("3", None, "skipped", None, "unknown type 'Likes Custom'"), ("9", None, "skipped", None, "not offered upstream"),
    ]  # fmt: skip
    table = cli("services", "import", "up", "--ids", "1")
    assert "0 added, 0 updated, 1 unchanged, 0 skipped" in table.stdout

    upstream.run(lambda db: services.update(db, 1, rate=parse_amount("1.20")))
    upstream.run(lambda db: services.update(db, 2, enabled=False))
    [report] = cli.json("services", "sync", "--dry-run")
    assert report["applied"] is False and len(report["changes"]) == 3
    [report] = cli.json("services", "sync", "--provider", "up")
    assert (report["checked"], report["offered"], report["applied"], report["error"]) == (2, 2, True, None)
    assert report["changes"] == [
        {"service": 1, "field": "cost", "old": "1.00000", "new": "1.20000", "note": ""},
        {
            "service": 1,
            "field": "rate",
            "old": "1.50000",
            "new": "1.80000",
            "note": "markup 50% on cost 1.20000",
        },
        {"service": 2, "field": "enabled", "old": "true", "new": "false", "note": "disabled: gone upstream"},
    ]
    assert "0 changed" in cli("services", "sync").stdout


def test_services_add_and_update_with_a_provider(cli: Cli, upstream: Panel) -> None:
    cli("providers", "add", "up", "--url", upstream.url, "--key", cli.secret)
    base = ("services", "add", "--name", "S", "--type", "Default", "--category", "C", "--rate", "1", "--min", "1",
            "--max", "10", "--provider", "up")  # fmt: skip
    missing = cli(*base, code=1)
    assert (
        "--provider-service (the upstream service id) is required for an upstream provider" in missing.stderr
    )
    assert cli(*base, "--provider-service", "5").stdout.splitlines()[-1] == "1"
    cli("services", "update", "1", "--rate", "2")
    cli("services", "update", "1", "--no-provider")
    assert "no provider named 'nope'" in cli("services", "update", "1", "--provider", "nope", code=1).stderr
