"""The console's Subscriptions and Drip-feed queues over real HTTP: the rows and their fields, Forward (the
engine sends the order, or creates the next run, on its next cycle), Reject (Canceled with the full refund
while nothing is with a provider, else a cancel request the engine carries upstream and settles), the
compare-and-set on the status the page showed, and who may do what."""

from __future__ import annotations

import asyncio
from urllib.parse import unquote_plus

import httpx

from smmpanel.money import charge_units, format_units, parse_amount
from tests.conftest import Panel
from tests.functional.console.conftest import Staff
from tests.functional.fulfilment.conftest import Upstream, add_provider, cycle, order_row

LATER = 10**10  # a retry delay far away: the engine leaves the order alone until someone forwards it


def subscription_service(panel: Panel, upstream: Upstream) -> int:
    provider = add_provider(panel, "upstream", url=upstream.url, api_key="upstream-secret-key-123456")
    return panel.service(provider_id=provider, provider_service="7", rate="1", type="Subscriptions",
                         name="Auto likes", min=10, max=1000, cancel=False)


def subscribe(panel: Panel, key: str, service: int, username: str = "someuser") -> int:
    answer = panel.api(key=key, action="add", service=service, username=username, min=10, max=100, posts=5,
                       delay=30, expiry="31/12/2030")
    return int(answer["order"])


def dripfeed_service(panel: Panel, upstream: Upstream, *, provider_dripfeed: bool = False) -> int:
    provider = add_provider(panel, "upstream", url=upstream.url, api_key="upstream-secret-key-123456")
    return panel.service(provider_id=provider, provider_service="9", rate="1.23457", dripfeed=True, cancel=False,
                         provider_dripfeed=provider_dripfeed)


def act(staff: Staff, page: str, order: int, action: str, expected: str) -> httpx.Response:
    staff.get(f"/admin/{page}")
    return staff.post(f"/admin/{page}/{order}", {"action": action, "expected": expected})


def notice(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    return unquote_plus(response.headers["location"].split("done=", 1)[1])


def row_html(html: str, order: int) -> str:
    return html.split(f'<tr id="order-{order}">', 1)[1].split("</tr>", 1)[0]


def refunds(panel: Panel, order: int) -> list[tuple[int]]:
    return panel.sql("SELECT amount FROM ledger WHERE order_id = $1 AND kind = 'refund'", order)


def test_subscriptions_queue_forward_sends_and_reject_cancels(panel: Panel, upstream: Upstream, owner: Staff) -> None:
    service = subscription_service(panel, upstream)
    key = panel.customer("10")
    sent, pending = subscribe(panel, key, service), subscribe(panel, key, service, "otheruser")
    assert panel.balance(key) == "9.00000"  # 1 × 100 × 5 ÷ 1000 = 0.5 each
    panel.execute("UPDATE orders SET next_attempt_at = $1", LATER)
    page = owner.get("/admin/subscriptions")
    assert page.status_code == 200
    row = row_html(page.text, sent)
    for shown in (f'href="/admin/orders/{sent}"', "someuser", "0 / 5", "10–100", "30 min", "31/12/2030",
                  ">Active</span>", "queued", "0.50000", ">Forward</button>", ">Reject</button>"):
        assert shown in row, shown
    assert cycle(panel)["sent"] == 0 and upstream.total_adds == 0  # waiting for its retry time
    assert notice(act(owner, "subscriptions", sent, "forward", "Pending")) == (
        f"Order {sent}: sent on the engine's next cycle.")
    cycle(panel)
    assert upstream.total_adds == 1
    assert order_row(panel, sent)["dispatch"] == "sent" and order_row(panel, pending)["dispatch"] == "queued"
    # the page showed Pending, but the engine sent it meanwhile
    stale = act(owner, "subscriptions", sent, "reject", "Pending")
    assert stale.status_code == 409
    assert f"Not changed: order {sent} is Processing now, not Pending; look again." in stale.text
    assert notice(act(owner, "subscriptions", sent, "reject", "Processing")) == (
        f"Order {sent}: Cancel requested from the provider.")
    row = order_row(panel, sent)
    assert (row["status"], row["cancel_requested"], row["refunded"]) == ("Processing", True, 0)
    assert "cancel requested" in row_html(owner.get("/admin/subscriptions").text, sent)
    cycle(panel)
    assert panel.sql("SELECT cancel_forwarded FROM orders WHERE id = $1", sent) == [(True,)]
    upstream.statuses[int(row["upstream_id"])] |= {"status": "Canceled"}
    cycle(panel)
    assert order_row(panel, sent)["status"] == "Canceled" and refunds(panel, sent) == [(50000,)]
    # a Pending one is canceled at once, refunded once
    assert notice(act(owner, "subscriptions", pending, "reject", "Pending")) == (
        f"Order {pending}: Canceled; refunded 0.50000.")
    assert refunds(panel, pending) == [(50000,)] and panel.balance(key) == "10.00000"
    assert act(owner, "subscriptions", pending, "reject", "Pending").status_code == 409
    assert refunds(panel, pending) == [(50000,)]
    assert panel.api(key=key, action="status", order=pending)["status"] == "Canceled"
    active = owner.get("/admin/subscriptions").text
    finished = owner.get("/admin/subscriptions?tab=Finished").text
    assert f'id="order-{pending}"' not in active and f'id="order-{sent}"' not in active
    assert ">Canceled</span>" in row_html(finished, pending) and ">Reject</button>" not in finished
    assert panel.sql("SELECT action, object_id FROM staff_activity ORDER BY id") == [
        ("subscriptions.forward", str(sent)), ("subscriptions.reject", str(sent)),
        ("subscriptions.reject", str(pending))]
    assert upstream.total_adds == 1 and panel.audit() == []


def test_two_rejects_at_once_refund_once(panel: Panel, upstream: Upstream, owner: Staff, admin: Staff) -> None:
    key = panel.customer("10")
    order = subscribe(panel, key, subscription_service(panel, upstream))
    for one in (owner, admin):
        one.get("/admin/subscriptions")

    async def reject_twice() -> list[int]:
        async def post(one: Staff) -> int:
            async with httpx.AsyncClient(base_url=panel.base, cookies=one.http.cookies, timeout=30) as client:
                response = await client.post(f"/admin/subscriptions/{order}", data={
                    "csrf_token": one.csrf, "action": "reject", "expected": "Pending"})
                return response.status_code

        return sorted(await asyncio.gather(*(post(one) for one in (owner, admin, owner, admin))))

    assert asyncio.run(reject_twice()) == [303, 409, 409, 409]
    assert refunds(panel, order) == [(50000,)] and panel.balance(key) == "10.00000"
    assert panel.sql("SELECT COUNT(*) FROM staff_activity WHERE action = 'subscriptions.reject'") == [(1,)]


def test_dripfeed_queue_forward_runs_now_and_reject_settles_partial(panel: Panel, upstream: Upstream,
                                                                     owner: Staff) -> None:
    service = dripfeed_service(panel, upstream)
    key = panel.customer("10")
    parent = int(panel.api(key=key, action="add", service=service, link="https://ig.example/d", quantity=101,
                           runs=3, interval=60)["order"])
    charge = charge_units(parse_amount("1.23457"), 303)
    cycle(panel)  # run 1 created and sent; run 2 is an hour away
    (first,) = [c for (c,) in panel.sql("SELECT id FROM orders WHERE parent_id = $1", parent)]
    assert order_row(panel, first)["dispatch"] == "sent"
    page = owner.get("/admin/drip-feed")
    row = row_html(page.text, parent)
    for shown in (f'href="/admin/orders/{parent}"', "https://ig.example/d", "1 / 3", ">101<", "60 min",
                  f'href="/admin/orders/{first}"', "0 / 303", "here", ">In progress</span>", format_units(charge),
                  ">Forward</button>", ">Reject</button>"):
        assert shown in row, shown
    assert notice(act(owner, "drip-feed", parent, "forward", "In progress")) == (
        f"Order {parent}: next run created on the engine's next cycle.")
    cycle(panel)
    children = [c for (c,) in panel.sql("SELECT id FROM orders WHERE parent_id = $1 ORDER BY id", parent)]
    assert len(children) == 2 and order_row(panel, children[1])["dispatch"] == "sent"
    upstream.statuses[int(order_row(panel, first)["upstream_id"])] |= {"status": "Completed", "remains": "0"}
    cycle(panel)
    assert "101 / 303" in row_html(owner.get("/admin/drip-feed").text, parent)  # delivered by run 1
    assert notice(act(owner, "drip-feed", parent, "reject", "In progress")) == (
        f"Order {parent}: Cancel requested from the provider.")
    cycle(panel)  # the cancel reaches run 2, which is with the provider
    assert panel.sql("SELECT cancel_requested, cancel_forwarded FROM orders WHERE id = $1", children[1]) == [
        (True, True)]
    upstream.statuses[int(order_row(panel, children[1])["upstream_id"])] |= {"status": "Canceled"}
    cycle(panel)
    cycle(panel)
    row = order_row(panel, parent)
    assert (row["status"], row["remains"]) == ("Partial", 202)
    assert refunds(panel, parent) == [(charge * 202 // 303,)]
    assert panel.balance(key) == format_units(parse_amount("10") - charge + charge * 202 // 303)
    assert panel.sql("SELECT COUNT(*) FROM orders WHERE parent_id = $1", parent) == [(2,)]  # no run 3
    finished = owner.get("/admin/drip-feed?tab=Finished").text
    assert ">Partial</span>" in row_html(finished, parent)
    assert panel.sql("SELECT action, object_id FROM staff_activity ORDER BY id") == [
        ("drip-feed.forward", str(parent)), ("drip-feed.reject", str(parent))]


def test_dripfeed_reject_before_the_first_run_and_provider_dripfeed(panel: Panel, upstream: Upstream,
                                                                    admin: Staff) -> None:
    key = panel.customer("10")
    here = int(panel.api(key=key, action="add", service=dripfeed_service(panel, upstream), link="https://x/h",
                         quantity=100, runs=2, interval=5)["order"])
    there = int(panel.api(key=key, action="add", service=dripfeed_service(panel, upstream, provider_dripfeed=True),
                          link="https://x/p", quantity=100, runs=2, interval=5)["order"])
    panel.execute("UPDATE orders SET next_attempt_at = $1 WHERE id = $2", LATER, there)
    page = admin.get("/admin/drip-feed").text
    assert "none yet" in row_html(page, here) and "here" in row_html(page, here)
    assert "provider" in row_html(page, there) and "(queued)" in row_html(page, there)
    charge = charge_units(parse_amount("1.23457"), 200)
    assert notice(act(admin, "drip-feed", here, "reject", "Pending")) == (
        f"Order {here}: Canceled; refunded {format_units(charge)}.")
    assert notice(act(admin, "drip-feed", there, "forward", "Pending")) == (
        f"Order {there}: sent on the engine's next cycle.")
    cycle(panel)
    assert panel.sql("SELECT COUNT(*) FROM orders WHERE parent_id = $1", here) == [(0,)]  # never run
    assert order_row(panel, here)["status"] == "Canceled" and refunds(panel, here) == [(charge,)]
    assert order_row(panel, there)["dispatch"] == "sent" and upstream.adds["https://x/p"] == 1
    assert act(admin, "drip-feed", there, "forward", "Processing").status_code == 409  # already sent


def test_support_sees_the_queues_without_money_and_may_not_act(panel: Panel, upstream: Upstream,
                                                               support: Staff) -> None:
    key = panel.customer("10")
    order = subscribe(panel, key, subscription_service(panel, upstream))
    parent = int(panel.api(key=key, action="add", service=dripfeed_service(panel, upstream), link="https://x/s",
                           quantity=100, runs=2, interval=5)["order"])
    nav = support.get("/admin/refills").text
    assert nav.index('href="/admin/refills"') < nav.index('href="/admin/subscriptions"') < nav.index(
        'href="/admin/drip-feed"')
    dripfeed_charge = format_units(charge_units(parse_amount("1.23457"), 200))
    for path, shown, money in (("/admin/subscriptions", order, "0.50000"), ("/admin/drip-feed", parent, dripfeed_charge)):
        page = support.get(path)
        assert page.status_code == 200 and f'id="order-{shown}"' in page.text
        assert money not in page.text and "Charge" not in page.text
        assert ">Reject</button>" not in page.text and ">Forward</button>" not in page.text
    for path, shown in (("subscriptions", order), ("drip-feed", parent)):
        for action in ("reject", "forward"):
            assert support.post(f"/admin/{path}/{shown}", {"action": action, "expected": "Pending"}).status_code == 403
    assert order_row(panel, order)["status"] == "Pending" and order_row(panel, parent)["status"] == "Pending"
    assert panel.balance(key) == format_units(parse_amount("10") - 50000 - charge_units(parse_amount("1.23457"), 200))
    assert panel.sql("SELECT COUNT(*) FROM staff_activity") == [(0,)]
    assert support.post(f"/admin/subscriptions/{order}", {"action": "x", "expected": "Pending"}).status_code == 400


def test_reject_on_a_held_or_by_hand_order_says_where_to_decide(panel: Panel, upstream: Upstream,
                                                                owner: Staff) -> None:
    """A cancel request would reach nobody for these: Reject refuses, and says where the operator decides."""
    service = subscription_service(panel, upstream)
    key = panel.customer("10")
    held, by_hand = subscribe(panel, key, service), subscribe(panel, key, service, "otheruser")
    panel.execute("UPDATE orders SET status = 'Processing', dispatch = 'held' WHERE id = $1", held)
    panel.execute("UPDATE orders SET status = 'Processing', dispatch = NULL WHERE id = $1", by_hand)
    for order, words in ((held, "is held: Resolve, Resend or Fail and refund it on Held orders"),
                         (by_hand, "is fulfilled by hand: cancel and refund it on its order page")):
        answer = act(owner, "subscriptions", order, "reject", "Processing")
        assert answer.status_code == 409
        assert f"Not changed: order {order} {words}." in answer.text
        assert not order_row(panel, order)["cancel_requested"]
    assert panel.balance(key) == "9.00000"
