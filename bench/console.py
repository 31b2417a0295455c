"""The operator console on a big database: server time of the orders page (with each filter and search) and
of the dashboard, p50 and p95, through the whole app (routing, security middleware, sessions, CSRF,
templates, queries) in process — no network, no client in the measurement.

    python bench/load_data.py --database-url sqlite:///bench/results/console.db        # 1,000,000 orders
    python bench/console.py --database-url sqlite:///bench/results/console.db
    python bench/console.py --database-url postgresql://postgres@127.0.0.1:5432/smmpanel_bench

The loader writes orders and their ledger rows directly, so the daily rollups (maintained by placing and the
status machine from then on) are filled once here from the ledger, exactly as migration 0006 does.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import time

import httpx

from smmpanel.config import Settings
from smmpanel.db.connect import Database, connect
from smmpanel.db.migrate import upgrade
from smmpanel.server import app_for
from smmpanel.staff import accounts
from smmpanel.staff.accounts import StaffError

BACKFILL = (
    "INSERT INTO order_rollups (day, customer_id, service_id, provider_id, orders, charged, refunded, cost)"
    " SELECT l.created_at / 86400, o.customer_id, o.service_id, COALESCE(o.provider_id, 0),"
    " SUM(CASE WHEN l.kind = 'charge' THEN 1 ELSE 0 END), SUM(CASE WHEN l.kind = 'charge' THEN -l.amount ELSE 0 END),"
    " SUM(CASE WHEN l.kind = 'refund' THEN l.amount ELSE 0 END), 0"
    " FROM ledger l JOIN orders o ON o.id = l.order_id WHERE l.kind IN ('charge', 'refund')"
    " GROUP BY l.created_at / 86400, o.customer_id, o.service_id, COALESCE(o.provider_id, 0)"
)
_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


async def prepare(db: Database) -> tuple[str, dict[str, str]]:
    if not await db.fetchval("SELECT 1 FROM order_rollups LIMIT 1"):
        started = time.perf_counter()
        await db.execute(BACKFILL)
        print(f"rollups filled from the ledger in {time.perf_counter() - started:.1f} s")
    try:
        password = await accounts.create(db, "bench-owner", "owner")
    except StaffError:
        password = await accounts.set_password(db, "bench-owner")
    row = await db.fetchrow("SELECT MAX(id), MIN(id) FROM orders")
    middle = await db.fetchrow("SELECT id, service_id, customer_id, link, created_at FROM orders WHERE id = $1",
                               int(row[0]) // 2)
    day = time.strftime("%Y-%m-%d", time.gmtime(int(middle["created_at"])))
    values = {"max": str(row[0]), "middle": str(middle["id"]), "service": str(middle["service_id"]),
              "customer": str(middle["customer_id"]), "link": str(middle["link"]), "day": day}
    return password, values


def scenarios(v: dict[str, str]) -> dict[str, str]:
    from urllib.parse import quote

    return {
        "dashboard": "/admin/",
        "orders: newest page": "/admin/orders",
        "orders: page deep in the table": f"/admin/orders?before={v['middle']}",
        "orders: status Partial": "/admin/orders?status=Partial",
        "orders: status Completed, deep": f"/admin/orders?status=Completed&before={v['middle']}",
        "orders: one service": f"/admin/orders?service={v['service']}",
        "orders: one customer": f"/admin/orders?customer={v['customer']}",
        "orders: service + status": f"/admin/orders?service={v['service']}&status=Completed",
        "orders: one day": f"/admin/orders?from={v['day']}&until={v['day']}",
        "orders: search id": f"/admin/orders?q={v['middle']}",
        "orders: search link": f"/admin/orders?q={quote(v['link'], safe='')}",
        "held orders": "/admin/held",
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    upgrade(args.database_url)
    db = await connect(args.database_url, pool_size=4)
    password, values = await prepare(db)
    app = app_for(Settings(database_url=args.database_url, run_worker=False), db=db)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        page = await client.get("/admin/login")
        token = _CSRF.search(page.text)
        assert token, page.text
        signed = await client.post("/admin/login", data={"username": "bench-owner", "password": password,
                                                        "csrf_token": token.group(1)})
        assert signed.status_code == 303, signed.text
        orders = await db.fetchval("SELECT COUNT(*) FROM orders")
        print(f"{args.database_url.split(':')[0]}: {orders:,} orders; {args.requests} requests each after 3 warm-up")
        print(f"{'page':40} {'p50 ms':>8} {'p95 ms':>8} {'rows':>5}")
        for name, path in scenarios(values).items():
            times = []
            for i in range(args.requests + 3):
                started = time.perf_counter()
                response = await client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, (path, response.status_code)
                if i >= 3:
                    times.append(elapsed)
            rows = response.text.count('<td data-label="ID">') if "orders" in name else 0
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(f"{name:40} {statistics.median(times):8.1f} {p95:8.1f} {rows:5}")
    await db.close()


if __name__ == "__main__":
    asyncio.run(main())
