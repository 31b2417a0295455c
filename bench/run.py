"""The benchmark: one command, prints a table, writes bench/results/<backend>-<time>.json.

    python bench/run.py                                  # SQLite, loads bench/results/bench.db first
    python bench/run.py --skip-load                      # reuse the loaded database (and its keys file)
    python bench/run.py --database postgresql            # creates, loads, benches and drops smmpanel_bench
    python bench/run.py --database postgresql --keep     # … and keeps it for a later --skip-load

It starts `smmpanel serve` (one uvicorn worker, uvloop + httptools, log level warning, no embedded
worker) and bench/ceiling.py (a bare Starlette endpoint with the same settings) as separate processes, and
drives each scenario with wrk (Lua scripts in bench/wrk/) after a short warm-up. Every answer is checked
by the scripts: answers that are not the expected shape are counted in the `bad` column.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("SMMPANEL_SECRET_KEY", "bench-only-secret-key")  # seals provider keys of a throwaway database

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
WRK_DIR = BENCH / "wrk"
PYTHON = sys.executable
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class Scenario:
    name: str
    script: str
    target: str  # "ceiling", "50%" (of the ceiling) or a number of requests/s
    server: str = "panel"  # or "ceiling"
    note: str = ""


SCENARIOS = {
    "sqlite": [
        Scenario("ceiling", "ceiling.lua", "", "ceiling", "bare Starlette + parse_qsl"),
        Scenario("balance", "balance.lua", "50%"),
        Scenario("status", "status.lua", "50%", note="one order"),
        Scenario("status100", "status100.lua", "2000", note="100 orders per request"),
        Scenario("add", "add.lua", "3000", note="orders/s"),
        Scenario("services", "services.lua", "50%", note="gzip, ≈1 MB JSON"),
    ],
    "postgresql": [
        Scenario("ceiling", "ceiling.lua", "", "ceiling", "bare Starlette + parse_qsl"),
        Scenario("balance", "balance.lua", ""),
        Scenario("status", "status.lua", "5000", note="one order"),
        Scenario("status100", "status100.lua", "", note="100 orders per request"),
        Scenario("add", "add.lua", "", note="orders/s"),
        Scenario("services", "services.lua", "", note="gzip, ≈1 MB JSON"),
    ],
}


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int
    errors: str
    pct_of_ceiling: float | None
    target: str
    verdict: str
    note: str
    sample: str = ""


# --- processes -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError as exc:
            if getattr(exc, "code", None):  # an HTTP error still means it is up
                return
            time.sleep(0.1)
    raise SystemExit(f"no answer from {url} after {timeout} s")


def start_panel(url: str, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "SMMPANEL_DATABASE_URL": url,
        "SMMPANEL_RUN_WORKER": "false",
        "SMMPANEL_LOG_LEVEL": "warning",
        # the rate limits run (their cost is part of every answer) but never trip: wrk is one client, one key
        "SMMPANEL_RATE_LIMIT_KEY_RPS": "1000000000", "SMMPANEL_RATE_LIMIT_KEY_BURST": "1000000000",
        "SMMPANEL_RATE_LIMIT_ADDRESS_RPS": "1000000000", "SMMPANEL_RATE_LIMIT_ADDRESS_BURST": "1000000000",
    }
    smmpanel = Path(PYTHON).with_name("smmpanel")
    cmd = [str(smmpanel), "--database-url", url, "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    wait_http(f"http://127.0.0.1:{port}/health", proc)
    return proc


def start_ceiling(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([PYTHON, str(BENCH / "ceiling.py"), "--port", str(port)], cwd=ROOT)
    wait_http(f"http://127.0.0.1:{port}/api/v2", proc)
    return proc


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _cpu_seconds(*pids: int) -> tuple[float, float]:
    """(CPU seconds the whole machine has spent busy, CPU seconds of `pids` and of our finished children)."""
    tick = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    machine = (sum(fields[:8]) - fields[3] - fields[4]) / tick  # all but idle and iowait (guest is in user)
    ours = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = ours.ru_utime + ours.ru_stime
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            parts = stat.read().rsplit(")", 1)[1].split()
        total += (int(parts[11]) + int(parts[12])) / tick
    return machine, total


# --- the database --------------------------------------------------------------------------------------


def pg_url(name: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def pg_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def prepare_database(args: argparse.Namespace) -> tuple[str, Path]:
    sys.path.insert(0, str(BENCH))
    from load_data import keys_file, load

    if args.database == "sqlite":
        url = f"sqlite:///{RESULTS / 'bench.db'}"
        exists = (RESULTS / "bench.db").exists()
    else:
        url = pg_url(args.pg_database)
        exists = pg_exists(args.pg_database)
    keys = keys_file(url)
    if args.skip_load and exists and keys.exists():
        if at_head(url):
            print(f"reusing {url}", file=sys.stderr)
            return url, keys
        print("the schema changed since the last load: loading again", file=sys.stderr)
    if args.database == "postgresql":
        pg_admin(f'DROP DATABASE IF EXISTS "{args.pg_database}" WITH (FORCE)')
        pg_admin(f'CREATE DATABASE "{args.pg_database}"')
    return url, load(url)


def at_head(url: str) -> bool:
    from alembic.script import ScriptDirectory

    from smmpanel.db.migrate import alembic_config, current_revision

    return current_revision(url) == ScriptDirectory.from_config(alembic_config()).get_current_head()


def wrk_data(keys: Path) -> tuple[Path, str, str]:
    """The keys file for the Lua scripts: one line per bench customer, "<key> <id>,<id>,…"."""
    data = json.loads(keys.read_text())
    path = RESULTS / f"{keys.stem}.wrk.txt"
    path.write_text("".join(f"{r['key']} {','.join(map(str, r['orders']))}\n" for r in data["sample"]))
    return path, ",".join(map(str, data["add_services"])), str(data["add_quantity"])


# --- wrk -----------------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")


def run_wrk(
    script: str, port: int, seconds: float, args: argparse.Namespace, env: dict[str, str]
) -> dict[str, Any]:
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        script,
        f"http://127.0.0.1:{port}/api/v2",
    ]
    env = env | {"BENCH_NONCE": f"{time.time_ns():x}"}  # fresh links for every wrk run (warm-ups too)
    out = subprocess.run(
        cmd, cwd=WRK_DIR, env=os.environ | env, capture_output=True, text=True, timeout=seconds + 60
    )
    text = out.stdout + out.stderr
    if out.returncode != 0:
        raise SystemExit(f"wrk failed ({out.returncode}):\n{text}")
    found: dict[str, Any] = {"raw": text}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    found["rps"] = float(rps.group(1)) if rps else 0.0
    total = re.search(r"(\d+) requests in", text)
    found["requests"] = int(total.group(1)) if total else 0
    for pct in ("50", "99"):
        match = re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", text, re.M)
        found[f"p{pct}"] = _ms(match.group(1)) if match else float("nan")
    bad = re.search(r"^BAD (\d+)", text, re.M)
    found["bad"] = int(bad.group(1)) if bad else 0
    sample = re.search(r"^SAMPLE (.*)$", text, re.M)
    found["sample"] = sample.group(1) if sample else ""
    problems = []
    sock = re.search(r"Socket errors: (.*)", text)
    if sock:
        problems.append(sock.group(1).strip())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if non2xx:
        problems.append(f"non-2xx {non2xx.group(1)}")
    found["errors"] = "; ".join(problems)
    return found


def judge(scenario: Scenario, rps: float, ceiling: float | None) -> tuple[float | None, str, str]:
    pct = None if not ceiling or scenario.server == "ceiling" else 100.0 * rps / ceiling
    if not scenario.target:
        return pct, "", ""
    if scenario.target.endswith("%"):
        need = float(scenario.target[:-1])
        if pct is None:
            return pct, f"≥ {scenario.target} ceil", "?"
        return pct, f"≥ {scenario.target} ceil", "PASS" if pct >= need else "FAIL"
    need = float(scenario.target)
    return pct, f"≥ {need:,.0f}/s", "PASS" if rps >= need else "FAIL"


# --- main ----------------------------------------------------------------------------------------------


def _result(scenario: Scenario, found: dict[str, Any], ceiling: float | None) -> Result:
    pct, target, verdict = judge(scenario, found["rps"], ceiling)
    result = Result(
        scenario.name,
        found["rps"],
        found["p50"],
        found["p99"],
        found["requests"],
        found["bad"],
        found["errors"],
        pct,
        target,
        verdict,
        scenario.note,
        found["sample"],
    )
    if result.bad and verdict == "PASS":
        result.verdict = "FAIL"  # a fast wrong answer is not a pass
    return result


def print_table(results: list[Result], title: str) -> None:
    print(f"\n{title}")
    head = f"{'scenario':<10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'% ceil':>7} {'target':>14} {'':>5} {'bad':>5}  note"
    print(head)
    print("-" * len(head))
    for r in results:
        pct = "" if r.pct_of_ceiling is None else f"{r.pct_of_ceiling:.0f}%"
        note = r.note + (f" [{r.errors}]" if r.errors else "")
        print(
            f"{r.name:<10} {r.rps:>9,.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {pct:>7} {r.target:>14} "
            f"{r.verdict:>5} {r.bad:>5}  {note}"
        )
        if r.sample:
            print(f"{'':<10} first bad answer: {r.sample}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--duration", type=float, default=10, help="seconds per scenario")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per scenario")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (the machine has 2 cores)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per scenario, the best counts (busy machine)"
    )
    parser.add_argument("--skip-load", action="store_true", help="reuse an already loaded database")
    parser.add_argument("--keep", action="store_true", help="PostgreSQL: keep the bench database afterwards")
    parser.add_argument("--pg-database", default="smmpanel_bench")
    parser.add_argument("--only", nargs="*", help="run only these scenarios (the ceiling always runs)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    RESULTS.mkdir(parents=True, exist_ok=True)

    url, keys = prepare_database(args)
    data, add_services, quantity = wrk_data(keys)
    env = {"BENCH_KEYS": str(data), "BENCH_SERVICES": add_services, "BENCH_QUANTITY": quantity}
    scenarios = [
        s for s in SCENARIOS[args.database] if not args.only or s.name in args.only or s.server == "ceiling"
    ]
    ports = {"panel": free_port(), "ceiling": free_port()}
    panel = ceiling_proc = None
    runs: list[tuple[Scenario, dict[str, Any]]] = []
    try:
        ceiling_proc = start_ceiling(ports["ceiling"])
        panel = start_panel(url, ports["panel"])
        started, (machine0, ours0) = time.monotonic(), _cpu_seconds(panel.pid, ceiling_proc.pid)
        # the ceiling runs first and again last (the machine may be busier at one end): the higher counts
        for scenario in [*scenarios, scenarios[0]]:
            port = ports[scenario.server]
            if args.warmup > 0:
                run_wrk(scenario.script, port, args.warmup, args, env)
            found = max(
                (run_wrk(scenario.script, port, args.duration, args, env) for _ in range(args.repeat)),
                key=lambda run: run["rps"],
            )
            runs.append((scenario, found))
            print(f"  {scenario.name}: {found['rps']:,.0f} req/s", file=sys.stderr, flush=True)
        machine1, ours1 = _cpu_seconds(panel.pid, ceiling_proc.pid)
        # CPU used meanwhile by everything but the two servers and wrk, in cores: other work on the machine
        # (and the PostgreSQL server, when it is the backend) — what makes two runs comparable or not
        wall = time.monotonic() - started
        cpu = {"machine": machine1 - machine0, "ours": ours1 - ours0, "wall": wall}
        others = max(0.0, cpu["machine"] - cpu["ours"]) / wall
    finally:
        stop(panel)
        stop(ceiling_proc)
        if args.database == "postgresql" and not args.keep:
            pg_admin(f'DROP DATABASE IF EXISTS "{args.pg_database}" WITH (FORCE)')
            keys.unlink(missing_ok=True)
            data.unlink(missing_ok=True)

    ceilings = [found for scenario, found in runs if scenario.server == "ceiling"]
    best = max(ceilings, key=lambda found: found["rps"])
    results = [_result(scenarios[0], best, None)]
    results += [_result(s, found, best["rps"]) for s, found in runs if s.server != "ceiling"]
    results[0].note += " (best of " + " / ".join(f"{c['rps']:,.0f}" for c in ceilings) + ")"

    other_note = " (PostgreSQL included)" if args.database == "postgresql" else ""
    title = (
        f"smmpanel bench — {args.database}, 1 uvicorn worker, wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration:g}s"
        + (f" best of {args.repeat}" if args.repeat > 1 else "")
        + f", {os.cpu_count()} CPUs; other processes used {others:.2f} cores meanwhile{other_note}"
    )
    print_table(results, title)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"{args.database}-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "database": args.database,
                "time": stamp,
                "duration": args.duration,
                "connections": args.connections,
                "threads": args.threads,
                "repeat": args.repeat,
                "cpus": os.cpu_count(),
                "other_cores": round(others, 3),
                "cpu_seconds": cpu,
                "python": platform.python_version(),
                "results": [asdict(r) for r in results],
            },
            indent=2,
        )
    )
    print(f"\nresults: {out.relative_to(ROOT)}")
    if any(r.verdict == "FAIL" for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
