"""Support tickets: a subject, an optional order of the customer's, and a thread of messages.

    Open ──staff reply──▶ Answered ──customer reply──▶ Open
      └──────────── close (either side) ─────────────▶ Closed ──customer reply──▶ Open

Invariant: a customer reaches only their own tickets — every customer-facing function takes the customer id
and filters by it, so another customer's ticket id answers exactly like one that does not exist.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass

from smmpanel.db.connect import Database
from smmpanel.db.witness import Witness, tell

_NEWEST = 2**31 - 1  # above every id (ids are 32-bit integers on PostgreSQL)

MAX_SUBJECT = 200
MAX_BODY = 10_000


class Refusal(enum.Enum):
    SUBJECT = "subject"
    MESSAGE = "message"
    ORDER = "order"
    NOT_FOUND = "not_found"


class TicketError(ValueError):
    def __init__(self, reason: Refusal, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int
    customer_id: int
    customer: str
    subject: str
    order_id: int | None
    status: str
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    author: str
    author_name: str
    body: str
    created_at: int


_SELECT = (
    "SELECT t.id, t.customer_id, c.name, t.subject, t.order_id, t.status, t.created_at, t.updated_at"
    " FROM tickets t JOIN customers c ON c.id = t.customer_id"
)


def _ticket(r: object) -> Ticket:
    v = [r[i] for i in range(8)]  # type: ignore[index]
    return Ticket(int(v[0]), int(v[1]), v[2], v[3], v[4], v[5], int(v[6]), int(v[7]))


def _body(text: str) -> str:
    text = text.replace("\r\n", "\n").strip()
    if not text or len(text) > MAX_BODY:
        raise TicketError(Refusal.MESSAGE, f"Write a message (1 to {MAX_BODY} characters).")
    return text


async def open_ticket(db: Database, customer_id: int, subject: str, message: str, order_id: int | None) -> int:
    subject = " ".join(subject.split())
    if not subject or len(subject) > MAX_SUBJECT:
        raise TicketError(Refusal.SUBJECT, f"Write a subject (1 to {MAX_SUBJECT} characters).")
    body = _body(message)
    if order_id is not None and not await db.fetchval(
        "SELECT 1 FROM orders WHERE id = $1 AND customer_id = $2", order_id, customer_id
    ):
        raise TicketError(Refusal.ORDER, "Incorrect order ID")
    now = int(time.time())
    async with db.transaction() as tx:
        name = await tx.fetchval("SELECT name FROM customers WHERE id = $1", customer_id)
        ticket_id = int(
            await tx.fetchval(
                "INSERT INTO tickets (customer_id, order_id, subject, status, created_at, updated_at)"
                " VALUES ($1, $2, $3, 'Open', $4, $4) RETURNING id",
                customer_id,
                order_id,
                subject,
                now,
            )
        )
        await _add_message(tx, ticket_id, "customer", str(name), body, now)
    return ticket_id


async def _add_message(tx: Database, ticket_id: int, author: str, name: str, body: str, now: int) -> None:
    await tx.execute(
        "INSERT INTO ticket_messages (ticket_id, author, author_name, body, created_at) VALUES ($1, $2, $3, $4, $5)",
        ticket_id,
        author,
        name[:64],
        body,
        now,
    )


async def of_customer(
    db: Database, customer_id: int, *, before: int | None = None, limit: int = 25
) -> tuple[list[Ticket], int | None]:
    rows = await db.fetch(
        _SELECT + " WHERE t.customer_id = $1 AND t.id < $2 ORDER BY t.id DESC LIMIT $3",
        customer_id,
        before if before is not None else _NEWEST,
        limit + 1,
    )
    found = [_ticket(r) for r in rows[:limit]]
    return found, (found[-1].id if len(rows) > limit else None)


async def customer_ticket(db: Database, customer_id: int, ticket_id: int) -> tuple[Ticket, list[Message]]:
    row = await db.fetchrow(_SELECT + " WHERE t.id = $1 AND t.customer_id = $2", ticket_id, customer_id)
    if row is None:
        raise TicketError(Refusal.NOT_FOUND, "No such ticket.")
    return _ticket(row), await _messages(db, ticket_id)


async def _messages(db: Database, ticket_id: int) -> list[Message]:
    rows = await db.fetch(
        "SELECT id, author, author_name, body, created_at FROM ticket_messages WHERE ticket_id = $1 ORDER BY id",
        ticket_id,
    )
    return [Message(int(r[0]), r[1], r[2], r[3], int(r[4])) for r in rows]


async def customer_reply(db: Database, customer_id: int, ticket_id: int, message: str) -> None:
    body = _body(message)
    now = int(time.time())
    async with db.transaction() as tx:
        name = await tx.fetchval("SELECT name FROM customers WHERE id = $1", customer_id)
        changed = await tx.execute(
            "UPDATE tickets SET status = 'Open', updated_at = $3 WHERE id = $1 AND customer_id = $2",
            ticket_id,
            customer_id,
            now,
        )
        if changed != 1:
            raise TicketError(Refusal.NOT_FOUND, "No such ticket.")
        await _add_message(tx, ticket_id, "customer", str(name), body, now)


async def customer_close(db: Database, customer_id: int, ticket_id: int) -> None:
    changed = await db.execute(
        "UPDATE tickets SET status = 'Closed', updated_at = $3 WHERE id = $1 AND customer_id = $2",
        ticket_id,
        customer_id,
        int(time.time()),
    )
    if changed != 1:
        raise TicketError(Refusal.NOT_FOUND, "No such ticket.")


# --- the staff side (CLI now, the console next) -----------------------------------------------------------
async def list_tickets(db: Database, status: str | None = None, limit: int = 200) -> list[Ticket]:
    if status is None:
        rows = await db.fetch(_SELECT + " ORDER BY t.id DESC LIMIT $1", limit)
    else:
        rows = await db.fetch(_SELECT + " WHERE t.status = $1 ORDER BY t.id DESC LIMIT $2", status, limit)
    return [_ticket(r) for r in rows]


async def staff_ticket(db: Database, ticket_id: int) -> tuple[Ticket, list[Message]]:
    row = await db.fetchrow(_SELECT + " WHERE t.id = $1", ticket_id)
    if row is None:
        raise TicketError(Refusal.NOT_FOUND, f"no ticket {ticket_id}")
    return _ticket(row), await _messages(db, ticket_id)


async def staff_reply(
    db: Database, ticket_id: int, message: str, *, by: str, witness: Witness | None = None
) -> None:
    body = _body(message)
    now = int(time.time())
    async with db.transaction() as tx:
        old = await tx.fetchval("SELECT status FROM tickets WHERE id = $1", ticket_id)
        if await tx.execute("UPDATE tickets SET status = 'Answered', updated_at = $2 WHERE id = $1", ticket_id, now) != 1:
            raise TicketError(Refusal.NOT_FOUND, f"no ticket {ticket_id}")
        await _add_message(tx, ticket_id, "staff", by, body, now)
        await tell(witness, tx, {"status": old}, {"status": "Answered", "reply": body[:200]})


async def staff_close(db: Database, ticket_id: int, *, witness: Witness | None = None) -> None:
    async with db.transaction() as tx:
        old = await tx.fetchval("SELECT status FROM tickets WHERE id = $1", ticket_id)
        if await tx.execute(
            "UPDATE tickets SET status = 'Closed', updated_at = $2 WHERE id = $1", ticket_id, int(time.time())
        ) != 1:
            raise TicketError(Refusal.NOT_FOUND, f"no ticket {ticket_id}")
        await tell(witness, tx, {"status": old}, {"status": "Closed"})
