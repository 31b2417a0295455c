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

    from smmpanel.web.console import auth, dashboard, people

    listed: list[BaseRoute] = [
        # --- console-a: sign-in, dashboard, reports, orders, held orders, activity, staff -------------------
        route("/login", auth.login, BOTH),
        route("/login/two-factor", auth.two_factor, BOTH),
        route("/logout", auth.logout, POST),
        route("/", dashboard.dashboard),
        route("/activity", people.activity_list),
        route("/staff", people.staff_list, BOTH),
        # --- end of console-a -----------------------------------------------------------------------------
        # --- console-b: customers, payments, tickets, services, providers, refills/subscriptions/drip-feed --
        # --- end of console-b -----------------------------------------------------------------------------
    ]
    return listed
