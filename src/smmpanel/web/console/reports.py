"""Reports: revenue, cost and profit by day, service, provider or customer over a date range (UTC days, both
ends included), read from the daily rollups; the same rows as CSV with exact 5-place amounts."""

from __future__ import annotations

import calendar
import csv
import io
import time

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.money import format_units
from smmpanel.orders import rollups
from smmpanel.orders.rollups import DAY
from smmpanel.staff.roles import Permission
from smmpanel.web.console._views import StaffContext, staff_page

MAX_DAYS = 366 * 5


def _day(text: str | None, default: int) -> int:
    try:
        return calendar.timegm(time.strptime((text or "").strip(), "%Y-%m-%d")) // DAY
    except ValueError:
        return default


def _date(day: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(day * DAY))


@staff_page(Permission.VIEW_MONEY)
async def report(request: Request, ctx: StaffContext) -> Response:
    q = request.query_params
    today = rollups.day_of(int(time.time()))
    last = _day(q.get("until"), today)
    first = max(_day(q.get("from"), last - 29), last - MAX_DAYS)
    dimension = q.get("by", "day") if q.get("by", "day") in rollups.DIMENSIONS else "day"
    rows = await rollups.report(ctx.console.db, dimension, first, min(last, first + MAX_DAYS))
    labels = [_date(r.key) if dimension == "day" else r.label for r in rows]
    total = rollups.Totals(*(sum(getattr(r.totals, f) for r in rows) for f in ("orders", "charged", "refunded", "cost")))
    if q.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([dimension, "orders", "charged", "refunded", "revenue", "cost", "profit"])
        for label, r in zip(labels, rows, strict=True):
            t = r.totals
            writer.writerow([_safe(label), t.orders, *(format_units(v) for v in (t.charged, t.refunded, t.revenue,
                                                                               t.cost, t.profit))])
        name = f"report-{dimension}-{_date(first)}-{_date(last)}.csv"
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"})
    return await ctx.render(request, "console/reports.html", {
        "title": "Reports", "rows": list(zip(labels, rows, strict=True)), "total": total, "by": dimension,
        "dimensions": rollups.DIMENSIONS, "first": _date(first), "last": _date(last)})


def _safe(label: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula (names come from customers and upstreams)."""
    return "'" + label if label[:1] in ("=", "+", "-", "@", "\t", "\r") else label
