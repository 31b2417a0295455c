"""The console's home page: the business at a glance."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.web.console._views import StaffContext, staff_page


@staff_page(None)
async def dashboard(request: Request, ctx: StaffContext) -> Response:
    return await ctx.render(request, "console/dashboard.html", {})
