"""Server time of the website's /orders for a customer with 100,000 orders among 1,000,000 (issue 8).

    .venv/bin/python bench/web_orders.py                          # SQLite: bench/results/web_orders.db
    .venv/bin/python bench/web_orders.py --database postgresql    # create, load, vacuum, bench, drop it

The database comes from load_data.py with 10 customers, so order i belongs to customer (i − 1) mod 10 + 1 and
each holds 100,000 orders. Customer 1 gets a web password and signs in through /login like a browser (CSRF
token, session cookie). Each scenario then asks the app for one /orders page `--requests` times in-process
(httpx over ASGI: no socket, so the figure is the server's own time: routing, session, queries, template)
and reports p50 and p90 in milliseconds. Target: p50 < 30 ms for every scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from load_data import load  # noqa: E402

from smmpanel.accounts import passwords  # noqa: E402
from smmpanel.config import Settings  # noqa: E402
from smmpanel.db.connect import connect  # noqa: E402
from smmpanel.server import app_for  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_NAME = "smmpanel_web_bench"
PASSWORD = "bench web password"
_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def vacuum(url: str) -> None:
    """What autovacuum does to a table that has settled: statistics and the visibility map (which lets the
    link search read the index alone)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) orders")


async def measure(url: str, requests: int) -> list[tuple[str, float, float, int]]:
    db = await connect(url, pool_size=4)
    customer_id = 1
    await passwords.set_password(db, customer_id, PASSWORD)
    name = await db.fetchval("SELECT name FROM customers WHERE id = $1", customer_id)
    mine = [r[0] for r in await db.fetch(
        "SELECT id FROM orders WHERE customer_id = $1 ORDER BY id DESC LIMIT 1 OFFSET 50000", customer_id)]
    link = await db.fetchval("SELECT link FROM orders WHERE customer_id = $1 ORDER BY id DESC LIMIT 1 OFFSET 777",
                             customer_id)
    some_id = await db.fetchval("SELECT id FROM orders WHERE customer_id = $1 ORDER BY id LIMIT 1 OFFSET 4321",
                                customer_id)
    deep = mine[0]
    app = app_for(Settings(database_url=url, run_worker=False), db=db)
    results = []
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        login = await client.get("/login")
        token = _CSRF.search(login.text)
        assert token, login.text
        signed = await client.post("/login", data={"login": name, "password": PASSWORD,
                                                   "csrf_token": token.group(1)})
        assert signed.status_code == 303, signed.text
        scenarios = [
            ("first page (All)", "/orders"),
            ("deep page by cursor (50,000 back)", f"/orders?before={deep}"),
            ("tab Completed", "/orders?status=Completed"),
            ("tab Canceled, deep", f"/orders?status=Canceled&before={deep}"),
            ("tab Pending", "/orders?status=Pending"),
            ("search by id", f"/orders?search={some_id}"),
            ("search by link", "/orders?search=" + httpx.QueryParams({"q": link}).get("q", "")),
        ]
        for label, path in scenarios:
            for _ in range(5):  # warm up
                assert (await client.get(path)).status_code == 200
            times = []
            rows = 0
            for _ in range(requests):
                started = time.perf_counter()
                answer = await client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200
                rows = answer.text.count('<tr id="order-')
            times.sort()
            results.append((label, statistics.median(times), times[int(len(times) * 0.9) - 1], rows))
    await db.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--skip-load", action="store_true", help="reuse the SQLite database of a previous run")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    if args.database == "sqlite":
        url = f"sqlite:///{BENCH / 'results' / 'web_orders.db'}"
        if not args.skip_load:
            load(url, customers=10, services=5_000, orders=1_000_000, sample=10)
    else:
        url = f"postgresql://postgres@127.0.0.1:5432/{PG_NAME}"
        pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}"')
        pg_admin(f'CREATE DATABASE "{PG_NAME}"')
        load(url, customers=10, services=5_000, orders=1_000_000, sample=10)
        vacuum(url)
    try:
        results = asyncio.run(measure(url, args.requests))
    finally:
        if args.database == "postgresql":
            pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}"')
    print(f"/orders server time, {args.database}, 1,000,000 orders, customer with 100,000; "
          f"{args.requests} requests each; load average {os.getloadavg()[0]:.2f}")
    print(f"{'scenario':<36} {'p50 ms':>8} {'p90 ms':>8} {'rows':>5}")
    for label, p50, p90, rows in results:
        print(f"{label:<36} {p50:>8.2f} {p90:>8.2f} {rows:>5}")


if __name__ == "__main__":
    main()
