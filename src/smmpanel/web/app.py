"""The website as one Starlette app, mounted under the API app (api/app.py) for every path the API does not
serve. Its own middleware (security headers) and error pages apply here only: `/api/v2` never enters it.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from smmpanel.config import Settings
from smmpanel.web.console.app import create_console
from smmpanel.web.customer import account, apipage, auth, funds, pages, tickets
from smmpanel.web.security import SecurityHeaders, web_route
from smmpanel.web.site import HERE, Site

log = logging.getLogger("smmpanel.web")
_MESSAGES = {404: ("Not found", "There is no page at this address."),
             405: ("Not allowed", "This page does not accept that kind of request."),
             411: ("Length required", "The request did not say how long it is."),
             413: ("Too large", "The form sent is too large.")}


def routes(site: Site) -> list[BaseRoute]:
    def route(path: str, endpoint: Any, methods: tuple[str, ...] = ("GET",)) -> BaseRoute:
        return web_route(path, endpoint, methods=methods, check=site.check_csrf, refuse=site.refuse_csrf,
                         max_body=site.settings.max_body_bytes)

    both = ("GET", "POST")
    return [
        route("/", pages.home),
        route("/signup", auth.signup, both),
        route("/login", auth.login, both),
        route("/login/two-factor", auth.two_factor, both),
        route("/logout", auth.logout, ("POST",)),
        route("/account", account.account),
        route("/account/password", account.change_password, ("POST",)),
        route("/account/sessions/sign-out-others", account.sign_out_others, ("POST",)),
        route("/account/two-factor/setup", account.two_factor_setup, ("POST",)),
        route("/account/two-factor/enable", account.two_factor_enable, ("POST",)),
        route("/account/two-factor/disable", account.two_factor_disable, ("POST",)),
        route("/services", pages.services),
        route("/addfunds", funds.addfunds, both),
        route("/tickets", tickets.ticket_list, both),
        route("/tickets/{ticket_id}", tickets.ticket, both),
        route("/api", apipage.api_page),
        route("/api/key", apipage.new_key, ("POST",)),
        route("/api/sample.php", apipage.sample_php),
        *(route(path, pages.coming) for path in pages.COMING),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
        Route("/admin", lambda request: RedirectResponse("/admin/", status_code=303)),
        Mount("/admin", app=create_console(site.settings, site.state), name="console"),
    ]


def create_web(settings: Settings, state: dict[str, Any]) -> Starlette:
    """The website; `state["db"]` is set by the API app's lifespan before the first request."""
    site = Site(settings, state)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        title, message = _MESSAGES.get(exc.status_code, ("Error", "The request could not be served."))
        return await site.render(request, "error.html", {"title": title, "message": message},
                                 status=exc.status_code)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("web page failed: %s %s", request.method, request.url.path, exc_info=exc)
        return await site.render(request, "error.html", {
            "title": "Something went wrong", "message": "The page could not be shown. Try again in a moment."},
            status=500)

    app = Starlette(
        routes=routes(site),
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={HTTPException: http_error, 500: server_error},
    )
    app.state.site = site
    return app
