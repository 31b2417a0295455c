"""API keys: 32 random hex characters, shown once, stored only as a SHA-256 hash, revocable, several per
customer. A request is authenticated by hashing the presented key and looking the hash up."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from smmpanel.db.connect import Database

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
    key = new_key()
    await db.execute(
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
    for key_id in ids:
        await db.execute("UPDATE api_keys SET revoked_at = $1 WHERE id = $2", int(time.time()), key_id)
    return len(ids)


# Who a key belongs to is remembered for at most CALLER_TTL seconds, in the process that looked it up: a
# key revoked or a customer suspended by *another* process (the operator's CLI, another API node) stops
# working within that time; a change made through this process's own Database object is seen at once
# (db.generation, see smmpanel.db.connect.touches_callers). Only successful lookups are cached.
CALLER_TTL = 1.0
_MAX_CACHED = 100_000
_AUTHENTICATE = (
    "SELECT c.id, c.currency FROM api_keys k JOIN customers c ON c.id = k.customer_id"
    " WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND c.status = 'active'"
)


async def authenticate(db: Database, key: str) -> Caller | None:
    if not key or len(key) > 128:
        return None
    digest = hash_key(key)
    now = time.monotonic()
    cached = db.callers.get(digest)
    if cached is not None and cached[1] > now and cached[2] == db.generation:
        hit: Caller = cached[0]
        return hit
    generation = db.generation
    row = await db.fetchrow(_AUTHENTICATE, digest)
    if row is None:
        return None
    caller = Caller(row[0], row[1])
    if generation == db.generation:  # nothing that could change callers ran while we looked
        if len(db.callers) >= _MAX_CACHED:
            db.callers.clear()
        db.callers[digest] = (caller, now + CALLER_TTL, generation)
    return caller
