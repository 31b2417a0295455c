"""The fulfilment benchmark: one full tracking pass and one dispatch drain against a local upstream panel.

    python bench/fulfilment.py                              # SQLite (a temporary file in bench/results/)
    python bench/fulfilment.py --database postgresql        # creates and drops smmpanel_fbench_<pid>_<hex>

Loopback only. It starts bench/fake_upstream.py (Starlette on uvicorn) as a separate process, creates a
fresh database from the migrations and fills it quickly (executemany / COPY) with customers, one upstream
provider, one service, their orders, charge and deposit ledger rows (so the ledger audit is clean), then:

1. tracking — `--orders` in-flight orders (dispatch 'sent', Processing / In progress, unique upstream ids,
   all due) are checked by the engine's own step, `fulfilment.tracking.run` (one provider), called until it finds nothing
   due (what the worker's cycles do, without the sleep between them): one multi-status call per 100
   orders; changes go through orders.lifecycle.move (Partial and Canceled refund).
   Target: the full pass in < 60 s.
2. dispatch — `--dispatch` queued orders go through `fulfilment.dispatch.run(provider, drain=True)`, the step of
   `Engine.run_once`. The upstream counts `add` per link: duplicates must be 0. Target: >= 200 orders/s.

Afterwards `smmpanel.accounts.ledger.audit` must find nothing. Every phase is bounded by `--timeout`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import fake_upstream  # noqa: E402
from fake_upstream import QUANTITY, TRACKED_BASE  # noqa: E402

from smmpanel.accounts import ledger  # noqa: E402
from smmpanel.db.connect import asyncpg_dsn, connect, sqlite_path  # noqa: E402
from smmpanel.db.migrate import upgrade  # noqa: E402
from smmpanel.fulfilment import dispatch, tracking  # noqa: E402
from smmpanel.fulfilment.context import EngineConfig  # noqa: E402
from smmpanel.fulfilment.engine import Engine  # noqa: E402

os.environ.setdefault("SMMPANEL_SECRET_KEY", "bench-only-secret-key")  # seals provider keys of a throwaway database

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
RATE = 50_000  # units per 1000 (0.50 USD)
CHARGE = RATE * QUANTITY // 1000
CUSTOMERS = 1_000
BALANCE = 1_000 * 100_000  # each customer keeps 1,000 USD besides what it spent

ORDER_COLUMNS = (
    "id", "customer_id", "service_id", "link", "quantity", "fields", "charge", "refunded", "status",
    "start_count", "remains", "created_at", "updated_at", "provider_id", "upstream_id", "dispatch",
    "attempts", "next_check_at", "quiet_checks",
)  # fmt: skip
LEDGER_COLUMNS = ("customer_id", "kind", "amount", "order_id", "note", "created_at")


# --- processes -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def start_upstream(key: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(BENCH / "fake_upstream.py"), "--port", str(port), "--key", key])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"fake upstream exited with {proc.returncode}")
        try:
            get_json(base + "/stats")
            return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("fake upstream did not start in 30 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- the database --------------------------------------------------------------------------------------


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def create_database(kind: str) -> tuple[str, Any]:
    """(url, cleanup) of a fresh, migrated database."""
    if kind == "sqlite":
        path = BENCH / "results" / f"fulfilment-{os.getpid()}-{secrets.token_hex(3)}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"

        def cleanup() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

    else:
        name = f"smmpanel_fbench_{os.getpid()}_{secrets.token_hex(3)}"
        pg_admin(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name

        def cleanup() -> None:
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    try:
        upgrade(url)
    except BaseException:
        cleanup()
        raise
    return url, cleanup


def make_rows(tracked: int, queued: int, now: int) -> dict[str, list[tuple[Any, ...]]]:
    """Customers, the provider, the service, orders and ledger rows; balance == sum(ledger) per customer."""
    spent = [0] * (CUSTOMERS + 1)
    orders: list[tuple[Any, ...]] = []
    entries: list[tuple[Any, ...]] = []
    created = now - 3600
    for order_id in range(1, tracked + queued + 1):
        customer = (order_id - 1) % CUSTOMERS + 1
        link = f"https://www.instagram.com/p/bench{order_id}"
        if order_id <= tracked:
            uid = TRACKED_BASE + order_id
            status, start, remains = fake_upstream.initial(uid)
            orders.append((
                order_id, customer, 1, link, QUANTITY, "{}", CHARGE, 0, status, start, remains, created, created,
                1, uid, "sent", 1, now - 1, 0,
            ))  # fmt: skip
        else:
            orders.append((
                order_id, customer, 1, link, QUANTITY, "{}", CHARGE, 0, "Pending", 0, QUANTITY, created, created,
                1, None, "queued", 0, None, 0,
            ))  # fmt: skip
        entries.append((customer, "charge", -CHARGE, order_id, None, created))
        spent[customer] += CHARGE
    customers = [(c, f"fbench{c:05d}", "active", BALANCE, "USD", created - 60) for c in range(1, CUSTOMERS + 1)]
    deposits = [(c, "deposit", spent[c] + BALANCE, None, "bench deposit", created - 60) for c in range(1, CUSTOMERS + 1)]
    return {"customers": customers, "orders": orders, "ledger": deposits + entries}


PROVIDER_SQL = (
    "INSERT INTO providers (id, name, kind, url, api_key, step_seconds, enabled, created_at)"
    " VALUES (1, 'bench-upstream', 'upstream', $1, $2, 0, true, $3)"
)
SERVICE_SQL = (
    "INSERT INTO services (id, name, type, category, rate, min, max, enabled, created_at, updated_at, provider_id,"
    " provider_service) VALUES (1, 'Bench Followers', 'Default', 'Bench', $1, 10, 100000, true, $2, $2, 1, '1')"
)
CUSTOMER_COLUMNS = ("id", "name", "status", "balance", "currency", "created_at")


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def load_sqlite(url: str, rows: dict[str, list[tuple[Any, ...]]], upstream: str, key: str, now: int) -> None:
    conn = sqlite3.connect(sqlite_path(url), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("BEGIN")
    conn.execute(PROVIDER_SQL.replace("$1", "?1").replace("$2", "?2").replace("$3", "?3"), (upstream, key, now))
    conn.execute(SERVICE_SQL.replace("$1", "?1").replace("$2", "?2"), (RATE, now))
    conn.executemany(_insert("customers", CUSTOMER_COLUMNS), rows["customers"])
    conn.executemany(_insert("orders", ORDER_COLUMNS), rows["orders"])
    conn.executemany(_insert("ledger", LEDGER_COLUMNS), rows["ledger"])
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


async def load_postgres(url: str, rows: dict[str, list[tuple[Any, ...]]], upstream: str, key: str, now: int) -> None:
    import asyncpg

    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with conn.transaction():
            await conn.execute(PROVIDER_SQL, upstream, key, now)
            await conn.execute(SERVICE_SQL, RATE, now)
            await conn.copy_records_to_table("customers", records=rows["customers"], columns=CUSTOMER_COLUMNS)
            await conn.copy_records_to_table("orders", records=rows["orders"], columns=ORDER_COLUMNS)
            await conn.copy_records_to_table("ledger", records=rows["ledger"], columns=LEDGER_COLUMNS)
            for table in ("customers", "providers", "services", "orders"):
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


# --- the phases ----------------------------------------------------------------------------------------


async def phase_tracking(engine: Engine, tracked: int, timeout: float) -> dict[str, Any]:
    ctx = engine.ctx
    db = ctx.db
    ctx.counts = Counter()
    started = time.perf_counter()
    deadline = started + timeout
    rounds = 0
    (provider_id,) = await ctx.active_providers()
    while time.perf_counter() < deadline:
        rounds += 1
        if not await tracking.run(ctx, provider_id):
            break
    seconds = time.perf_counter() - started
    counts = ctx.counts
    # what the database says now, against what the fake upstream's model says it should say
    by_status = {r[0]: int(r[1]) for r in await db.fetch("SELECT status, COUNT(*) FROM orders WHERE id <= $1"
                                                         " GROUP BY status", tracked)}  # fmt: skip
    held = int(await db.fetchval("SELECT COUNT(*) FROM orders WHERE id <= $1 AND dispatch = 'held'", tracked))
    refunds = int(await db.fetchval("SELECT COUNT(*) FROM ledger WHERE kind = 'refund'"))
    refunded_units = int(await db.fetchval("SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE kind = 'refund'"))
    progressed = int(await db.fetchval(  # fake_upstream.answer: 100 fewer remains than `initial`
        "SELECT COUNT(*) FROM orders WHERE id <= $1 AND dispatch = 'sent' AND ((status = 'In progress'"
        f" AND remains IN ({QUANTITY - 100}, 300)) OR (status = 'Processing' AND remains = {QUANTITY - 100}))",
        tracked))  # fmt: skip
    not_checked = int(await db.fetchval(
        "SELECT COUNT(*) FROM orders WHERE id <= $1 AND dispatch = 'sent' AND status IN ('Processing', 'In progress')"
        " AND next_check_at <= $2", tracked, ctx.now()))  # fmt: skip
    want = fake_upstream.expected(range(TRACKED_BASE + 1, TRACKED_BASE + tracked + 1))
    got = {
        "Completed": by_status.get("Completed", 0), "Partial": by_status.get("Partial", 0),
        "Canceled": by_status.get("Canceled", 0), "progressed": progressed, "unknown": held,
    }  # fmt: skip
    mismatched = {k: (got[k], want[k]) for k in got if got[k] != want[k]}
    calls = (tracked + 99) // 100
    return {
        "seconds": seconds, "rounds": rounds, "checked": counts["checked"], "calls": calls,
        "finished": counts["finished"], "refunded": counts["refunded"], "held": counts["held"],
        "changed": got["Completed"] + got["Partial"] + got["Canceled"] + got["progressed"],
        "refund_rows": refunds, "refunded_usd": refunded_units / 100_000, "not_checked": not_checked,
        "mismatched": mismatched, "check_failed": counts["check_failed"],
    }  # fmt: skip


async def phase_dispatch(engine: Engine, first: int, queued: int, upstream: str, timeout: float) -> dict[str, Any]:
    ctx = engine.ctx
    ctx.counts = Counter()
    before = get_json(upstream + "/stats")
    started = time.perf_counter()
    (provider_id,) = await ctx.active_providers()
    await asyncio.wait_for(dispatch.run(ctx, provider_id, drain=True), timeout)
    seconds = time.perf_counter() - started
    after = get_json(upstream + "/stats")
    db = ctx.db
    sent = int(await db.fetchval(
        "SELECT COUNT(*) FROM orders WHERE id >= $1 AND dispatch = 'sent' AND upstream_id IS NOT NULL", first))  # fmt: skip
    distinct = int(await db.fetchval(
        "SELECT COUNT(DISTINCT upstream_id) FROM orders WHERE id >= $1 AND upstream_id IS NOT NULL", first))  # fmt: skip
    return {
        "seconds": seconds, "sent": sent, "distinct_upstream_ids": distinct,
        "adds": after["adds"] - before["adds"], "links": after["links"] - before["links"],
        "duplicates": after["duplicates"] - before["duplicates"], "counts": dict(ctx.counts),
    }  # fmt: skip


async def bench(url: str, upstream: str, args: argparse.Namespace) -> dict[str, Any]:
    db = await connect(url)
    engine = Engine(db, EngineConfig(), worker="bench-fulfilment")
    try:
        track = await phase_tracking(engine, args.orders, args.timeout) if args.orders else None
        disp = (
            await phase_dispatch(engine, args.orders + 1, args.dispatch, upstream, args.timeout)
            if args.dispatch else None
        )  # fmt: skip
        started = time.perf_counter()
        problems = await ledger.audit(db)
        audit_seconds = time.perf_counter() - started
    finally:
        await engine.ctx.aclose()
        await db.close()
    return {"tracking": track, "dispatch": disp, "audit": problems, "audit_seconds": audit_seconds}


def report(kind: str, args: argparse.Namespace, result: dict[str, Any], load_seconds: float) -> bool:
    ok = True
    print(f"\nfulfilment benchmark — {kind}, {os.cpu_count()} cores, data loaded in {load_seconds:.1f} s")
    track = result["tracking"]
    if track:
        s = track["seconds"]
        passed = s < 60 and track["not_checked"] == 0 and not track["mismatched"] and not track["check_failed"]
        ok &= passed
        print(f"  tracking  {track['checked']:>7,} orders checked in {s:6.2f} s  "
              f"{track['calls'] / s:7.1f} calls/s  {track['checked'] / s:8.0f} orders/s  "
              f"[{'PASS' if passed else 'FAIL'}: target < 60 s]")  # fmt: skip
        print(f"            {track['changed']:,} changed ({track['finished']:,} finished), "
              f"{track['refunded']:,} refunded ({track['refund_rows']:,} refund rows, "
              f"{track['refunded_usd']:,.2f} USD), {track['held']:,} held (unknown upstream), "
              f"{track['not_checked']:,} left unchecked, {track['rounds']} tracking.run calls")  # fmt: skip
        if track["mismatched"] or track["check_failed"]:
            print(f"            MISMATCH (got, expected): {track['mismatched']}; "
                  f"failed status calls: {track['check_failed']}")  # fmt: skip
    disp = result["dispatch"]
    if disp:
        s = disp["seconds"]
        rate = disp["sent"] / s if s else 0.0
        exact = disp["sent"] == args.dispatch == disp["adds"] == disp["links"] == disp["distinct_upstream_ids"]
        passed = rate >= 200 and exact and disp["duplicates"] == 0
        ok &= passed
        print(f"  dispatch  {disp['sent']:>7,} orders sent    in {s:6.2f} s  {rate:8.0f} orders/s  "
              f"[{'PASS' if passed else 'FAIL'}: target >= 200 orders/s]")  # fmt: skip
        print(f"            upstream saw {disp['adds']:,} adds for {disp['links']:,} links: "
              f"duplicates = {disp['duplicates']}; exactly once: {'yes' if exact else 'NO'}; "
              f"engine counts {disp['counts']}")  # fmt: skip
    problems = result["audit"]
    ok &= not problems
    print(f"  audit     {'clean' if not problems else f'{len(problems)} PROBLEMS: {problems[:5]}'} "
          f"(ledger.audit in {result['audit_seconds']:.2f} s)")  # fmt: skip
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--orders", type=int, default=100_000, help="in-flight orders to track")
    parser.add_argument("--dispatch", type=int, default=5_000, help="queued orders to dispatch")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per phase at most")
    parser.add_argument("--log-level", default="ERROR", help="of the engine's logger (default: ERROR)")
    parser.add_argument("--json", action="store_true", help="also print the raw results as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (prints its URL)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    logging.getLogger("smmpanel").setLevel(args.log_level.upper())

    key = secrets.token_hex(16)
    proc, base = start_upstream(key)
    cleanup = None
    try:
        url, cleanup = create_database(args.database)
        now = int(time.time())
        started = time.perf_counter()
        rows = make_rows(args.orders, args.dispatch, now)
        if args.database == "sqlite":
            load_sqlite(url, rows, base + "/api/v2", key, now)
        else:
            asyncio.run(load_postgres(url, rows, base + "/api/v2", key, now))
        del rows
        load_seconds = time.perf_counter() - started
        try:
            import uvloop

            runner = uvloop.run
        except ImportError:
            runner = asyncio.run
        result = runner(bench(url, base, args))
        ok = report(args.database, args, result, load_seconds)
        if args.json:
            result["audit"] = [str(p) for p in result["audit"]]
            print(json.dumps(result, indent=1, default=str))
    finally:
        stop(proc)
        if cleanup is not None and not args.keep:
            cleanup()
        elif cleanup is not None:
            print(f"kept {url}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
