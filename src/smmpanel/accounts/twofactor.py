"""Two-factor sign-in with TOTP (RFC 6238, `pyotp`) and single-use recovery codes.

Invariants: a secret is stored only after the customer proved their authenticator produces its codes;
a recovery code is stored as a SHA-256 hash and works once (a compare-and-set on `used_at`).
"""

from __future__ import annotations

import hashlib
import secrets
import time

import pyotp

from smmpanel.db.connect import Database

RECOVERY_CODES = 10
ISSUER = "smmpanel"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, name: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=ISSUER)


def code_matches(secret: str, code: str) -> bool:
    code = code.strip().replace(" ", "")
    return code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


async def enable(db: Database, customer_id: int, secret: str, code: str) -> list[str] | None:
    """Turn two-factor on when `code` proves the authenticator; return fresh recovery codes (None: bad code)."""
    if not code_matches(secret, code):
        return None
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE customer_credentials SET totp_secret = $2, updated_at = $3 WHERE customer_id = $1",
            customer_id,
            secret,
            int(time.time()),
        )
        await tx.execute("DELETE FROM recovery_codes WHERE customer_id = $1", customer_id)
        for code_text in codes:
            await tx.execute(
                "INSERT INTO recovery_codes (customer_id, code_hash) VALUES ($1, $2)", customer_id, _digest(code_text)
            )
    return codes


async def disable(db: Database, customer_id: int) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE customer_credentials SET totp_secret = NULL, updated_at = $2 WHERE customer_id = $1",
            customer_id,
            int(time.time()),
        )
        await tx.execute("DELETE FROM recovery_codes WHERE customer_id = $1", customer_id)


async def second_factor(db: Database, customer_id: int, secret: str, code: str) -> bool:
    """A current TOTP code, or an unused recovery code (which is then spent)."""
    if code_matches(secret, code):
        return True
    spent = await db.execute(
        "UPDATE recovery_codes SET used_at = $3 WHERE customer_id = $1 AND code_hash = $2 AND used_at IS NULL",
        customer_id,
        _digest(code),
        int(time.time()),
    )
    return spent == 1


async def recovery_codes_left(db: Database, customer_id: int) -> int:
    return int(
        await db.fetchval(
            "SELECT COUNT(*) FROM recovery_codes WHERE customer_id = $1 AND used_at IS NULL", customer_id
        )
    )
