"""The console's home page: the business at a glance (orders/overview.py). Money (revenue, cost, profit,
provider balances) is shown only to a role with VIEW_MONEY; support sees the counts and queues."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.orders.overview import overview
from smmpanel.staff.roles import Permission
from smmpanel.web.console._views import StaffContext, staff_page
from smmpanel.web.console.charts import revenue_profit


@staff_page(None)
async def dashboard(request: Request, ctx: StaffContext) -> Response:
    seen = await overview(ctx.console.db)
    money = ctx.allows(Permission.VIEW_MONEY)
    return await ctx.render(request, "console/dashboard.html", {
        "title": "Dashboard", "o": seen, "money": money, "chart": revenue_profit(seen.chart) if money else None,
        "spans": [("Today", seen.today), ("7 days", seen.week), ("30 days", seen.month)]})
