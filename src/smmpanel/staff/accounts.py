"""Staff accounts: a name, a role, an argon2id password (the same helpers as the customers' web passwords)
and an optional TOTP second factor (accounts/twofactor.py's helpers).

Invariant: a plaintext password is never stored; a disabled member authenticates as nobody, and disabling
revokes every console session of theirs.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from smmpanel.accounts import passwords, sessions, twofactor
from smmpanel.db.connect import Database
from smmpanel.staff.roles import Role

_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")
SESSION_KIND = "staff"


class StaffError(ValueError):
    """A refusal in the operator's words."""


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: int
    name: str
    role: Role
    status: str
    totp_secret: str | None
    created_at: int
    last_sign_in_at: int | None

    @property
    def active(self) -> bool:
        return self.status == "active"


_COLUMNS = "SELECT id, name, role, status, totp_secret, created_at, last_sign_in_at, password_hash FROM staff"


def _member(row: Any) -> StaffMember:
    return StaffMember(int(row[0]), row[1], Role(row[2]), row[3], row[4], int(row[5]),
                       None if row[6] is None else int(row[6]))


async def create(db: Database, name: str, role: Role | str) -> str:
    """Add a staff member; return their generated password (shown once)."""
    name = name.strip()
    if not _NAME.match(name):
        raise StaffError("a staff name is 3 to 32 letters, digits, dots, dashes or underscores")
    try:
        role = Role(role)
    except ValueError:
        raise StaffError("the role is owner, admin or support") from None
    if await db.fetchval("SELECT 1 FROM staff WHERE name = $1", name):
        raise StaffError(f"a staff member named {name} exists")
    password = passwords.generate_password()
    await db.execute(
        "INSERT INTO staff (name, role, password_hash, status, created_at) VALUES ($1, $2, $3, 'active', $4)",
        name, role.value, passwords.hash_password(password), int(time.time()),
    )
    return password


async def find(db: Database, name: str) -> StaffMember:
    row = await db.fetchrow(_COLUMNS + " WHERE name = $1", name.strip())
    if row is None:
        raise StaffError(f"no staff member named {name}")
    return _member(row)


async def member(db: Database, staff_id: int) -> StaffMember | None:
    row = await db.fetchrow(_COLUMNS + " WHERE id = $1", staff_id)
    return None if row is None else _member(row)


async def list_staff(db: Database) -> list[StaffMember]:
    return [_member(r) for r in await db.fetch(_COLUMNS + " ORDER BY name")]


async def set_password(db: Database, name: str) -> str:
    """A new generated password for the named member (shown once); their sessions are signed out."""
    found = await find(db, name)
    password = passwords.generate_password()
    await db.execute("UPDATE staff SET password_hash = $2 WHERE id = $1", found.id, passwords.hash_password(password))
    await sessions.revoke_others(db, SESSION_KIND, found.id, None)
    return password


async def disable(db: Database, name: str) -> None:
    found = await find(db, name)
    await db.execute("UPDATE staff SET status = 'disabled' WHERE id = $1", found.id)
    await sessions.revoke_others(db, SESSION_KIND, found.id, None)


async def set_two_factor(db: Database, name: str, secret: str | None) -> None:
    """Require (secret) or stop requiring (None) a TOTP code at the member's sign-in."""
    found = await find(db, name)
    await db.execute("UPDATE staff SET totp_secret = $2 WHERE id = $1", found.id, secret)


async def authenticate(db: Database, name: str, password: str) -> StaffMember | None:
    """The active member with this name and password, or None (same time either way)."""
    row = await db.fetchrow(_COLUMNS + " WHERE name = $1", name.strip())
    stored = None if row is None else str(row[7])
    if not passwords.password_matches(stored, password) or row is None:
        return None
    found = _member(row)
    if not found.active:
        return None
    if stored is not None and passwords.needs_rehash(stored):
        await db.execute("UPDATE staff SET password_hash = $2 WHERE id = $1", found.id, passwords.hash_password(password))
    return found


def second_factor_matches(found: StaffMember, code: str) -> bool:
    return found.totp_secret is not None and twofactor.code_matches(found.totp_secret, code)


async def signed_in(db: Database, staff_id: int) -> None:
    await db.execute("UPDATE staff SET last_sign_in_at = $2 WHERE id = $1", staff_id, int(time.time()))
