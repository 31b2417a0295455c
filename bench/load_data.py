"""Fill a fresh database with a production-sized panel: customers, keys, services, orders and their ledger.

    python bench/load_data.py --database-url sqlite:///bench/results/bench.db
    python bench/load_data.py --database-url postgresql://postgres@127.0.0.1:5432/smmpanel_bench

Defaults: 10,000 customers (one API key each), 5,000 services of mixed types (≈ 1 MB of `services` JSON),
1,000,000 orders spread round-robin over the customers (order i belongs to customer (i-1) % customers + 1),
each with its `charge` ledger row and, when refunded, its `refund` row; every customer's deposits cover
what they spent plus their final balance, so `smmpanel audit` is clean. The bench customers (the sample
whose plaintext keys are written to `<db>.keys.json`) hold a large balance so `add` never runs dry.

Fast on purpose: the schema comes from the migrations, the secondary indexes are dropped during the load
and rebuilt afterwards with their exact original definitions, rows go in with executemany (SQLite) or COPY
(asyncpg `copy_records_to_table`, PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import secrets
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from smmpanel.catalog.ordertypes import ORDER_TYPES
from smmpanel.db.connect import asyncpg_dsn, is_sqlite, sqlite_path
from smmpanel.db.migrate import upgrade

NOW = int(time.time())
DAY = 86_400
SCALE = 100_000  # units per currency unit (smmpanel.money)
BENCH_BALANCE = 1_000_000 * SCALE  # per sampled customer: far more than any bench run can spend
BATCH = 50_000

# --- the catalogue -------------------------------------------------------------------------------------

PLATFORMS = {
    "Instagram": ["Followers", "Likes", "Views", "Comments", "Story Views", "Reels Views", "Saves", "Reach"],
    "TikTok": ["Followers", "Likes", "Views", "Shares", "Comments", "Live Stream Views", "Saves"],
    "YouTube": ["Subscribers", "Views", "Likes", "Watch Time", "Comments", "Shorts Views", "Live Viewers"],
    "Facebook": ["Page Likes", "Page Followers", "Post Likes", "Video Views", "Group Members", "Reactions"],
    "Twitter/X": ["Followers", "Likes", "Retweets", "Views", "Impressions", "Poll Votes"],
    "Telegram": ["Channel Members", "Post Views", "Reactions", "Group Members"],
    "Spotify": ["Plays", "Followers", "Monthly Listeners", "Saves"],
    "Twitch": ["Followers", "Live Viewers", "Clip Views"],
    "LinkedIn": ["Followers", "Connections", "Post Likes"],
    "Discord": ["Server Members", "Online Members"],
    "SoundCloud": ["Plays", "Followers", "Likes"],
    "Website": ["Traffic", "Google Traffic", "Social Traffic"],
}
QUALITIES = ["Real", "HQ", "Mixed", "Bots", "Premium", "Targeted", "Non Drop", "Low Drop", "Cheapest"]
SPEEDS = ["Instant", "0-1H Start", "Fast", "1K/Day", "10K/Day", "50K/Day", "Slow Drip", "Super Fast"]
COUNTRIES = ["Worldwide", "USA", "Brazil", "India", "Turkey", "Europe", "Arab", "Russia", "Indonesia"]
EXTRA_TYPES = [t for t in ORDER_TYPES if t != "Default"]
DESCRIPTIONS = [
    "Start: {start}\nSpeed: {speed}\nQuality: {quality}",
    "{quality} accounts from {country}, no password needed.",
    "Account must be public. {refill}.",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
]


def make_services(count: int, rng: random.Random) -> list[tuple[Any, ...]]:
    rows = []
    platforms = list(PLATFORMS)
    for service_id in range(1, count + 1):
        platform = platforms[service_id % len(platforms)]
        kind = rng.choice(PLATFORMS[platform])
        quality, speed, country = rng.choice(QUALITIES), rng.choice(SPEEDS), rng.choice(COUNTRIES)
        refill_days = rng.choice([0, 0, 0, 7, 30, 30, 60, 365])
        refill = f"{refill_days} Days Refill" if refill_days else "No Refill"
        type_ = "Default" if rng.random() < 0.7 else rng.choice(EXTRA_TYPES)
        name = f"{platform} {kind} [{quality}] [{refill}]"
        if rng.random() < 0.3:
            name += f" [{country}]"
        category = f"{platform} {kind}" + (" [Refill]" if refill_days else "")
        rate = rng.choice([1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500]) * rng.randint(100, 5000)
        if type_ in ("Package", "Custom Comments Package"):
            low = high = 1
        else:
            low = rng.choice([10, 20, 50, 100, 100, 500])
            high = rng.choice([5_000, 10_000, 50_000, 100_000, 1_000_000])
        desc = rng.choice(DESCRIPTIONS).format(
            start=rng.choice(["0-1 hour", "0-6 hours", "instant", "0-24 hours"]),
            speed=speed,
            quality=quality,
            refill=refill,
            country=country,
        )
        dripfeed = type_ in ("Default", "Web Traffic") and rng.random() < 0.3
        rows.append(
            (
                service_id,
                name,
                type_,
                category,
                rate,
                low,
                high,
                refill_days,
                rng.random() < 0.4,
                dripfeed,
                desc,
                True,
                True,
                NOW - 200 * DAY,
                NOW - rng.randint(0, 30) * DAY,
            )
        )
    return rows


SERVICE_COLUMNS = (
    "id",
    "name",
    "type",
    "category",
    "rate",
    "min",
    "max",
    "refill_days",
    "cancel",
    "dripfeed",
    "description",
    "enabled",
    "link_guard",
    "created_at",
    "updated_at",
)
CUSTOMER_COLUMNS = ("id", "name", "status", "balance", "currency", "created_at")
KEY_COLUMNS = ("id", "customer_id", "key_hash", "prefix", "created_at", "revoked_at")
ORDER_COLUMNS = (
    "id",
    "customer_id",
    "service_id",
    "parent_id",
    "link",
    "quantity",
    "runs",
    "interval",
    "runs_done",
    "fields",
    "charge",
    "refunded",
    "status",
    "start_count",
    "remains",
    "cancel_requested",
    "created_at",
    "updated_at",
    "completed_at",
)
LEDGER_COLUMNS = ("id", "customer_id", "kind", "amount", "order_id", "note", "created_at")

# status, cumulative weight
STATUS_MIX = [
    ("Completed", 70),
    ("Partial", 75),
    ("Canceled", 80),
    ("In progress", 90),
    ("Processing", 93),
    ("Pending", 100),
]
LINK_HOSTS = [
    "https://www.instagram.com/p/",
    "https://www.tiktok.com/@user/video/",
    "https://youtu.be/",
    "https://t.me/channel/",
    "https://x.com/user/status/",
    "https://open.spotify.com/track/",
]


class Plan:
    """Everything generated, in the order it is written. Orders and ledger rows stream in batches."""

    def __init__(self, customers: int, services: int, orders: int, sample: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.customers = customers
        self.orders = orders
        self.services = make_services(services, self.rng)
        # orders only reference types whose status answer needs nothing but the order row
        self.orderable = [s for s in self.services if s[2] not in ("Subscriptions",)]
        self.sample_ids = sorted(self.rng.sample(range(1, customers + 1), min(sample, customers)))
        self.spent = [0] * (customers + 1)  # net units spent per customer (charges - refunds)
        self.ledger_id = 0

    def order_batches(self) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        rng, orderable, spent = self.rng, self.orderable, self.spent
        customers = self.customers
        span = 180 * DAY
        orders: list[tuple[Any, ...]] = []
        ledger: list[tuple[Any, ...]] = []
        for order_id in range(1, self.orders + 1):
            customer_id = (order_id - 1) % customers + 1
            service = orderable[int(rng.random() * len(orderable))]
            type_, rate, low, high = service[2], service[4], service[5], service[6]
            if type_ in ("Package", "Custom Comments Package"):
                quantity, charge = 1, rate
            else:
                quantity = min(high, max(low, rng.choice([100, 250, 500, 1000, 2000, 5000, 10000])))
                charge = (rate * quantity + 500) // 1000
            roll = rng.random() * 100
            status = next(name for name, weight in STATUS_MIX if roll < weight)
            refunded = 0
            if status == "Completed":
                remains = 0
            elif status == "Partial":
                remains = rng.randint(1, quantity) if quantity > 1 else 1
                refunded = charge * remains // quantity
            elif status == "Canceled":
                remains, refunded = quantity, charge
            elif status == "In progress":
                remains = rng.randint(0, quantity)
            else:
                remains = quantity
            created = NOW - span + (span * order_id) // self.orders
            updated = created + rng.randint(60, 3 * DAY)
            final = status in ("Completed", "Partial", "Canceled")
            link = f"{rng.choice(LINK_HOSTS)}{rng.getrandbits(48):x}"
            orders.append(
                (
                    order_id,
                    customer_id,
                    service[0],
                    None,
                    link,
                    quantity,
                    None,
                    None,
                    0,
                    "{}",
                    charge,
                    refunded,
                    status,
                    rng.randint(0, 50_000),
                    remains,
                    False,
                    created,
                    updated,
                    updated if final else None,
                )
            )
            if charge:
                self.ledger_id += 1
                ledger.append((self.ledger_id, customer_id, "charge", -charge, order_id, None, created))
            if refunded:
                self.ledger_id += 1
                ledger.append((self.ledger_id, customer_id, "refund", refunded, order_id, status, updated))
            spent[customer_id] += charge - refunded
            if len(orders) >= BATCH:
                yield orders, ledger
                orders, ledger = [], []
        if orders:
            yield orders, ledger

    def customers_and_deposits(
        self,
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]], dict[int, str]]:
        """Called after the orders: balances and deposits depend on what each customer spent."""
        rng = self.rng
        sample = set(self.sample_ids)
        customers, deposits, keys = [], [], []
        plaintext: dict[int, str] = {}
        for customer_id in range(1, self.customers + 1):
            balance = BENCH_BALANCE if customer_id in sample else rng.randint(0, 500 * SCALE)
            created = NOW - 200 * DAY + rng.randint(0, 10 * DAY)
            customers.append((customer_id, f"bench{customer_id:06d}", "active", balance, "USD", created))
            total = self.spent[customer_id] + balance
            first = total // 2 if total > 1 else total
            for amount in (first, total - first):
                if amount > 0:
                    self.ledger_id += 1
                    deposits.append(
                        (self.ledger_id, customer_id, "deposit", amount, None, "bench deposit", created)
                    )
            key = secrets.token_hex(16)
            if customer_id in sample:
                plaintext[customer_id] = key
            digest = hashlib.sha256(key.encode()).hexdigest()
            keys.append((customer_id, customer_id, digest, key[:8], created, None))
        return customers, deposits, keys, plaintext

    def sample_orders(self, customer_id: int) -> list[int]:
        return list(range(customer_id, self.orders + 1, self.customers))


# --- SQLite --------------------------------------------------------------------------------------------


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def load_sqlite(path: str, plan: Plan) -> dict[int, str]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    conn.execute("PRAGMA foreign_keys=OFF")  # rows arrive orders before customers; checked by audit after
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN ('orders', 'ledger', 'api_keys')"
    ).fetchall()
    conn.execute("BEGIN")
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    conn.executemany(_insert_sql("services", SERVICE_COLUMNS), plan.services)
    for orders, ledger in plan.order_batches():
        conn.executemany(_insert_sql("orders", ORDER_COLUMNS), orders)
        conn.executemany(_insert_sql("ledger", LEDGER_COLUMNS), ledger)
        _progress(orders[-1][0], plan.orders)
    customers, deposits, keys, plaintext = plan.customers_and_deposits()
    conn.executemany(_insert_sql("customers", CUSTOMER_COLUMNS), customers)
    conn.executemany(_insert_sql("ledger", LEDGER_COLUMNS), deposits)
    conn.executemany(_insert_sql("api_keys", KEY_COLUMNS), keys)
    conn.execute(
        "INSERT INTO panel_state (key, value) VALUES ('catalog_version', 1)"
        " ON CONFLICT (key) DO UPDATE SET value = panel_state.value + 1"
    )
    print("\nrebuilding indexes…", file=sys.stderr)
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    return plaintext


# --- PostgreSQL ----------------------------------------------------------------------------------------


async def load_postgres(url: str, plan: Plan) -> dict[int, str]:
    import asyncpg

    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        indexes = await conn.fetch(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public'"
            " AND i.tablename IN ('orders', 'ledger', 'api_keys')"
            " AND i.indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        async with conn.transaction():
            # rows arrive orders before customers: skip the FK triggers for this load (superuser only);
            # `smmpanel audit` checks the result afterwards
            await conn.execute("SET LOCAL session_replication_role = replica")
            for row in indexes:
                await conn.execute(f'DROP INDEX "{row[0]}"')
            await conn.copy_records_to_table("services", records=plan.services, columns=SERVICE_COLUMNS)
            for orders, ledger in plan.order_batches():
                await conn.copy_records_to_table("orders", records=orders, columns=ORDER_COLUMNS)
                await conn.copy_records_to_table("ledger", records=ledger, columns=LEDGER_COLUMNS)
                _progress(orders[-1][0], plan.orders)
            customers, deposits, keys, plaintext = plan.customers_and_deposits()
            await conn.copy_records_to_table("customers", records=customers, columns=CUSTOMER_COLUMNS)
            await conn.copy_records_to_table("ledger", records=deposits, columns=LEDGER_COLUMNS)
            await conn.copy_records_to_table("api_keys", records=keys, columns=KEY_COLUMNS)
            await conn.execute(
                "INSERT INTO panel_state (key, value) VALUES ('catalog_version', 1)"
                " ON CONFLICT (key) DO UPDATE SET value = panel_state.value + 1"
            )
            print("\nrebuilding indexes…", file=sys.stderr)
            await conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for row in indexes:
                await conn.execute(row[1])
            for table in ("customers", "api_keys", "services", "orders", "ledger"):
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return plaintext


# --- main ----------------------------------------------------------------------------------------------


def _progress(done: int, total: int) -> None:
    print(f"\r  orders {done:>9,} / {total:,}", end="", file=sys.stderr, flush=True)


def keys_file(url: str) -> Path:
    """Where the sample's plaintext keys go: next to an SQLite file, in bench/results/ for PostgreSQL."""
    if is_sqlite(url):
        return Path(sqlite_path(url)).with_suffix(".keys.json")
    name = url.rsplit("/", 1)[-1] or "postgres"
    return Path(__file__).resolve().parent / "results" / f"{name}.keys.json"


def load(
    url: str,
    *,
    customers: int = 10_000,
    services: int = 5_000,
    orders: int = 1_000_000,
    sample: int = 2_000,
    seed: int = 1,
) -> Path:
    started = time.perf_counter()
    if is_sqlite(url):
        path = Path(sqlite_path(url))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    upgrade(url)
    plan = Plan(customers, services, orders, sample, seed)
    if is_sqlite(url):
        plaintext = load_sqlite(sqlite_path(url), plan)
    else:
        plaintext = asyncio.run(load_postgres(url, plan))
    sample_rows = [
        {"customer_id": cid, "key": plaintext[cid], "orders": plan.sample_orders(cid)}
        for cid in plan.sample_ids
    ]
    add_services = [s[0] for s in plan.services if s[2] == "Default" and s[5] <= 1000 <= s[6]]
    target = keys_file(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        json.dumps(
            {
                "database_url": url,
                "customers": customers,
                "services": services,
                "orders": orders,
                "add_services": add_services,
                "add_quantity": 1000,
                "sample": sample_rows,
            }
        )
    )
    print(
        f"loaded {customers:,} customers, {services:,} services, {orders:,} orders in "
        f"{time.perf_counter() - started:.1f} s; keys in {target}",
        file=sys.stderr,
    )
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--services", type=int, default=5_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2_000, help="customers whose plaintext keys are kept")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    load(
        args.database_url,
        customers=args.customers,
        services=args.services,
        orders=args.orders,
        sample=args.sample,
        seed=args.seed,
    )


if __name__ == "__main__":
    main()
