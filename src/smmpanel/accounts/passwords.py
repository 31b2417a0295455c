"""Web sign-in credentials of a customer: a username or email, an argon2id password hash, and the
credentials row that holds them (kept apart from `customers`, which the API's caller cache watches).

Invariant: a plaintext password is never stored or logged; only argon2id hashes reach the database, and a
hash made with older parameters is upgraded on the next successful sign-in.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from smmpanel.accounts import customers
from smmpanel.db.connect import UNIQUE_VIOLATION, Database
from smmpanel.db.witness import Witness, tell

MIN_LENGTH = 10
MAX_LENGTH = 256
_hasher = PasswordHasher()  # argon2id with the library's recommended parameters (RFC 9106, low memory)
# a hash to verify against when the account does not exist, so "no such user" takes as long as "wrong password"
_DUMMY = _hasher.hash(secrets.token_hex(16))
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")


class CredentialError(ValueError):
    """A refusal in the customer's words; `field` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Identity:
    customer_id: int
    name: str
    status: str
    totp_secret: str | None
    balance: int
    currency: str


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    """Whether `password` matches the argon2id hash `stored`; with no hash it still takes the time of one
    verification (so "no such account" and "wrong password" look alike). Also used by staff/accounts.py."""
    try:
        _hasher.verify(stored or _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(stored)


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def check_new_password(password: str, confirm: str) -> None:
    if len(password) < MIN_LENGTH:
        raise CredentialError("password", f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise CredentialError("password", f"Use at most {MAX_LENGTH} characters.")
    if password != confirm:
        raise CredentialError("confirm", "The two passwords differ.")


def normal_email(email: str) -> str:
    email = email.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise CredentialError("email", "Enter a valid email address.")
    return email


def generate_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, ~120 bits


async def sign_up(db: Database, name: str, email: str, password: str, confirm: str, currency: str) -> tuple[int, str]:
    """Create a customer with a web password and a first API key; return (id, plaintext key)."""
    name = name.strip()
    if not _NAME.match(name):
        raise CredentialError("username", "Use 3 to 32 letters, digits, dots, dashes or underscores.")
    email = normal_email(email)
    check_new_password(password, confirm)
    taken = CredentialError("email", "An account with this email exists.")
    if await db.fetchval("SELECT 1 FROM customer_credentials WHERE email = $1", email):
        raise taken
    password_hash = hash_password(password)

    async def credentials(tx: Database, customer_id: int) -> None:
        await tx.execute(
            "INSERT INTO customer_credentials (customer_id, email, password_hash, updated_at) VALUES ($1, $2, $3, $4)",
            customer_id, email, password_hash, int(time.time()),
        )  # fmt: skip

    try:  # one transaction: never a customer without its credentials, whatever races it
        return await customers.create(db, name, currency=currency, then=credentials)
    except customers.CustomerError as exc:
        raise CredentialError("username", "This username is taken.") from exc
    except UNIQUE_VIOLATION as exc:  # the same email signed up meanwhile
        raise taken from exc


async def _store(db: Database, customer_id: int, password_hash: str, *, email: str | None = None) -> None:
    now = int(time.time())
    changed = await db.execute(
        "UPDATE customer_credentials SET password_hash = $2, updated_at = $3,"
        " email = COALESCE($4, email) WHERE customer_id = $1",
        customer_id,
        password_hash,
        now,
        email,
    )
    if not changed:
        await db.execute(
            "INSERT INTO customer_credentials (customer_id, email, password_hash, updated_at) VALUES ($1, $2, $3, $4)",
            customer_id,
            email,
            password_hash,
            now,
        )


async def set_password(db: Database, customer_id: int, password: str) -> None:
    """The operator's reset (`smmpanel users password`) and the end of a password change."""
    await _store(db, customer_id, hash_password(password))


async def reset_by_name(db: Database, name: str) -> str:
    """Give the named customer a new generated web password; return it (shown once)."""
    row = await customers.find(db, name)
    return await reset(db, int(row["id"]))


async def reset(db: Database, customer_id: int, *, witness: Witness | None = None) -> str:
    """A new generated web password for the customer (returned, shown once), stored with its witness in one
    transaction."""
    if await db.fetchval("SELECT 1 FROM customers WHERE id = $1", customer_id) is None:
        raise customers.CustomerError(f"no customer {customer_id}")
    password = generate_password()
    password_hash = hash_password(password)  # slow (argon2): before the transaction, never inside it
    async with db.transaction() as tx:
        await _store(tx, customer_id, password_hash)
        await tell(witness, tx, None, {"password": "reset"})
    return password


_IDENTITY = (
    "SELECT c.id, c.name, c.status, k.password_hash, k.totp_secret, c.balance, c.currency FROM customers c"
    " JOIN customer_credentials k ON k.customer_id = c.id"
)


def _identity(row: Any) -> Identity:
    return Identity(int(row[0]), row[1], row[2], row[4], int(row[5]), row[6])


async def verify(db: Database, login: str, password: str) -> Identity | None:
    """The customer whose username or email and password these are, or None (same time either way)."""
    login = login.strip()
    if "@" in login:
        row = await db.fetchrow(_IDENTITY + " WHERE k.email = $1", login.lower())
    else:
        row = await db.fetchrow(_IDENTITY + " WHERE c.name = $1", login)
    stored = row[3] if row is not None and row[3] else _DUMMY
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row[3]:
        return None
    if _hasher.check_needs_rehash(stored):
        await set_password(db, int(row[0]), password)
    return _identity(row)


async def identity(db: Database, customer_id: int) -> Identity | None:
    row = await db.fetchrow(_IDENTITY.replace(" JOIN ", " LEFT JOIN ") + " WHERE c.id = $1", customer_id)
    return None if row is None else _identity(row)


async def change_password(db: Database, customer_id: int, current: str, new: str, confirm: str) -> None:
    stored = await db.fetchval("SELECT password_hash FROM customer_credentials WHERE customer_id = $1", customer_id)
    try:
        _hasher.verify(stored or _DUMMY, current)
    except (VerificationError, InvalidHashError):
        raise CredentialError("current", "The current password is wrong.") from None
    check_new_password(new, confirm)
    await set_password(db, customer_id, new)


async def email_of(db: Database, customer_id: int) -> str | None:
    value = await db.fetchval("SELECT email FROM customer_credentials WHERE customer_id = $1", customer_id)
    return None if value is None else str(value)
