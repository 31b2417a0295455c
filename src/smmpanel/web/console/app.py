"""The console as one Starlette app, mounted at /admin inside the website (web/app.py): its own Site (staff
sessions), its own error pages; the website's security headers wrap it."""

from __future__ import annotations

import logging
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from smmpanel.config import Settings
from smmpanel.web.console._views import ConsoleSite
from smmpanel.web.console.routes import routes

log = logging.getLogger("smmpanel.web.console")
_MESSAGES = {404: ("Not found", "There is no console page at this address."),
             405: ("Not allowed", "This page does not accept that kind of request."),
             411: ("Length required", "The request did not say how long it is."),
             413: ("Too large", "The form sent is too large.")}


def create_console(settings: Settings, state: dict[str, Any]) -> Starlette:
    console = ConsoleSite(settings, state)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        title, message = _MESSAGES.get(exc.status_code, ("Error", "The request could not be served."))
        return await console.render(request, "console/error.html", {"title": title, "message": message},
                                    status=exc.status_code)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("console page failed: %s %s", request.method, request.url.path, exc_info=exc)
        return await console.render(request, "console/error.html", {
            "title": "Something went wrong", "message": "The page could not be shown. Try again in a moment."},
            status=500)

    app = Starlette(routes=routes(console), exception_handlers={HTTPException: http_error, 500: server_error})
    app.state.site = console
    return app
