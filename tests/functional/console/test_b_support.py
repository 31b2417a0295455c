"""Tickets and refills in the console (support works both): Reply reaches the customer's /tickets, Close,
and the refill queue's moves (a compare-and-set: a second move of the same refill changes nothing)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from smmpanel.orders.lifecycle import move
from tests.conftest import Panel
from tests.functional.console.conftest import Staff
from tests.functional.web.conftest import Visitor


def open_ticket(visitor: Visitor) -> int:
    visitor.get("/tickets")
    response = visitor.post("/tickets", {"subject": "Where is my order?", "message": "It has not started.",
                                         "order": ""})
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_reply_reaches_the_customer_and_close(panel: Panel, visitor: Visitor, support: Staff) -> None:
    visitor.sign_up()
    ticket_id = open_ticket(visitor)
    inbox = support.get("/admin/tickets")
    assert inbox.status_code == 200
    assert f'<a href="/admin/tickets/{ticket_id}">Where is my order?</a>' in inbox.text
    assert '<span class="status s-open">Open</span>' in inbox.text
    assert f"/admin/tickets/{ticket_id}" not in support.get("/admin/tickets?status=Closed").text
    page = support.get(f"/admin/tickets/{ticket_id}")
    assert '<div class="body">It has not started.</div>' in page.text and ">Reply</button>" in page.text
    assert support.post(f"/admin/tickets/{ticket_id}/reply", {"message": " "}).status_code == 400
    response = support.post(f"/admin/tickets/{ticket_id}/reply", {"message": "It starts within the hour."})
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/tickets/{ticket_id}?done=replied"
    customer_page = visitor.get(f"/tickets/{ticket_id}").text
    assert '<div class="body">It starts within the hour.</div>' in customer_page
    assert '<span class="status s-answered">Answered</span>' in customer_page
    support.get(f"/admin/tickets/{ticket_id}")
    assert support.post(f"/admin/tickets/{ticket_id}/close").status_code == 303
    assert '<span class="status s-closed">Closed</span>' in visitor.get(f"/tickets/{ticket_id}").text
    assert support.get("/admin/tickets/99999").status_code == 404
    assert panel.sql("SELECT s.name, a.action, a.object_id FROM staff_activity a JOIN staff s ON s.id = a.staff_id"
                     " ORDER BY a.id") == [(support.name, "ticket.reply", str(ticket_id)),
                                           (support.name, "ticket.close", str(ticket_id))]


def test_refill_queue_moves_once(panel: Panel, support: Staff, admin: Staff) -> None:
    key = panel.customer("100")
    service = panel.service(refill_days=30)
    assert panel.api(key=key, action="add", service=service, link="https://x/1", quantity=100) == {"order": 1}
    panel.run(lambda db: move(db, 1, "Completed"))
    day_ago = int(time.time()) - 86_400
    panel.execute("UPDATE orders SET completed_at = $1, created_at = $2 WHERE id = 1", day_ago - 60, day_ago - 120)
    assert panel.api(key=key, action="refill", order=1) == {"refill": "1"}
    queue = support.get("/admin/refills")
    assert queue.status_code == 200
    assert 'action="/admin/refills/1"' in queue.text and ">Mark completed</button>" in queue.text
    admin.get("/admin/refills")

    def complete(i: int) -> int:
        one = (support, admin)[i % 2]
        with httpx.Client(base_url=panel.base, cookies=one.http.cookies, timeout=30) as client:
            return client.post("/admin/refills/1", data={"csrf_token": one.csrf, "expected": "Pending",
                                                         "status": "Completed"}).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = sorted(pool.map(complete, range(10)))
    assert codes == [303] + [409] * 9
    assert panel.api(key=key, action="refill_status", refill=1) == {"status": "Completed"}
    assert panel.sql("SELECT COUNT(*) FROM staff_activity WHERE action = 'refill.move'") == [(1,)]
    assert 'action="/admin/refills/1"' not in support.get("/admin/refills?status=Completed").text
    assert support.post("/admin/refills/1", {"expected": "Completed", "status": "Pending"}).status_code == 409
