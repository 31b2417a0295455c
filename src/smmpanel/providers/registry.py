"""The providers table: add, list, find — and open a row as a live Provider.

An upstream provider's API key is a secret: it is stored sealed with SMMPANEL_SECRET_KEY (vault.py; the
panel must present it upstream, so it is encrypted, not hashed) and never printed in full, logged, or put
into an error message; `masked` shows its first characters only, `scrub` takes it out of a text. Only this
module seals and opens it. A URL that is plain http, or points at this machine or a private network, is
accepted with a warning (`url_warnings`): the key would travel in clear, or the panel would call itself.
`open_provider` turns a row into a live adapter (base.Provider), or None for a manual provider.
`record_balance` is the one writer of a provider's stored balance (the engine's balance check and the
operator's `providers balance` both call it), so it is parsed and rounded one way: money.balance_units.
"""

from __future__ import annotations

import ipaddress
import re
import time
from typing import Any
from urllib.parse import urlsplit

from smmpanel import vault
from smmpanel.client import Balance
from smmpanel.db.connect import Database
from smmpanel.db.tables import PROVIDER_KINDS
from smmpanel.db.witness import Witness, tell
from smmpanel.money import balance_units
from smmpanel.providers.base import Provider
from smmpanel.providers.simulated import SimulatedProvider
from smmpanel.providers.upstream import DEFAULT_TIMEOUT, UpstreamProvider


class ProviderError(ValueError):
    pass


def key_of(row: Any) -> str | None:
    """The provider's API key in clear (for the call upstream only)."""
    stored: str | None = row["api_key"]
    if stored is None or not vault.is_encrypted(stored):
        return stored  # None, or from before encryption (sealed at the next start)
    return vault.current().decrypt(stored)


def masked(row: Any) -> str:
    key = key_of(row)
    return "" if not key else key[:4] + "…"


def scrub(text: str, row: Any) -> str:
    """`text` with the provider's key (if it is in there) replaced by ***."""
    key = key_of(row)
    return text.replace(key, "***") if key else text


def url_warnings(url: str | None) -> list[str]:
    """What an operator should know about an upstream URL before trusting it with a key."""
    if not url:
        return []
    warnings = []
    parts = urlsplit(url)
    if parts.scheme == "http":
        warnings.append("the URL is plain http: the provider's key and every order travel unencrypted")
    host = (parts.hostname or "").lower()
    try:
        address = ipaddress.ip_address(host)
        private = address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
    except ValueError:
        private = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
    if private:
        warnings.append(f"the URL points at this machine or a private network ({host})")
    return warnings


async def seal_plaintext_keys(db: Database) -> int:
    """Encrypt every provider key still stored in clear (from before encryption); how many were."""
    rows = await db.fetch("SELECT id, api_key FROM providers WHERE api_key IS NOT NULL")
    cipher = vault.current()
    plain = [(int(r["id"]), r["api_key"]) for r in rows if not vault.is_encrypted(r["api_key"])]
    for provider_id, key in plain:
        await db.execute(
            "UPDATE providers SET api_key = $2 WHERE id = $1 AND api_key = $3", provider_id, cipher.encrypt(key), key
        )
    return len(plain)


async def rotate_keys(db: Database, old_keys: list[str]) -> int:
    """Re-seal every provider key under the current SMMPANEL_SECRET_KEY, opening them with it or any of
    `old_keys`, in one transaction: all or nothing. Returns how many keys were re-sealed."""
    cipher = vault.Cipher([vault.current_key(), *old_keys])
    async with db.transaction() as tx:
        rows = await tx.fetch("SELECT id, api_key FROM providers WHERE api_key IS NOT NULL")
        for row in rows:
            await tx.execute("UPDATE providers SET api_key = $2 WHERE id = $1", row["id"], cipher.rotate(row["api_key"]))
    return len(rows)


async def add(
    db: Database,
    name: str,
    kind: str,
    *,
    url: str | None = None,
    api_key: str | None = None,
    step_seconds: int = 10,
    low_balance: int | None = None,
    witness: Witness | None = None,
) -> int:
    name = name.strip()
    if not name or len(name) > 64:
        raise ProviderError("a provider name is 1 to 64 characters")
    if kind not in PROVIDER_KINDS:
        raise ProviderError(f"unknown provider kind {kind!r}")
    if kind == "upstream" and not (url and api_key):
        raise ProviderError("an upstream provider needs --url and --key")
    if kind == "upstream" and not str(url).startswith(("http://", "https://")):
        raise ProviderError("--url must start with http:// or https://")
    if step_seconds < 0:
        raise ProviderError("--step-seconds must not be negative")
    if await db.fetchval("SELECT 1 FROM providers WHERE name = $1", name):
        raise ProviderError(f"provider {name!r} exists")
    async with db.transaction() as tx:
        provider_id = int(
            await tx.fetchval(
                "INSERT INTO providers (name, kind, url, api_key, step_seconds, low_balance, created_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                name,
                kind,
                url if kind == "upstream" else None,
                vault.current().encrypt(str(api_key)) if kind == "upstream" else None,
                step_seconds,
                low_balance,
                int(time.time()),
            )
        )
        await tell(witness, tx, None, {"id": provider_id, "name": name, "kind": kind,
                                       "url": url if kind == "upstream" else None, "low_balance": low_balance})
    return provider_id


async def edit(
    db: Database,
    provider_id: int,
    *,
    name: str,
    url: str | None,
    api_key: str | None,
    low_balance: int | None,
    enabled: bool,
    witness: Witness | None = None,
) -> None:
    """The console's edit. `api_key` None keeps the stored key (the key is write-only: never shown back,
    and the witness records only that it changed)."""
    name = name.strip()
    if not name or len(name) > 64:
        raise ProviderError("a provider name is 1 to 64 characters")
    if low_balance is not None and low_balance < 0:
        raise ProviderError("the low-balance threshold must not be negative")
    async with db.transaction() as tx:
        old = await tx.fetchrow(_COLUMNS + " WHERE id = $1", provider_id)
        if old is None:
            raise ProviderError(f"no provider {provider_id}")
        if await tx.fetchval("SELECT 1 FROM providers WHERE name = $1 AND id <> $2", name, provider_id):
            raise ProviderError(f"provider {name!r} exists")
        if old["kind"] == "upstream":
            url = (url or "").strip()
            if not url.startswith(("http://", "https://")):
                raise ProviderError("the URL must start with http:// or https://")
        else:
            url, api_key = None, None
        new_key = api_key is not None and bool(api_key.strip())
        key = vault.current().encrypt(str(api_key).strip()) if new_key else old["api_key"]
        await tx.execute(
            "UPDATE providers SET name = $2, url = $3, api_key = $4, low_balance = $5, enabled = $6 WHERE id = $1",
            provider_id, name, url, key, low_balance, enabled,
        )  # fmt: skip
        shown = ("name", "url", "low_balance", "enabled")
        await tell(witness, tx, {k: old[k] for k in shown},
                   {"name": name, "url": url, "low_balance": low_balance, "enabled": enabled,
                    "key_changed": new_key})


_COLUMNS = (
    "SELECT id, name, kind, url, api_key, step_seconds, low_balance, balance, currency, balance_checked_at,"
    " enabled FROM providers"
)


async def list_all(db: Database) -> list[Any]:
    return await db.fetch(_COLUMNS + " ORDER BY id")


async def find(db: Database, name: str) -> Any:
    row = await db.fetchrow(_COLUMNS + " WHERE name = $1", name.strip())
    if row is None:
        raise ProviderError(f"no provider named {name!r}")
    return row


async def open_provider(db: Database, row: Any, *, timeout: float | None = None) -> Provider | None:
    """A live adapter for a providers row; None for a manual provider (the operator fulfils its orders).

    The caller owns the result and must `await provider.aclose()`. `timeout` (seconds) bounds every call
    to an upstream panel; the default is upstream.DEFAULT_TIMEOUT.
    """
    kind = row["kind"]
    if kind == "manual":
        return None
    if kind == "simulated":
        return SimulatedProvider(db, int(row["id"]), int(row["step_seconds"]))
    if kind == "upstream":
        return UpstreamProvider(row["url"], str(key_of(row)), timeout=timeout or DEFAULT_TIMEOUT, name=_label(row))
    raise ProviderError(f"unknown provider kind {kind!r}")


def _label(row: Any) -> str:
    """What its calls are recorded under (providers/calls.py): the provider's id, which every caller selects
    and a rename does not change."""
    return str(row["id"])


_CURRENCY = re.compile(r"[A-Z]{3}")


async def record_balance(
    db: Database, provider_id: int, balance: Balance, *, now: int | None = None
) -> tuple[int, str | None]:
    """Store what the provider reported (rounded down to units; raises money.MoneyError for a value out of
    range), its currency when it is a three-letter code (else unknown), and when; return what was stored."""
    units = balance_units(balance.balance)
    currency = (balance.currency or "").strip().upper()
    stored = currency if _CURRENCY.fullmatch(currency) else None
    await db.execute(
        "UPDATE providers SET balance = $2, currency = $3, balance_checked_at = $4 WHERE id = $1",
        provider_id,
        units,
        stored,
        int(time.time()) if now is None else now,
    )
    return units, stored
