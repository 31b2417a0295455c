"""Dependencies between smmpanel's top-level packages point one way: front ends (api, cli, web, server,
demo) → domain (accounts, catalog, orders, fulfilment, providers) → db, money, client. Read from the source
(every import, lazy ones included), so a cycle fails here before anyone has to untangle it."""

from __future__ import annotations

import ast
from pathlib import Path

import smmpanel

ROOT = Path(smmpanel.__file__).parent
FRONT_ENDS = {"api", "cli", "web", "server", "demo", "__main__"}
DOMAIN = {"accounts", "catalog", "orders", "fulfilment", "providers"}


def imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        package = parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
                if node.module == "smmpanel":
                    names = [f"smmpanel.{alias.name}" for alias in node.names]
            for name in names:
                bits = name.split(".")
                if bits[0] == "smmpanel" and len(bits) > 1 and bits[1] != package:
                    found.setdefault(package, set()).add(bits[1])
    return found


def test_no_two_packages_import_each_other() -> None:
    graph = imports()
    mutual = {(a, b) for a in graph for b in graph[a] if a < b and a in graph.get(b, set())}
    assert mutual == set()


def test_the_domain_never_imports_a_front_end() -> None:
    graph = imports()
    offenders = {(a, b) for a in DOMAIN for b in graph.get(a, set()) & FRONT_ENDS}
    assert offenders == set()


def test_layers_below_the_domain_import_no_domain() -> None:
    graph = imports()
    assert graph["providers"] == {"client", "db", "money", "vault", "metrics"}
    assert graph.get("metrics", set()) == set()
    assert graph["accounts"] <= {"db", "money", "config"}
    assert graph.get("db", set()) == set()
    assert graph.get("money", set()) == set()
    assert graph.get("vault", set()) <= {"config"}
    assert graph.get("client", set()) == set()
