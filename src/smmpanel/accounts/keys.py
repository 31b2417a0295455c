"""API keys: 32 random hex characters, shown once, stored only as a SHA-256 hash, revocable, several per
customer. A request is authenticated by hashing the presented key and looking the hash up; who a key belongs
to is cached for a second (accounts/callers.py), so creating and revoking keys tells that cache."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from smmpanel.accounts import callers
from smmpanel.db.connect import Database
from smmpanel.db.witness import Witness, tell

KEY_BYTES = 16  # 32 hex characters
PREFIX_LEN = 8


def new_key() -> str:
    return secrets.token_hex(KEY_BYTES)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class Caller:
    customer_id: int
    currency: str


async def add_key(db: Database, customer_id: int) -> str:
    """Create a key; return the plaintext, which is never stored."""
    async with callers.changing(db):
        return await insert_key(db, customer_id)


async def insert_key(tx: Database, customer_id: int) -> str:
    """`add_key` in the caller's transaction, whose caller-cache bracket (`callers.changing`) it relies on."""
    key = new_key()
    await tx.execute(
        "INSERT INTO api_keys (customer_id, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4)",
        customer_id,
        hash_key(key),
        key[:PREFIX_LEN],
        int(time.time()),
    )
    return key


async def revoke(db: Database, prefix: str) -> int:
    """Revoke the live keys starting with `prefix` (at least 6 characters, so a typo cannot revoke many)."""
    prefix = prefix.strip().lower()
    if len(prefix) < 6:
        raise ValueError("give at least 6 characters of the key")
    # the prefix column holds 8 characters: anything between that and the whole key cannot be checked
    if PREFIX_LEN < len(prefix) < 2 * KEY_BYTES:
        raise ValueError(f"give 6 to {PREFIX_LEN} characters of the key, or the whole key")
    rows = await db.fetch(
        "SELECT id, key_hash FROM api_keys WHERE SUBSTR(prefix, 1, $2) = $1 AND revoked_at IS NULL",
        prefix[:PREFIX_LEN],
        min(len(prefix), PREFIX_LEN),
    )
    # the whole key is checked against the hash
    ids = [r[0] for r in rows if len(prefix) <= PREFIX_LEN or hash_key(prefix) == r[1]]
    async with callers.changing(db):
        for key_id in ids:
            await db.execute("UPDATE api_keys SET revoked_at = $1 WHERE id = $2", int(time.time()), key_id)
    return len(ids)


async def revoke_all(db: Database, customer_id: int, *, witness: Witness | None = None) -> int:
    """Revoke every live key of a customer (the demo does, before it prints a fresh one; the console's
    "Revoke keys"); the witness hears of it only when a key was revoked."""
    async with callers.changing(db), db.transaction() as tx:
        count = await tx.execute(
            "UPDATE api_keys SET revoked_at = $1 WHERE customer_id = $2 AND revoked_at IS NULL",
            int(time.time()),
            customer_id,
        )
        if count:
            await tell(witness, tx, None, {"revoked_keys": count})
        return int(count)


async def replace_all(db: Database, customer_id: int) -> str:
    """The website's "Generate new key": revoke every live key and make one new key in one transaction, so
    the old key stops working at once and the customer never has zero or two live keys by accident."""
    key = new_key()
    async with callers.changing(db), db.transaction() as tx:
        now = int(time.time())
        await tx.execute(
            "UPDATE api_keys SET revoked_at = $1 WHERE customer_id = $2 AND revoked_at IS NULL", now, customer_id
        )
        await tx.execute(
            "INSERT INTO api_keys (customer_id, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4)",
            customer_id, hash_key(key), key[:PREFIX_LEN], now,
        )  # fmt: skip
    return key


_AUTHENTICATE = (
    "SELECT c.id, c.currency FROM api_keys k JOIN customers c ON c.id = k.customer_id"
    " WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND c.status = 'active'"
)


async def authenticate(db: Database, key: str) -> Caller | None:
    """The caller a live key of an active customer belongs to, else None; remembered for CALLER_TTL."""
    if not key or len(key) > 128:
        return None
    digest = hash_key(key)
    now = time.monotonic()
    cache = callers.cache_of(db)
    hit = cache.get(digest, now)
    if isinstance(hit, Caller):
        return hit
    generation = cache.generation
    row = await db.fetchrow(_AUTHENTICATE, digest)
    if row is None:
        return None
    caller = Caller(row[0], row[1])
    cache.remember(digest, caller, now, generation)
    return caller
