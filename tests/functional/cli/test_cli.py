"""The operator's command line end to end: `python -m smmpanel --database-url URL …` in a subprocess,
against a real migrated database, with the effects checked in the database and, where it matters, over the
API.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory

from smmpanel.accounts.callers import CALLER_TTL
from smmpanel.api import errors
from smmpanel.db.connect import connect
from smmpanel.db.migrate import alembic_config
from tests.common.cli import as_json, cli, last_line, refused
from tests.conftest import Panel

BALANCE = {"balance": "10.00000", "currency": "USD"}


def query(db_url: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    async def go() -> list[tuple[Any, ...]]:
        db = await connect(db_url, pool_size=1)
        try:
            return [tuple(r) for r in await db.fetch(sql, *args)]
        finally:
            await db.close()

    return asyncio.run(go())


def soon(check: Callable[[], bool]) -> None:
    """A key suspended or revoked by another process stops working within CALLER_TTL (accounts/callers.py)."""
    deadline = time.monotonic() + CALLER_TTL + 2
    while not check():
        assert time.monotonic() < deadline, "the change did not reach the API in time"
        time.sleep(0.05)


# users, keys -----------------------------------------------------------------------------------------


def test_users_and_keys(panel: Panel) -> None:
    url = panel.db_url
    added = cli(url, "users", "add", "alice", "--balance", "10")
    assert "customer alice (id 1) created with balance 10.00000" in added.stdout
    first = last_line(added)
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert panel.balance(first) == "10.00000"
    refused(url, "users", "add", "alice", message="customer 'alice' exists")
    cli(url, "users", "add", "bob")
    second = last_line(cli(url, "keys", "add", "alice"))
    assert re.fullmatch(r"[0-9a-f]{32}", second) and second != first
    assert panel.balance(second) == "10.00000"
    assert as_json(cli(url, "users", "list", "--json")) == [
        {
            "id": 1,
            "name": "alice",
            "status": "active",
            "balance": "10.00000",
            "currency": "USD",
            "orders": 0,
            "keys": 2,
        },
        {
            "id": 2,
            "name": "bob",
            "status": "active",
            "balance": "0.00000",
            "currency": "USD",
            "orders": 0,
            "keys": 1,
        },
    ]

    # suspend: every key answers Invalid API key; activate: back
    assert "customer alice is now suspended" in cli(url, "users", "suspend", "alice").stdout
    soon(lambda: panel.post(key=first, action="balance").content == b'{"error":"Invalid API key"}')
    soon(lambda: panel.post(key=second, action="services").content == b'{"error":"Invalid API key"}')
    cli(url, "users", "activate", "alice")
    soon(lambda: panel.api(key=first, action="balance") == panel.api(key=second, action="balance") == BALANCE)

    # revoke by 6 to 8 characters, or by the whole key
    assert "revoked 1 key(s)" in cli(url, "keys", "revoke", first[:6]).stdout
    soon(lambda: panel.api(key=first, action="balance") == {"error": errors.INVALID_KEY})
    assert panel.balance(second) == "10.00000"
    refused(url, "keys", "revoke", second[:12], message="give 6 to 8 characters of the key, or the whole key")
    assert as_json(cli(url, "users", "show", "alice", "--json")) == [
        {
            "id": 1,
            "name": "alice",
            "status": "active",
            "balance": "10.00000",
            "currency": "USD",
            "keys": [{"prefix": first[:8], "revoked": True}, {"prefix": second[:8], "revoked": False}],
            "ledger": [
                {"id": 1, "kind": "deposit", "amount": "10.00000", "order": None, "note": "opening balance"}
            ],
        }
    ]
    assert "revoked 1 key(s)" in cli(url, "keys", "revoke", second).stdout
    soon(lambda: panel.api(key=second, action="balance") == {"error": errors.INVALID_KEY})


# funds -----------------------------------------------------------------------------------------------


def test_funds(db_url: str) -> None:
    cli(db_url, "users", "add", "bob", "--balance", "1")
    assert "bob: balance 3.50000" in cli(db_url, "funds", "add", "bob", "2.5", "--note", "wire 42").stdout
    assert "bob: balance 2.25000" in cli(db_url, "funds", "add", "bob", "--", "-1.25").stdout
    refused(
        db_url, "funds", "add", "bob", "--", "-2.25001", message="the balance does not cover that adjustment"
    )
    refused(db_url, "funds", "add", "bob", "1e30", message="out of range: '1e30'")
    refused(db_url, "funds", "add", "nobody", "1", message="no customer named 'nobody'")
    assert "bob: balance 0.00000" in cli(db_url, "funds", "add", "bob", "--", "-2.25").stdout
    assert query(db_url, "SELECT kind, amount, note FROM ledger ORDER BY id") == [
        ("deposit", 100_000, "opening balance"),
        ("deposit", 250_000, "wire 42"),
        ("adjustment", -125_000, None),
        ("adjustment", -225_000, None),
    ]
    assert query(db_url, "SELECT balance FROM customers") == [(0,)]


# services --------------------------------------------------------------------------------------------


def test_services(panel: Panel) -> None:
    url = panel.db_url
    key = panel.customer("10", name="alice")
    added = cli(
        url,
        "services",
        "add",
        "--name",
        "IG Followers",
        "--type",
        "Default",
        "--category",
        "Instagram",
        "--rate",
        "0.9",
        "--min",
        "10",
        "--max",
        "1000",
        "--refill-days",
        "30",
        "--cancel",
        "--desc",
        "HQ",
    )
    assert last_line(added) == "1"
    assert (
        last_line(
            cli(
                url,
                "services",
                "add",
                "--name",
                "Comments",
                "--type",
                "Custom Comments",
                "--category",
                "Instagram",
                "--rate",
                "12.5",
                "--min",
                "1",
                "--max",
                "100",
                "--allow-duplicate-links",
            )
        )
        == "2"
    )
    refused(
        url,
        "services",
        "add",
        "--name",
        "x",
        "--type",
        "default",
        "--category",
        "c",
        "--rate",
        "1",
        "--min",
        "1",
        "--max",
        "2",
        message="unknown type 'default'; one of: Default, Package, SEO, Custom Comments, Custom Comments Package,"
        " Mentions, Mentions with Hashtags, Mentions Custom List, Mentions Hashtag, Mentions User Followers,"
        " Mentions Media Likers, Comment Likes, Poll, Comment Replies, Invites from Groups, Subscriptions,"
        " Web Traffic",
    )
    refused(
        url,
        "services",
        "add",
        "--name",
        "x",
        "--type",
        "Default",
        "--category",
        "c",
        "--rate",
        "-1",
        "--min",
        "1",
        "--max",
        "2",
        message="--rate: must not be negative: '-1'",
    )
    listed = {row["id"]: row for row in as_json(cli(url, "services", "list", "--json"))}
    assert {
        k: listed[1][k]
        for k in (
            "name",
            "type",
            "category",
            "rate",
            "min",
            "max",
            "refill_days",
            "cancel",
            "dripfeed",
            "enabled",
            "link_guard",
            "desc",
        )
    } == {
        "name": "IG Followers",
        "type": "Default",
        "category": "Instagram",
        "rate": "0.90000",
        "min": 10,
        "max": 1000,
        "refill_days": 30,
        "cancel": True,
        "dripfeed": False,
        "enabled": True,
        "link_guard": True,
        "desc": "HQ",
    }
    assert (listed[2]["rate"], listed[2]["link_guard"], listed[2]["cancel"]) == ("12.50000", False, False)
    assert [s["rate"] for s in panel.api(key=key, action="services")] == ["0.90000", "12.50000"]

    cli(url, "services", "update", "1", "--rate", "1.5", "--max", "2000", "--no-cancel", "--dripfeed")
    first = panel.api(key=key, action="services")[0]
    assert (first["rate"], first["max"], first["cancel"], first["dripfeed"], first["refill"]) == (
        "1.50000",
        "2000",
        False,
        True,
        True,
    )
    refused(url, "services", "update", "1", "--min", "5000", message="max must be at least min")

    cli(url, "services", "update", "1", "--disable")
    assert [s["service"] for s in panel.api(key=key, action="services")] == [2]
    assert panel.api(key=key, action="add", service=1, link="https://x/p", quantity=100) == {
        "error": errors.INCORRECT_SERVICE
    }
    cli(url, "services", "update", "1", "--enable")
    assert panel.api(key=key, action="add", service=1, link="https://x/p", quantity=100) == {"order": 1}
    assert panel.balance(key) == "9.85000"

    # a customer's own rate: in `services` and in the charge; removed again without a rate
    assert "service 1: alice pays 0.50000" in cli(url, "services", "rate", "1", "alice", "0.5").stdout
    assert panel.api(key=key, action="services")[0]["rate"] == "0.50000"
    assert panel.api(key=key, action="add", service=1, link="https://x/q", quantity=100) == {"order": 2}
    assert panel.balance(key) == "9.80000"
    assert "alice pays the list rate" in cli(url, "services", "rate", "1", "alice").stdout
    assert panel.api(key=key, action="services")[0]["rate"] == "1.50000"


# orders, refills -------------------------------------------------------------------------------------


ORDER_COLUMNS = ("customer", "service", "link", "quantity", "charge", "refunded", "status", "start_count",
                 "remains", "cancel_requested")  # fmt: skip


def test_orders_and_refills(panel: Panel) -> None:
    url = panel.db_url
    alice = panel.customer("1", name="alice")
    bob = panel.customer("1", name="bob")
    service = panel.service(refill_days=30)
    for n, key in enumerate((alice, alice, alice, bob), start=1):
        assert panel.api(key=key, action="add", service=service, link=f"https://x/{n}", quantity=100) == {
            "order": n
        }

    rows = as_json(cli(url, "orders", "list", "--json"))
    assert [r["id"] for r in rows] == [4, 3, 2, 1]  # newest first
    assert {k: rows[-1][k] for k in ORDER_COLUMNS} == {
        "customer": "alice",
        "service": 1,
        "link": "https://x/1",
        "quantity": 100,
        "charge": "0.09000",
        "refunded": "0.00000",
        "status": "Pending",
        "start_count": 0,
        "remains": 100,
        "cancel_requested": False,
    }
    assert [r["id"] for r in as_json(cli(url, "orders", "list", "--user", "bob", "--json"))] == [4]

    done = cli(
        url, "orders", "update", "1", "--status", "Partial", "--remains", "30", "--start-count", "1200"
    )
    assert "order 1: Partial, remains 30, refunded 0.02700" in done.stdout
    assert panel.post(key=alice, action="status", order=1).content == (
        b'{"charge":"0.06300","start_count":"1200","status":"Partial","remains":"30","currency":"USD"}'
    )
    refused(
        url,
        "orders",
        "update",
        "1",
        "--status",
        "Completed",
        message="order 1 is Partial: a finished order cannot change",
    )
    assert (
        "order 2: Canceled, remains 100, refunded 0.09000"
        in cli(url, "orders", "update", "2", "--status", "Canceled").stdout
    )
    assert (
        "order 3: Completed, remains 0" in cli(url, "orders", "update", "3", "--status", "Completed").stdout
    )
    assert panel.balance(alice) == "0.84700"  # 3 × 0.09 charged, 0.027 + 0.09 back
    assert panel.audit() == []
    statuses = as_json(cli(url, "orders", "list", "--status", "Canceled", "--json"))
    assert [(r["id"], r["refunded"]) for r in statuses] == [(2, "0.09000")]

    # refills: the customer asks over the API, the operator moves them on
    panel.execute("UPDATE orders SET completed_at = completed_at - 90000 WHERE id = 3")
    assert panel.api(key=alice, action="refill", order=3) == {"refill": "1"}
    assert as_json(cli(url, "refills", "list", "--json")) == [
        {"id": 1, "order": 3, "customer": "alice", "status": "Pending"}
    ]
    assert "refill 1: Completed" in cli(url, "refills", "update", "1", "--status", "Completed").stdout
    assert panel.api(key=alice, action="refill_status", refill=1) == {"status": "Completed"}
    refused(
        url,
        "refills",
        "update",
        "1",
        "--status",
        "Rejected",
        message="refill 1 does not exist or is already finished",
    )
    assert panel.balance(alice) == "0.84700"


# audit, db upgrade -----------------------------------------------------------------------------------


def test_audit_finds_a_corrupted_balance(db_url: str) -> None:
    cli(db_url, "users", "add", "bob", "--balance", "5")
    assert cli(db_url, "audit").stdout.strip() == "audit clean: 1 customers, 0 orders"
    query(db_url, "UPDATE customers SET balance = balance + 1 WHERE name = 'bob' RETURNING id")
    done = cli(db_url, "audit", "--json", code=1)
    assert as_json(done) == [{"what": "balance", "id": 1, "expected": 500_000, "found": 500_001}]
    assert done.stderr.strip() == "error: 1 mismatch(es)"


def test_db_upgrade(db_url: str, tmp_path: Path) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert (
        cli(db_url, "db", "upgrade").stdout.strip() == f"database at revision {head}"
    )  # already there: a no-op
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert cli(fresh, "db", "upgrade").stdout.strip() == f"database at revision {head}"
    assert query(fresh, "SELECT COUNT(*) FROM customers") == [(0,)]
