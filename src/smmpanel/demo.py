"""The demo set-up: a customer named `demo` with 100.00 and a few services, so a newcomer can `curl` at once.

The services are fulfilled by the built-in simulated provider (one step every 5 seconds), so an order moves
Processing → In progress → Completed (sometimes Partial, refunded) while the newcomer watches `status`.

Keys and passwords are stored only as hashes, so each demo start revokes the previous demo keys and prints a
fresh key and a fresh website password.
"""

from __future__ import annotations

from smmpanel.accounts import customers, keys, passwords
from smmpanel.accounts import queries as account_queries
from smmpanel.catalog import queries as catalog_queries
from smmpanel.catalog import services
from smmpanel.db.connect import connect
from smmpanel.money import parse_amount
from smmpanel.payments import methods
from smmpanel.providers import registry

DEMO_SERVICES = [
    dict(name="Instagram Followers [refill 30 days]", type="Default", category="Instagram", rate="0.90", min=10,
         max=100_000, refill_days=30, cancel=True, dripfeed=True, description="Real-looking followers, 30-day refill"),
    dict(name="Instagram Likes", type="Default", category="Instagram", rate="0.25", min=10, max=50_000,
         cancel=True, dripfeed=True, description=""),
    dict(name="Instagram Custom Comments", type="Custom Comments", category="Instagram", rate="12.00", min=1,
         max=1_000, description="One comment per line"),
    dict(name="YouTube Views Package 10K", type="Package", category="YouTube", rate="7.50", min=1, max=1,
         description="10,000 views, one package"),
    dict(name="Instagram Auto Likes", type="Subscriptions", category="Instagram", rate="0.30", min=50,
         max=5_000, description="Likes on every new post"),
]


async def seed(url: str, *, host: str, port: int) -> str:
    db = await connect(url)
    try:
        existing = await account_queries.customer_id(db, "demo")
        if existing is None:
            _, key = await customers.create(db, "demo", balance=parse_amount("100"))
        else:
            await keys.revoke_all(db, existing)
            key = await keys.add_key(db, existing)
        if not await catalog_queries.count_services(db):
            simulator = await registry.add(db, "simulator", "simulated", step_seconds=5)
            for spec in DEMO_SERVICES:
                await services.create(db, **{**spec, "rate": parse_amount(str(spec["rate"])), "provider_id": simulator})
        if not await methods.list_all(db):
            await methods.add(db, "Bank transfer", "Demo bank: IBAN XX00 0000 0000\nReference: your username",
                              parse_amount("10"))
        password = await passwords.reset_by_name(db, "demo")
    finally:
        await db.close()
    site = f"http://{host}:{port}"
    base = f"{site}/api/v2"
    print(
        f"\nWebsite:       {site}/  (sign in as demo / {password})\n"
        f"Demo customer: demo (balance 100.00000 USD)\nDemo password: {password}\nDemo API key:  {key}\n\nTry it:\n"
        f"  curl -s {base} -d key={key} -d action=balance\n"
        f"  curl -s {base} -d key={key} -d action=services\n"
        f"  curl -s {base} -d key={key} -d action=add -d service=1 -d link=https://instagram.com/p/demo"
        " -d quantity=1000\n"
        f"  curl -s {base} -d key={key} -d action=status -d order=1     # again in a few seconds\n",
        flush=True,
    )
    return key
