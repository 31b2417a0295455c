"""Read queries over the catalogue that are not the `services` answer (catalog/listing.py caches that one)."""

from __future__ import annotations

from smmpanel.db.connect import Database


async def service_exists(db: Database, service_id: int) -> bool:
    """Whether a service with this id exists, enabled or not."""
    return await db.fetchval("SELECT 1 FROM services WHERE id = $1", service_id) is not None


async def count_services(db: Database) -> int:
    return int(await db.fetchval("SELECT COUNT(*) FROM services"))
