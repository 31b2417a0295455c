"""/tickets and the operator's `tickets` commands: a round trip, refusals, and isolation between customers."""

from __future__ import annotations

from smmpanel.accounts import customers
from tests.common.cli import as_json, cli, refused
from tests.conftest import Panel
from tests.functional.web.conftest import Visitor


def _open(visitor: Visitor, subject: str = "Where is my order?", message: str = "It has not started.",
          order: str = "") -> int:
    visitor.get("/tickets")
    response = visitor.post("/tickets", {"subject": subject, "message": message, "order": order})
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_ticket_round_trip_with_the_operator(panel: Panel, visitor: Visitor) -> None:
    visitor.sign_up()
    ticket_id = _open(visitor)
    page = visitor.get(f"/tickets/{ticket_id}").text
    assert f"#{ticket_id} Where is my order?" in page and '<span class="status s-open">Open</span>' in page
    assert '<div class="body">It has not started.</div>' in page
    listed = as_json(cli(panel.db_url, "tickets", "list", "--json"))
    assert [(t["id"], t["customer"], t["status"]) for t in listed] == [(ticket_id, visitor.name, "Open")]
    cli(panel.db_url, "tickets", "reply", str(ticket_id), "It starts within the hour.\nSorry for the wait.")
    shown = cli(panel.db_url, "tickets", "show", str(ticket_id)).stdout
    assert "It has not started." in shown and "It starts within the hour." in shown
    page = visitor.get(f"/tickets/{ticket_id}").text
    assert '<span class="status s-answered">Answered</span>' in page
    assert '<div class="body">It starts within the hour.\nSorry for the wait.</div>' in page
    assert visitor.post(f"/tickets/{ticket_id}", {"action": "reply", "message": "Thanks!"}).status_code == 303
    assert '<span class="status s-open">Open</span>' in visitor.get(f"/tickets/{ticket_id}").text
    assert visitor.post(f"/tickets/{ticket_id}", {"action": "close"}).status_code == 303
    page = visitor.get(f"/tickets/{ticket_id}").text
    assert '<span class="status s-closed">Closed</span>' in page and "Close ticket" not in page
    assert panel.sql("SELECT author FROM ticket_messages ORDER BY id") == [("customer",), ("staff",), ("customer",)]
    cli(panel.db_url, "tickets", "close", str(ticket_id))
    refused(panel.db_url, "tickets", "reply", "999", "hello", message="no ticket 999")
    refused(panel.db_url, "tickets", "show", "999", message="no ticket 999")


def test_ticket_refusals(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    key = panel.customer(name="orderowner")
    service = panel.service()
    order_id = panel.api(key=key, action="add", service=service, link="https://x.example/p", quantity=100)["order"]
    visitor.sign_up()
    visitor.get("/tickets")
    for data, message in (
        ({"subject": " ", "message": "m", "order": ""}, "Write a subject (1 to 200 characters)."),
        ({"subject": "s", "message": "  ", "order": ""}, "Write a message (1 to 10000 characters)."),
        ({"subject": "s", "message": "m", "order": "abc"}, "Incorrect order ID"),
        ({"subject": "s", "message": "m", "order": str(order_id)}, "Incorrect order ID"),  # someone else's
    ):
        response = visitor.post("/tickets", data)
        assert response.status_code == 400 and message in response.text, data
    assert panel.sql("SELECT COUNT(*) FROM tickets") == [(0,)]
    assert visitor.post("/tickets", {"subject": "s", "message": "m"}, csrf=False).status_code == 403
    assert panel.sql("SELECT COUNT(*) FROM tickets") == [(0,)]


def test_a_ticket_about_my_own_order(panel: Panel, visitor: Visitor) -> None:
    visitor.sign_up()
    service = panel.service()
    panel.run(lambda db: customers.add_funds(db, visitor.name, 10**7))
    order_id = panel.api(key=visitor.key, action="add", service=service, link="https://x.example/p",
                         quantity=100)["order"]
    ticket_id = _open(visitor, order=str(order_id))
    assert f"About order {order_id}" in visitor.get(f"/tickets/{ticket_id}").text


def test_a_customer_never_sees_or_touches_anothers_ticket(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    visitor.sign_up()
    other.sign_up()
    ticket_id = _open(visitor, "Private matter", "my secret text")
    other.get("/tickets")
    for response in (
        other.get(f"/tickets/{ticket_id}"),
        other.post(f"/tickets/{ticket_id}", {"action": "reply", "message": "hijack"}),
        other.post(f"/tickets/{ticket_id}", {"action": "close"}),
    ):
        assert response.status_code == 404 and "There is no such ticket." in response.text
        assert "my secret text" not in response.text
    assert "Private matter" not in other.get("/tickets").text
    assert other.get("/tickets/abc").status_code == 404
    assert panel.sql("SELECT status FROM tickets") == [("Open",)]
    assert panel.sql("SELECT COUNT(*) FROM ticket_messages") == [(1,)]


def test_sessions_of_another_customer_are_out_of_reach(panel: Panel, visitor: Visitor, other: Visitor) -> None:
    visitor.sign_up()
    other.sign_up()
    other.http.headers["user-agent"] = "OtherAgent/2"
    other.get("/")
    page = visitor.get("/account").text
    assert "OtherAgent/2" not in page
    visitor.post("/account/sessions/sign-out-others")
    assert other.get("/account").status_code == 200  # B's session is untouched by A
