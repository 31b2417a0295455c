"""Every console route, in ONE list: console-a's block, then console-b's (each engineer appends to its own
block only). Paths are relative to the /admin mount; every route goes through `security.web_route`, so every
unsafe request must carry the CSRF token, and every view is guarded by `staff_page` (except sign-in)."""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute

from smmpanel.web.console._views import ConsoleSite
from smmpanel.web.security import web_route

GET = ("GET",)
POST = ("POST",)
BOTH = ("GET", "POST")


def routes(console: ConsoleSite) -> list[BaseRoute]:
    def route(path: str, endpoint: Any, methods: tuple[str, ...] = GET) -> BaseRoute:
        return web_route(path, endpoint, methods=methods, check=console.check_csrf, refuse=console.refuse_csrf,
                         max_body=console.settings.max_body_bytes)

    from smmpanel.web.console import auth, dashboard, held, orders, people, reports

    listed: list[BaseRoute] = [
        # --- console-a: sign-in, dashboard, reports, orders, held orders, activity, staff -------------------
        route("/login", auth.login, BOTH),
        route("/login/two-factor", auth.two_factor, BOTH),
        route("/logout", auth.logout, POST),
        route("/", dashboard.dashboard),
        route("/orders", orders.order_list),
        route("/orders/bulk", orders.order_bulk, POST),
        route("/orders/{order_id}", orders.order_detail, BOTH),
        route("/held", held.held_list),
        route("/held/{order_id}", held.held_decide, POST),
        route("/reports", reports.report),
        route("/activity", people.activity_list),
        route("/staff", people.staff_list, BOTH),
        # --- end of console-a -----------------------------------------------------------------------------
        # --- console-b: customers, payments, tickets, services, providers, refills/subscriptions/drip-feed --
        *console_b(route),
        # --- end of console-b -----------------------------------------------------------------------------
    ]
    return listed


def console_b(route: Any) -> list[BaseRoute]:
    """console-b's routes (customers, payments, tickets, refills, subscriptions, drip-feed, services)."""
    from smmpanel.web.console import customers, payments, providers, queues, refills, services, tickets

    return [
        route("/customers", customers.customer_list),
        route("/customers/{customer_id:int}", customers.customer_page),
        route("/customers/{customer_id:int}/adjust", customers.adjust, POST),
        route("/customers/{customer_id:int}/status", customers.set_status, POST),
        route("/customers/{customer_id:int}/keys/revoke", customers.revoke_keys, POST),
        route("/customers/{customer_id:int}/password", customers.reset_password, POST),
        route("/customers/{customer_id:int}/sessions/sign-out", customers.sign_out, POST),
        route("/customers/{customer_id:int}/rates", customers.custom_rate, POST),
        route("/payments", payments.payment_list),
        route("/payments/{request_id:int}/approve", payments.approve, POST),
        route("/payments/{request_id:int}/reject", payments.reject, POST),
        route("/payments/methods", payments.save_method, POST),
        route("/tickets", tickets.ticket_list),
        route("/tickets/{ticket_id:int}", tickets.ticket_page),
        route("/tickets/{ticket_id:int}/reply", tickets.reply, POST),
        route("/tickets/{ticket_id:int}/close", tickets.close, POST),
        route("/refills", refills.refill_list),
        route("/refills/{refill_id:int}", refills.move, POST),
        route("/subscriptions", queues.subscription_list),
        route("/subscriptions/{order_id:int}", queues.subscription_act, POST),
        route("/drip-feed", queues.dripfeed_list),
        route("/drip-feed/{order_id:int}", queues.dripfeed_act, POST),
        route("/services", services.service_list),
        route("/services/reprice", services.reprice, POST),
        route("/services/order", services.order, POST),
        route("/services/import", services.import_from, POST),
        route("/services/sync", services.sync_now, POST),
        route("/services/new", services.create, BOTH),
        route("/services/{service_id:int}", services.edit, BOTH),
        route("/services/{service_id:int}/toggle", services.toggle, POST),
        route("/providers", providers.provider_list),
        route("/providers", providers.save, POST),
        route("/providers/{provider_id:int}/test", providers.test, POST),
    ]
