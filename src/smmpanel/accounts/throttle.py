"""Throttled sign-in: failed attempts counted per account and per address over a sliding window, in the
database, so every process of the panel sees the same count.

Invariant: once an account (or an address) has MAX_PER_ACCOUNT (MAX_PER_ADDRESS) failures within WINDOW
seconds, `allowed` is False until the oldest of them ages out — even a correct password is refused then.
"""

from __future__ import annotations

import time

from smmpanel.db.connect import Database

WINDOW = 15 * 60
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20


def _account(login: str) -> str:
    return login.strip().lower()[:256]


async def allowed(db: Database, login: str, address: str) -> bool:
    since = int(time.time()) - WINDOW
    sql = "SELECT COUNT(*) FROM sign_in_failures WHERE scope = $1 AND subject = $2 AND created_at > $3"
    if int(await db.fetchval(sql, "account", _account(login), since)) >= MAX_PER_ACCOUNT:
        return False
    return int(await db.fetchval(sql, "address", address[:256], since)) < MAX_PER_ADDRESS


async def failed(db: Database, login: str, address: str) -> None:
    now = int(time.time())
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM sign_in_failures WHERE created_at <= $1", now - WINDOW)
        for scope, subject in (("account", _account(login)), ("address", address[:256])):
            await tx.execute(
                "INSERT INTO sign_in_failures (scope, subject, created_at) VALUES ($1, $2, $3)", scope, subject, now
            )


async def succeeded(db: Database, login: str) -> None:
    await db.execute("DELETE FROM sign_in_failures WHERE scope = 'account' AND subject = $1", _account(login))
