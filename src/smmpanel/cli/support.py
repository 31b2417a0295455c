"""`smmpanel tickets …`: the operator's side of the customers' support tickets."""

from __future__ import annotations

import time

import typer

from smmpanel.cli._common import console, fail, run, show
from smmpanel.db.connect import Database
from smmpanel.support import tickets
from smmpanel.support.tickets import Message, Ticket, TicketError

app = typer.Typer(help="Support tickets: list, show, reply, close.", no_args_is_help=True)


def _when(timestamp: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(timestamp))


@app.command("list")
def tickets_list(
    status: str = typer.Option(None, "--status", help="Open, Answered or Closed"),
    json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """Tickets, newest first."""

    async def work(db: Database) -> list[Ticket]:
        return await tickets.list_tickets(db, status)

    rows = [{"id": t.id, "customer": t.customer, "subject": t.subject, "order": t.order_id, "status": t.status,
             "updated": _when(t.updated_at)} for t in run(work)]
    show(rows, ["id", "customer", "subject", "order", "status", "updated"], as_json=json)


@app.command("show")
def tickets_show(ticket_id: int) -> None:
    """A ticket with its whole thread."""

    async def work(db: Database) -> tuple[Ticket, list[Message]]:
        return await tickets.staff_ticket(db, ticket_id)

    try:
        ticket, messages = run(work)
    except TicketError as exc:
        fail(str(exc))
        return
    order = f" · order {ticket.order_id}" if ticket.order_id else ""
    console.print(f"#{ticket.id} {ticket.subject} [{ticket.status}] · {ticket.customer}{order}", highlight=False)
    for message in messages:
        who = "staff " + message.author_name if message.author == "staff" else message.author_name
        console.print(f"\n{_when(message.created_at)} {who}:", highlight=False)
        console.print(message.body, highlight=False, markup=False)


@app.command("reply")
def tickets_reply(ticket_id: int, text: str) -> None:
    """Answer a ticket (the customer sees it on /tickets)."""

    async def work(db: Database) -> None:
        await tickets.staff_reply(db, ticket_id, text, by="support")

    try:
        run(work)
    except TicketError as exc:
        fail(str(exc))
        return
    console.print(f"ticket {ticket_id} answered")


@app.command("close")
def tickets_close(ticket_id: int) -> None:
    """Close a ticket."""

    async def work(db: Database) -> None:
        await tickets.staff_close(db, ticket_id)

    try:
        run(work)
    except TicketError as exc:
        fail(str(exc))
        return
    console.print(f"ticket {ticket_id} closed")
