"""The soak benchmark: the API under mixed load while the engine works against hostile upstreams.

    python bench/soak.py                            # SQLite, 300 s of soak after 60 s of quiet
    python bench/soak.py --seconds 30               # a short run
    python bench/soak.py --database postgresql      # creates and drops smmpanel_soak_<pid>_<hex>

Loopback only. It starts three upstream panels (tests/common/hostile_upstream.py, each its own process):
`healthy`, `slowpoke` (answers late, dribbles one byte a second, resets) and `liar` (numbers like
"1e400000", ids of 10^30, negative and over-quantity remains, HTML, broken JSON, 5xx, a currency longer
than its column), a fresh migrated database, and one service per upstream, through the operator CLI. Then:

1. quiet: `smmpanel serve` (one uvicorn process) *without* the engine, under `--quiet-seconds` of load;
2. soak: `smmpanel serve` *with* the in-process engine (cycle `--worker-interval`, status checks every
   `--check-every` s), under `--seconds` of the same load, while the engine dispatches and tracks the
   orders on all three upstreams; then `--drain` more seconds of engine work without load.

The load (bench/soak_load.py, its own process) is an open-loop mix of status, balance, add, services
and 100-order status calls at `--rate` requests/s; latency counts from when a request was due. The
report: API p50/p99/max of both phases per action, and whether the soak p99 stays within 2x of the quiet
one; the orders by provider and dispatch state (sent, held, failed, still queued); the `add`s each
upstream received per link against our orders (a link added twice = an order dispatched twice); and
`smmpanel audit`. Exit status 0 only when nothing was dispatched twice, the audit is clean and the p99
target holds and the healthy upstream's orders were all dispatched and some completed (a hostile
upstream must not starve the others). The panel's log goes to bench/results/soak-<time>.panel.log.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import select
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(BENCH))

from run import free_port, pg_admin, pg_url, stop, wait_http  # noqa: E402

os.environ.setdefault("SMMPANEL_SECRET_KEY", "bench-only-secret-key")  # seals provider keys of a throwaway database

PYTHON = sys.executable
SMMPANEL = str(Path(PYTHON).with_name("smmpanel"))
UPSTREAMS = {
    "healthy": [],
    "slowpoke": ["*=ok,slow:5,dribble:1,reset,ok,slow:2"],
    "liar": ["add=ok,huge,numbers:ids,garbage:html,ok,garbage:json,server_error",
             "status=huge,numbers:negative,numbers:overquantity,ok,long_currency,garbage:shape,numbers:ids",
             "*=huge,long_currency,garbage:html,ok"],
}  # fmt: skip


# --- processes ---------------------------------------------------------------------------------------


def start_upstream(name: str, scripts: list[str], key: str) -> tuple[subprocess.Popen[str], str]:
    cmd = [PYTHON, "-m", "tests.common.hostile_upstream", "--port", "0", "--key", key]
    cmd += [arg for script in scripts for arg in ("--script", script)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 30)
    url = proc.stdout.readline().strip() if ready else ""
    if not url.startswith("http://127.0.0.1:"):
        stop(proc)  # type: ignore[arg-type]
        raise SystemExit(f"upstream {name} did not start")
    return proc, url


def cli(url: str, *args: str) -> str:
    """Run an operator command; its last line of output (the new id or key)."""
    out = subprocess.run([SMMPANEL, "--database-url", url, *args], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"smmpanel {' '.join(args[:2])} failed:\n{out.stdout}{out.stderr}")
    return out.stdout.strip().splitlines()[-1].strip() if out.stdout.strip() else ""


def start_panel(url: str, port: int, engine: bool, args: argparse.Namespace, log: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "SMMPANEL_DATABASE_URL": url, "SMMPANEL_RUN_WORKER": "true" if engine else "false",
        "SMMPANEL_LOG_LEVEL": "warning", "SMMPANEL_WORKER_INTERVAL": str(args.worker_interval),
        "SMMPANEL_WORKER_CHECK_EVERY": str(args.check_every),
    }  # fmt: skip
    cmd = [SMMPANEL, "--database-url", url, "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    wait_http(f"http://127.0.0.1:{port}/health", proc)
    return proc


def run_load(panel_url: str, keys: Path, seconds: float, phase: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [PYTHON, str(BENCH / "soak_load.py"), "--url", panel_url, "--keys", str(keys), "--seconds",
           str(seconds), "--rate", str(args.rate), "--connections", str(args.connections), "--phase", phase]  # fmt: skip
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 120)
    if out.returncode != 0:
        raise SystemExit(f"the load generator failed:\n{out.stderr[-2000:]}")
    return dict(json.loads(out.stdout))


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


# --- the database --------------------------------------------------------------------------------------


def create_database(kind: str, stamp: str) -> tuple[str, Any]:
    if kind == "sqlite":
        path = RESULTS / f"soak-{stamp}.db"
        return f"sqlite:///{path}", lambda: [p.unlink(missing_ok=True) for p in path.parent.glob(path.name + "*")]
    name = f"smmpanel_soak_{os.getpid()}_{secrets.token_hex(3)}"
    pg_admin(f'CREATE DATABASE "{name}"')
    return pg_url(name), lambda: pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(f"file:{url.removeprefix('sqlite:///')}?mode=ro", uri=True, timeout=30) as conn:
            return [tuple(r) for r in conn.execute(sql).fetchall()]
    import psycopg

    with psycopg.connect(url) as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]  # type: ignore[arg-type]


# --- the run -------------------------------------------------------------------------------------------


def setup(url: str, upstream_urls: dict[str, str], key: str, customers: int, keys_path: Path) -> dict[str, int]:
    cli(url, "db", "upgrade")
    services = {}
    for name, upstream in upstream_urls.items():
        cli(url, "providers", "add", name, "--url", upstream, "--key", key)
        services[name] = int(cli(url, "services", "add", "--name", f"Followers via {name}", "--type", "Default",
                                 "--category", "Soak", "--rate", "0.5", "--min", "10", "--max", "100000",
                                 "--cancel", "--provider", name, "--provider-service", "1"))  # fmt: skip
    keys = [cli(url, "users", "add", f"soak{n}", "--balance", "1000000") for n in range(customers)]
    keys_path.write_text(json.dumps({"keys": keys, "services": list(services.values()), "nonce": secrets.token_hex(3)}))
    return services


def phase(url: str, keys: Path, seconds: float, engine: bool, args: argparse.Namespace, log: Path) -> dict[str, Any]:
    port = free_port()
    panel = start_panel(url, port, engine, args, log)
    load_before = os.getloadavg()[0]
    try:
        result = run_load(f"http://127.0.0.1:{port}/api/v2", keys, seconds, "s" if engine else "q", args)
        result["loadavg"] = (load_before, os.getloadavg()[0])  # a busy machine makes phases incomparable
        if engine and args.drain > 0:
            time.sleep(args.drain)  # the engine keeps working the orders, without load
    finally:
        stop(panel)
    return result


def orders_report(url: str, links: dict[str, set[str]], upstream_stats: dict[str, Any]) -> dict[str, Any]:
    rows = query(url, "SELECT p.name, o.dispatch, o.status, COUNT(*) FROM orders o JOIN providers p"
                      " ON p.id = o.provider_id GROUP BY p.name, o.dispatch, o.status")  # fmt: skip
    by_provider: dict[str, Counter[str]] = {}
    for name, dispatch, status, count in rows:
        by_provider.setdefault(name, Counter())[f"{dispatch}"] += count
        by_provider[name][f"status {status}"] += count
    ours = dict(query(url, "SELECT o.link, p.name FROM orders o JOIN providers p ON p.id = o.provider_id"))
    held = query(url, "SELECT last_error, COUNT(*) FROM orders WHERE dispatch = 'held' GROUP BY last_error"
                      " ORDER BY COUNT(*) DESC")  # fmt: skip
    report: dict[str, Any] = {"providers": {}, "held_reasons": [(str(r)[:160], n) for r, n in held[:8]]}
    twice = 0
    for name, stats in upstream_stats.items():
        # every link an upstream saw must be one of our orders on that provider, added at most once
        strangers = [link for link in links[name] if ours.get(link) != name]
        twice += stats["duplicates"]
        report["providers"][name] = {"orders": dict(by_provider.get(name, Counter())), "upstream_adds": stats["adds"],
                                     "upstream_links": stats["links"], "links_added_twice": stats["duplicates"],
                                     "examples_twice": stats["duplicate_links"][:3], "links_not_ours": len(strangers),
                                     "requests": stats["requests"]}  # fmt: skip
        twice += len(strangers)
    report["dispatched_twice"] = twice
    return report


def summary(load: dict[str, Any]) -> str:
    lines = []
    for action, s in load["actions"].items():
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(s["outcomes"].items()))
        lines.append(f"    {action:<10} {s['count']:>7,} {s['p50_ms']:>9.1f} {s['p99_ms']:>9.1f} {s['max_ms']:>9.1f}  {outcomes}")
    a = load["all"]
    lines.append(f"    {'all':<10} {load['answered']:>7,} {a['p50_ms']:>9.1f} {a['p99_ms']:>9.1f} {a['max_ms']:>9.1f}"
                 f"  ({load['sent']:,} sent in {load['seconds']:.1f} s, {load['unfinished']} unanswered)")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=300, help="seconds of soak (load + engine)")
    parser.add_argument("--quiet-seconds", type=float, default=None, help="seconds of quiet load (default: min(60, seconds))")
    parser.add_argument("--drain", type=float, default=10, help="seconds of engine work after the load")
    parser.add_argument("--rate", type=float, default=50, help="API requests per second (open loop)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--customers", type=int, default=8)
    parser.add_argument("--worker-interval", type=float, default=1.0)
    parser.add_argument("--check-every", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--json", action="store_true", help="also print the raw results as JSON")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 24 * 3600 or args.rate <= 0 or args.rate > 5000:
        raise SystemExit("--seconds must be 1 … 86400 and --rate 0 … 5000")
    quiet_seconds = args.quiet_seconds if args.quiet_seconds is not None else min(60.0, args.seconds)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{secrets.token_hex(2)}"
    log, keys = RESULTS / f"soak-{stamp}.panel.log", RESULTS / f"soak-{stamp}.keys.json"
    key = secrets.token_hex(16)
    procs: dict[str, subprocess.Popen[str]] = {}
    cleanup = None
    try:
        urls = {}
        for name, scripts in UPSTREAMS.items():
            procs[name], urls[name] = start_upstream(name, scripts, key)
        url, cleanup = create_database(args.database, stamp)
        setup(url, urls, key, args.customers, keys)
        print(f"soak: {args.database}, quiet {quiet_seconds:g} s, soak {args.seconds:g} s + drain {args.drain:g} s, "
              f"{args.rate:g} req/s", file=sys.stderr, flush=True)  # fmt: skip
        quiet = phase(url, keys, quiet_seconds, False, args, log)
        soak = phase(url, keys, args.seconds, True, args, log)
        stats = {name: get_json(u.removesuffix("/api/v2") + "/stats") for name, u in urls.items()}
        seen = {name: set(get_json(u.removesuffix("/api/v2") + "/stats?links=1")["all_links"]) for name, u in urls.items()}
        orders = orders_report(url, seen, stats)
        audit = subprocess.run([SMMPANEL, "--database-url", url, "audit"], cwd=ROOT, capture_output=True, text=True,
                               timeout=300)  # fmt: skip
    finally:
        for proc in procs.values():
            stop(proc)  # type: ignore[arg-type]
        if cleanup is not None and not args.keep:
            cleanup()
        keys.unlink(missing_ok=True)
    ok = report(args, quiet, soak, orders, audit, log)
    if args.json:
        for load in (quiet, soak):
            load.pop("links")
        print(json.dumps({"quiet": quiet, "soak": soak, "orders": orders, "audit": audit.returncode}, indent=1))
    sys.exit(0 if ok else 1)


def report(args: argparse.Namespace, quiet: dict[str, Any], soak: dict[str, Any], orders: dict[str, Any],
           audit: subprocess.CompletedProcess[str], log: Path) -> bool:  # fmt: skip
    head = f"    {'action':<10} {'answers':>7} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9}  outcomes"
    print(f"\nsoak benchmark — {args.database}, {os.cpu_count()} cores, {args.rate:g} req/s open loop, "
          f"{args.connections} connections, engine cycle {args.worker_interval:g} s")  # fmt: skip
    load = "machine load average {:.1f} → {:.1f}"
    print(f"\n  quiet (no engine), {quiet['seconds']:.0f} s, {load.format(*quiet['loadavg'])}\n{head}\n{summary(quiet)}")
    print(f"\n  soak (engine vs. healthy, slowpoke, liar), {soak['seconds']:.0f} s, {load.format(*soak['loadavg'])}"
          f"\n{head}\n{summary(soak)}")
    ratio = soak["all"]["p99_ms"] / quiet["all"]["p99_ms"] if quiet["all"]["p99_ms"] else float("inf")
    p99_ok = ratio <= 2.0
    print(f"\n  API p99: quiet {quiet['all']['p99_ms']:.1f} ms, soak {soak['all']['p99_ms']:.1f} ms = {ratio:.1f}x "
          f"[{'PASS' if p99_ok else 'FAIL'}: within 2x]; worst answer in the soak {soak['all']['max_ms'] / 1000:.1f} s")  # fmt: skip
    print("\n  orders per provider (ours) and what each upstream received")
    for name, p in orders["providers"].items():
        states = ", ".join(f"{k} {v}" for k, v in sorted(p["orders"].items()) if not k.startswith("status"))
        statuses = ", ".join(f"{k[7:]} {v}" for k, v in sorted(p["orders"].items()) if k.startswith("status"))
        print(f"    {name:<9} {states or 'no orders'}  |  {statuses}")
        print(f"    {'':<9} upstream: {p['upstream_adds']:,} adds for {p['upstream_links']:,} links, "
              f"{p['links_added_twice']} added twice, {p['links_not_ours']} not ours")  # fmt: skip
    for reason, count in orders["held_reasons"]:
        print(f"    held {count:>5} × {reason}")
    healthy = orders["providers"]["healthy"]["orders"]
    served = healthy.get("queued", 0) == 0 and healthy.get("status Completed", 0) > 0
    print(f"\n  healthy upstream served despite the others: {healthy.get('queued', 0)} orders still queued, "
          f"{healthy.get('status Completed', 0)} completed [{'PASS' if served else 'FAIL'}]")  # fmt: skip
    twice_ok = orders["dispatched_twice"] == 0
    audit_ok = audit.returncode == 0
    print(f"  dispatched twice: {orders['dispatched_twice']} [{'PASS' if twice_ok else 'FAIL'}]")
    print(f"  smmpanel audit: {'clean' if audit_ok else 'PROBLEMS: ' + (audit.stdout + audit.stderr)[-500:]}"
          f" [{'PASS' if audit_ok else 'FAIL'}]")  # fmt: skip
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    errors = sum(1 for line in lines if "ERROR" in line or "Traceback" in line)
    print(f"  panel log: {len(lines):,} lines, {errors:,} with ERROR/Traceback ({log.relative_to(ROOT)})")
    return p99_ok and served and twice_ok and audit_ok


if __name__ == "__main__":
    main()
