"""Server-side sign-in sessions for the website and the console, and the site's signing secret.

A session is a random token: the browser holds it (signed, in a cookie), the table holds only its SHA-256,
so a stolen database cannot be replayed and a session is revoked by marking its row. `kind` says whose
session it is ("customer", or "staff" for the console); `stage` "password" means a second factor is still
owed and the session opens nothing but the second-factor step.

Invariant: a revoked, expired or unknown token authenticates nobody, and a session of one kind never
authenticates as another kind.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from smmpanel.db.connect import Database
from smmpanel.db.witness import Witness, tell

LIFETIME = 14 * 24 * 3600  # seconds a session lives without use
_TOUCH_EVERY = 60  # seconds between writes of seen_at


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    kind: str
    subject_id: int
    stage: str
    address: str
    user_agent: str
    created_at: int
    seen_at: int


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


async def open_session(
    db: Database, kind: str, subject_id: int, *, stage: str = "complete", address: str = "", user_agent: str = ""
) -> str:
    """Start a session; return its token (for the cookie only: never stored)."""
    token = secrets.token_urlsafe(32)
    now = int(time.time())
    await db.execute(
        "INSERT INTO web_sessions (token_hash, kind, subject_id, stage, address, user_agent, created_at, seen_at,"
        " expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
        _digest(token),
        kind,
        subject_id,
        stage,
        address[:64],
        user_agent[:256],
        now,
        now + LIFETIME,
    )
    return token


async def find(db: Database, kind: str, token: str) -> Session | None:
    """The live session of this kind for `token`, or None; refreshes its expiry at most once a minute."""
    now = int(time.time())
    row = await db.fetchrow(
        "SELECT id, kind, subject_id, stage, address, user_agent, created_at, seen_at FROM web_sessions"
        " WHERE token_hash = $1 AND kind = $2 AND revoked_at IS NULL AND expires_at > $3",
        _digest(token),
        kind,
        now,
    )
    if row is None:
        return None
    if now - int(row[7]) >= _TOUCH_EVERY:
        await db.execute(
            "UPDATE web_sessions SET seen_at = $2, expires_at = $3 WHERE id = $1", row[0], now, now + LIFETIME
        )
    return Session(*(row[i] for i in range(8)))


async def complete(db: Database, session_id: int) -> None:
    """The second factor was given: the session now opens everything."""
    await db.execute("UPDATE web_sessions SET stage = 'complete' WHERE id = $1", session_id)


async def revoke(db: Database, session_id: int) -> None:
    await db.execute("UPDATE web_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", session_id,
                     int(time.time()))


async def list_live(db: Database, kind: str, subject_id: int) -> list[Session]:
    rows = await db.fetch(
        "SELECT id, kind, subject_id, stage, address, user_agent, created_at, seen_at FROM web_sessions"
        " WHERE kind = $1 AND subject_id = $2 AND revoked_at IS NULL AND expires_at > $3 ORDER BY seen_at DESC, id",
        kind,
        subject_id,
        int(time.time()),
    )
    return [Session(*(r[i] for i in range(8))) for r in rows]


async def revoke_others(
    db: Database, kind: str, subject_id: int, keep_id: int | None, *, witness: Witness | None = None
) -> int:
    """Sign out every other session of this subject (all of them when keep_id is None); return how many.
    One statement, so it may run inside the caller's transaction (staff/accounts.py does); with a witness
    (the console's activity row) it opens its own, which hears of it only when a session was signed out."""
    if witness is None:
        return await _revoke_others(db, kind, subject_id, keep_id)
    async with db.transaction() as tx:
        count = await _revoke_others(tx, kind, subject_id, keep_id)
        if count:
            await tell(witness, tx, None, {"signed_out_sessions": count})
        return count


async def _revoke_others(db: Database, kind: str, subject_id: int, keep_id: int | None) -> int:
    return int(
        await db.execute(
            "UPDATE web_sessions SET revoked_at = $4 WHERE kind = $1 AND subject_id = $2 AND id <> $3"
            " AND revoked_at IS NULL",
            kind,
            subject_id,
            -1 if keep_id is None else keep_id,
            int(time.time()),
        )
    )


async def signing_secret(db: Database, name: str = "session") -> bytes:
    """A random secret shared by every process of this panel (created on first use, kept in the database)."""
    value = await db.fetchval("SELECT value FROM site_secrets WHERE name = $1", name)
    if value is None:
        await db.execute(
            "INSERT INTO site_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            name,
            secrets.token_hex(32),
        )
        value = await db.fetchval("SELECT value FROM site_secrets WHERE name = $1", name)
    return bytes.fromhex(str(value))
