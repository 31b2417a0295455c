"""The website's "Generate new key": every live key of the customer is revoked and one new key is made, in
one transaction, so the old key stops working at once (the caller cache sees the revocation through
`db.generation`, see accounts/keys.py) and the customer never has zero or two live keys by accident.
"""

from __future__ import annotations

import time

from smmpanel.accounts import keys
from smmpanel.db.connect import Database


async def rotate(db: Database, customer_id: int) -> str:
    """Revoke the customer's live keys and return a new one (plaintext, shown once)."""
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE api_keys SET revoked_at = $2 WHERE customer_id = $1 AND revoked_at IS NULL",
            customer_id,
            int(time.time()),
        )
        return await keys.add_key(tx, customer_id)


async def live_prefixes(db: Database, customer_id: int) -> list[str]:
    rows = await db.fetch(
        "SELECT prefix FROM api_keys WHERE customer_id = $1 AND revoked_at IS NULL ORDER BY id", customer_id
    )
    return [str(r[0]) for r in rows]
